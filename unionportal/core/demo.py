"""Demo data of the core: the union tree of the seed page, a user per role, activities.

Every function is idempotent: running `seed_demo` twice changes nothing. Domain apps look
up the demo unions and users with `union(key)` and `user(username)`.
"""

import csv
import datetime as dt
from pathlib import Path

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from . import services
from .models import Activity, Role, Union

DEMO_PASSWORD = "unionportal-demo"
FANGSHAN_TOWNS_CSV = Path(__file__).parent / "data" / "fangshan_towns.csv"

# key: (name, kind, parent key, region)
TREE: list[tuple[str, str, str, str | None, str]] = [
    ("beijing", "北京市总工会", Union.Kind.CITY, None, "北京市"),
    ("fangshan", "房山区总工会", Union.Kind.DISTRICT, "beijing", "北京市房山区"),
    ("fengtai", "丰台区总工会", Union.Kind.DISTRICT, "beijing", "北京市丰台区"),
    ("lugouqiao", "卢沟桥街道总工会", Union.Kind.STREET, "fengtai", "北京市丰台区卢沟桥街道"),
    ("cscec_tech", "中建科技集团有限公司工会", Union.Kind.GRASSROOTS, "beijing", "北京市"),
    ("shougang_mining", "首钢矿业公司工会", Union.Kind.INDUSTRY, "beijing", "河北省迁安市"),
    ("xingshan", "首钢矿业公司杏山铁矿工会", Union.Kind.GRASSROOTS, "shougang_mining", "河北省迁安市"),
    ("beifang", "北方车辆集团工会", Union.Kind.INDUSTRY, "beijing", "北京市丰台区"),
    ("beifang_assembly", "北方车辆集团总装公司分会", Union.Kind.GRASSROOTS, "beifang", "北京市丰台区"),
    ("beifang_body", "北方车辆集团车体公司分会", Union.Kind.GRASSROOTS, "beifang", "北京市丰台区"),
    ("beifang_transmission", "北方车辆集团传动公司分会", Union.Kind.GRASSROOTS, "beifang", "北京市丰台区"),
    ("beifang_thermal", "北方车辆集团热工公司分会", Union.Kind.GRASSROOTS, "beifang", "北京市丰台区"),
    ("beifang_logistics", "北方车辆集团后勤装备公司分会", Union.Kind.GRASSROOTS, "beifang", "北京市丰台区"),
    ("crec6_overseas", "中铁六局海外分公司工会", Union.Kind.GRASSROOTS, "beijing", "北京市丰台区"),
]

# username: (union key, role, display name)
USERS: list[tuple[str, str, str, str]] = [
    ("city_chair", "beijing", Role.Kind.CHAIR, "市总工会主席"),
    ("fangshan_officer", "fangshan", Role.Kind.OFFICER, "房山区工会干事"),
    ("fangshan_viewer", "fangshan", Role.Kind.VIEWER, "房山区查看员"),
    ("fengtai_officer", "fengtai", Role.Kind.OFFICER, "丰台区工会干事"),
    ("lugouqiao_officer", "lugouqiao", Role.Kind.OFFICER, "卢沟桥街道工会干事"),
    ("cscec_officer", "cscec_tech", Role.Kind.OFFICER, "中建科技工会干事"),
    ("xingshan_officer", "xingshan", Role.Kind.OFFICER, "杏山铁矿工会干事"),
    ("beifang_chair", "beifang", Role.Kind.CHAIR, "北方车辆集团工会主席"),
    ("beifang_welfare", "beifang", Role.Kind.WELFARE, "北方车辆集团帮扶干事"),
    ("crec6_welfare", "crec6_overseas", Role.Kind.WELFARE, "中铁六局海外工会帮扶干事"),
    ("xingshan_judge", "xingshan", Role.Kind.JUDGE, "杏山铁矿评委"),
]


def fangshan_towns() -> list[dict]:
    """Fangshan's towns and streets with approximate WGS-84 centres."""
    with FANGSHAN_TOWNS_CSV.open(encoding="utf-8") as f:
        rows = [line for line in f if not line.startswith("#")]
    return [
        {"name": r["name"], "kind": r["kind"], "lat": float(r["lat"]), "lng": float(r["lng"])}
        for r in csv.DictReader(rows)
    ]


def union(key_or_name: str) -> Union:
    """A demo union by its key in TREE (or by its name)."""
    names = {key: name for key, name, *_rest in TREE}
    return Union.objects.get(name=names.get(key_or_name, key_or_name))


def user(username: str):
    return get_user_model().objects.get(username=username)


def _node(name: str, kind: str, parent: Union | None, region: str) -> Union:
    existing = (
        (Union.objects.get_children(parent) if parent else Union.objects.get_root_nodes()).filter(name=name).first()
    )
    if existing:
        return existing
    return services.union_create(by=None, target=parent, pos="last-child", name=name, kind=kind, region=region)


@transaction.atomic
def seed_unions() -> dict[str, Union]:
    nodes: dict[str, Union] = {}
    for key, name, kind, parent, region in TREE:
        nodes[key] = _node(name, kind, nodes[parent] if parent else None, region)
        if key == "fangshan":
            for town in fangshan_towns():
                # Town and street federations carry the town's name, e.g. 良乡镇总工会.
                _node(f"{town['name']}总工会", Union.Kind.STREET, nodes[key], f"北京市房山区{town['name']}")
    return nodes


@transaction.atomic
def seed_users(nodes: dict[str, Union]) -> list[tuple[str, str, str]]:
    User = get_user_model()
    admin, created = User.objects.get_or_create(
        username="admin", defaults={"is_staff": True, "is_superuser": True, "first_name": "系统管理员"}
    )
    if created:
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    printed = [("admin", "superuser", "")]
    for username, key, kind, display in USERS:
        u, created = User.objects.get_or_create(username=username, defaults={"first_name": display})
        if created:
            u.set_password(DEMO_PASSWORD)
            u.save()
        services.role_grant(user=u, union=nodes[key], kind=kind)
        printed.append((username, kind, nodes[key].name))
    return printed


def _at(y: int, m: int, d: int, hh: int = 9, mm: int = 30) -> dt.datetime:
    return timezone.make_aware(dt.datetime(y, m, d, hh, mm))


ACTIVITIES = [
    # (source key, union key, kind, title, when, place, participants, organiser, summary, published)
    (
        "seed:lugouqiao-study",
        "lugouqiao",
        Activity.Kind.STUDY,
        "卢沟桥街道总工会组织工会干部学习党的二十大精神",
        _at(2022, 11, 18, 14, 0),
        "卢沟桥街道党群活动中心",
        45,
        "卢沟桥街道总工会",
        "组织工会干部学习党的二十大精神，依托卢沟桥城内革命活动旧址等红色教育资源，打造精神谱系学习平台。",
        True,
    ),
    (
        "seed:lugouqiao-lecture",
        "lugouqiao",
        Activity.Kind.LECTURE,
        "“劳模宣讲台”劳模精神宣讲",
        _at(2022, 11, 25, 15, 0),
        "卢沟桥街道职工之家",
        60,
        "卢沟桥街道总工会",
        "邀请劳模讲述奋斗故事，开展“优秀职工身边讲”事迹巡展。",
        True,
    ),
    (
        "seed:lugouqiao-reading",
        "lugouqiao",
        Activity.Kind.READING,
        "职工读书沙龙：家风家训",
        _at(2022, 12, 2, 19, 0),
        "卢沟桥街道职工书屋",
        25,
        "卢沟桥街道总工会",
        "围绕文明城区创建，打造“家风家训”、职工读书沙龙等职工价值素养建设项目。",
        True,
    ),
    (
        "seed:lugouqiao-seminar",
        "lugouqiao",
        Activity.Kind.SEMINAR,
        "非公企业负责人、工会主席培训座谈",
        _at(2022, 12, 9, 9, 30),
        "卢沟桥街道办事处会议室",
        38,
        "卢沟桥街道总工会",
        "通过培训座谈、线上宣传短视频等形式，全面系统学习党的二十大精神。",
        True,
    ),
    (
        "seed:fangshan-survey",
        "fangshan",
        Activity.Kind.SURVEY,
        "下基层蹲点走访调研职工诉求",
        _at(2022, 11, 10, 9, 0),
        "房山区各乡镇街道",
        30,
        "房山区总工会",
        "听取基层工会委员代表、职工代表、企业代表对工会的意见建议，归纳总结，落实到科室、落实到个人。",
        True,
    ),
    (
        "seed:beifang-survey",
        "beifang",
        Activity.Kind.SURVEY,
        "走访基层分会，调研困难职工情况",
        _at(2022, 12, 20, 9, 0),
        "北方车辆集团各子公司",
        12,
        "北方车辆集团工会",
        "慰问组一行到总装、车体、传动、热工、后勤装备公司了解困难职工情况，优化帮扶措施。",
        True,
    ),
    (
        "seed:fangshan-plan",
        "fangshan",
        Activity.Kind.TRAINING,
        "户外劳动者服务站点规范化建设培训（筹备中）",
        _at(2023, 3, 15, 9, 30),
        "房山区总工会",
        0,
        "房山区总工会",
        "围绕“七有”标准培训站点负责人。",
        False,
    ),
]


def _log(node: Union, source, kind, title, when, place, participants, organiser, summary, *, publish: bool):
    """One demo activity through the service (idempotent by `source`), from a row's fields."""
    return services.activity_log(
        union=node,
        kind=kind,
        title=title,
        starts_at=when,
        source=source,
        summary=summary,
        place=place,
        participants=participants,
        organiser=organiser,
        publish=publish,
    )


def seed_activities(nodes: dict[str, Union]) -> int:
    for source, key, kind, title, when, place, n, organiser, summary, published in ACTIVITIES:
        _log(nodes[key], source, kind, title, when, place, n, organiser, summary, publish=published)
    return len(ACTIVITIES)


# Activities about a demo station, studio or contest: (source key, what, union key, kind,
# title, when, place, participants, organiser, summary). Seeded after the apps' demo data.
LINKED_ACTIVITIES = [
    (
        "seed:fangshan-station-visit",
        ("station", "fangshan"),
        "fangshan",
        Activity.Kind.SURVEY,
        "户外劳动者服务站点“七有”标准现场观摩",
        _at(2022, 12, 6, 10, 0),
        "房山区户外劳动者服务站点",
        20,
        "房山区总工会",
        "各乡镇街道工会负责人到站点现场观摩，对照“七有”标准逐项查看饮水、休息、充电、如厕等服务设施。",
    ),
    (
        "seed:xingshan-studio-exchange",
        ("studio", "xingshan-model-worker"),
        "xingshan",
        Activity.Kind.EXCHANGE,
        "杏山铁矿劳模创新工作室技术交流会",
        _at(2022, 12, 14, 14, 30),
        "杏山铁矿劳模创新工作室",
        32,
        "杏山铁矿工会",
        "工作室成员与各车间技术骨干交流设备改造经验，推广“巴登工作法”。",
    ),
    (
        "seed:xingshan-contest-launch",
        ("contest", "xingshan-five-type-2022"),
        "xingshan",
        Activity.Kind.CEREMONY,
        "“学巴登·做五型创新职工”创新竞赛启动仪式",
        _at(2022, 9, 1, 9, 0),
        "杏山铁矿职工活动中心",
        120,
        "杏山铁矿工会",
        "竞赛正式启动，各车间职工围绕安全、降本、增效申报创新成果。",
    ),
]


def _link_target(kind: str, key: str):
    """The demo record an activity is about: the first public station of a union, a studio or contest by slug."""
    from contests.models import Contest
    from stations.models import Station
    from studios.models import Studio

    if kind == "station":
        return (
            Station.objects.filter(union=union(key), is_public=True, status__in=Station.PUBLIC_STATUSES)
            .order_by("pk")
            .first()
        )
    model = Studio if kind == "studio" else Contest
    return model.objects.filter(slug=key).first()


def seed_linked_activities(stdout=None) -> int:
    """Link a few demo activities to the station, studio or contest they are about, through the
    services (their pages list them). Idempotent; skipped when the app's demo data is missing."""
    linked = 0
    for source, (kind, key), union_key, akind, title, when, place, n, organiser, summary in LINKED_ACTIVITIES:
        target = _link_target(kind, key)
        if target is None:
            continue
        activity = _log(union(union_key), source, akind, title, when, place, n, organiser, summary, publish=False)
        if getattr(activity, f"{kind}_id") != target.pk or not activity.is_published:
            for name in services.LINK_FIELDS:
                setattr(activity, name, target if name == kind else None)
            services.activity_update(activity=activity, by=None, publish=True)
        linked += 1
    if stdout is not None:
        stdout.write(f"core: {linked} activities linked to a station, studio or contest")
    return linked


def seed(stdout) -> None:
    nodes = seed_unions()
    users = seed_users(nodes)
    count = seed_activities(nodes)
    stdout.write(f"core: {Union.objects.count()} unions, {len(users)} demo users, {count} activities")
    stdout.write(f"Demo accounts (password for all: {DEMO_PASSWORD}):")
    for username, kind, union_name in users:
        stdout.write(f"  {username:<20} {kind:<10} {union_name}")
