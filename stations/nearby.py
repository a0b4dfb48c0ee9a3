"""Nearest stations: an indexed grid pre-filter, widened until the answer is exact.

Stations sit in cells of CELL_DEG degrees, numbered in bands of rows (models.cell_of). We read
the square of cells around the point (one index range per band, the rows outside the square
dropped on the index), widen it until it holds enough stations, then make sure
no station outside the square could be nearer than the k-th found: the square must reach at
least that far in every direction, otherwise it is widened to that distance and read again.
"""

import datetime as dt
import math
from dataclasses import dataclass
from typing import NamedTuple

from django.db import connection
from django.db.models import BooleanField, Prefetch
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone

from .geo import haversine_m
from .hours import exceptions_window, is_open
from .models import (
    BAND_ROWS,
    BAND_SPAN,
    CELL_DEG,
    Amenity,
    HoursException,
    OpeningHours,
    StationAmenity,
    cell_xy,
)

M_PER_DEG_LAT = 111_194.9
MAX_RANGES = 64  # beyond this many bands the square is read as one range over all of them
COLUMNS = int(round(360 / CELL_DEG))
WORLD_R = COLUMNS  # a square this wide covers the whole globe
EDGE = 1e-7  # degrees: the latitude test keeps every row of the square despite rounding
START_R = 2  # 5 x 5 cells (about 5 km): in a town this one read usually suffices


@dataclass(frozen=True, slots=True)
class Place:
    """What the nearby answer shows of a station (a model instance costs more to build)."""

    pk: int
    lat: float
    lng: float
    name: str
    kind: str
    status: str
    open_24h: bool

    def get_absolute_url(self) -> str:
        return reverse("stations:detail", args=[self.pk])


@dataclass
class Hit:
    station: Place
    distance_m: float
    open_now: bool
    amenities: list[str]


def _square(lat: float, lng: float, r: int) -> RawSQL:
    """The square of (2r+1)^2 cells around the point (or a little more), as index ranges on
    the cell column; the latitude and longitude tests are read from the (cell, lng, lat) index."""
    x, y = cell_xy(lat, lng)
    x0, x1 = max(0, x - r), min(COLUMNS - 1, x + r)
    south, north = (y - r) * CELL_DEG - 90 - EDGE, (y + r + 1) * CELL_DEG - 90 + EDGE
    bands = range((y - r) // BAND_ROWS, (y + r) // BAND_ROWS + 1)
    t = '"stations_station"'
    if len(bands) <= MAX_RANGES:
        # One range per band: the square's columns, every row of the band.
        ranges = " OR ".join([f"{t}.cell BETWEEN %s AND %s"] * len(bands))
        params = []
        for band in bands:
            params += [band * BAND_SPAN + x0 * BAND_ROWS, band * BAND_SPAN + x1 * BAND_ROWS + BAND_ROWS - 1]
        sql = f"(({ranges}) AND {t}.lat >= %s AND {t}.lat < %s)"
        return RawSQL(sql, [*params, south, north], output_field=BooleanField())  # noqa: S611 - values are params
    # Very wide squares: one range over all the bands.
    sql = f"({t}.cell BETWEEN %s AND %s AND {t}.lng >= %s AND {t}.lng < %s AND {t}.lat >= %s AND {t}.lat < %s)"
    params = [
        bands[0] * BAND_SPAN,
        bands[-1] * BAND_SPAN + BAND_SPAN - 1,
        x0 * CELL_DEG - 180 - EDGE,
        (x1 + 1) * CELL_DEG - 180 + EDGE,
        south,
        north,
    ]
    return RawSQL(sql, params, output_field=BooleanField())  # noqa: S611 - constant SQL, values are params


def _reach_m(lat: float, lng: float, r: int) -> float:
    """How far the square of radius r reaches from the point in every direction (lower bound)."""
    x, y = cell_xy(lat, lng)
    south = lat - ((y - r) * CELL_DEG - 90)
    north = (y + r + 1) * CELL_DEG - 90 - lat
    west = lng - ((x - r) * CELL_DEG - 180)
    east = (x + r + 1) * CELL_DEG - 180 - lng
    # Meridians converge: use the cosine of the latitude farthest from the equator in the square.
    far_lat = min(89.9, abs(lat) + r * CELL_DEG + CELL_DEG)
    m_per_deg_lng = M_PER_DEG_LAT * math.cos(math.radians(far_lat))
    return min(south * M_PER_DEG_LAT, north * M_PER_DEG_LAT, west * m_per_deg_lng, east * m_per_deg_lng)


def _radius_for(lat: float, distance_m: float) -> int:
    far_lat = min(89.9, abs(lat) + distance_m / M_PER_DEG_LAT + CELL_DEG)
    m_per_cell = CELL_DEG * M_PER_DEG_LAT * max(math.cos(math.radians(far_lat)), 1e-6)
    return int(distance_m / m_per_cell) + 1


def with_open_state_rows(qs):
    """Prefetch what open_state reads, for the days it reads."""
    first, last = exceptions_window()
    return qs.prefetch_related(
        "hours",
        Prefetch("exceptions", queryset=HoursException.objects.filter(date__gte=first, date__lte=last)),
    )


def with_amenity_rows(qs):
    return qs.prefetch_related(Prefetch("station_amenities", queryset=StationAmenity.objects.select_related("amenity")))


def nearby(
    base, *, lat: float, lng: float, limit: int, amenities: list[str] = (), open_now: bool = False, now=None
) -> list[Hit]:
    """The `limit` stations of `base` nearest to (lat, lng), by great-circle distance."""
    now = timezone.localtime(now or timezone.now())
    qs = base.with_amenities(amenities) if amenities else base
    if open_now:
        qs = qs.open_at(now)
    r, world = START_R, False
    while True:
        # The square's rows come with what the answer shows of a station (PostgreSQL reads the
        # table for the key anyway), which saves a query for the nearest ones.
        found = {row[0]: row for row in qs.filter(_square(lat, lng, r)).order_by().values_list(*_STATION)}
        rows = sorted((haversine_m(lat, lng, row[1], row[2]), pk) for pk, row in found.items())
        if r >= WORLD_R:
            world = True
        if len(rows) >= limit or world:
            kth = rows[limit - 1][0] if len(rows) >= limit else math.inf
            if world or kth <= _reach_m(lat, lng, r):
                break
            r = min(WORLD_R, max(r * 2, _radius_for(lat, kth)))
            continue
        r = min(WORLD_R, _wider(r, len(rows), limit))
    return _hits(rows[:limit], found, now)


def _wider(r: int, found: int, limit: int) -> int:
    """The next radius when the square of radius r held `found` < `limit` stations: wide enough,
    at the density just seen, to hold the `limit` nearest with some room, so that the country
    between towns takes two or three reads rather than a doubling at a time."""
    if not found:
        return r * 4
    per_cell = found / (2 * r + 1) ** 2
    return max(r * 2, math.ceil(1.25 * math.sqrt(limit / (math.pi * per_cell))) + 1)


def _hits(best: list[tuple[float, int]], found: dict[int, tuple], now) -> list[Hit]:
    # Three small reads in plain SQL of plain rows: at 20-100 stations, composing them through
    # the ORM and building model instances cost more than running them (about 1.5 ms of the
    # answer's Python time).
    ids = [pk for _d, pk in best]
    stations = {pk: Place(*found[pk]) for pk in ids}
    first, last = exceptions_window(now)
    hours: dict[int, list] = {}
    for row in _read(_HOURS_SQL, ids):
        h = _Hours(row[0], row[1], _time(row[2]), _time(row[3]))
        hours.setdefault(h.station_id, []).append(h)
    exceptions: dict[int, list] = {}
    for row in _read(_EXCEPTIONS_SQL, ids, first.isoformat(), last.isoformat()):
        e = _Exception(row[0], _date(row[1]), bool(row[2]), _time(row[3]), _time(row[4]))
        exceptions.setdefault(e.station_id, []).append(e)
    codes: dict[int, list] = {}
    for sid, code in _read(_AMENITIES_SQL, ids):
        codes.setdefault(sid, []).append(code)
    return [
        Hit(
            stations[pk],
            d,
            is_open(stations[pk], now, hours=hours.get(pk, []), exceptions=exceptions.get(pk, [])),
            codes.get(pk, []),
        )
        for d, pk in best
    ]


_STATION = ("pk", "lat", "lng", "name", "kind", "status", "open_24h")


class _Hours(NamedTuple):
    station_id: int
    weekday: int
    opens: dt.time
    closes: dt.time


class _Exception(NamedTuple):
    station_id: int
    date: dt.date
    closed: bool
    opens: dt.time | None
    closes: dt.time | None


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


# Table and column names come from the models; every value is a bound parameter.
_HOURS_SQL = (
    f"SELECT station_id, weekday, opens, closes FROM {_table(OpeningHours)} "  # noqa: S608
    "WHERE station_id IN ({ids})"
)
_EXCEPTIONS_SQL = (
    f"SELECT station_id, date, closed, opens, closes FROM {_table(HoursException)} "  # noqa: S608
    "WHERE station_id IN ({ids}) AND date >= %s AND date <= %s"
)
_AMENITIES_SQL = (
    f"SELECT sa.station_id, a.code FROM {_table(StationAmenity)} sa JOIN {_table(Amenity)} a "  # noqa: S608
    f"ON a.id = sa.amenity_id WHERE sa.station_id IN ({{ids}}) ORDER BY a.{connection.ops.quote_name('order')}, a.code"
)


def _read(sql: str, ids: list[int], *params) -> list[tuple]:
    if not ids:
        return []
    with connection.cursor() as cursor:
        cursor.execute(sql.format(ids=", ".join(["%s"] * len(ids))), [*ids, *params])
        return cursor.fetchall()


def _time(value) -> dt.time | None:
    """SQLite returns times and dates as text; PostgreSQL as objects."""
    return dt.time.fromisoformat(value) if isinstance(value, str) else value


def _date(value) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value


def full_scan(base, *, lat: float, lng: float, limit: int) -> list[tuple[float, int]]:
    """The brute-force answer (for tests and the benchmark ratio)."""
    rows = base.order_by().values_list("pk", "lat", "lng")
    return sorted((haversine_m(lat, lng, a, b), pk) for pk, a, b in rows)[:limit]
