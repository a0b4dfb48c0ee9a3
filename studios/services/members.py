"""The people of a studio. The leader's name is searchable and every member shows on the profile.

Once a studio is approved its leader answers to the rules the application was approved under
(`leader_errors`): a new leader must meet them, the leader's particulars cannot be changed so that
they no longer do, and the leader is never removed or demoted without a successor
(`studio_change_leader` hands over in one step).
"""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from unionportal.core.images import CleanImage

from ..models import Member, Studio
from ..selectors import can_edit
from .applications import leader_errors
from .derived import delete_files_on_commit, studio_reindex

# Before approval the review checks the leader; from approval on, every change of leader does.
UNDER_APPLICATION = (Studio.Status.APPLYING, Studio.Status.RETURNED)


def _check(by: AbstractUser | None, studio: Studio) -> None:
    if by is not None and not can_edit(by, studio):
        raise PermissionDenied


def _check_leader(studio: Studio, member: Member) -> None:
    if member.role == Member.Role.LEADER and studio.status not in UNDER_APPLICATION:
        errors = leader_errors(studio=studio, leader=member)
        if errors:
            raise ValidationError(errors)


@transaction.atomic
def member_add(*, studio: Studio, by: AbstractUser | None = None, photo: CleanImage | None = None, **fields) -> Member:
    """Add a person to a studio (at most one leader: the model's constraint, checked before saving)."""
    _check(by, studio)
    member = Member(studio=studio, **fields)
    if photo is not None:
        member.photo, member.photo_thumbnail = photo.image, photo.thumbnail
    member.full_clean()
    _check_leader(studio, member)
    member.save()
    studio_reindex(studio=studio)  # the leader is searchable; the profile's stamp moves either way
    return member


@transaction.atomic
def member_update(
    *, member: Member, by: AbstractUser | None = None, photo: CleanImage | None = None, **fields
) -> Member:
    """Change a person's particulars or photo; a person stays with their studio."""
    member = Member.objects.select_for_update().select_related("studio").get(pk=member.pk)
    _check(by, member.studio)
    studio = fields.pop("studio", member.studio)
    if studio != member.studio:
        raise ValidationError(_("A member stays with their studio: add the person to the other studio instead."))
    was_leader = member.is_leader
    for name, value in fields.items():
        setattr(member, name, value)
    if was_leader and not member.is_leader and member.studio.status not in UNDER_APPLICATION:
        raise ValidationError(_("A studio keeps its leader: name the new leader instead."))
    old_files = ()
    if photo is not None:
        old_files = (member.photo, member.photo_thumbnail)
        member.photo, member.photo_thumbnail = photo.image, photo.thumbnail
    member.full_clean()
    _check_leader(member.studio, member)
    member.save()
    delete_files_on_commit(*old_files)
    studio_reindex(studio=member.studio)
    return member


@transaction.atomic
def member_delete(*, member: Member, by: AbstractUser | None = None) -> None:
    """Remove a person from a studio (an approved studio's leader only after a new leader is named)."""
    member = Member.objects.select_for_update().select_related("studio").get(pk=member.pk)
    _check(by, member.studio)
    if member.is_leader and member.studio.status not in UNDER_APPLICATION:
        raise ValidationError(
            _("{name} leads the studio: name the new leader before removing them.").format(name=member.name)
        )
    delete_files_on_commit(member.photo, member.photo_thumbnail)
    member.delete()
    studio_reindex(studio=member.studio)


@transaction.atomic
def studio_change_leader(*, studio: Studio, member: Member, by: AbstractUser | None = None) -> Member:
    """Make a member of the studio its leader; the previous leader stays on as a member.

    From approval on, the new leader must meet the rules of the studio's kind, as in an application.
    """
    studio = Studio.objects.select_for_update().select_related("union").get(pk=studio.pk)
    _check(by, studio)
    member = Member.objects.select_for_update().filter(pk=member.pk, studio=studio).first()
    if member is None:
        raise ValidationError(_("Choose a member of this studio as its leader."))
    if member.is_leader:
        raise ValidationError(_("{name} already leads the studio.").format(name=member.name))
    member.role = Member.Role.LEADER
    _check_leader(studio, member)
    # One leader at a time (the model's constraint): step the old leader down first.
    # One leader at a time (the model's constraint): the old leader steps down first. Saved one by
    # one, not by update(), so that both changes are in the members' history.
    for previous in Member.objects.select_for_update().filter(studio=studio, role=Member.Role.LEADER):
        previous.role = Member.Role.MEMBER
        previous.save(update_fields=["role", "updated_at"])
    member.save(update_fields=["role", "updated_at"])
    studio_reindex(studio=studio)
    return member
