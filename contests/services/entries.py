"""Entries: submission, screening, and the back office's corrections."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.core.images import CleanImage
from unionportal.core.models import Role, Union

from ..models import Contest, Entry, EntryAttachment, EntryPhoto, TeamMember, Voter
from ._common import require_editor
from .pages import page_changed


def worker_union(user) -> Union | None:
    """The union a worker belongs to: their verified voter record, else a union where they hold a role."""
    if user is None or not user.is_authenticated:
        return None
    voter = Voter.objects.filter(user=user, verified=True).select_related("union").first()
    if voter is not None:
        return voter.union
    role = Role.objects.filter(user=user).select_related("union").order_by("pk").first()
    return role.union if role else None


@dataclass(frozen=True)
class MemberInput:
    name: str
    union: Union
    is_leader: bool = False


def _stamp(value: dt.datetime) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")


def _check_members(contest: Contest, members: Sequence) -> None:
    if not members:
        raise ValidationError(_("Name at least one team member."), code="members")
    for member in members:
        if not member.union.is_within(contest.union):
            raise ValidationError(
                _("{name}'s union is not one of the organiser's unions.").format(name=member.name), code="members"
            )


@transaction.atomic
def entry_submit(
    *,
    contest: Contest,
    by: AbstractUser,
    category,
    title: str,
    description: str,
    members: Sequence[MemberInput],
    benefit: str = "",
    benefit_value: Decimal | None = None,
    benefit_unit: str = "",
    photos: Iterable[CleanImage] = (),
    attachments: Iterable[ContentFile] = (),
    now: dt.datetime | None = None,
) -> Entry:
    """Submit an entry during the entry stage, by a worker of the organiser's subtree; all or nothing."""
    now = now or timezone.now()
    if contest.is_labour:
        raise ValidationError(_("Labour competitions do not take entries."))
    if not contest.accepts_entries(now):
        raise ValidationError(
            _("Entries are accepted from {opens} to {closes} only.").format(
                opens=_stamp(contest.entry_opens), closes=_stamp(contest.entry_closes)
            ),
            code="closed",
        )
    home = worker_union(by)
    if not by.is_superuser and (home is None or not home.is_within(contest.union)):
        raise PermissionDenied(_("Only workers of the organiser's unions may submit entries."))
    if category.contest_id != contest.pk:
        raise ValidationError(_("Choose a category of this contest."), code="category")
    _check_members(contest, members)
    entry = Entry(
        contest=contest,
        category=category,
        title=title,
        description=description,
        benefit=benefit,
        benefit_value=benefit_value,
        benefit_unit=benefit_unit,
        submitted_by=by,
    )
    entry.full_clean()
    entry.save()
    TeamMember.objects.bulk_create(
        [TeamMember(entry=entry, name=m.name, union=m.union, is_leader=m.is_leader) for m in members]
    )
    for photo in photos:
        EntryPhoto.objects.create(entry=entry, image=photo.image, thumbnail=photo.thumbnail)
    for attachment in attachments:
        EntryAttachment.objects.create(entry=entry, file=attachment, title=attachment.name)
    return entry


@transaction.atomic
def entry_screen(
    *, entry: Entry, accept: bool, reason: str = "", by: AbstractUser | None, now: dt.datetime | None = None
) -> Entry:
    """Accept or reject an entry with a reason the team sees; only until screening closes."""
    now = now or timezone.now()
    contest = entry.contest
    require_editor(contest, by)
    if now >= contest.screening_closes:
        raise ValidationError(
            _("Screening is closed: it ended on {closes}.").format(closes=_stamp(contest.screening_closes)),
            code="closed",
        )
    if now < contest.entry_opens:
        raise ValidationError(_("Screening has not begun: entries are not open yet."), code="early")
    reason = (reason or "").strip()
    if not accept and not reason:
        raise ValidationError(_("Give the team a reason for the rejection."), code="reason")
    entry.status = Entry.Status.ACCEPTED if accept else Entry.Status.REJECTED
    entry.screening_reason = reason[:300]
    entry.screened_by = by
    entry.screened_at = now
    entry.save(update_fields=["status", "screening_reason", "screened_by", "screened_at", "updated_at"])
    page_changed(pk=contest.pk)
    return entry


# Fields of an entry that the organiser may correct (typos) while the entry is not yet voted on.
CORRECTABLE = ["category", "title", "description", "benefit", "benefit_value", "benefit_unit"]


@transaction.atomic
def entry_update(*, entry: Entry, by: AbstractUser | None, now: dt.datetime | None = None) -> Entry:
    """Save an organiser's correction of an entry's text until the public vote opens."""
    now = now or timezone.now()
    before = Entry.objects.select_related("contest").get(pk=entry.pk)
    require_editor(before.contest, by)
    if entry.contest_id != before.contest_id:
        raise ValidationError(_("An entry stays in its contest."), code="contest")
    if now >= before.contest.vote_opens:
        raise ValidationError(_("The public vote has opened: entries can no longer change."), code="closed")
    if entry.category.contest_id != before.contest_id:
        raise ValidationError(_("Choose a category of this contest."), code="category")
    entry.full_clean()
    entry.save(update_fields=[*CORRECTABLE, "updated_at"])
    page_changed(pk=before.contest_id)
    return entry


@transaction.atomic
def entry_delete(*, entry: Entry, by: AbstractUser | None) -> None:
    """Withdraw an entry that nobody has voted for or scored yet."""
    require_editor(entry.contest, by)
    if entry.ballots.exists() or entry.scores.exists():
        raise ValidationError(_("An entry with votes or scores cannot be deleted."), code="voted")
    entry.delete()
    page_changed(pk=entry.contest_id)


@transaction.atomic
def team_member_save(*, member: TeamMember, by: AbstractUser | None) -> TeamMember:
    """Correct or add a team member of an entry (the member's union within the organiser's)."""
    entry = member.entry
    require_editor(entry.contest, by)
    _check_members(entry.contest, [member])
    if entry.contest.results_published:
        raise ValidationError(_("The results are published; the contest can no longer change."), code="published")
    member.full_clean()
    member.save()
    return member


@transaction.atomic
def team_member_delete(*, member: TeamMember, by: AbstractUser | None) -> None:
    entry = member.entry
    require_editor(entry.contest, by)
    if entry.members.count() <= 1:
        raise ValidationError(_("Name at least one team member."), code="members")
    member.delete()
