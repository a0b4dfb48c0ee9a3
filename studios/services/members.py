"""The people of a studio. The leader's name is searchable and every member shows on the profile."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from unionportal.core.images import CleanImage

from ..models import Member, Studio
from ..selectors import can_edit
from .derived import delete_files_on_commit, studio_reindex


def _check(by: AbstractUser | None, studio: Studio) -> None:
    if by is not None and not can_edit(by, studio):
        raise PermissionDenied


@transaction.atomic
def member_add(*, studio: Studio, by: AbstractUser | None = None, photo: CleanImage | None = None, **fields) -> Member:
    """Add a person to a studio (at most one leader: the model's constraint, checked before saving)."""
    _check(by, studio)
    member = Member(studio=studio, **fields)
    if photo is not None:
        member.photo, member.photo_thumbnail = photo.image, photo.thumbnail
    member.full_clean()
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
    for name, value in fields.items():
        setattr(member, name, value)
    old_files = ()
    if photo is not None:
        old_files = (member.photo, member.photo_thumbnail)
        member.photo, member.photo_thumbnail = photo.image, photo.thumbnail
    member.full_clean()
    member.save()
    delete_files_on_commit(*old_files)
    studio_reindex(studio=member.studio)
    return member


@transaction.atomic
def member_delete(*, member: Member, by: AbstractUser | None = None) -> None:
    member = Member.objects.select_for_update().select_related("studio").get(pk=member.pk)
    _check(by, member.studio)
    delete_files_on_commit(member.photo, member.photo_thumbnail)
    member.delete()
    studio_reindex(studio=member.studio)
