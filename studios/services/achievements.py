"""A studio's achievements: the records its profile counts."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Achievement, Member, Studio
from ..selectors import can_edit
from .derived import delete_files_on_commit, studio_touch


def _check(by: AbstractUser | None, studio: Studio) -> None:
    if by is not None and not can_edit(by, studio):
        raise PermissionDenied


def _check_members(studio: Studio, members: list[Member]) -> None:
    if any(m.studio_id != studio.pk for m in members):
        raise ValidationError(_("Only members of this studio can be named on its achievement."))


@transaction.atomic
def achievement_add(
    *, studio: Studio, by: AbstractUser | None, members: Iterable[Member] = (), attachment=None, **fields
) -> Achievement:
    """Record an achievement of a studio (the profile's counts follow from it)."""
    _check(by, studio)
    members = list(members)
    _check_members(studio, members)
    achievement = Achievement(studio=studio, created_by=by, **fields)
    if attachment is not None:
        achievement.attachment = attachment
    achievement.full_clean()
    achievement.save()
    achievement.members.set(members)
    studio_touch(studio_ids=[studio.pk])
    return achievement


@transaction.atomic
def achievement_update(
    *,
    achievement: Achievement,
    by: AbstractUser | None,
    members: Iterable[Member] | None = None,
    attachment=None,
    **fields,
) -> Achievement:
    """Change an achievement; moved to another studio, both profiles change."""
    achievement = Achievement.objects.select_for_update().select_related("studio").get(pk=achievement.pk)
    old_studio = achievement.studio
    _check(by, old_studio)
    studio = fields.get("studio", old_studio)
    if studio != old_studio:
        _check(by, studio)
    for name, value in fields.items():
        setattr(achievement, name, value)
    if attachment is not None:
        delete_files_on_commit(achievement.attachment)
        achievement.attachment = attachment
    members = list(achievement.members.all() if members is None else members)
    _check_members(studio, members)
    achievement.full_clean()
    achievement.save()
    achievement.members.set(members)
    studio_touch(studio_ids={old_studio.pk, studio.pk})
    return achievement


@transaction.atomic
def achievement_delete(*, achievement: Achievement, by: AbstractUser | None) -> None:
    achievement = Achievement.objects.select_for_update().select_related("studio").get(pk=achievement.pk)
    _check(by, achievement.studio)
    delete_files_on_commit(achievement.attachment)
    achievement.delete()
    studio_touch(studio_ids=[achievement.studio_id])
