"""Desk edits of a station: details with amenities, and the week's hours with exceptions. Each
is one transaction that keeps the derived data (search grams, page stamp) through the
station services."""

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import Amenity, HoursException, OpeningHours, Station, StationAmenity, Weekday
from .common import check_may_edit
from .stations import station_parts_save, station_save, station_touch

Range = tuple[int, dt.time, dt.time]  # weekday, opens, closes (not after opens: the next day)
MAX_RANGES_PER_DAY = 4


@transaction.atomic
def station_amenities_set(*, station: Station, amenities: Iterable[Amenity], by: AbstractUser | None = None) -> None:
    """Make the station offer exactly `amenities`: kept ones keep their quantity and date, new
    ones start at one from today, others leave. The page stamp moves when anything changed."""
    check_may_edit(by, station)
    wanted = {a.pk: a for a in amenities}
    current = {sa.amenity_id: sa for sa in StationAmenity.objects.filter(station=station)}
    gone = [pk for pk in current if pk not in wanted]
    new = [a for pk, a in wanted.items() if pk not in current]
    if gone:
        StationAmenity.objects.filter(station=station, amenity_id__in=gone).delete()
    StationAmenity.objects.bulk_create(
        [StationAmenity(station=station, amenity=a, quantity=1, since=timezone.localdate()) for a in new]
    )
    if gone or new:
        station_touch(station_ids=[station.pk])


@transaction.atomic
def station_edit(
    *, station: Station, amenities: Iterable[Amenity] | None = None, by: AbstractUser | None = None
) -> Station:
    """Save a station's details and status (station_save) and, when given, its amenities."""
    station_save(station=station, by=by)
    if amenities is not None:
        station_amenities_set(station=station, amenities=amenities, by=by)
    return station


def _span(opens: dt.time, closes: dt.time) -> tuple[int, int]:
    start = opens.hour * 60 + opens.minute
    end = closes.hour * 60 + closes.minute
    return start, end if end > start else end + 24 * 60


def check_week(ranges: Iterable[Range]) -> list[Range]:
    """The week's ranges sorted, or ValidationError: a known weekday, both times, at most
    MAX_RANGES_PER_DAY a day, and no two ranges of a day overlapping (an overnight range runs
    into the next day; it may not run into that day's first range either)."""
    ranges = sorted(ranges, key=lambda r: (r[0], r[1]))
    labels = dict(Weekday.choices)
    by_day: dict[int, list[tuple[int, int]]] = {}
    for weekday, opens, closes in ranges:
        if weekday not in labels:
            raise ValidationError(_("Unknown weekday."))
        if opens is None or closes is None:
            raise ValidationError(_("{day}: give both the opening and the closing time.").format(day=labels[weekday]))
        by_day.setdefault(weekday, []).append(_span(opens, closes))
    for weekday, spans in by_day.items():
        if len(spans) > MAX_RANGES_PER_DAY:
            raise ValidationError(
                _("{day}: at most {n} ranges a day.").format(day=labels[weekday], n=MAX_RANGES_PER_DAY)
            )
        for (_s1, end), (start, _e2) in zip(spans, spans[1:], strict=False):
            if start < end:
                raise ValidationError(_("{day}: the ranges overlap.").format(day=labels[weekday]))
        # A range past midnight may not reach into the next day's first range.
        following = by_day.get((weekday + 1) % 7)
        if following and spans[-1][1] > 24 * 60 and spans[-1][1] - 24 * 60 > following[0][0]:
            raise ValidationError(
                _("{day}: the last range runs into the next day's hours.").format(day=labels[weekday])
            )
    return ranges


@transaction.atomic
def station_hours_set(
    *,
    station: Station,
    open_24h: bool,
    weekly: Iterable[Range],
    exceptions_saved: Iterable[HoursException] = (),
    exceptions_deleted: Iterable[HoursException] = (),
    by: AbstractUser | None = None,
) -> None:
    """Replace the station's weekly hours (ranges; a station open 24 hours needs none) and save or
    delete its dated exceptions, all or nothing; the station's page stamp moves."""
    check_may_edit(by, station)
    weekly = check_week(weekly)
    for exc in exceptions_saved:
        if exc.closed:
            exc.opens = exc.closes = None
        elif exc.opens is None or exc.closes is None:
            raise ValidationError(
                _("{date}: closed all day, or give the opening and closing time.").format(date=exc.date)
            )
    OpeningHours.objects.filter(station=station).delete()
    OpeningHours.objects.bulk_create(
        [OpeningHours(station=station, weekday=d, opens=o, closes=c) for d, o, c in weekly]
    )
    if station.open_24h != open_24h:
        station.open_24h = open_24h
        Station.objects.filter(pk=station.pk).update(open_24h=open_24h)
    station_parts_save(station=station, saved=exceptions_saved, deleted=exceptions_deleted, by=by)
    station_touch(station_ids=[station.pk])
