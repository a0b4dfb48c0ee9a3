"""Demo data: Fangshan's worker homes and warm stations, as the seed page reports them.

8 model worker homes + 46 enterprise worker homes (54), 755 warm stations in party-mass
activity centres + 49 outdoor-worker stations in 8 towns/streets (804). Idempotent: each
group is keyed by its station names; a second run creates nothing.
"""

import datetime as dt
import random

from django.db import transaction
from django.utils import timezone

from unionportal.core import demo as core_demo
from unionportal.core.models import Union

from . import services
from .amenities import ensure_amenities
from .models import (
    Amenity,
    AmenityDelivery,
    Award,
    CheckIn,
    DemandPoint,
    ExchangeVisit,
    Feedback,
    HoursException,
    Inspection,
    OpeningHours,
    PublicAccessChange,
    Station,
    StationAmenity,
)

H = Station.HostType
OUTDOOR_TOWNS = ["良乡镇", "拱辰街道", "西潞街道", "长阳镇", "阎村镇", "窦店镇", "琉璃河镇", "城关街道"]
OUTDOOR_HOSTS = [
    (H.COMMUNITY, "社区"),
    (H.GAS_STATION, "加油站"),
    (H.DELIVERY, "快递网点"),
    (H.BOOKSTORE, "书店"),
    (H.BARBER, "理发店"),
    (H.SUPERMARKET, "超市"),
]
ENTERPRISES = [
    "燕山石化",
    "北京金隅",
    "长阳农场",
    "京港地铁房山线",
    "中粮营养健康研究院",
    "北京城建房山分公司",
    "北汽新能源",
    "房山供电公司",
    "良乡医院",
    "北京首都机场航空物流",
    "京东物流房山分拣中心",
    "顺丰速运房山转运中心",
]


def _t(h: int, m: int = 0) -> dt.time:
    return dt.time(h, m)


def _jitter(rng: random.Random, lat: float, lng: float, km: float) -> tuple[float, float]:
    return round(lat + rng.gauss(0, km / 111.0), 6), round(lng + rng.gauss(0, km / 85.0), 6)


def _plan() -> list[dict]:
    """Every demo station, deterministic."""
    rng = random.Random(804)
    towns = core_demo.fangshan_towns()
    by_name = {t["name"]: t for t in towns}
    rows: list[dict] = []
    for i in range(8):
        t = towns[i % len(towns)]
        lat, lng = _jitter(rng, t["lat"], t["lng"], 1.0)
        rows.append(
            {
                "name": f"{ENTERPRISES[i]}示范职工之家",
                "kind": Station.Kind.MODEL_HOME,
                "host_type": H.ENTERPRISE,
                "town": t["name"],
                "lat": lat,
                "lng": lng,
                "owner": "fangshan",
                "is_public": i % 2 == 0,
            }
        )
    for i in range(46):
        t = towns[(i * 5) % len(towns)]
        lat, lng = _jitter(rng, t["lat"], t["lng"], 1.5)
        company = ENTERPRISES[i % len(ENTERPRISES)]
        rows.append(
            {
                "name": f"{company}第{i // len(ENTERPRISES) + 1}职工之家（{t['name']}）",
                "kind": Station.Kind.WORKER_HOME,
                "host_type": H.ENTERPRISE,
                "town": t["name"],
                "lat": lat,
                "lng": lng,
                "owner": t["name"],
                "is_public": i % 5 == 0,
            }
        )
    per_town, extra = divmod(755, len(towns))
    for ti, t in enumerate(towns):
        for j in range(per_town + (1 if ti < extra else 0)):
            lat, lng = _jitter(rng, t["lat"], t["lng"], 2.2)
            rows.append(
                {
                    "name": f"{t['name']}第{j + 1}党群活动中心职工暖心驿站",
                    "kind": Station.Kind.WARM,
                    "host_type": H.PARTY_CENTRE,
                    "town": t["name"],
                    "lat": lat,
                    "lng": lng,
                    "owner": t["name"],
                    "is_public": True,
                }
            )
    for i in range(49):
        t = by_name[OUTDOOR_TOWNS[i % len(OUTDOOR_TOWNS)]]
        host, host_name = OUTDOOR_HOSTS[i % len(OUTDOOR_HOSTS)]
        lat, lng = _jitter(rng, t["lat"], t["lng"], 1.2)
        rows.append(
            {
                "name": f"{t['name']}{host_name}户外劳动者暖心驿站{i // len(OUTDOOR_TOWNS) + 1}号",
                "kind": Station.Kind.OUTDOOR,
                "host_type": host,
                "town": t["name"],
                "lat": lat,
                "lng": lng,
                "owner": "fangshan",
                "is_public": True,
                "signage": True,
            }
        )
    return rows


def _hours_for(s: Station, i: int) -> tuple[bool, list[tuple[int, dt.time, dt.time]]]:
    """(open 24h, weekly ranges)."""
    if s.kind == Station.Kind.OUTDOOR:
        if s.host_type == H.GAS_STATION:
            return True, []
        if s.host_type == H.DELIVERY:  # early shift into the night, past midnight
            return False, [(d, _t(6), _t(1)) for d in range(7)]
        return False, [(d, _t(7), _t(21)) for d in range(7)]
    if s.kind == Station.Kind.WARM:
        week = [(d, _t(8, 30), _t(12)) for d in range(5)] + [(d, _t(13, 30), _t(18)) for d in range(5)]
        return False, week + ([(5, _t(9), _t(17))] if i % 3 == 0 else [])
    return False, [(d, _t(8, 30), _t(17, 30)) for d in range(5)]


def _amenities_for(s: Station, rng: random.Random) -> list[str]:
    if s.kind == Station.Kind.OUTDOOR:
        base = ["water", "microwave", "first_aid", "air_pump", "phone_charger", "seats"]
        return base + rng.sample(["ebike_charger", "climate", "wifi", "toilet", "reading"], 2)
    if s.kind == Station.Kind.WARM:
        return ["water", "seats"] + rng.sample(
            ["microwave", "first_aid", "phone_charger", "climate", "wifi", "reading"], 3
        )
    return ["water", "seats", "reading", "wifi", "first_aid", "climate"]


@transaction.atomic
def seed(stdout) -> None:
    ensure_amenities()
    district = core_demo.union("fangshan")
    owners = {u.name.removesuffix("总工会"): u for u in Union.objects.get_children(district)}
    owners["fangshan"] = district
    plan = _plan()
    existing = set(Station.objects.filter(union__path__startswith=district.path).values_list("name", flat=True))
    founded = dt.date(2020, 6, 1)
    now = timezone.now()
    new = []
    for i, row in enumerate(plan):
        if row["name"] in existing:
            continue
        s = Station(
            union=owners[row["owner"]],
            name=row["name"],
            kind=row["kind"],
            host_type=row["host_type"],
            town=row["town"],
            address=f"北京市房山区{row['town']}",
            lat=row["lat"],
            lng=row["lng"],
            phone=f"010-6935{i:04d}",
            status=Station.Status.OPEN,
            signage=row.get("signage", i % 4 == 0),
            is_public=row["is_public"],
            public_since=now,
            founded_on=founded + dt.timedelta(days=(i * 7) % 900),
        )
        s.open_24h, _week = _hours_for(s, i)
        services.station_fill_derived(station=s)
        new.append(s)
    Station.objects.bulk_create(new, batch_size=500)
    created = Station.objects.filter(name__in=[s.name for s in new], union__path__startswith=district.path)
    services.station_index_text(stations=created, fresh=True)
    rng = random.Random(49)
    amenities = {a.code: a for a in Amenity.objects.all()}
    hours, sas, deliveries, exceptions = [], [], [], []
    holiday = dt.date(timezone.localdate().year + 1, 1, 1)
    for i, s in enumerate(created.order_by("pk")):
        _24h, week = _hours_for(s, i)
        hours += [OpeningHours(station=s, weekday=d, opens=a, closes=b) for d, a, b in week]
        codes = _amenities_for(s, rng)
        delivered = dt.date(2022, 9, 1) + dt.timedelta(days=i % 60)
        sas += [StationAmenity(station=s, amenity=amenities[c], since=delivered) for c in codes]
        if s.kind == Station.Kind.OUTDOOR:
            deliveries += [
                AmenityDelivery(
                    station=s, amenity=amenities[c], quantity=1, delivered_on=delivered, note="区总工会统一配备"
                )
                for c in codes
            ]
        if s.kind == Station.Kind.WARM:
            exceptions.append(HoursException(station=s, date=holiday, closed=True, note="元旦休息"))
    OpeningHours.objects.bulk_create(hours, batch_size=1000)
    StationAmenity.objects.bulk_create(sas, batch_size=1000)
    AmenityDelivery.objects.bulk_create(deliveries, batch_size=1000)
    HoursException.objects.bulk_create(exceptions, batch_size=1000)
    _seed_records(district, stdout)
    all_ = Station.objects.filter(union__path__startswith=district.path)
    stdout.write(
        f"stations: {all_.warm().count()} warm stations "
        f"({all_.filter(kind=Station.Kind.OUTDOOR).count()} outdoor), {all_.worker_homes().count()} worker homes"
        f" ({len(new)} new)"
    )


def _seed_records(district, stdout) -> None:
    outdoor = list(Station.objects.filter(union=district, kind=Station.Kind.OUTDOOR).order_by("pk"))
    officer = core_demo.user("fangshan_officer")
    # Standard checks of the first 30 outdoor stations; a few fail an item.
    items = Inspection.Item.values
    for i, s in enumerate(outdoor[:30]):
        if s.inspections.exists():
            continue
        results = dict.fromkeys(items, (True, ""))
        if i % 7 == 3:
            results["publicity"] = (False, "宣传栏内容未更新")
        if i % 11 == 5:
            results["rules"] = (False, "缺少值班制度上墙")
        services.inspection_record(
            station=s,
            inspected_on=dt.date(2022, 11, 1) + dt.timedelta(days=i),
            results=results,
            by=officer,
        )
    best, beijing_best = outdoor[0], outdoor[1]
    awards = [
        (best, Award.Level.NATIONAL, 2022, "全国最美户外劳动者服务站点"),
        (beijing_best, Award.Level.BEIJING, 2022, "北京市最美户外劳动者服务站点"),
        (outdoor[2], Award.Level.BEIJING, 2022, "北京市最美户外劳动者服务站点"),
        (outdoor[3], Award.Level.DISTRICT, 2022, "房山区最美户外劳动者服务站点"),
        (outdoor[4], Award.Level.DISTRICT, 2022, "房山区最美户外劳动者服务站点"),
    ]
    for station, level, year, title in awards:
        if not Award.objects.filter(station=station, level=level, year=year).exists():
            services.award_save(award=Award(station=station, level=level, year=year, title=title))
    if not ExchangeVisit.objects.filter(host=best, guest=beijing_best).exists():
        services.exchange_visit_log(
            host=best,
            guest=beijing_best,
            visited_on=dt.date(2022, 12, 6),
            participants=12,
            summary="全国最美站点与北京市最美站点互学交流，分享规范化建设“七有”经验。",
        )
    # An enterprise worker home opened to outdoor workers: the change is kept.
    home = (
        Station.objects.filter(union__path__startswith=district.path, kind=Station.Kind.WORKER_HOME, is_public=False)
        .order_by("pk")
        .first()
    )
    if home and not PublicAccessChange.objects.filter(station__kind=Station.Kind.WORKER_HOME).exists():
        services.station_set_public(station=home, is_public=True, by=officer, note="向快递员、外卖骑手开放")
    if not Feedback.objects.filter(station__union__path__startswith=district.path).exists():
        services.feedback_submit(station=outdoor[5], rating=2, problem="water", message="直饮水机不出水")
        services.feedback_submit(station=outdoor[6], rating=5, message="微波炉很方便，谢谢工会")
        services.feedback_submit(station=outdoor[7], rating=None, problem="closed", message="晚上八点就关门了")
    if not CheckIn.objects.filter(station__in=outdoor).exists():
        rng = random.Random(7)
        start = timezone.now() - dt.timedelta(days=180)
        CheckIn.objects.bulk_create(
            [
                CheckIn(
                    station=rng.choice(outdoor[:12]),
                    at=start + dt.timedelta(minutes=rng.randrange(180 * 24 * 60)),
                    client=f"demo{rng.randrange(300):04d}",
                )
                for _ in range(1500)
            ],
            batch_size=1000,
        )
    points = [
        ("良乡镇京东快递分拣站", "delivery_hub", 39.735, 116.150, 60),
        ("拱辰街道环卫所", "sanitation", 39.742, 116.160, 45),
        ("长阳镇美团配送站", "delivery_hub", 39.760, 116.205, 80),
        ("窦店镇农贸市场", "market", 39.657, 116.080, 30),
        ("十渡镇景区环卫站", "sanitation", 39.637, 115.600, 20),
        ("霞云岭乡快递代收点", "delivery_hub", 39.735, 115.740, 12),
        ("大石窝镇建筑工地", "construction", 39.565, 115.805, 150),
    ]
    for name, kind, lat, lng, workers in points:
        DemandPoint.objects.get_or_create(
            union=district, name=name, defaults={"kind": kind, "lat": lat, "lng": lng, "workers": workers}
        )
