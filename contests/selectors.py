"""Reads of the contests app that aggregate or decide who sees what."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AbstractUser
from django.utils import timezone

from .models import Ballot, Category, Contest, Criterion, Entry, JudgeScore, Period, Team, TeamScore, VoterQuota


def entry_visible(*, entry: Entry, user) -> bool:
    """An entry (page, photos, attachments) is public once accepted; before or after a refusal
    only its submitter and the role holders of the organiser's subtree see it."""
    if entry.status == Entry.Status.ACCEPTED:
        return True
    if user is None or not user.is_authenticated:
        return False
    if entry.submitted_by_id == user.pk:
        return True
    return Entry.objects.visible_to(user).filter(pk=entry.pk).exists()


def award_date(contest: Contest) -> dt.date:
    """The date the prizes are awarded (printed on certificates): the contest's results date."""
    return timezone.localtime(contest.results_on).date()


@dataclass
class VoteState:
    limit: int
    used: int
    voted: set[int]

    @property
    def remaining(self) -> int:
        return max(self.limit - self.used, 0)


def vote_state(*, contest: Contest, user, now: dt.datetime | None = None) -> VoteState:
    """How many votes the user has left in the current period and which entries they voted for."""
    if user is None or not user.is_authenticated:
        return VoteState(contest.votes_per_voter, 0, set())
    period = contest.period_key(now)
    used = (
        VoterQuota.objects.filter(contest=contest, voter_id=user.pk, period=period)
        .values_list("used", flat=True)
        .first()
    ) or 0
    voted = set(
        Ballot.objects.filter(contest=contest, voter_id=user.pk, period=period).values_list("entry_id", flat=True)
    )
    return VoteState(contest.votes_per_voter, used, voted)


def vote_tally(*, contest: Contest, entry_id: int | None = None) -> dict[int, int]:
    """Ballots cast so far per entry (of one entry when given): shown on the public pages
    while the vote is open."""
    from django.db.models import Count

    ballots = Ballot.objects.filter(contest=contest)
    if entry_id is not None:
        ballots = ballots.filter(entry_id=entry_id)
    return dict(ballots.order_by().values_list("entry_id").annotate(n=Count("pk")))


def contest_stamp(slug: str) -> str | None:
    """The contest's last change (its pages' kept freshness stamp), None when there is none."""
    last = Contest.objects.filter(slug=slug).values_list("updated_at", flat=True).first()
    return None if last is None else str(last)


@dataclass
class MissingScore:
    entry: Entry
    judge: AbstractUser
    criteria: list[Criterion]


def scores_missing(*, contest: Contest) -> list[MissingScore]:
    """Every (entry, judge) pair whose scores are incomplete, conflicts of interest excluded."""
    from .services.scoring import judge_conflicted

    entries = list(contest.entries.accepted().prefetch_related("members__union").select_related("category"))
    assignments = list(contest.judges.select_related("judge", "home_union"))
    criteria = list(contest.criteria.all())
    have = set(JudgeScore.objects.filter(entry__contest=contest).values_list("entry_id", "judge_id", "criterion_id"))
    missing = []
    for entry in entries:
        for a in assignments:
            if judge_conflicted(assignment=a, entry=entry):
                continue
            lacking = [c for c in criteria if (entry.pk, a.judge_id, c.pk) not in have]
            if lacking:
                missing.append(MissingScore(entry, a.judge, lacking))
    return missing


def ranking(*, contest: Contest) -> list[tuple[Category, list[Entry]]]:
    """Computed ranking per category (for the results page and the export)."""
    entries = (
        contest.entries.accepted()
        .filter(rank__isnull=False)
        .select_related("category")
        .order_by("category__order", "category_id", "rank")
    )
    groups: dict[int, tuple[Category, list[Entry]]] = {}
    for e in entries:
        groups.setdefault(e.category_id, (e.category, []))[1].append(e)
    return list(groups.values())


@dataclass
class Standing:
    team: Team
    total: Decimal
    rank: int = 0


def leaderboard(
    *, contest: Contest, published_only: bool = True
) -> tuple[list[tuple[Period, list[Standing]]], list[Standing]]:
    """Standings per period (weighted 0-100 per period) and overall (sum over periods). The public
    sees published periods only; the organiser's desk passes published_only=False."""
    from .services.scoring import THREE, weighted_total

    teams = list(contest.teams.select_related("union"))
    periods = contest.periods.all()
    if published_only:
        periods = periods.filter(published=True)
    periods = list(periods)
    criteria = list(contest.criteria.all())
    cells: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    for s in TeamScore.objects.filter(team__contest=contest, period__in=periods):
        cells[(s.team_id, s.period_id)][s.criterion_id] = s.score
    per_period = []
    overall = {t.pk: Decimal(0) for t in teams}
    for period in periods:
        rows = []
        for team in teams:
            if (team.pk, period.pk) not in cells:
                continue
            total = weighted_total(cells[(team.pk, period.pk)], criteria).quantize(THREE, ROUND_HALF_UP)
            overall[team.pk] += total
            rows.append(Standing(team, total))
        per_period.append((period, _ranked(rows)))
    return per_period, _ranked([Standing(t, overall[t.pk]) for t in teams])


def _ranked(rows: list[Standing]) -> list[Standing]:
    rows.sort(key=lambda s: (-s.total, s.team.name, s.team.pk))
    for i, row in enumerate(rows, start=1):
        row.rank = i
    return rows


# --- Year-end report ------------------------------------------------------------------------


def yearend_contests(*, union, year: int) -> dict:
    """Contests organised in the union's subtree (four flat queries): contests whose entries
    opened in `year`, entries submitted and ballots cast in it, and the prizes of results
    published in it."""
    from django.db.models import Count, Q

    from unionportal.core.yearend import year_bounds

    start, end = year_bounds(year)
    mine = {"contest__union__path__startswith": union.path}
    contests = Contest.objects.filter(
        union__path__startswith=union.path, entry_opens__gte=start, entry_opens__lt=end
    ).count()
    entries = Entry.objects.filter(**mine, created_at__gte=start, created_at__lt=end).aggregate(
        n=Count("pk"), accepted=Count("pk", filter=Q(status=Entry.Status.ACCEPTED))
    )
    ballots = Ballot.objects.filter(**mine, cast_at__gte=start, cast_at__lt=end).count()
    awards = dict(
        Entry.objects.filter(
            **mine,
            contest__results_published=True,
            contest__results_published_at__gte=start,
            contest__results_published_at__lt=end,
        )
        .exclude(prize="")
        .order_by()
        .values_list("prize")
        .annotate(n=Count("pk"))
    )
    return {"contests": contests, "entries": entries, "ballots": ballots, "awards": awards}
