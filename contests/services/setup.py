"""Contest setup: the contest and its parts (categories, criteria, jury, teams, periods)."""

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from unionportal.core.models import Role
from unionportal.core.scoping import has_role

from ..models import Ballot, Category, Contest, Criterion, Entry, JudgeAssignment, JudgeScore, Period, Team, TeamScore
from ._common import require_editor
from .pages import page_changed

STAGE_FIELDS = [
    "entry_opens",
    "entry_closes",
    "screening_closes",
    "vote_opens",
    "vote_closes",
    "jury_closes",
    "results_on",
]
RESERVED_SLUGS = {"new", "desk"}
# Once ballots are cast the vote's rule and window are part of the record.
VOTE_FIELDS = ["vote_opens", "vote_closes", "votes_per_voter", "vote_period"]


def _same(a, b) -> bool:
    # The back office's date fields carry whole seconds: a date saved unchanged is not a change.
    if isinstance(a, dt.datetime) and isinstance(b, dt.datetime):
        return a.replace(microsecond=0) == b.replace(microsecond=0)
    return a == b


def contest_check(*, contest: Contest, by: AbstractUser | None) -> None:
    """Every rule a contest's own fields obey (stage dates in order, weights, what may still change)."""
    if by is not None and contest.union_id and not has_role(by, contest.union, Role.EDIT_ROLES):
        raise PermissionDenied(_("You may only organise contests of your own unions."))
    if contest.slug in RESERVED_SLUGS:  # the desk's own addresses (/contests/desk/new/)
        raise ValidationError({"slug": _("This address is reserved; choose another.")}, code="reserved")
    contest.full_clean()  # field checks, weights adding up to 100, stage dates in order
    if contest.pk is None:
        return
    before = Contest.objects.filter(pk=contest.pk).first()
    if before is None:
        return
    if contest.union_id != before.union_id and before.entries.exists():
        raise ValidationError(_("A contest with entries stays with its organiser union."), code="union")
    if contest.kind != before.kind and (before.entries.exists() or before.teams.exists()):
        raise ValidationError(_("The kind of a contest with entries or teams cannot change."), code="kind")
    changed = [f for f in STAGE_FIELDS + VOTE_FIELDS if not _same(getattr(contest, f), getattr(before, f))]
    if before.results_published and changed:
        raise ValidationError(
            _("The results are published: the stage dates and the vote rule can no longer change."), code="published"
        )
    if Ballot.objects.filter(contest_id=contest.pk).exists() and any(f in VOTE_FIELDS for f in changed):
        raise ValidationError(
            _("Ballots have been cast: the vote's dates and rule can no longer change."), code="voted"
        )
    # The model's own fields that only services write.
    for field in ("results_computed_at", "results_published", "results_published_at"):
        setattr(contest, field, getattr(before, field))


@transaction.atomic
def contest_save(*, contest: Contest, by: AbstractUser | None) -> Contest:
    """Create or change a contest; the stage dates must follow each other in order."""
    if contest.pk is not None:
        require_editor(Contest.objects.get(pk=contest.pk), by)
    contest_check(contest=contest, by=by)
    contest.save()
    page_changed(pk=contest.pk)
    return contest


@transaction.atomic
def contest_delete(*, contest: Contest, by: AbstractUser | None) -> None:
    """Delete a contest that has no ballots and no published results (the vote is a record)."""
    require_editor(contest, by)
    if contest.results_published or Ballot.objects.filter(contest=contest).exists():
        raise ValidationError(_("A contest with ballots or published results cannot be deleted."), code="voted")
    JudgeScore.objects.filter(entry__contest=contest).delete()
    Entry.objects.filter(contest=contest).delete()
    contest.delete()


PARTS = (Category, Criterion, JudgeAssignment, Team, Period)


def contest_part_check(*, part, by: AbstractUser | None) -> None:
    """Rules of a contest's category, criterion, judge assignment, team or period."""
    if not isinstance(part, PARTS):
        raise TypeError(part)
    require_editor(part.contest, by)
    contest_part_rules(part=part)
    part.full_clean()


def contest_part_rules(*, part) -> None:
    """The domain rules of a part alone (no permission, no database constraint): the back
    office's forms call this to show the message beside the row."""
    contest = part.contest
    if contest.results_published:
        raise ValidationError(_("The results are published; the contest can no longer change."), code="published")
    if isinstance(part, JudgeAssignment):
        judge_check(judge=part.judge)
    elif isinstance(part, Team):
        if part.union_id and not part.union.is_within(contest.union):
            raise ValidationError(_("A team's union must be one of the organiser's unions."), code="union")
    elif isinstance(part, Criterion) and part.pk:
        before = Criterion.objects.get(pk=part.pk)
        scored = JudgeScore.objects.filter(criterion=part).exists() or TeamScore.objects.filter(criterion=part).exists()
        if scored and part.max_score != before.max_score:
            raise ValidationError(
                _("{criterion} has been scored: its maximum can no longer change.").format(criterion=before.name),
                code="scored",
            )


def judge_check(*, judge: AbstractUser) -> None:
    """Only holders of the core role "judge" sit on a jury."""
    if not judge.is_superuser and not Role.objects.filter(user=judge, kind=Role.Kind.JUDGE).exists():
        raise ValidationError(_("{user} does not hold the judge role.").format(user=judge), code="not_judge")


@transaction.atomic
def contest_part_save(*, part, by: AbstractUser | None):
    """Save one part of a contest's setup (from the back office's inlines)."""
    if isinstance(part, JudgeAssignment):
        from .scoring import judge_assign

        require_editor(part.contest, by)
        if part.pk:
            before = JudgeAssignment.objects.get(pk=part.pk)
            if before.judge_id != part.judge_id:  # another judge on this row: the old one leaves the jury
                contest_part_delete_rules(part=before)
                before.delete()
        home = part.home_union if part.home_union_id else None
        return judge_assign(contest=part.contest, judge=part.judge, home_union=home)
    contest_part_check(part=part, by=by)
    part.save()
    return part


@transaction.atomic
def contest_part_delete(*, part, by: AbstractUser | None) -> None:
    """Remove a part of a contest's setup that nothing recorded depends on."""
    require_editor(part.contest, by)
    contest_part_delete_rules(part=part)
    part.delete()


def contest_part_delete_rules(*, part) -> None:
    if not isinstance(part, PARTS):
        raise TypeError(part)
    if part.contest.results_published:
        raise ValidationError(_("The results are published; the contest can no longer change."), code="published")
    used = {
        Category: lambda: Entry.objects.filter(category=part).exists(),
        Criterion: lambda: (
            JudgeScore.objects.filter(criterion=part).exists() or TeamScore.objects.filter(criterion=part).exists()
        ),
        JudgeAssignment: lambda: JudgeScore.objects.filter(entry__contest=part.contest, judge=part.judge).exists(),
        Team: lambda: TeamScore.objects.filter(team=part).exists(),
        Period: lambda: TeamScore.objects.filter(period=part).exists(),
    }[type(part)]
    if used():
        raise ValidationError(_("“{part}” is in use and cannot be removed.").format(part=part), code="in_use")
