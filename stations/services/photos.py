"""A station's photos on the desk: add (camera or gallery), replace, caption, order, remove.
Each write moves the station's page stamp; a replaced or removed photo's files leave the storage."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from unionportal.core.images import CleanImage

from ..models import Station, StationPhoto
from .common import check_may_edit
from .stations import station_touch

MAX_PHOTOS = 12


def _delete_files(*files) -> None:
    for f in files:
        if f:
            f.storage.delete(f.name)


@transaction.atomic
def station_photo_add(
    *, station: Station, image: CleanImage, caption: str = "", by: AbstractUser | None = None
) -> StationPhoto:
    """Add a photo at the end of the station's gallery (at most MAX_PHOTOS)."""
    check_may_edit(by, station)
    Station.objects.select_for_update().filter(pk=station.pk).first()
    if StationPhoto.objects.filter(station=station).count() >= MAX_PHOTOS:
        raise ValidationError(_("A station has at most {n} photos.").format(n=MAX_PHOTOS))
    last = StationPhoto.objects.filter(station=station).aggregate(m=Max("order"))["m"]
    photo = StationPhoto(
        station=station,
        image=image.image,
        thumbnail=image.thumbnail,
        caption=caption.strip()[:120],
        order=0 if last is None else last + 1,
    )
    photo.save()
    station_touch(station_ids=[station.pk])
    return photo


@transaction.atomic
def station_photo_update(
    *,
    photo: StationPhoto,
    caption: str,
    order: int,
    image: CleanImage | None = None,
    by: AbstractUser | None = None,
) -> StationPhoto:
    """Change a photo's caption and place in the gallery, and replace its image when given."""
    check_may_edit(by, photo.station)
    if order is None or not 0 <= order <= 999:
        raise ValidationError(_("The order is a whole number from 0 to 999."))
    old = (photo.image, photo.thumbnail) if image is not None else ()
    photo.caption = caption.strip()[:120]
    photo.order = order
    if image is not None:
        photo.image, photo.thumbnail = image.image, image.thumbnail
    photo.save()
    if old:
        transaction.on_commit(lambda: _delete_files(*old))
    station_touch(station_ids=[photo.station_id])
    return photo


@transaction.atomic
def station_photo_move(*, photo: StationPhoto, up: bool, by: AbstractUser | None = None) -> None:
    """Swap a photo with its neighbour in the gallery (renumbering the gallery 0, 1, 2, ...)."""
    check_may_edit(by, photo.station)
    photos = list(StationPhoto.objects.filter(station_id=photo.station_id).order_by("order", "pk"))
    i = next(n for n, p in enumerate(photos) if p.pk == photo.pk)
    j = i - 1 if up else i + 1
    if 0 <= j < len(photos):
        photos[i], photos[j] = photos[j], photos[i]
    for n, p in enumerate(photos):
        if p.order != n:
            p.order = n
            p.save(update_fields=["order"])
    station_touch(station_ids=[photo.station_id])


@transaction.atomic
def station_photo_delete(*, photo: StationPhoto, by: AbstractUser | None = None) -> None:
    """Remove a photo and, once committed, its files."""
    check_may_edit(by, photo.station)
    files = (photo.image, photo.thumbnail)
    station_id = photo.station_id
    photo.delete()
    transaction.on_commit(lambda: _delete_files(*files))
    station_touch(station_ids=[station_id])
