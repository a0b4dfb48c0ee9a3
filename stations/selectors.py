"""Reads of the stations app that aggregate or decide who sees what: the finder's querysets,
station visibility, public statistics, the desk's lists and coverage."""

import datetime as dt
import hashlib
import json
import math

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Avg, BooleanField, Count, Exists, F, Max, Min, OuterRef
from django.db.models.expressions import RawSQL
from django.db.models.functions import Floor, TruncMonth
from django.utils import timezone, translation
from django.utils.functional import cached_property

from unionportal.core import pagecache
from unionportal.core.ids import parse_id

from .amenities import ICONS
from .hours import open_state
from .models import (
    BAND_ROWS,
    BAND_SPAN,
    CheckIn,
    Feedback,
    Inspection,
    OpeningHours,
    Station,
    StationAmenity,
    cell_xy,
    natural_key,
)
from .nearby import MAX_RANGES, with_amenity_rows, with_open_state_rows
from .nearby import nearby as nearby_search

SEARCH_CAP = 1000
COUNT_CAP = 1000
CACHE_SECONDS = 300


class CappedPaginator(Paginator):
    """Counts at most COUNT_CAP + 1 rows: "1000+ stations" is enough on a phone, and a full
    COUNT(*) over a national table is not free."""

    @cached_property
    def count(self) -> int:
        if isinstance(self.object_list, list):
            return len(self.object_list)
        return self.object_list.order_by()[: COUNT_CAP + 1].count()


# --- Finder ---------------------------------------------------------------------------------


def stations_filtered(qs, *, filters: dict, now=None, search: bool = True):
    """Narrow a station queryset by the finder's filters (kind, amenities, open now, town, text)."""
    f = filters
    if f["kind"]:
        qs = qs.filter(kind=f["kind"])
    if f["amenity"]:
        qs = qs.with_amenities(f["amenity"])
    if f["open_now"]:
        qs = qs.open_at(now or timezone.now())
    if f["town"]:
        qs = qs.filter(town=f["town"])
    if f["q"] and search:
        qs = qs.search(f["q"])
    return qs


def search_rows(qs, term: str) -> list[tuple]:
    """Text search at national scale: read the matches through the covering search index (no
    ORDER BY, so no scan of the table in another order), at most SEARCH_CAP, sorted here."""
    ids = list(qs.search(term).order_by().values_list("pk", flat=True)[:SEARCH_CAP])
    rows = list(Station.objects.filter(pk__in=ids).order_by().values_list("pk", "name", "lat", "lng", "kind", "town"))
    rows.sort(key=lambda r: (r[5], natural_key(r[1]), r[0]))
    return rows


def stations_listed(qs):
    """The columns a list of stations shows, with open-state and amenity rows prefetched."""
    fields = ("pk", "name", "kind", "town", "address", "status", "open_24h", "lat", "lng", "phone")
    return with_amenity_rows(with_open_state_rows(qs.only(*fields)))


def stations_decorate(stations, now) -> list:
    """Open state, minutes to closing and amenity labels of loaded stations (no query)."""
    for s in stations:
        s.state = open_state(s, now)
        s.closes_in = s.state.closes_in_minutes(now)
        s.amenity_list = [
            (sa.amenity.code, sa.amenity.label, ICONS.get(sa.amenity.code, "bi-check"))
            for sa in s.station_amenities.all()
        ]
    return stations


def finder_page(*, filters: dict, page_number, page_size: int, now) -> tuple:
    """The finder's page of public stations, and the extent of all its matches (the map's first
    view: its markers come from map_markers, by the map's bounds)."""
    qs = stations_filtered(Station.objects.public(), filters=filters, now=now, search=False)
    if filters["q"]:
        rows = search_rows(qs, filters["q"])
        page = Paginator(rows, page_size).get_page(page_number)
        ids = [r[0] for r in page.object_list]
        by_pk = {s.pk: s for s in stations_listed(Station.objects.filter(pk__in=ids))}
        page.object_list = [by_pk[pk] for pk in ids]
        extent = _extent([r[2] for r in rows], [r[3] for r in rows])
    else:
        page = CappedPaginator(stations_listed(qs), page_size).get_page(page_number)
        extent = finder_extent(filters=filters, now=now)
    stations_decorate(page.object_list, now)
    return page, extent


def _extent(lats: list, lngs: list) -> list | None:
    return [[min(lats), min(lngs)], [max(lats), max(lngs)]] if lats else None


def finder_extent(*, filters: dict, now) -> list | None:
    """[[south, west], [north, east]] of the public stations matching the filters (no text
    search), kept a minute: it only places the map's first view."""
    key = "stations:extent:" + _digest([filters, now.strftime("%Y%m%d%H%M") if filters["open_now"] else ""])

    def read():
        qs = stations_filtered(Station.objects.public(), filters=filters, now=now, search=False).order_by()
        r = qs.aggregate(s=Min("lat"), w=Min("lng"), n=Max("lat"), e=Max("lng"))
        return None if r["s"] is None else [[r["s"], r["w"]], [r["n"], r["e"]]]

    return cache.get_or_set(key, read, MAP_MAX_AGE)


# --- Finder map markers ---------------------------------------------------------------------

MARKER_CAP = 500  # stations drawn one by one at most (from CLUSTER_BELOW up)
CLUSTER_BELOW = 14  # below this zoom, stations are grouped in a grid on the server
MAX_ZOOM = 20
VIEW_TILES = 16  # a bounding box spans at most this many 256-px tiles (4,096 px) at its zoom, either way
MAP_STAMP = "stations:map"  # pagecache stamp name: the station services forget it on writes
MAP_MAX_AGE = 60  # seconds browsers may keep an answer (the page says: updated every minute)
MARKERS_TTL = 300  # seconds an answer is kept in the shared cache (its key holds the stamp)


def map_cell_deg(zoom: int) -> float:
    """The side of the clustering grid at `zoom`, in degrees of longitude: about 64 px on
    screen. A power-of-two fraction of 360, so the grid lines fall on -180 and -90."""
    return 360.0 / 2 ** (zoom + 2)


def map_max_span(zoom: int) -> float:
    return 360.0 / 2**zoom * VIEW_TILES


def map_snap(bbox: tuple, zoom: int) -> tuple:
    """The box widened to whole cells of the zoom's grid: nearby views share one cached answer,
    and a cluster at the edge holds all its cell's stations whichever view asked."""
    size = map_cell_deg(zoom)
    west, south, east, north = bbox
    return (
        max(-180.0, math.floor(west / size) * size),
        max(-90.0, math.floor(south / size) * size),
        min(180.0, math.ceil(east / size) * size),
        min(90.0, math.ceil(north / size) * size),
    )


def _in_box(west: float, south: float, east: float, north: float) -> RawSQL:
    """Stations inside the box, read through the (cell, lng, lat) index: one index range per
    band of cell rows (models.cell_of), as stations/nearby.py reads its squares."""
    x0, y0 = cell_xy(south, west)
    x1, y1 = cell_xy(north, east)
    bands = range(y0 // BAND_ROWS, y1 // BAND_ROWS + 1)
    t = connection.ops.quote_name(Station._meta.db_table)
    exact = f"{t}.lng >= %s AND {t}.lng <= %s AND {t}.lat >= %s AND {t}.lat <= %s"
    if len(bands) <= MAX_RANGES:
        ranges = " OR ".join([f"{t}.cell BETWEEN %s AND %s"] * len(bands))
        params = []
        for band in bands:
            params += [band * BAND_SPAN + x0 * BAND_ROWS, band * BAND_SPAN + x1 * BAND_ROWS + BAND_ROWS - 1]
        sql = f"(({ranges}) AND {exact})"
    else:  # very tall boxes: one range over all the bands
        sql = f"({t}.cell BETWEEN %s AND %s AND {exact})"
        params = [bands[0] * BAND_SPAN, bands[-1] * BAND_SPAN + BAND_SPAN - 1]
    return RawSQL(sql, [*params, west, east, south, north], output_field=BooleanField())  # noqa: S611 - values are params


def map_stamp() -> object:
    """The freshness stamp of every public map answer: the number of stations and their latest
    change (a station leaving the public map moves its updated_at too; a deletion the count).
    Kept in the shared cache (pagecache.kept); station writes forget it (MAP_STAMP)."""

    def read():
        r = Station.objects.order_by().aggregate(n=Count("pk"), t=Max("updated_at"))
        return f"{r['n']}:{r['t'].isoformat() if r['t'] else ''}"

    return pagecache.kept(MAP_STAMP, read)


def _digest(value) -> str:
    return hashlib.blake2b(json.dumps(value, sort_keys=True, default=str).encode(), digest_size=12).hexdigest()


def map_markers_key(*, filters: dict, zoom: int, bbox: tuple, now) -> str:
    """The answer's cache key and ETag: filters, zoom, snapped box and the map's stamp, with
    the minute when the answer tells what is open (open_now, or stations drawn one by one)."""
    minute = now.strftime("%Y%m%d%H%M") if filters["open_now"] or zoom >= CLUSTER_BELOW else ""
    return _digest([filters, zoom, [round(v, 7) for v in bbox], str(map_stamp()), minute])


def map_markers_json(*, key: str, filters: dict, zoom: int, bbox: tuple, now) -> bytes:
    """map_markers as JSON, kept under `key` (from map_markers_key). Not kept with the page
    cache off (PAGE_CACHE=0): the bench's cold run then measures the query itself."""
    cache_key = f"stations:markers:{key}"
    body = cache.get(cache_key) if pagecache.enabled() else None
    if body is None:
        answer = map_markers(filters=filters, zoom=zoom, bbox=bbox, now=now)
        body = json.dumps(answer, ensure_ascii=False, separators=(",", ":")).encode()
        cache.set(cache_key, body, MARKERS_TTL)
    return body


def map_markers(*, filters: dict, zoom: int, bbox: tuple, now) -> dict:
    """The public stations matching the finder's filters inside the box (WGS-84, west, south,
    east, north), for a map at `zoom`. Below CLUSTER_BELOW: one aggregate query grouping them
    in a grid of map_cell_deg(zoom) degrees; a cell of several is a cluster {lat, lng, count}
    (the mean of its stations), a cell of one a point. From CLUSTER_BELOW up: at most
    MARKER_CAP points with their open state now (one query), `truncated` when there were more."""
    qs = stations_filtered(Station.objects.public(), filters=filters, now=now).filter(_in_box(*bbox)).order_by()
    clusters, points, truncated = [], [], False
    if zoom < CLUSTER_BELOW:
        size = map_cell_deg(zoom)
        rows = (
            qs.annotate(gx=Floor((F("lng") + 180.0) / size), gy=Floor((F("lat") + 90.0) / size))
            .values("gx", "gy")
            .annotate(
                n=Count("pk"),
                mlat=Avg("lat"),
                mlng=Avg("lng"),
                one=Min("pk"),
                one_name=Min("name"),
                one_kind=Min("kind"),
            )
            .values_list("n", "mlat", "mlng", "one", "one_name", "one_kind")
        )
        for n, lat, lng, pk, name, kind in rows:
            if n == 1:
                points.append({"id": pk, "lat": lat, "lng": lng, "name": name, "kind": kind})
            else:
                clusters.append({"lat": round(lat, 6), "lng": round(lng, 6), "count": n})
        clusters.sort(key=lambda c: (-c["count"], c["lat"], c["lng"]))
    else:
        is_open = Exists(Station.objects.open_at(now).filter(pk=OuterRef("pk")))
        rows = list(
            qs.annotate(is_open=is_open).values_list("pk", "lat", "lng", "name", "kind", "is_open")[: MARKER_CAP + 1]
        )
        truncated = len(rows) > MARKER_CAP
        points = [
            {"id": pk, "lat": lat, "lng": lng, "name": name, "kind": kind, "open": bool(o)}
            for pk, lat, lng, name, kind, o in rows[:MARKER_CAP]
        ]
    points.sort(key=lambda p: p["id"])
    return {
        "zoom": zoom,
        "bbox": [round(v, 7) for v in bbox],
        "clustered": zoom < CLUSTER_BELOW,
        "clusters": clusters,
        "points": points,
        "count": sum(c["count"] for c in clusters) + len(points),
        "truncated": truncated,
    }


TOWN_OPTIONS = 60


def public_towns(*, selected: str = "") -> list[str]:
    """The finder's town choices: the TOWN_OPTIONS towns with the most public stations, by name
    (a national list would weigh more than the rest of the page; the text search finds any
    town), and the chosen one."""

    def read():
        rows = (
            Station.objects.public()
            .exclude(town="")
            .order_by()
            .values("town")
            .annotate(n=Count("pk"))
            .order_by("-n", "town")
            .values_list("town", flat=True)[:TOWN_OPTIONS]
        )
        return sorted(rows)

    towns = cache.get_or_set("stations:towns", read, CACHE_SECONDS)
    if selected and selected not in towns:
        towns = sorted([*towns, selected])
    return towns


def nearby_public(*, lat: float, lng: float, limit: int, amenities: list[str], open_now: bool) -> list:
    return nearby_search(
        Station.objects.public(), lat=lat, lng=lng, limit=limit, amenities=amenities, open_now=open_now
    )


# --- One station ----------------------------------------------------------------------------


def station_visible(*, user, pk, qs=None) -> Station | None:
    """A public station for everyone; another only for its union's subtree (else None)."""
    pk = parse_id(pk)
    if pk is None:
        return None
    station = (qs if qs is not None else Station.objects).select_related("union").filter(pk=pk).first()
    if station is None:
        return None
    public = station.is_public and station.status in Station.PUBLIC_STATUSES
    if not public and not Station.objects.visible_to(user).filter(pk=pk).exists():
        return None
    return station


def station_page(*, user, pk) -> Station | None:
    """The station page's station with its hours, exceptions, amenities, photos and awards."""
    qs = with_amenity_rows(with_open_state_rows(Station.objects.all())).prefetch_related("photos", "awards")
    return station_visible(user=user, pk=pk, qs=qs)


_PAGE_STAMP_SQL = (
    f"SELECT updated_at FROM {Station._meta.db_table} "  # noqa: S608 - table name from the model
    f"WHERE id = %s AND is_public AND status IN ({', '.join(['%s'] * len(Station.PUBLIC_STATUSES))})"
)


def page_stamp(pk: int):
    """The freshness stamp of a public station's page (its updated_at), or None when the page
    is not public. Writes to what the page shows besides the station row (hours, exceptions,
    amenities, photos, awards) go through services, which move updated_at and forget the kept
    stamp (pagecache.kept).

    Plain SQL on the primary key: it runs on every anonymous page view, and composing it
    through the ORM costs more than running it."""
    if parse_id(pk) is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_PAGE_STAMP_SQL, [pk, *Station.PUBLIC_STATUSES])
        row = cursor.fetchone()
    return row and row[0]


def page_name(pk: int) -> str:
    """The name of a station's public page in the page cache (unionportal.core.pagecache)."""
    return f"station:{pk}"


def page_cache_stamp(pk: int) -> tuple | None:
    """What a cached public answer about station `pk` (its page, its API detail) is keyed by:
    when the station last changed (kept for a few seconds in the shared cache; its writers
    forget it) and the minute, which keeps "open now" and "closes in N minutes" true. None:
    the station is not public, and the answer is made for the request alone."""
    changed = pagecache.kept(page_name(pk), lambda: page_stamp(pk))
    return None if changed is None else (changed, pagecache.bucket(60))


# --- Public statistics ----------------------------------------------------------------------


def station_stats() -> dict:
    """The public statistics page and workbook. Towns count only public stations: a hidden
    station's town is not a public figure, nor is its name."""
    qs = Station.objects.order_by()
    statuses = dict(Station.Status.choices)
    kind_counts = dict(qs.values_list("kind").annotate(n=Count("pk")))
    by_kind = [(str(label), kind_counts.get(code, 0)) for code, label in Station.Kind.choices]
    status_counts = dict(qs.values_list("status").annotate(n=Count("pk")))
    by_status = [(str(statuses[code]), status_counts.get(code, 0)) for code in statuses]
    public = Station.objects.public().exclude(town="")
    by_town = list(public.order_by("town").values_list("town").annotate(n=Count("pk")))
    since = timezone.now() - dt.timedelta(days=365)
    months = list(
        CheckIn.objects.filter(at__gte=since)
        .annotate(month=TruncMonth("at"))
        .order_by("month")
        .values("month")
        .annotate(visits=Count("pk"), visitors=Count("client", distinct=True))
    )
    # Stations are named only when public: a planned or hidden station's name is not a public figure.
    named = CheckIn.objects.filter(at__gte=since, station__in=Station.objects.public())
    top = list(
        named.order_by()
        .values("station_id", "station__name")
        .annotate(visits=Count("pk"), visitors=Count("client", distinct=True))
        .order_by("-visits", "station_id")[:20]
    )
    by_station_month = list(
        named.annotate(month=TruncMonth("at"))
        .order_by()
        .values("station__name", "month")
        .annotate(visits=Count("pk"), visitors=Count("client", distinct=True))
        .order_by("station__name", "month")[:5000]
    )
    repeat = (
        CheckIn.objects.filter(at__gte=since)
        .order_by()
        .values("client")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .count()
    )
    return {
        "repeat_visitors": repeat,
        "by_station_month": [
            (r["station__name"], r["month"].strftime("%Y-%m"), r["visits"], r["visitors"]) for r in by_station_month
        ],
        "by_kind": by_kind,
        "by_status": by_status,
        "by_town": by_town,
        "warm": sum(kind_counts.get(k, 0) for k in Station.WARM_KINDS),
        "homes": sum(kind_counts.get(k, 0) for k in Station.HOME_KINDS),
        "outdoor": kind_counts.get(Station.Kind.OUTDOOR, 0),
        "total": sum(kind_counts.values()),
        "months": [(m["month"].strftime("%Y-%m"), m["visits"], m["visitors"]) for m in months],
        "top": [(t["station_id"], t["station__name"], t["visits"], t["visitors"]) for t in top],
    }


def station_stats_cached() -> dict:
    # Public figures, the same for everyone: computed at most every few minutes, per language
    # (the kind and status labels are translated).
    key = f"stations:stats:{translation.get_language() or ''}"
    return cache.get_or_set(key, station_stats, CACHE_SECONDS)


# --- Open data ------------------------------------------------------------------------------

OPEN_DATA_FIELDS = ("pk", "name", "kind", "town", "address", "phone", "status", "lat", "lng", "open_24h")


def open_data_rows(*, chunk: int = 2000):
    """Every public station, in id order, as a dict of OPEN_DATA_FIELDS plus "hours" (weekday,
    opens, closes in the week's order) and "amenities" (codes in the amenities' order): `chunk`
    stations and two small queries at a time, and no model instances, so the feeds of 200,000
    stations stream in constant memory (api/opendata.py)."""
    base = Station.objects.public().order_by("pk").values(*OPEN_DATA_FIELDS)
    last = 0
    while True:
        rows = list(base.filter(pk__gt=last)[:chunk])
        if not rows:
            return
        ids = [row["pk"] for row in rows]
        hours: dict[int, list] = {}
        for station_id, *opening in (
            OpeningHours.objects.filter(station_id__in=ids)
            .order_by("weekday", "opens")
            .values_list("station_id", "weekday", "opens", "closes")
        ):
            hours.setdefault(station_id, []).append(tuple(opening))
        amenities: dict[int, list] = {}
        for station_id, code in (
            StationAmenity.objects.filter(station_id__in=ids)
            .order_by("amenity__order", "amenity_id")
            .values_list("station_id", "amenity__code")
        ):
            amenities.setdefault(station_id, []).append(code)
        for row in rows:
            row["hours"] = hours.get(row["pk"], [])
            row["amenities"] = amenities.get(row["pk"], [])
            yield row
        last = ids[-1]


# --- Desk -----------------------------------------------------------------------------------


def desk_stations(*, user, filters: dict, compliance: str, now):
    """Stations of the user's subtree, filtered as the finder, and by compliance."""
    qs = stations_filtered(Station.objects.visible_to(user), filters=filters, now=now)
    qs = qs.select_related("union", "latest_inspection")
    if compliance == "never":
        qs = qs.never_inspected()
    elif compliance == "failing":
        qs = qs.failing()
    elif compliance.startswith("fail_") and compliance[5:] in Inspection.Item.values:
        qs = qs.failing(compliance[5:])
    return qs


def inbox_feedback(*, user, status: str):
    """Reports about the stations of the user's subtree ("open": not closed)."""
    qs = Feedback.objects.visible_to(user).select_related("station", "answered_by")
    if status == "open":
        return qs.open()
    if status in Feedback.Status.values:
        return qs.filter(status=status)
    return qs


def desk_station(*, user, pk, editable: bool = False) -> Station | None:
    """A station of the user's subtree for the desk (editable: one the user may change), with
    its hours, exceptions, amenities and latest inspection's items and photos; else None."""
    pk = parse_id(pk)
    if pk is None:
        return None
    qs = Station.objects.editable_by(user) if editable else Station.objects.visible_to(user)
    return (
        qs.select_related("union", "latest_inspection")
        .prefetch_related(
            "hours",
            "exceptions",
            "station_amenities__amenity",
            "photos",
            "awards",
            "latest_inspection__items__photos",
        )
        .filter(pk=pk)
        .first()
    )


def station_may_edit(*, user, station: Station) -> bool:
    return Station.objects.editable_by(user).filter(pk=station.pk).exists()


def failing_items(station: Station) -> list:
    """The failed items of the station's latest inspection (prefetched), with their photos:
    listed until a re-inspection passes them."""
    latest = station.latest_inspection
    if latest is None:
        return []
    items = {i.item: i for i in latest.items.all()}
    out = []
    for code, _label in Inspection.Item.choices:
        item = items.get(code)
        if item is None or not item.passed:
            out.append({"code": code, "label": _label, "item": item})
    return out


# --- Year-end report ------------------------------------------------------------------------


def yearend_stations(*, union, year: int) -> dict:
    """The stations of the union's subtree for the year-end report (four flat queries): the
    register by kind with its 七有 compliance (latest inspection, as /stations/stats/ counts
    every station whatever its status), inspections, check-ins by month and feedback."""
    from django.db.models import Q

    from unionportal.core.yearend import year_bounds

    start, end = year_bounds(year)
    mine = {"station__union__path__startswith": union.path}
    kinds = {
        r["kind"]: r
        for r in Station.objects.filter(union__path__startswith=union.path)
        .order_by()
        .values("kind")
        .annotate(
            n=Count("pk"),
            compliant=Count("pk", filter=Q(latest_inspection__passed_all=True)),
            never=Count("pk", filter=Q(latest_inspection__isnull=True)),
            new=Count("pk", filter=Q(founded_on__year=year)),
        )
    }
    inspections = Inspection.objects.filter(**mine, inspected_on__year=year).aggregate(
        n=Count("pk"), passed=Count("pk", filter=Q(passed_all=True))
    )
    months = dict(
        CheckIn.objects.filter(**mine, at__gte=start, at__lt=end)
        .annotate(month=TruncMonth("at"))
        .order_by()
        .values_list("month")
        .annotate(n=Count("pk"))
    )
    received = Q(created_at__gte=start, created_at__lt=end)
    answered = Q(answered_at__gte=start, answered_at__lt=end)
    feedback = Feedback.objects.filter(received | answered, **mine).aggregate(
        received=Count("pk", filter=received),
        answered=Count("pk", filter=answered),
        problems=Count("pk", filter=received & ~Q(problem="")),
    )
    return {
        "kinds": kinds,
        "inspections": inspections,
        "checkins_by_month": {m.month: n for m, n in months.items()},
        "feedback": feedback,
    }
