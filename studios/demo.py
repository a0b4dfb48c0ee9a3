"""Demo studios from the seed page: 中建科技's two Party-member PhD studios and a few others.

Idempotent: a second run finds every record by its natural key and changes nothing.
齐贺's studio gets achievements that make its profile read 88 IP results, 77 accepted patents
and 18 standards (see the mapping in studios.models): 45 patent applications accepted + 32
patents granted = 77; + 6 software copyrights + 5 other IP results = 88; 5 standards led +
13 co-authored = 18; plus papers, awards and technology applied, which the three leave out.
"""

import datetime as dt
from decimal import Decimal

from django.db import transaction

from unionportal.core import demo as core_demo

from . import services
from .models import Achievement, FieldOfWork, Member, Studio, SupportRecord, YearTarget

FIELDS = [
    ("low-carbon", "低碳城市"),
    ("modular-building", "模块化建筑"),
    ("emergency-hospital", "应急医院"),
    ("mining", "矿山装备"),
    ("vehicle", "车辆制造"),
    ("smart-construction", "智能建造"),
]

# slug: (union key, name, kind, level, fields, founded, plaque, description, leader, members)
STUDIOS = [
    (
        "qi-he",
        "cscec_tech",
        "齐贺党员博士创新工作室",
        Studio.Kind.PARTY_PHD,
        Studio.Level.ENTERPRISE,
        ["low-carbon", "smart-construction"],
        dt.date(2021, 6, 18),
        dt.date(2022, 12, 16),
        "聚焦低碳城市系统研究，围绕零碳建筑、城市能源系统与智能建造开展技术攻关，以“每年形成1项行业领先成果”为目标。",
        {
            "name": "齐贺",
            "title": "中建科技集团有限公司首席专家",
            "education": Member.Education.DOCTORATE,
            "political_status": Member.Political.PARTY,
            "honours": "北京市优秀共产党员",
        },
        [
            ("王磊", "高级工程师", Member.Education.MASTER),
            ("李娜", "工程师", Member.Education.DOCTORATE),
            ("赵博", "工程师", Member.Education.MASTER),
        ],
    ),
    (
        "song-jia",
        "cscec_tech",
        "宋佳党员博士创新工作室",
        Studio.Kind.PARTY_PHD,
        Studio.Level.ENTERPRISE,
        ["modular-building", "emergency-hospital"],
        dt.date(2021, 6, 18),
        dt.date(2022, 12, 16),
        "研究模块化建筑体系，总结火神山、雷神山医院建设实践，形成应急医院模块化快速建造成套技术。",
        {
            "name": "宋佳",
            "title": "中建科技集团有限公司设计总监",
            "education": Member.Education.DOCTORATE,
            "political_status": Member.Political.PARTY,
            "honours": "",
        },
        [("陈曦", "建筑师", Member.Education.MASTER), ("刘洋", "结构工程师", Member.Education.BACHELOR)],
    ),
    (
        "xingshan-model-worker",
        "xingshan",
        "杏山铁矿劳模创新工作室",
        Studio.Kind.MODEL_WORKER,
        Studio.Level.MUNICIPAL,
        ["mining"],
        dt.date(2019, 4, 28),
        dt.date(2019, 4, 28),
        "以劳模为带头人，围绕生产提效、设备稳定、成本节约开展“五型创新职工”攻关。",
        {
            "name": "巴登",
            "title": "杏山铁矿设备主管",
            "education": Member.Education.COLLEGE,
            "political_status": Member.Political.PARTY,
            "is_model_worker": True,
            "honours": "北京市劳动模范",
        },
        [("张强", "维修钳工", Member.Education.VOCATIONAL)],
    ),
    (
        "beifang-craftsman",
        "beifang_assembly",
        "北方车辆集团工匠人才创新工作室",
        Studio.Kind.CRAFTSMAN,
        Studio.Level.MUNICIPAL,
        ["vehicle"],
        dt.date(2020, 9, 10),
        dt.date(2020, 11, 5),
        "以北京大工匠为带头人，开展车辆总装工艺改进与技能传承。",
        {
            "name": "孙建国",
            "title": "总装公司高级技师",
            "education": Member.Education.VOCATIONAL,
            "political_status": Member.Political.PARTY,
            "is_craftsman": True,
            "honours": "北京大工匠",
        },
        [("周斌", "装配钳工", Member.Education.VOCATIONAL)],
    ),
]

# 齐贺's achievement mix: (type, how many, title prefix, level)
QI_HE_MIX = [
    (Achievement.Type.PATENT_ACCEPTED, 45, "低碳城市系统相关发明专利申请", Achievement.Level.NATIONAL),
    (Achievement.Type.PATENT_GRANTED, 32, "低碳建筑能源系统专利", Achievement.Level.NATIONAL),
    (Achievement.Type.SOFTWARE_COPYRIGHT, 6, "城市碳排放核算软件", Achievement.Level.NATIONAL),
    (Achievement.Type.IP_RESULT, 5, "低碳技术知识产权成果", Achievement.Level.INDUSTRY),
    (Achievement.Type.STANDARD_LED, 5, "零碳建筑评价标准（主编）", Achievement.Level.INDUSTRY),
    (Achievement.Type.STANDARD_COAUTHORED, 13, "绿色建造技术标准（参编）", Achievement.Level.NATIONAL),
    (Achievement.Type.PAPER, 8, "低碳城市系统论文", Achievement.Level.NATIONAL),
    (Achievement.Type.AWARD, 3, "科技进步奖", Achievement.Level.MUNICIPAL),
    (Achievement.Type.TECHNOLOGY_APPLIED, 2, "低碳技术示范工程应用", Achievement.Level.ENTERPRISE),
]
SONG_JIA_MIX = [
    (Achievement.Type.PATENT_GRANTED, 9, "模块化应急医院专利", Achievement.Level.NATIONAL),
    (Achievement.Type.STANDARD_COAUTHORED, 2, "模块化建筑技术标准（参编）", Achievement.Level.INDUSTRY),
    (Achievement.Type.TECHNOLOGY_APPLIED, 2, "火神山、雷神山医院模块化建造实践", Achievement.Level.NATIONAL),
]


def _field_map() -> dict[str, FieldOfWork]:
    out = {}
    for slug, name in FIELDS:
        out[slug], _created = FieldOfWork.objects.get_or_create(slug=slug, defaults={"name": name})
    return out


def _achievements(studio: Studio, mix, members: list[Member], start_year: int) -> None:
    if studio.achievements.exists():
        return
    years = list(range(start_year, 2024))
    n = 0
    for kind, count, title, level in mix:
        for i in range(count):
            year = years[n % len(years)]
            date = dt.date(year, 1 + (n * 5) % 12, 1 + (n * 7) % 28)
            number = f"{kind[:3].upper()}-{year}-{i + 1:03d}"
            benefit = Decimal(50 + n) if kind == Achievement.Type.TECHNOLOGY_APPLIED else None
            services.achievement_add(
                studio=studio,
                by=None,
                members=members[: 1 + n % len(members)],
                type=kind,
                title=f"{title}（{i + 1}）",
                number=number,
                date=date,
                level=level,
                benefit_amount=benefit,
                benefit_note="节约成本、缩短工期" if benefit else "",
            )
            n += 1


@transaction.atomic
def seed(stdout) -> None:
    fields = _field_map()
    made = 0
    for slug, union_key, name, kind, level, field_slugs, founded, plaque, description, leader, members in STUDIOS:
        studio = Studio.objects.filter(slug=slug).first()
        if studio is None:
            union = core_demo.union(union_key)
            studio = services.studio_apply(
                union=union,
                by=None,
                leader=leader,
                fields_of_work=[fields[f] for f in field_slugs],
                name=name,
                slug=slug,
                kind=kind,
                level=level,
                founded_on=founded,
                description=description,
            )
            for i, (m_name, title, education) in enumerate(members):
                services.member_add(studio=studio, name=m_name, title=title, education=education, order=i + 1)
            studio = services.studio_review(
                studio=studio, approve=True, by=_reviewer(union), comment="符合条件，同意设立。"
            )
            made += 1
        if studio.status == Studio.Status.APPROVED:
            services.studio_plaque(
                studio=studio,
                on=plaque,
                by=None,
                place=studio.union.name,
                participants=40,
                summary=f"{studio.name}揭牌仪式。",
            )
        people = list(studio.members.all())
        if slug == "qi-he":
            _achievements(studio, QI_HE_MIX, people, 2015)
            _target(studio, 2022, evidence="主编零碳建筑评价标准")
            _target(studio, 2023)
            _support(studio, SupportRecord.Kind.FUNDING, dt.date(2022, 12, 16), "100000", "工作室建设经费")
            _support(studio, SupportRecord.Kind.IP_PROTECTION, dt.date(2023, 3, 1), "20000", "专利申请资助")
        elif slug == "song-jia":
            _achievements(studio, SONG_JIA_MIX, people, 2020)
            _target(studio, 2023)
    stdout.write(f"studios: {Studio.objects.count()} studios ({made} new), {Achievement.objects.count()} achievements")


def _target(studio: Studio, year: int, *, evidence: str = "") -> None:
    """A yearly target through the services; with evidence, assessed as met (the seed's results reach it)."""
    target = studio.targets.filter(year=year).first() or services.target_set(
        studio=studio, year=year, target="每年形成1项行业领先成果", target_count=1, by=None
    )
    if evidence and target.assessment == YearTarget.Assessment.PENDING:
        services.target_assess(target=target, met=True, evidence=evidence, by=None)


def _support(studio: Studio, kind: str, date: dt.date, amount: str, description: str) -> None:
    if not studio.support.filter(kind=kind, date=date).exists():
        services.support_add(
            studio=studio,
            union=studio.union,
            by=None,
            kind=kind,
            date=date,
            amount=Decimal(amount),
            description=description,
        )


def _reviewer(union):
    """A chair or officer of a higher union for the demo approval (the city chair)."""
    from django.contrib.auth import get_user_model

    try:
        return core_demo.user("city_chair")
    except get_user_model().DoesNotExist:  # a bare database without demo users: the system acts
        return None
