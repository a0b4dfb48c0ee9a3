"""The jury (assignments, recusal, scores) and the arithmetic of scores; labour-competition scores."""

import datetime as dt
from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Event
from notifications.services import notify
from unionportal.core.ids import parse_id
from unionportal.core.models import Role, Union

from ..models import Contest, Criterion, Entry, JudgeAssignment, JudgeScore, Period, Team, TeamScore
from ._common import require_editor
from .ballots import vote_seal
from .pages import page_changed

THREE = Decimal("0.001")
HUNDRED = Decimal(100)


def judge_conflicted(*, assignment: JudgeAssignment, entry: Entry) -> bool:
    """A judge does not judge an entry with a team member from their own union or any union below it."""
    home = assignment.home_union
    return any(m.union.is_within(home) for m in entry.members.all())


@transaction.atomic
def judge_assign(*, contest: Contest, judge: AbstractUser, home_union: Union | None = None) -> JudgeAssignment:
    """Put a judge (core role "judge") on the contest's jury."""
    from .setup import judge_check

    judge_check(judge=judge)
    roles = Role.objects.filter(user=judge, kind=Role.Kind.JUDGE).select_related("union")
    if contest.results_published:
        raise ValidationError(_("The results are published; the contest can no longer change."), code="published")
    if home_union is None:
        role = roles.first()
        if role is None:
            raise ValidationError(_("Name the judge's own union."), code="home_union")
        home_union = role.union
    assignment, created = JudgeAssignment.objects.update_or_create(
        contest=contest, judge=judge, defaults={"home_union": home_union}
    )
    if created:
        notify(
            event=Event.JURY_ASSIGNED,
            union=contest.union,
            title=contest.title,
            link=contest.get_absolute_url(),
            user_ids=[judge.pk],
            key=f"jury:{contest.pk}",
        )
    return assignment


@transaction.atomic
def scores_set(*, entry: Entry, judge: AbstractUser, scores: dict, now: dt.datetime | None = None) -> list[JudgeScore]:
    """Record a judge's scores of an entry on the contest's criteria during the jury stage (all or nothing)."""
    now = now or timezone.now()
    contest = entry.contest
    assignment = JudgeAssignment.objects.select_related("home_union").filter(contest=contest, judge=judge).first()
    if assignment is None:
        raise PermissionDenied(_("You are not on this contest's jury."))
    if entry.status != Entry.Status.ACCEPTED:
        raise ValidationError(_("Only accepted entries are judged."), code="not_accepted")
    if judge_conflicted(assignment=assignment, entry=entry):
        raise ValidationError(
            _("You are from the same union as a team member, or a union above it, and do not judge this entry."),
            code="conflict",
        )
    if contest.results_published:
        raise ValidationError(_("The results are published; scores can no longer change."), code="published")
    if now < contest.vote_closes:
        raise ValidationError(
            _("The jury review begins when the public vote closes ({closes}).").format(
                closes=timezone.localtime(contest.vote_closes).strftime("%Y-%m-%d %H:%M")
            ),
            code="not_yet",
        )
    if now >= contest.jury_closes:
        raise ValidationError(_("The jury review is closed."), code="closed")
    criteria = {c.pk: c for c in contest.criteria.all()}
    saved = []
    for criterion_id, value in scores.items():
        criterion = criteria.get(parse_id(criterion_id))
        if criterion is None:
            raise ValidationError(_("Unknown criterion."), code="criterion")
        try:
            value = Decimal(str(value))
        except (ArithmeticError, ValueError):
            raise ValidationError(_("Scores must be numbers."), code="number") from None
        if not value.is_finite() or value < 0 or value > criterion.max_score:
            raise ValidationError(
                _("{criterion}: the score must be between 0 and {max}.").format(
                    criterion=criterion.name, max=criterion.max_score
                ),
                code="range",
            )
        score, _created = JudgeScore.objects.update_or_create(
            entry=entry, judge=judge, criterion=criterion, defaults={"score": value.quantize(Decimal("0.01"))}
        )
        saved.append(score)
    vote_seal(contest=contest, now=now)  # the vote is closed: its ballot log is fixed from here on
    contest.results_computed_at = None
    contest.save(update_fields=["results_computed_at", "updated_at"])
    return saved


def weighted_total(scores: dict[int, Decimal], criteria: Sequence[Criterion]) -> Decimal:
    """A judge's (or team's) total on a 0-100 scale: the weighted mean of score / maximum."""
    weight_sum = sum(c.weight for c in criteria)
    if not weight_sum:
        return Decimal(0)
    total = sum(Decimal(scores.get(c.pk, 0)) / c.max_score * c.weight for c in criteria)
    return total / weight_sum * HUNDRED


def trimmed_mean(totals: Sequence[Decimal]) -> Decimal:
    """The mean of the judges' totals; with five or more, the highest and lowest are dropped."""
    values = sorted(Decimal(t) for t in totals)
    if not values:
        return Decimal(0)
    if len(values) >= 5:
        values = values[1:-1]
    return sum(values) / len(values)


def final_score(*, vote_score: Decimal, jury_score: Decimal, vote_weight: int, jury_weight: int) -> Decimal:
    return ((vote_score * vote_weight + jury_score * jury_weight) / HUNDRED).quantize(THREE, ROUND_HALF_UP)


def rank_key(entry: Entry) -> tuple:
    """Ties on the final score go to the higher jury score, then more votes, then the earlier entry."""
    return (-entry.final_score, -entry.jury_score, -entry.vote_count, entry.pk)


def prize_for(contest: Contest, rank: int) -> str:
    cut = contest.first_prizes
    if rank <= cut:
        return Entry.Prize.FIRST
    cut += contest.second_prizes
    if rank <= cut:
        return Entry.Prize.SECOND
    cut += contest.third_prizes
    if rank <= cut:
        return Entry.Prize.THIRD
    if contest.excellence_prizes == 0 or rank <= cut + contest.excellence_prizes:
        return Entry.Prize.EXCELLENCE
    return ""


# --- Labour competitions --------------------------------------------------------------------


@transaction.atomic
def team_score_set(
    *, team: Team, period: Period, criterion: Criterion, score, by: AbstractUser | None, note: str = ""
) -> TeamScore:
    """Record a team's score on one criterion for one period."""
    require_editor(team.contest, by)
    if not (period.contest_id == criterion.contest_id == team.contest_id):
        raise ValidationError(_("Team, period and criterion must belong to the same competition."))
    _period_open(period)
    try:
        score = Decimal(str(score))
    except (ArithmeticError, ValueError):
        raise ValidationError(_("Scores must be numbers."), code="number") from None
    if not score.is_finite() or score < 0 or score > criterion.max_score:
        raise ValidationError(
            _("{criterion}: the score must be between 0 and {max}.").format(
                criterion=criterion.name, max=criterion.max_score
            )
        )
    row, _created = TeamScore.objects.update_or_create(
        team=team, period=period, criterion=criterion, defaults={"score": score, "note": note}
    )
    return row


@transaction.atomic
def team_score_delete(*, score: TeamScore, by: AbstractUser | None) -> None:
    require_editor(score.team.contest, by)
    _period_open(score.period)
    score.delete()


def _period_open(period: Period) -> None:
    # Read the flag from the database: a stale object must not let a published period change.
    if Period.objects.filter(pk=period.pk, published=True).exists():
        raise ValidationError(
            _("{period} is published: withdraw it before changing its scores.").format(period=period.name),
            code="published",
        )


@transaction.atomic
def team_scores_set(*, period: Period, scores: dict, by: AbstractUser | None) -> int:
    """Record one period's scores, {(team_id, criterion_id): value}, all or nothing; empty values are
    skipped. Returns how many scores were saved."""
    contest = period.contest
    require_editor(contest, by)
    teams = {t.pk: t for t in contest.teams.all()}
    criteria = {c.pk: c for c in contest.criteria.all()}
    saved = 0
    for (team_id, criterion_id), value in scores.items():
        if team_id not in teams or criterion_id not in criteria:
            raise ValidationError(_("Team, period and criterion must belong to the same competition."))
        if value is None or str(value).strip() == "":
            continue
        team_score_set(team=teams[team_id], period=period, criterion=criteria[criterion_id], score=value, by=by)
        saved += 1
    return saved


@transaction.atomic
def period_publish(*, period: Period, by: AbstractUser | None, publish: bool = True) -> Period:
    """Put a period's scores on the public leaderboard (or withdraw them to correct them)."""
    require_editor(period.contest, by)
    period = Period.objects.select_for_update().get(pk=period.pk)
    if publish and not TeamScore.objects.filter(period=period).exists():
        raise ValidationError(_("{period} has no scores yet.").format(period=period.name), code="empty")
    period.published = publish
    period.published_at = timezone.now() if publish else None
    period.save(update_fields=["published", "published_at"])
    page_changed(pk=period.contest_id)
    return period
