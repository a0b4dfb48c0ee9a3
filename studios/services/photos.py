"""Photos of a studio (re-encoded by the core image pipeline before they get here)."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from unionportal.core.images import CleanImage

from ..models import Studio, StudioPhoto
from ..selectors import can_edit
from .derived import delete_files_on_commit, studio_touch


def _check(by: AbstractUser | None, studio: Studio) -> None:
    if by is not None and not can_edit(by, studio):
        raise PermissionDenied


@transaction.atomic
def studio_add_photos(
    *, studio: Studio, photos: Iterable[CleanImage], caption: str = "", by: AbstractUser | None = None
) -> list[StudioPhoto]:
    _check(by, studio)
    made = [
        StudioPhoto.objects.create(studio=studio, image=p.image, thumbnail=p.thumbnail, caption=caption) for p in photos
    ]
    if not made:
        raise ValidationError(_("Choose an image."))
    studio_touch(studio_ids=[studio.pk])
    return made


@transaction.atomic
def photo_update(
    *, photo: StudioPhoto, by: AbstractUser | None = None, image: CleanImage | None = None, caption: str | None = None
) -> StudioPhoto:
    photo = StudioPhoto.objects.select_for_update().select_related("studio").get(pk=photo.pk)
    _check(by, photo.studio)
    if caption is not None:
        photo.caption = caption
    if image is not None:
        delete_files_on_commit(photo.image, photo.thumbnail)
        photo.image, photo.thumbnail = image.image, image.thumbnail
    photo.full_clean()
    photo.save()
    studio_touch(studio_ids=[photo.studio_id])
    return photo


@transaction.atomic
def photo_delete(*, photo: StudioPhoto, by: AbstractUser | None = None) -> None:
    photo = StudioPhoto.objects.select_for_update().select_related("studio").get(pk=photo.pk)
    _check(by, photo.studio)
    delete_files_on_commit(photo.image, photo.thumbnail)
    photo.delete()
    studio_touch(studio_ids=[photo.studio_id])
