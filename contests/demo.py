"""Demo data of the contests: the 杏山铁矿 innovation contest of the seed page (14 entries,
screened, voted, judged by seven judges, published), an open contest in its public vote for
trying the vote UI, and 中建科技's "六比" labour competition. Idempotent."""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from unionportal.core import demo as core_demo
from unionportal.core.models import Role, Union
from unionportal.core.services import role_grant

from . import services
from .models import Category, Contest, Criterion, Entry, Period, Team, Voter

FIVE_TYPES = ["生产提效型", "设备稳定型", "成本节约型", "安全保障型", "以人为本型"]
CRITERIA = [("创新性", 30), ("实用性", 30), ("经济效益", 25), ("推广价值", 15)]
WORKSHOPS = ["杏山铁矿采场作业区分会", "杏山铁矿破碎运输作业区分会", "杏山铁矿设备点检作业区分会"]

# (category index, title, benefit, value, unit, workshop index, members)
ENTRIES = [
    (0, "电铲“一键调度”提效作业法", "电铲单斗装车时间缩短8秒", "1200", "hours", 0, ["王建国", "李强"]),
    (0, "破碎机给料节奏优化", "破碎系统台时产量提高6%", "350000", "yuan", 1, ["赵立新", "孙海涛", "周敏"]),
    (0, "牙轮钻机快速换杆工艺", "单次换杆时间由40分钟降至15分钟", "600", "hours", 0, ["刘永刚"]),
    (1, "皮带机跑偏自动纠偏装置", "皮带跑偏故障减少九成", "48", "faults", 1, ["陈志远", "马丽"]),
    (1, "球磨机衬板磨损在线监测", "避免非计划停机", "12", "faults", 2, ["杨帆", "黄伟"]),
    (1, "电铲回转机构润滑改进", "回转齿轮寿命延长一倍", "20", "faults", 2, ["吴海军"]),
    (2, "废旧钢丝绳再利用", "年节约钢丝绳采购费用", "180000", "yuan", 2, ["郑小龙", "冯磊"]),
    (2, "尾矿浆管道耐磨改造", "管道更换周期由半年延长至两年", "420000", "yuan", 1, ["何建华", "许静"]),
    (2, "备品备件共享库存平台", "减少重复采购与积压", "260000", "yuan", 2, ["沈涛"]),
    (3, "边坡雷达预警联动系统", "边坡位移预警提前至72小时", "6", "faults", 0, ["韩冬", "曹阳", "邓洁"]),
    (3, "矿用卡车盲区视频监控", "消除倒车盲区隐患", "15", "faults", 1, ["彭飞", "蒋涛"]),
    (3, "高压配电室智能巡检", "巡检由人工改为远程", "900", "hours", 2, ["谢军"]),
    (4, "一线岗位职工休息室改造", "为采场一线职工提供休憩、热饭、充电条件", "", "", 0, ["魏红", "罗斌"]),
    (4, "班组“微课堂”技能培训", "全年开展微课堂120课时", "120", "hours", 1, ["唐亮", "袁芳"]),
]

RULES = (
    "参赛对象：杏山铁矿全体职工，可个人或团队参赛。\n"
    "评选程序：初选 → 网络投票 → 评审组评审 → 表彰。\n"
    "网络投票：经工会认证的职工每天最多投3项，每项每天限投1票。\n"
    "最终得分：网络投票占30%（按最高票数折算为100分），评审组评分占70%（5名及以上评委时去掉一个最高分和一个最低分）。"
)


def _at(y, m, d, hh=9) -> dt.datetime:
    return timezone.make_aware(dt.datetime(y, m, d, hh, 0))


def _user(username: str, display: str, *, password: bool = True):
    User = get_user_model()
    user, created = User.objects.get_or_create(username=username, defaults={"first_name": display})
    if created:
        if password:
            user.set_password(core_demo.DEMO_PASSWORD)
        else:
            user.set_unusable_password()
        user.save()
    return user


def _child(parent: Union, name: str) -> Union:
    existing = Union.objects.get_children(parent).filter(name=name).first()
    return existing or Union.objects.add_child(
        parent, {"name": name, "kind": Union.Kind.GRASSROOTS, "region": parent.region}
    )


def _contest(slug: str, **fields) -> tuple[Contest, bool]:
    contest = Contest.objects.filter(slug=slug).first()
    if contest:
        return contest, False
    return services.contest_save(contest=Contest(slug=slug, **fields), by=None), True


def _part(part):
    return services.contest_part_save(part=part, by=None)


@transaction.atomic
def seed_xingshan(stdout) -> Contest:
    xingshan = core_demo.union("xingshan")
    workshops = [_child(xingshan, name) for name in WORKSHOPS]
    contest, created = _contest(
        "xingshan-five-type-2022",
        union=xingshan,
        kind=Contest.Kind.INNOVATION,
        title="学巴登·做五型创新职工",
        summary="首钢矿业公司杏山铁矿“学巴登·做五型创新职工”创新竞赛",
        rules=RULES,
        entry_opens=_at(2022, 9, 1),
        entry_closes=_at(2022, 10, 15),
        screening_closes=_at(2022, 10, 31),
        vote_opens=_at(2022, 11, 1),
        vote_closes=_at(2022, 11, 15),
        jury_closes=_at(2022, 11, 30),
        results_on=_at(2022, 12, 8, 14),
        votes_per_voter=3,
        vote_period=Contest.VotePeriod.DAY,
        vote_weight=30,
        jury_weight=70,
    )
    if not created:
        return contest
    cats = [_part(Category(contest=contest, name=n, order=i)) for i, n in enumerate(FIVE_TYPES)]
    crits = [_part(Criterion(contest=contest, name=n, weight=w, order=i)) for i, (n, w) in enumerate(CRITERIA)]
    officer = core_demo.user("xingshan_officer")
    entries = []
    for cat, title, benefit, value, unit, shop, names in ENTRIES:
        entry = services.entry_submit(
            contest=contest,
            by=officer,
            category=cats[cat],
            title=title,
            benefit=benefit,
            benefit_value=Decimal(value) if value else None,
            benefit_unit=unit,
            description=f"{title}：{benefit}。该成果由{workshops[shop].name}职工团队完成，已在生产中推广应用。",
            members=[services.MemberInput(name, workshops[shop], is_leader=(i == 0)) for i, name in enumerate(names)],
            now=_at(2022, 10, 8),
        )
        services.entry_screen(
            entry=entry, accept=True, reason="符合参赛条件，进入网络投票。", by=officer, now=_at(2022, 10, 20)
        )
        entries.append(entry)
    # Seven judges: three from the workshops (each excluded from its own workshop's entries) and
    # four experts from other enterprises' unions. A judge of the mine's union (or the mining
    # company's, above it) would be excluded from every entry: all teams are of its subtree.
    experts = [core_demo.union(key) for key in ("beifang", "beifang_assembly", "cscec_tech", "crec6_overseas")]
    homes = [workshops[0], workshops[1], workshops[2], *experts]
    judges = []
    for i, home in enumerate(homes, start=1):
        judge = _user(f"xingshan_judge{i}", f"杏山铁矿评委{i}")
        role_grant(user=judge, union=home, kind=Role.Kind.JUDGE)
        services.judge_assign(contest=contest, judge=judge, home_union=home)
        judges.append(judge)
    rng = random.Random(20221208)
    # Verified workers vote over several days, three entries a day at most.
    voters = []
    for i in range(1, 41):
        user = _user(f"xingshan_worker{i:02d}", f"杏山铁矿职工{i:02d}", password=False)
        services.voter_verify(user=user, union=workshops[i % 3], by=None)
        voters.append(user)
    appeal = [rng.uniform(0.5, 3.0) for _ in entries]
    for day in range(1, 6):
        for user in voters:
            if rng.random() < 0.4:
                continue
            picks = set()
            while len(picks) < 3:
                picks.add(rng.choices(range(len(entries)), weights=appeal)[0])
            for k in sorted(picks):
                services.ballot_cast(
                    contest=contest, user=user, entry_id=entries[k].pk, now=_at(2022, 11, day + 1, 8 + k % 10)
                )
    for entry_index, entry in enumerate(entries):
        quality = 60 + appeal[entry_index] * 10
        for judge in judges:
            scores = {c.pk: min(100, max(0, round(quality + rng.uniform(-8, 8), 1))) for c in crits}
            try:
                services.scores_set(entry=entry, judge=judge, scores=scores, now=_at(2022, 11, 20))
            except ValidationError:  # the judge of the team's own union is refused, as it should be
                continue
    services.results_compute(contest=contest, by=officer, now=_at(2022, 12, 1))
    services.results_publish(contest=contest, by=officer, now=_at(2022, 12, 8, 14))
    return contest


@transaction.atomic
def seed_open_vote(stdout) -> Contest:
    """A contest in its public vote right now, and the demo voter account."""
    xingshan = core_demo.union("xingshan")
    workshops = [_child(xingshan, name) for name in WORKSHOPS]
    voter = _user("voter", "认证职工（演示）")
    services.voter_verify(user=voter, union=workshops[0], by=None)
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    contest, created = _contest(
        "xingshan-small-innovations",
        union=xingshan,
        kind=Contest.Kind.INNOVATION,
        title="杏山铁矿“五小”创新成果网络投票",
        summary="小发明、小创造、小革新、小设计、小建议成果评选，网络投票进行中。",
        rules=RULES,
        entry_opens=now - dt.timedelta(days=30),
        entry_closes=now - dt.timedelta(days=15),
        screening_closes=now - dt.timedelta(days=3),
        vote_opens=now - dt.timedelta(days=2),
        vote_closes=now + dt.timedelta(days=60),
        jury_closes=now + dt.timedelta(days=75),
        results_on=now + dt.timedelta(days=80),
        votes_per_voter=3,
        vote_period=Contest.VotePeriod.DAY,
    )
    if created:
        officer = core_demo.user("xingshan_officer")
        for i, (name, title) in enumerate(
            zip(
                FIVE_TYPES,
                [
                    "溜井放矿口防堵装置",
                    "破碎机液压站油温控制",
                    "废旧托辊修复再用",
                    "采场夜间照明改造",
                    "职工通勤班车线路优化",
                ],
                strict=True,
            )
        ):
            cat = _part(Category(contest=contest, name=name, order=i))
            entry = services.entry_submit(
                contest=contest,
                by=officer,
                category=cat,
                title=title,
                description=f"{title}。",
                members=[services.MemberInput(f"职工{i + 1}", workshops[i % 3], is_leader=True)],
                now=contest.entry_opens + dt.timedelta(days=1),
            )
            services.entry_screen(
                entry=entry, accept=True, reason="", by=officer, now=contest.entry_closes + dt.timedelta(days=1)
            )
        for i, (n, w) in enumerate(CRITERIA):
            _part(Criterion(contest=contest, name=n, weight=w, order=i))
    return contest


SIX = [("比安全", 20), ("比质量", 20), ("比进度", 15), ("比创新", 15), ("比效益", 15), ("比团结", 15)]
TEAMS = ["北京城市副中心项目部", "深圳裕璟幸福家园项目部", "雄安新区项目部", "成都天府项目部", "装配式构件工厂"]
PERIODS = [
    ("2022年第三季度", (2022, 7, 1), (2022, 9, 30)),
    ("2022年第四季度", (2022, 10, 1), (2022, 12, 31)),
    ("2023年第一季度", (2023, 1, 1), (2023, 3, 31)),
]


@transaction.atomic
def seed_cscec(stdout) -> Contest:
    cscec = core_demo.union("cscec_tech")
    contest, created = _contest(
        "cscec-six-comparisons",
        union=cscec,
        kind=Contest.Kind.LABOUR,
        title="中建科技“六比”劳动竞赛",
        summary="比安全、比质量、比进度、比创新、比效益、比团结，项目团队按季度评比。",
        rules="各项目团队按季度由竞赛办公室对“六比”逐项打分（每项满分100分，按权重折算）。",
        entry_opens=_at(2022, 7, 1),
        entry_closes=_at(2022, 7, 1),
        screening_closes=_at(2022, 7, 1),
        vote_opens=_at(2022, 7, 1),
        vote_closes=_at(2022, 7, 1),
        jury_closes=_at(2023, 3, 31),
        results_on=_at(2023, 4, 10),
        vote_weight=0,
        jury_weight=100,
    )
    if not created:
        return contest
    crits = [_part(Criterion(contest=contest, name=n, weight=w, order=i)) for i, (n, w) in enumerate(SIX)]
    teams = [_part(Team(contest=contest, name=n, union=cscec, leader="")) for n in TEAMS]
    periods = [
        _part(Period(contest=contest, name=n, starts_on=dt.date(*a), ends_on=dt.date(*b))) for n, a, b in PERIODS
    ]
    rng = random.Random(6)
    strength = {t.pk: rng.uniform(75, 92) for t in teams}
    for t in teams:
        for p in periods:
            for c in crits:
                score = Decimal(str(round(min(100, strength[t.pk] + rng.uniform(-6, 6)), 1)))
                services.team_score_set(team=t, period=p, criterion=c, score=score, by=None)
    for p in periods[:-1]:  # the latest period is still being entered: not on the public leaderboard yet
        services.period_publish(period=p, by=None)
    return contest


def seed(stdout) -> None:
    done = seed_xingshan(stdout)
    seed_open_vote(stdout)
    seed_cscec(stdout)
    stdout.write(
        f"contests: {Contest.objects.count()} contests, {Entry.objects.count()} entries, "
        f"{done.ballots.count()} ballots in '{done.title}', {Voter.objects.verified().count()} verified voters "
        f"(demo voter: voter / {core_demo.DEMO_PASSWORD})"
    )
