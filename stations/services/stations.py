"""Stations and what their public page shows: derived columns, public access, hours,
amenities, photos, awards and deliveries."""

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.core import pagecache
from unionportal.core.bulk import insert_rows
from unionportal.core.images import CleanImage
from unionportal.core.text import pinyin_full, pinyin_initials

from .. import grams
from ..models import (
    Amenity,
    AmenityDelivery,
    Award,
    HoursException,
    OpeningHours,
    PublicAccessChange,
    Station,
    StationAmenity,
    StationGram,
    StationPhoto,
    cell_of,
    natural_key,
)
from ..selectors import MAP_STAMP, page_name
from .common import check_may_edit, is_public
from .visits import exchange_visits_refresh, exchange_visits_withdraw


def _public_facts(station: Station) -> tuple:
    # What a published text may say about a station: its name, and only while it is public.
    return (station.name, is_public(station))


def search_pinyin(*texts: str) -> str:
    """What Latin search terms are looked up in: the pinyin initials of each text (良乡镇 -> lxz),
    then their full pinyin run together (liangxiangzhen), at most 400 characters."""
    full = [pinyin_full(t).replace(" ", "") for t in texts if t]
    return " ".join([pinyin_initials(*texts), *full])[:400]


def station_fill_derived(*, station: Station) -> Station:
    """Grid cell, pinyin initials, search text and sort name (no save: bulk writers call this too)."""
    station.cell = cell_of(station.lat, station.lng)
    station.initials = search_pinyin(station.name, station.town, station.address)
    station.search_text = " | ".join([station.name, station.town, station.address]).lower()[:800]
    station.sort_name = natural_key(station.name)
    return station


def station_index_text(*, stations: Iterable[Station], fresh: bool = False) -> int:
    """Write the search n-grams (grams.py) of saved stations whose derived columns are filled;
    `fresh` skips removing old ones (stations just created). Returns the rows written."""
    stations = list(stations)
    if not fresh:
        StationGram.objects.filter(station__in=[s.pk for s in stations]).delete()
    rows = [(s.pk, code) for s in stations for code in grams.text_codes(s.search_text, s.initials)]
    insert_rows(StationGram, ["station_id", "code"], rows)  # plain rows: ~100 per station
    return len(rows)


@transaction.atomic
def station_save(*, station: Station, by: AbstractUser | None = None) -> Station:
    """Validate and save a station, keep its derived columns and log a change of public access."""
    previous = None
    if station.pk:
        previous = Station.objects.select_related("union").filter(pk=station.pk).first()
        if previous is not None:
            check_may_edit(by, previous)  # the union it belonged to
    check_may_edit(by, station)
    station_fill_derived(station=station)
    station.full_clean(exclude=["latest_inspection"])
    now = timezone.now()
    changed = previous is not None and previous.is_public != station.is_public
    if changed or (previous is None and station.public_since is None):
        station.public_since = now
    station.save()
    station_index_text(stations=[station])
    pagecache.forget(page_name(station.pk), MAP_STAMP)
    if changed:
        PublicAccessChange.objects.create(station=station, is_public=station.is_public, changed_at=now, changed_by=by)
    if previous is not None and _public_facts(previous) != _public_facts(station):
        exchange_visits_refresh(station=station)
    return station


@transaction.atomic
def station_set_public(*, station: Station, is_public: bool, by: AbstractUser | None = None, note: str = "") -> Station:
    """Open an (e.g. enterprise) station to outdoor workers, or close it; the change is kept.

    Published exchange visits stop naming a station that is no longer public."""
    check_may_edit(by, station)
    if station.is_public == is_public:
        return station
    now = timezone.now()
    station.is_public = is_public
    station.public_since = now
    station.save(update_fields=["is_public", "public_since", "updated_at"])
    pagecache.forget(page_name(station.pk), MAP_STAMP)
    PublicAccessChange.objects.create(station=station, is_public=is_public, changed_at=now, changed_by=by, note=note)
    exchange_visits_refresh(station=station)
    return station


@transaction.atomic
def station_delete(*, station: Station, by: AbstractUser | None = None) -> None:
    """Delete a station with its records; the activities of its exchange visits leave the public feed."""
    check_may_edit(by, station)
    exchange_visits_withdraw(station=station)
    pk = station.pk
    station.delete()
    pagecache.forget(page_name(pk), MAP_STAMP)


def station_touch(*, station_ids: Iterable[int]) -> None:
    """Move the stations' updated_at, the freshness stamp of their cached public pages, and
    forget the kept stamps (the finder map's too). Every write to what a station page shows
    (hours, exceptions, amenities, photos, awards) that does not go through station_save calls this."""
    station_ids = list(station_ids)
    Station.objects.filter(pk__in=station_ids).update(updated_at=timezone.now())
    pagecache.forget(*(page_name(pk) for pk in station_ids), MAP_STAMP)


def page_changed(*, pk: int) -> None:
    """What a station's page shows from elsewhere changed (e.g. an activity linked to it was
    published, edited or withdrawn by unionportal.core.services): move the page's stamp."""
    station_touch(station_ids=[pk])


def station_add_photos(*, station: Station, photos: Iterable[CleanImage]) -> None:
    photos = list(photos)
    last = StationPhoto.objects.filter(station=station).aggregate(m=models.Max("order"))["m"]
    start = 0 if last is None else last + 1
    for n, photo in enumerate(photos):
        StationPhoto.objects.create(station=station, image=photo.image, thumbnail=photo.thumbnail, order=start + n)
    if photos:
        station_touch(station_ids=[station.pk])


# Records shown on a station's page that are edited beside the station (the admin's inlines).
STATION_PARTS = (OpeningHours, HoursException, StationAmenity, StationPhoto, Award)


@transaction.atomic
def station_parts_save(
    *,
    station: Station,
    saved: Iterable[models.Model] = (),
    deleted: Iterable[models.Model] = (),
    by: AbstractUser | None = None,
) -> None:
    """Save and delete a station's hours, exceptions, amenities, photos and awards, then move
    the station's page stamp. Each record must belong to the station."""
    check_may_edit(by, station)
    saved, deleted = list(saved), list(deleted)
    for obj in saved + deleted:
        if not isinstance(obj, STATION_PARTS) or (obj.station_id is not None and obj.station_id != station.pk):
            raise PermissionDenied
    for obj in deleted:
        if obj.pk is not None:
            obj.delete()
    for obj in saved:
        obj.station = station
        obj.full_clean()
        obj.save()
    if saved or deleted:
        station_touch(station_ids=[station.pk])


@transaction.atomic
def award_save(*, award: Award, by: AbstractUser | None = None) -> Award:
    """Save an award; the pages of its station (and of a station it moved away from) change."""
    ids = {award.station_id}
    if award.pk:
        before = Award.objects.select_related("station__union").filter(pk=award.pk).first()
        if before is not None:
            check_may_edit(by, before.station)
            ids.add(before.station_id)
    check_may_edit(by, award.station)
    award.full_clean()
    award.save()
    station_touch(station_ids=ids)
    return award


@transaction.atomic
def award_delete(*, award: Award, by: AbstractUser | None = None) -> None:
    check_may_edit(by, award.station)
    station_id = award.station_id
    award.delete()
    station_touch(station_ids=[station_id])


@transaction.atomic
def amenity_save(*, amenity: Amenity) -> Amenity:
    """Change the amenity catalogue (superusers); the pages of stations offering it change."""
    amenity.full_clean()
    amenity.save()
    station_touch(station_ids=StationAmenity.objects.filter(amenity=amenity).values_list("station_id", flat=True))
    return amenity


@transaction.atomic
def amenity_delete(*, amenity: Amenity) -> None:
    """Remove an amenity nobody offers or delivered (else ProtectedError)."""
    amenity.delete()


@transaction.atomic
def amenity_delivery_record(
    *,
    station: Station,
    amenity: Amenity,
    quantity: int,
    delivered_on: dt.date,
    note: str = "",
    by: AbstractUser | None = None,
) -> AmenityDelivery:
    """Record what the union delivered; the station now offers that amenity."""
    check_may_edit(by, station)
    if quantity is None or quantity < 1:
        raise ValidationError(_("The quantity must be at least 1."))
    delivery = AmenityDelivery(
        station=station, amenity=amenity, quantity=quantity, delivered_on=delivered_on, note=note
    )
    delivery.full_clean()
    delivery.save()
    sa, created = StationAmenity.objects.get_or_create(
        station=station, amenity=amenity, defaults={"quantity": quantity, "since": delivered_on}
    )
    if not created:
        sa.quantity += quantity
        sa.since = min(sa.since or delivered_on, delivered_on)
        sa.save(update_fields=["quantity", "since"])
    station_touch(station_ids=[station.pk])
    return delivery


@transaction.atomic
def amenity_delivery_delete(*, delivery: AmenityDelivery, by: AbstractUser | None = None) -> None:
    """Undo a delivery recorded by mistake: the station's quantity goes back down (the amenity
    leaves the station when nothing is left)."""
    check_may_edit(by, delivery.station)
    sa = StationAmenity.objects.filter(station_id=delivery.station_id, amenity_id=delivery.amenity_id).first()
    if sa is not None:
        if sa.quantity > delivery.quantity:
            sa.quantity -= delivery.quantity
            sa.save(update_fields=["quantity"])
        else:
            sa.delete()
    station_id = delivery.station_id
    delivery.delete()
    station_touch(station_ids=[station_id])
