"""Reads of the stations app that aggregate or decide who sees what: the finder's querysets,
station visibility, public statistics, the desk's lists and coverage."""

import datetime as dt

from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone, translation
from django.utils.functional import cached_property

from unionportal.core.ids import parse_id

from .amenities import ICONS
from .hours import open_state
from .models import CheckIn, Feedback, Inspection, Station, natural_key
from .nearby import nearby as nearby_search
from .nearby import with_amenity_rows, with_open_state_rows

SEARCH_CAP = 1000
COUNT_CAP = 1000
CACHE_SECONDS = 300
MAX_MARKERS = 2000


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
    """The finder's page of public stations and its map markers."""
    qs = stations_filtered(Station.objects.public(), filters=filters, now=now, search=False)
    if filters["q"]:
        rows = search_rows(qs, filters["q"])
        page = Paginator(rows, page_size).get_page(page_number)
        ids = [r[0] for r in page.object_list]
        by_pk = {s.pk: s for s in stations_listed(Station.objects.filter(pk__in=ids))}
        page.object_list = [by_pk[pk] for pk in ids]
        markers = rows[:MAX_MARKERS]
    else:
        page = CappedPaginator(stations_listed(qs), page_size).get_page(page_number)
        markers = qs.order_by().values_list("pk", "name", "lat", "lng", "kind")[:MAX_MARKERS]
    stations_decorate(page.object_list, now)
    markers = [{"id": m[0], "name": m[1], "lat": m[2], "lng": m[3], "kind": m[4]} for m in markers]
    return page, markers


def public_towns() -> list[str]:
    towns = cache.get_or_set(
        "stations:towns",
        lambda: list(Station.objects.public().order_by("town").values_list("town", flat=True).distinct()[:500]),
        CACHE_SECONDS,
    )
    return [t for t in towns if t]


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
    stamp (pagecache.stamp).

    Plain SQL on the primary key: it runs on every anonymous page view, and composing it
    through the ORM costs more than running it."""
    if parse_id(pk) is None:
        return None
    with connection.cursor() as cursor:
        cursor.execute(_PAGE_STAMP_SQL, [pk, *Station.PUBLIC_STATUSES])
        row = cursor.fetchone()
    return row and row[0]


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
