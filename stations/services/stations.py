"""Writes of the stations app: derived columns, public access, deliveries, inspections, feedback."""

import datetime as dt
import hashlib
from collections.abc import Iterable

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.core import pagecache
from unionportal.core import services as core_services
from unionportal.core.images import CleanImage
from unionportal.core.models import Activity, Role
from unionportal.core.scoping import has_role
from unionportal.core.text import pinyin_initials

from . import grams
from .models import (
    Amenity,
    AmenityDelivery,
    CheckIn,
    ExchangeVisit,
    Feedback,
    Inspection,
    InspectionItem,
    InspectionPhoto,
    PublicAccessChange,
    Station,
    StationAmenity,
    StationGram,
    StationPhoto,
    cell_of,
)


def station_fill_derived(*, station: Station) -> Station:
    """Grid cell, pinyin initials and search text (no save: bulk writers call this too)."""
    station.cell = cell_of(station.lat, station.lng)
    station.initials = pinyin_initials(station.name, station.town, station.address)[:400]
    station.search_text = " | ".join([station.name, station.town, station.address]).lower()[:800]
    return station


def station_index_text(*, stations: Iterable[Station], fresh: bool = False) -> int:
    """Write the search n-grams (grams.py) of saved stations whose derived columns are filled;
    `fresh` skips removing old ones (stations just created). Returns the rows written."""
    stations = list(stations)
    if not fresh:
        StationGram.objects.filter(station__in=[s.pk for s in stations]).delete()
    rows = [
        StationGram(station_id=s.pk, code=code)
        for s in stations
        for code in grams.text_codes(s.search_text, s.initials)
    ]
    StationGram.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


@transaction.atomic
def station_save(*, station: Station, by: AbstractUser | None = None) -> Station:
    """Validate and save a station, keep its derived columns and log a change of public access."""
    previous = None
    if station.pk:
        previous = Station.objects.filter(pk=station.pk).values_list("is_public", flat=True).first()
    station_fill_derived(station=station)
    station.full_clean(exclude=["latest_inspection"])
    now = timezone.now()
    changed = previous is not None and previous != station.is_public
    if changed or (previous is None and station.public_since is None):
        station.public_since = now
    station.save()
    station_index_text(stations=[station])
    pagecache.forget(page_name(station.pk))
    if changed:
        PublicAccessChange.objects.create(station=station, is_public=station.is_public, changed_at=now, changed_by=by)
    return station


@transaction.atomic
def station_set_public(*, station: Station, is_public: bool, by: AbstractUser | None = None, note: str = "") -> Station:
    """Open an (e.g. enterprise) station to outdoor workers, or close it; the change is kept."""
    if station.is_public == is_public:
        return station
    now = timezone.now()
    station.is_public = is_public
    station.public_since = now
    station.save(update_fields=["is_public", "public_since", "updated_at"])
    pagecache.forget(page_name(station.pk))
    PublicAccessChange.objects.create(station=station, is_public=is_public, changed_at=now, changed_by=by, note=note)
    return station


def page_name(pk: int) -> str:
    """The name of a station's public page in the page cache (unionportal.core.pagecache)."""
    return f"station:{pk}"


def station_touch(*, station_ids: Iterable[int]) -> None:
    """Move the stations' updated_at, the freshness stamp of their cached public pages, and
    forget the kept stamps. Every write to what a station page shows (hours, exceptions,
    amenities, photos, awards) that does not go through station_save calls this."""
    station_ids = list(station_ids)
    Station.objects.filter(pk__in=station_ids).update(updated_at=timezone.now())
    pagecache.forget(*(page_name(pk) for pk in station_ids))


def station_add_photos(*, station: Station, photos: Iterable[CleanImage]) -> None:
    photos = list(photos)
    for photo in photos:
        StationPhoto.objects.create(station=station, image=photo.image, thumbnail=photo.thumbnail)
    if photos:
        station_touch(station_ids=[station.pk])


@transaction.atomic
def amenity_delivery_record(
    *, station: Station, amenity: Amenity, quantity: int, delivered_on: dt.date, note: str = ""
) -> AmenityDelivery:
    """Record what the union delivered; the station now offers that amenity."""
    if quantity < 1:
        raise ValidationError(_("The quantity must be at least 1."))
    delivery = AmenityDelivery.objects.create(
        station=station, amenity=amenity, quantity=quantity, delivered_on=delivered_on, note=note
    )
    sa, created = StationAmenity.objects.get_or_create(
        station=station, amenity=amenity, defaults={"quantity": quantity, "since": delivered_on}
    )
    if not created:
        sa.quantity += quantity
        sa.since = min(sa.since or delivered_on, delivered_on)
        sa.save(update_fields=["quantity", "since"])
    station_touch(station_ids=[station.pk])
    return delivery


def inspection_refresh_latest(*, station: Station, inspection: Inspection | None = None) -> None:
    """Keep the station's compliance (its latest inspection) and the inspection's summary true."""
    if inspection is not None:
        items = list(inspection.items.values_list("passed", flat=True))
        inspection.passed_all = len(items) == len(Inspection.Item.values) and all(items)
        inspection.save(update_fields=["passed_all", "updated_at"])
    latest = station.inspections.order_by("-inspected_on", "-pk").first()
    Station.objects.filter(pk=station.pk).update(latest_inspection=latest)
    station.latest_inspection = latest


@transaction.atomic
def inspection_record(
    *,
    station: Station,
    inspected_on: dt.date,
    results: dict[str, tuple[bool, str]],
    by: AbstractUser | None = None,
    inspector_name: str = "",
    photos: dict[str, list[CleanImage]] | None = None,
) -> Inspection:
    """Record a standard check: every one of the seven items passes or fails, with a note."""
    if by is not None and not has_role(by, station.union, Role.EDIT_ROLES):
        raise PermissionDenied
    missing = [label for code, label in Inspection.Item.choices if code not in results]
    if missing:
        raise ValidationError(
            _("Every item must be checked; missing: {items}.").format(items=", ".join(map(str, missing)))
        )
    inspection = Inspection.objects.create(
        station=station,
        inspected_on=inspected_on,
        inspector=by,
        inspector_name=inspector_name or (by.get_full_name() or by.get_username() if by else ""),
        passed_all=all(passed for passed, _note in results.values()),
    )
    for code, _label in Inspection.Item.choices:
        passed, note = results[code]
        item = InspectionItem.objects.create(inspection=inspection, item=code, passed=passed, note=note)
        for photo in (photos or {}).get(code, []):
            InspectionPhoto.objects.create(item=item, image=photo.image, thumbnail=photo.thumbnail)
    inspection_refresh_latest(station=station)
    return inspection


@transaction.atomic
def exchange_visit_log(
    *,
    host: Station,
    guest: Station,
    visited_on: dt.date,
    summary: str = "",
    participants: int = 0,
    by: AbstractUser | None = None,
) -> ExchangeVisit:
    """Record an exchange visit and log it as an activity of the host's union (idempotent per pair and day)."""
    if host.pk == guest.pk:
        raise ValidationError(_("A station cannot visit itself."))
    visit, _created = ExchangeVisit.objects.update_or_create(
        host=host, guest=guest, visited_on=visited_on, defaults={"summary": summary, "participants": participants}
    )
    title = _("Exchange visit: {guest} visits {host}").format(guest=guest.name, host=host.name)
    visit.activity = core_services.activity_log(
        union=host.union,
        kind=Activity.Kind.EXCHANGE,
        title=title[:120],
        starts_at=timezone.make_aware(dt.datetime.combine(visited_on, dt.time(10))),
        source=f"stations.exchangevisit:{visit.pk}",
        summary=summary,
        place=host.name[:120],
        participants=participants,
        organiser=host.union.name[:100],
        by=by,
    )
    visit.save(update_fields=["activity"])
    return visit


def client_hash(ip: str) -> str:
    return hashlib.sha256(ip.encode()).hexdigest()[:16]


@transaction.atomic
def feedback_submit(
    *, station: Station, rating: int | None, problem: str = "", message: str = "", contact: str = ""
) -> Feedback:
    """A worker's rating and/or problem report, without an account."""
    if rating is None and not problem:
        raise ValidationError(_("Give a rating or choose a problem."))
    if problem == Feedback.Problem.OTHER and not message.strip():
        raise ValidationError(_("Please describe the problem."))
    fb = Feedback(station=station, rating=rating, problem=problem, message=message.strip(), contact=contact.strip())
    fb.full_clean()
    fb.save()
    return fb


@transaction.atomic
def feedback_answer(*, feedback: Feedback, answer: str, close: bool, by: AbstractUser) -> Feedback:
    """The owning union answers a report and may close it."""
    if not has_role(by, feedback.station.union, Role.EDIT_ROLES):
        raise PermissionDenied
    answer = answer.strip()
    if not answer and not close:
        raise ValidationError(_("Write an answer or close the report."))
    if answer:
        feedback.answer = answer
        feedback.answered_by = by
        feedback.answered_at = timezone.now()
        feedback.status = Feedback.Status.ANSWERED
    if close:
        feedback.status = Feedback.Status.CLOSED
    feedback.save()
    return feedback


def checkin_record(*, station: Station, ip: str) -> CheckIn:
    return CheckIn.objects.create(station=station, at=timezone.now(), client=client_hash(ip))
