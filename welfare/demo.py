"""Demo data of welfare: 北方车辆集团's hardship files and visits, 中铁六局海外分公司's supplies.

Every person and ID number is fictional (the ID numbers have valid checksums). Idempotent:
a second run finds everything in place and changes nothing.
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import Permission
from django.db import transaction

from unionportal.core import demo as core_demo

from . import identity, services
from .models import (
    Campaign,
    CampaignItem,
    Employee,
    Handout,
    HardshipFile,
    MinimumLivingLine,
    Visit,
    YearlyCap,
)

REGION = "北京市"
LINES = {2022: "1245", 2023: "1395", 2024: "1450", 2025: "1480", 2026: "1500", 2027: "1520"}
SUBSIDIARIES = [
    ("beifang_assembly", "总装公司"),
    ("beifang_body", "车体公司"),
    ("beifang_transmission", "传动公司"),
    ("beifang_thermal", "热工公司"),
    ("beifang_logistics", "后勤装备公司"),
]
# (name, gender, causes, household [(relation, yearly income)], rigid expenses, accident loss)
PEOPLE = [
    ("王建军", "m", ["illness"], [("本人", 36000), ("配偶", 0), ("子女", 0)], 30000, 0),
    ("李秀兰", "f", ["disability", "low_income"], [("本人", 28000), ("母亲", 6000)], 8000, 0),
    ("张志强", "m", ["schooling"], [("本人", 52000), ("配偶", 18000), ("子女", 0), ("子女", 0)], 24000, 0),
    ("刘桂芳", "f", ["illness"], [("本人", 40000), ("配偶", 30000), ("子女", 0)], 45000, 0),
    ("陈国庆", "m", ["disaster"], [("本人", 60000), ("配偶", 24000)], 0, 75000),
    ("杨春梅", "f", ["unemployment"], [("本人", 30000), ("配偶", 0), ("子女", 0)], 6000, 0),
    ("赵德胜", "m", ["illness", "schooling"], [("本人", 48000), ("子女", 0)], 20000, 0),
    ("黄丽娟", "f", ["low_income"], [("本人", 34000), ("父亲", 8000), ("母亲", 0)], 4000, 0),
    ("周海涛", "m", ["disability"], [("本人", 26000), ("配偶", 12000)], 9000, 0),
    ("吴淑珍", "f", ["illness"], [("本人", 38000), ("配偶", 0)], 28000, 0),
]
CREC6_STAFF = [
    "马文斌",
    "林晓燕",
    "郭振华",
    "何玉兰",
    "罗建平",
    "宋佳宁",
    "郑宏伟",
    "谢春燕",
    "韩立新",
    "唐明辉",
    "冯雪梅",
    "董志刚",
    "萧永红",
    "程东升",
    "曹丽萍",
    "袁海波",
    "邓秀云",
    "许文涛",
    "傅国栋",
    "沈冬梅",
    "曾庆华",
    "彭丽君",
    "吕建设",
    "苏美玲",
]


def _d(y: int, m: int, d: int) -> dt.date:
    return dt.date(y, m, d)


@transaction.atomic
def seed(stdout=None) -> None:
    # The city's lines belong to the city federation: only its welfare staff change them.
    city = core_demo.union("beijing")
    for year, amount in LINES.items():
        MinimumLivingLine.objects.get_or_create(
            region=REGION, year=year, defaults={"monthly_amount": Decimal(amount), "union": city}
        )
    beifang = core_demo.union("beifang")
    for year in LINES:
        YearlyCap.objects.get_or_create(union=beifang, year=year, defaults={"per_household": Decimal("3000")})
    welfare_user = core_demo.user("beifang_welfare")
    # The demo's welfare officer may reveal ID numbers (every reveal is logged); crec6's may not.
    perm = Permission.objects.get(codename="reveal_id_number", content_type__app_label="welfare")
    welfare_user.user_permissions.add(perm)

    files = _seed_files(welfare_user)
    _seed_visits(files, welfare_user)
    _seed_group_visits(welfare_user)
    _seed_supplies()
    if stdout is not None:
        stdout.write(
            f"welfare: {HardshipFile.objects.count()} files, {Visit.objects.count()} visits, "
            f"{Handout.objects.count()} handouts"
        )


def _seed_files(by) -> list[HardshipFile]:
    files = []
    n = 0
    for s, (key, _short) in enumerate(SUBSIDIARIES):
        union = core_demo.union(key)
        for i in range(4):
            name, gender, causes, household, rigid, loss = PEOPLE[(s * 4 + i) % len(PEOPLE)]
            name = name if s * 4 + i < len(PEOPLE) else name[0] + "小" + name[-1]
            n += 1
            number = identity.make_fictional(
                "110106", _d(1968 + n, 1 + n % 12, 1 + n % 27), 100 + n * 2 + (gender == "m")
            )
            existing = HardshipFile.objects.filter(id_number_hash__in=identity.lookup_hashes(number)).first()
            if existing:
                files.append(existing)
                continue
            file = services.file_create(
                union=union,
                by=None,
                id_number=number,
                name=name,
                gender=gender,
                region=REGION,
                phone=f"139{n:08d}",
                address=f"北京市丰台区长辛店镇职工宿舍{n}号楼",
                causes=causes,
                rigid_expenses=Decimal(rigid),
                accident_loss=Decimal(loss),
                members=[{"relation": r, "name": "", "yearly_income": inc} for r, inc in household],
            )
            FILED_ON = _d(2022, 3, 1)
            for _step in range(3):
                services.file_advance(file=file, by=by, note="", today=FILED_ON)
            services.file_set_category(
                file=file,
                category=file.suggested_category or HardshipFile.Category.RELATIVE,
                reason="" if file.suggested_category else "家庭收入接近两倍低保线，经分会研究按相对困难建档",
                by=by,
            )
            if i == 3 and s == 0:
                # One file is on public notice now.
                services.file_advance(file=file, by=by, note="分会审批通过")
                files.append(file)
                continue
            services.file_advance(file=file, by=by, note="分会审批通过", today=FILED_ON)
            services.file_advance(file=file, by=by, note="公示期满无异议", today=FILED_ON + dt.timedelta(days=7))
            if i != 2:
                # The others had their yearly review; i == 2 stays overdue since 2023.
                services.file_review(file=file, by=by, status=HardshipFile.Status.HELPED, note="年度复核，继续帮扶")
            files.append(file)
    return files


def _seed_visits(files: list[HardshipFile], by) -> None:
    for n, file in enumerate(files):
        date = _d(2023, 1, 10 + n % 10)
        if Visit.objects.filter(file=file, occasion=Visit.Occasion.SPRING).exists():
            continue
        services.visit_create(
            union=file.union,
            file=file,
            by=None,
            kind=Visit.Kind.HOUSEHOLD,
            occasion=Visit.Occasion.SPRING,
            date=date,
            visitors="北方车辆集团工会慰问组",
            found="了解职工身体状况和家庭生活情况，子女就学、就医存在困难。",
            money=Decimal(800 if file.category == HardshipFile.Category.DEEP else 500),
            goods="米、面、油",
            goods_value=Decimal(200),
            needs="希望得到医疗救助和子女助学帮扶",
            measure="纳入年度帮扶计划，申请医疗救助",
            next_follow_up=_d(2023, 6, 30),
        )
        if n % 3 == 0 and not file.assistance.exists():
            services.assistance_add(
                file=file,
                by=None,
                kind="medical",
                amount=Decimal(2000),
                date=_d(2023, 2, 15),
                funding_source="集团工会帮扶资金",
            )


def _seed_group_visits(by) -> None:
    for key, short in SUBSIDIARIES:
        union = core_demo.union(key)
        site = f"{short}疫情期间坚守生产一线职工"
        if Visit.objects.filter(union=union, site=site).exists():
            continue
        services.visit_create(
            union=union,
            by=None,
            kind=Visit.Kind.GROUP,
            site=site,
            group_size=30,
            occasion=Visit.Occasion.EPIDEMIC,
            date=_d(2022, 12, 22),
            visitors="北方车辆集团工会主席、副主席",
            found="职工克服困难坚守岗位，保障生产任务按期完成。",
            goods="慰问品（水果、防疫物资）",
            goods_value=Decimal(3000),
        )


def _seed_supplies() -> None:
    crec6 = core_demo.union("crec6_overseas")
    employees = []
    for n, name in enumerate(CREC6_STAFF, start=1):
        emp, _created = Employee.objects.get_or_create(
            union=crec6, staff_number=f"CR6-{n:03d}", defaults={"name": name, "phone": f"138{n:08d}"}
        )
        employees.append(emp)
    campaign, created = Campaign.objects.get_or_create(
        union=crec6,
        title="疫情防控物资发放",
        defaults={"starts_on": _d(2022, 12, 15), "note": "为每名职工发放N95口罩、酒精和消毒液"},
    )
    if created:
        for name, unit, per, received in [
            ("N95口罩", "个", 10, 300),
            ("医用酒精", "瓶", 1, 30),
            ("消毒液", "瓶", 1, 30),
        ]:
            CampaignItem.objects.create(
                campaign=campaign, name=name, unit=unit, per_person=per, received=received, stock=received
            )
    items = list(campaign.items.all())
    done = set(campaign.handouts.values_list("employee_id", flat=True))
    for emp in employees:
        if emp.pk in done:
            continue
        code = services.handout_code_issue(campaign=campaign, employee=emp)
        services.handout_record(
            campaign=campaign,
            employee=emp,
            by=None,
            code=code,
            quantities={i.pk: i.per_person for i in items},
        )
