"""Coverage of demand points by open stations, at an hour of the week and over the whole week.

One pass: the open public stations around the demand points (the points' cells widened by the
reach, read once through the cell index), their weekly hours and the week's exceptions (two more
reads), then everything in memory. The number of queries does not grow with the points.

Reach: a walk of `walk_m` metres; the walk is the straight line times STATIONS_DETOUR_FACTOR
(default 1.3), so a station counts when straight line x factor <= walk_m. Shown in minutes at
STATIONS_WALK_KMH (default 4.5 km/h).
"""

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import NamedTuple

from django.conf import settings
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL
from django.utils import timezone

from .hours import _ranges_for_day
from .models import BAND_ROWS, BAND_SPAN, CELL_DEG, DemandPoint, HoursException, OpeningHours, Station, cell_xy

M_PER_DEG_LAT = 111_194.9
HOURS_IN_WEEK = 168
MAX_RANGES = 2000  # beyond this many index ranges the points' bounding box is read instead
GAP_STATIONS = 3  # stations suggested per gap
CHUNK = 20_000  # station ids per read of hours and exceptions


def detour_factor() -> float:
    return float(getattr(settings, "STATIONS_DETOUR_FACTOR", 1.3))


def walk_kmh() -> float:
    return float(getattr(settings, "STATIONS_WALK_KMH", 4.5))


def walk_minutes(walk_m: float) -> int:
    return round(walk_m / (walk_kmh() * 1000 / 60))


class Spot(NamedTuple):
    pk: int
    lat: float
    lng: float
    name: str
    status: str
    open_24h: bool


class _Hours(NamedTuple):
    weekday: int
    opens: dt.time
    closes: dt.time


class _Exception(NamedTuple):
    date: dt.date
    closed: bool
    opens: dt.time | None
    closes: dt.time | None


@dataclass
class Network:
    """The open public stations near the points, with their hours, and which reach which point."""

    points: list
    stations: dict[int, Spot]
    hours: dict[int, list]
    exceptions: dict[int, list]
    walk_m: float
    # per point (index in `points`): [(walking metres, station pk)], nearest first, within reach
    reachable: list[list[tuple[float, int]]] = field(default_factory=list)


def week_start(moment: dt.datetime) -> dt.datetime:
    """Monday 00:00 (local) of the moment's week."""
    local = timezone.localtime(moment)
    monday = local.date() - dt.timedelta(days=local.weekday())
    return dt.datetime.combine(monday, dt.time(0), tzinfo=local.tzinfo)


def moment_for(weekday: int, hour: int, now: dt.datetime | None = None) -> dt.datetime:
    """The moment of the current week (Monday to Sunday, local) at weekday and hour."""
    return week_start(now or timezone.now()) + dt.timedelta(days=weekday, hours=hour)


# --- The one read -----------------------------------------------------------------------------


def _cells_filter(points, straight_m: float) -> RawSQL | None:
    """The cells within `straight_m` of any point, as index ranges on the cell column (one per
    band and run of columns); the points' bounding box when that would be too many ranges."""
    if not points:
        return None
    t = '"stations_station"'
    lat_pad = straight_m / M_PER_DEG_LAT
    far_lat = min(89.9, max(abs(p.lat) for p in points) + lat_pad + CELL_DEG)
    lng_pad = straight_m / (M_PER_DEG_LAT * max(math.cos(math.radians(far_lat)), 1e-6))
    ry = int(lat_pad / CELL_DEG) + 1
    rx = int(lng_pad / CELL_DEG) + 1
    runs: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for p in points:
        x, y = cell_xy(p.lat, p.lng)
        for band in range((y - ry) // BAND_ROWS, (y + ry) // BAND_ROWS + 1):
            runs[band].append((x - rx, x + rx))
    ranges = []
    for band, spans in runs.items():
        spans.sort()
        merged = [list(spans[0])]
        for a, b in spans[1:]:
            if a <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        ranges += [
            (band * BAND_SPAN + a * BAND_ROWS, band * BAND_SPAN + b * BAND_ROWS + BAND_ROWS - 1) for a, b in merged
        ]
    south = min(p.lat for p in points) - lat_pad
    north = max(p.lat for p in points) + lat_pad
    west = min(p.lng for p in points) - lng_pad
    east = max(p.lng for p in points) + lng_pad
    box = f"{t}.lat >= %s AND {t}.lat <= %s AND {t}.lng >= %s AND {t}.lng <= %s"
    if len(ranges) > MAX_RANGES:
        return RawSQL(f"({box})", [south, north, west, east], output_field=BooleanField())  # noqa: S611
    sql = " OR ".join([f"{t}.cell BETWEEN %s AND %s"] * len(ranges))
    params = [v for r in ranges for v in r]
    return RawSQL(f"(({sql}) AND {box})", [*params, south, north, west, east], output_field=BooleanField())  # noqa: S611


def network(points, *, walk_m: float, first: dt.date, last: dt.date) -> Network:
    """Read the open public stations within reach of `points` (with their weekly hours and the
    exceptions dated first..last) in three queries, and pair each point with its reachable ones."""
    points = list(points)
    straight = walk_m / detour_factor()
    cells = _cells_filter(points, straight)
    net = Network(points, {}, {}, {}, walk_m)
    if cells is None:
        return net
    base = Station.objects.public().filter(status=Station.Status.OPEN).filter(cells).order_by()
    for row in base.values_list("pk", "lat", "lng", "name", "status", "open_24h"):
        net.stations[row[0]] = Spot(*row)
    # In memory: stations by cell; the points of one cell share the stations of the cells around
    # it. Distances on the local plane (equirectangular: within a few km, off by far less than a
    # metre from the great circle).
    grid: dict[tuple[int, int], list[Spot]] = defaultdict(list)
    for s in net.stations.values():
        grid[cell_xy(s.lat, s.lng)].append(s)
    factor = detour_factor()
    ry = int(straight / M_PER_DEG_LAT / CELL_DEG) + 1
    around: dict[tuple[int, int], list[Spot]] = {}
    limit2 = (walk_m / factor) ** 2
    for p in points:
        x, y = cell_xy(p.lat, p.lng)
        cands = around.get((x, y))
        if cands is None:
            far_lat = min(89.9, abs(p.lat) + ry * CELL_DEG)
            rx = int(straight / (M_PER_DEG_LAT * max(math.cos(math.radians(far_lat)), 1e-6)) / CELL_DEG) + 1
            cands = around[x, y] = [
                s
                for cx in range(x - rx, x + rx + 1)
                for cy in range(y - ry, y + ry + 1)
                for s in grid.get((cx, cy), ())
            ]
        kx = M_PER_DEG_LAT * math.cos(math.radians(p.lat))
        near = []
        for s in cands:
            dx, dy = (s.lng - p.lng) * kx, (s.lat - p.lat) * M_PER_DEG_LAT
            d2 = dx * dx + dy * dy
            if d2 <= limit2:
                near.append((math.sqrt(d2) * factor, s.pk))
        near.sort()
        net.reachable.append(near)
    if net.stations:  # the hours of the stations some point reaches
        # By the stations' ids, in slices (SQLite's limit on parameters): a read per slice of
        # CHUNK stations, however many points.
        ids = sorted({pk for near in net.reachable for _d, pk in near})
        slices = [ids[k : k + CHUNK] for k in range(0, len(ids), CHUNK)]
        for sid, weekday, opens, closes in (
            row
            for part in slices
            for row in OpeningHours.objects.filter(station_id__in=part)
            .order_by()
            .values_list("station_id", "weekday", "opens", "closes")
        ):
            net.hours.setdefault(sid, []).append(_Hours(weekday, _time(opens), _time(closes)))
        for sid, date, closed, opens, closes in (
            row
            for part in slices
            for row in HoursException.objects.filter(station_id__in=part, date__gte=first, date__lte=last)
            .order_by()
            .values_list("station_id", "date", "closed", "opens", "closes")
        ):
            net.exceptions.setdefault(sid, []).append(_Exception(date, closed, opens, closes))
    return net


# --- Opening hours as bits ------------------------------------------------------------------


def _time(value):
    return value


def _spans(net: Network, pk: int, days) -> list[tuple[dt.datetime, dt.datetime]]:
    s = net.stations[pk]
    weekly: dict[int, list] = {}
    for h in net.hours.get(pk, ()):
        weekly.setdefault(h.weekday, []).append(h)
    by_date: dict[dt.date, list] = {}
    for e in net.exceptions.get(pk, ()):
        by_date.setdefault(e.date, []).append(e)
    out = []
    for day in days:
        out += _ranges_for_day(day, weekly, by_date, s.open_24h)
    return out


def open_at(net: Network, pk: int, moment: dt.datetime) -> bool:
    """hours.is_open's rules: an opening that holds `moment` starts that day or the day before."""
    local = timezone.localtime(moment)
    today = local.date()
    return any(a <= local < b for a, b in _spans(net, pk, (today - dt.timedelta(days=1), today)))


def week_mask(net: Network, pk: int, start: dt.datetime) -> int:
    """Bit h set when the station is open at start + h hours (h = 0..167)."""
    monday = start.date()
    days = [monday + dt.timedelta(days=i) for i in range(-1, 7)]
    mask = 0
    for a, b in _spans(net, pk, days):
        first = max(0, math.ceil((a - start).total_seconds() / 3600))
        last = min(HOURS_IN_WEEK, math.ceil((b - start).total_seconds() / 3600))  # exclusive
        if last > first:
            mask |= ((1 << (last - first)) - 1) << first
    return mask


# --- Selectors ------------------------------------------------------------------------------


def demand_points_for(user):
    return DemandPoint.objects.visible_to(user).select_related("union").order_by("name", "pk")


def coverage_at(points, *, moment: dt.datetime, walk_m: float) -> list[dict]:
    """Each point with its nearest station open at `moment` within reach (walking metres), or
    none: uncovered first, by name."""
    points = list(points)
    local = timezone.localtime(moment)
    net = network(points, walk_m=walk_m, first=local.date() - dt.timedelta(days=1), last=local.date())
    state: dict[int, bool] = {}
    rows = []
    for p, near in zip(net.points, net.reachable, strict=True):
        nearest = None
        for d, pk in near:
            if pk not in state:
                state[pk] = open_at(net, pk, local)
            if state[pk]:
                nearest = (d, net.stations[pk])
                break
        rows.append(
            {
                "point": p,
                "nearest": nearest[1] if nearest else None,
                "distance": nearest[0] if nearest else None,
                "minutes": walk_minutes(nearest[0]) if nearest else None,
                "uncovered": nearest is None,
            }
        )
    rows.sort(key=lambda r: (not r["uncovered"], r["point"].name))
    return rows


def _week(points, *, walk_m: float, now=None) -> tuple[Network, dt.datetime, list[int]]:
    """The network and, per point, the OR of its reachable stations' week masks."""
    start = week_start(now or timezone.now())
    first, last = start.date() - dt.timedelta(days=1), start.date() + dt.timedelta(days=6)
    net = network(points, walk_m=walk_m, first=first, last=last)
    masks = {pk: week_mask(net, pk, start) for pk in {pk for near in net.reachable for _d, pk in near}}
    point_masks = []
    for near in net.reachable:
        m = 0
        for _d, pk in near:
            m |= masks[pk]
        point_masks.append(m)
    return net, start, point_masks


def uncovered_by_hour(points, *, walk_m: float, now=None) -> dict:
    """Per hour of the week (Monday 00:00 first), the indexes in `points` of the uncovered ones."""
    net, start, point_masks = _week(points, walk_m=walk_m, now=now)
    out = [[i for i, m in enumerate(point_masks) if not m >> h & 1] for h in range(HOURS_IN_WEEK)]
    return {"total": len(net.points), "uncovered": out, "start": start}


def week_profile(points, *, walk_m: float, now: dt.datetime | None = None, gaps: int = 5) -> dict:
    """The week's coverage hour by hour (Monday 00:00 first, this week's exceptions included):
    per hour the points covered; the worst hours; and per worst hour the stations (within reach,
    closed then) whose opening would cover the most of its uncovered points, greedily."""
    net, start, point_masks = _week(points, walk_m=walk_m, now=now)
    total = len(net.points)
    covered = [0] * HOURS_IN_WEEK
    for m in point_masks:
        while m:
            low = m & -m
            covered[low.bit_length() - 1] += 1
            m ^= low
    hours = [
        {
            "hour": h,
            "weekday": h // 24,
            "clock": h % 24,
            "covered": covered[h],
            "share": covered[h] / total if total else 1.0,
        }
        for h in range(HOURS_IN_WEEK)
    ]
    # A gap is named by the hour it starts ("after 22:00"): the hours whose coverage differs from
    # the hour before (the week wraps round); the worst first.
    starts = [x for x in hours if x["covered"] != covered[x["hour"] - 1]] or hours[:1]
    worst = sorted((x for x in starts if x["covered"] < total), key=lambda x: (x["covered"], x["hour"]))[:gaps]
    out_gaps = []
    for w in worst:
        bit = 1 << w["hour"]
        uncovered = {i for i, m in enumerate(point_masks) if not m & bit}
        candidates: dict[int, set[int]] = defaultdict(set)
        for i in uncovered:
            for _d, pk in net.reachable[i]:
                candidates[pk].add(i)
        picks = []
        left = set(uncovered)
        while candidates and len(picks) < GAP_STATIONS:
            pk, gained = max(candidates.items(), key=lambda kv: (len(kv[1] & left), -kv[0]))
            gain = len(gained & left)
            if not gain:
                break
            picks.append({"station": net.stations[pk], "points": gain})
            left -= gained
            del candidates[pk]
        out_gaps.append({**w, "uncovered": total - w["covered"], "uncovered_share": 1 - w["share"], "stations": picks})
    return {"total": total, "hours": hours, "gaps": out_gaps, "start": start, "walk_m": walk_m}


# --- Public figures -------------------------------------------------------------------------

PUBLIC_WALK_M = 1000
PUBLIC_CACHE_SECONDS = 600


def network_shares() -> list[float]:
    """The share (%) of all demand points with a station open within a 1 km walk, per hour of the
    week (Monday 00:00 first): figures only, no point named or placed."""
    profile = week_profile(DemandPoint.objects.order_by("pk").only("pk", "lat", "lng", "name"), walk_m=PUBLIC_WALK_M)
    if not profile["total"]:
        return []
    return [round(100 * h["share"], 1) for h in profile["hours"]]


def network_shares_cached() -> list[float]:
    """network_shares, recomputed at most every 10 minutes (numbers only: one key for every language)."""
    from django.core.cache import cache

    return cache.get_or_set("stations:stats:coverage", network_shares, PUBLIC_CACHE_SECONDS)


# --- Anonymous search demand ----------------------------------------------------------------

SEARCH_MIN_COUNT = 5  # a cell with fewer searches is never shown (k-anonymity)
SEARCH_DAYS = 90
SEARCH_AROUND_M = 10_000  # cells shown around the user's demand points and stations


class _Centre(NamedTuple):
    lat: float
    lng: float


def search_cells(*, user, walk_m: float, limit: int = 50) -> list[dict]:
    """Cells of ~500 m within 10 km of the user's demand points and stations where riders searched at
    least SEARCH_MIN_COUNT times in the last 90 days, with whether any open public station lies
    within reach of the cell's centre ("none near" first), busiest first."""
    from django.db.models import Max, Min, Sum

    from .models import SearchDemand, search_cell_centre, search_cell_of

    boxes = [
        DemandPoint.objects.visible_to(user).aggregate(s=Min("lat"), n=Max("lat"), w=Min("lng"), e=Max("lng")),
        Station.objects.visible_to(user).aggregate(s=Min("lat"), n=Max("lat"), w=Min("lng"), e=Max("lng")),
    ]
    boxes = [b for b in boxes if b["s"] is not None]
    if not boxes:
        return []
    pad = max(walk_m, SEARCH_AROUND_M) / M_PER_DEG_LAT
    south, north = min(b["s"] for b in boxes) - pad, max(b["n"] for b in boxes) + pad
    west, east = min(b["w"] for b in boxes) - pad, max(b["e"] for b in boxes) + pad
    since = timezone.localdate() - dt.timedelta(days=SEARCH_DAYS)
    lo, hi = search_cell_of(south, -180), search_cell_of(north, 180)
    rows = (
        SearchDemand.objects.filter(day__gte=since, cell__gte=lo, cell__lte=hi)
        .values("cell")
        .annotate(n=Sum("searches"))
        .filter(n__gte=SEARCH_MIN_COUNT)
        .order_by("-n", "cell")
    )
    cells = []
    for row in rows:
        lat, lng = search_cell_centre(row["cell"])
        if south <= lat <= north and west <= lng <= east:
            cells.append({"cell": row["cell"], "lat": lat, "lng": lng, "searches": row["n"]})
        if len(cells) >= limit:
            break
    net = network([_Centre(c["lat"], c["lng"]) for c in cells], walk_m=walk_m, first=since, last=since)
    for c, near in zip(cells, net.reachable, strict=True):
        c["none_near"] = not near
    cells.sort(key=lambda c: (not c["none_near"], -c["searches"]))
    return cells
