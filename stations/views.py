import datetime as dt
import time

import tablib
from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from unionportal.core import pagecache
from unionportal.core.decorators import role_required
from unionportal.core.http import client_ip, rate_limited
from unionportal.core.models import Role
from unionportal.core.qr import qr_png_response

from . import services
from .amenities import AMENITIES, CODES, ICONS
from .forms import AnswerForm, CoverageForm, FeedbackForm
from .hours import open_state
from .maps import tile_config
from .models import (
    CheckIn,
    DemandPoint,
    Feedback,
    Inspection,
    Station,
    Weekday,
)
from .nearby import nearby as nearby_search
from .nearby import with_amenity_rows, with_open_state_rows

PAGE_SIZE = 20
MAX_MARKERS = 2000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filters(request: HttpRequest) -> dict:
    g = request.GET
    return {
        "kind": g.get("kind") if g.get("kind") in Station.Kind.values else "",
        "amenity": [c for c in g.getlist("amenity") if c in CODES],
        "open_now": g.get("open_now") == "1",
        "town": g.get("town", "").strip()[:50],
        "q": g.get("q", "").strip()[:50],
    }


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


def search_rows(qs, term: str) -> list[tuple]:
    """Text search at national scale: read the matches through the covering search index (no
    ORDER BY, so no scan of the table in another order), at most SEARCH_CAP, sorted here."""
    ids = list(qs.search(term).order_by().values_list("pk", flat=True)[:SEARCH_CAP])
    rows = list(Station.objects.filter(pk__in=ids).order_by().values_list("pk", "name", "lat", "lng", "kind", "town"))
    rows.sort(key=lambda r: (r[5], r[1], r[0]))
    return rows


def _apply(qs, f: dict, now=None, search: bool = True):
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


def _decorate(stations, now) -> list:
    for s in stations:
        s.state = open_state(s, now)
        s.closes_in = s.state.closes_in_minutes(now)
        s.amenity_list = [
            (sa.amenity.code, sa.amenity.label, ICONS.get(sa.amenity.code, "bi-check"))
            for sa in s.station_amenities.all()
        ]
    return stations


def _listed(qs):
    fields = ("pk", "name", "kind", "town", "address", "status", "open_24h", "lat", "lng", "phone")
    return with_amenity_rows(with_open_state_rows(qs.only(*fields)))


def finder(request: HttpRequest) -> HttpResponse:
    """The public finder: filters, a clustered map and a list (phone first)."""
    now = timezone.localtime()
    f = _filters(request)
    qs = _apply(Station.objects.public(), f, now, search=False)
    if f["q"]:
        rows = search_rows(qs, f["q"])
        page = Paginator(rows, PAGE_SIZE).get_page(request.GET.get("page"))
        ids = [r[0] for r in page.object_list]
        by_pk = {s.pk: s for s in _listed(Station.objects.filter(pk__in=ids))}
        page.object_list = [by_pk[pk] for pk in ids]
        markers = rows[:MAX_MARKERS]
    else:
        page = CappedPaginator(_listed(qs), PAGE_SIZE).get_page(request.GET.get("page"))
        markers = qs.order_by().values_list("pk", "name", "lat", "lng", "kind")[:MAX_MARKERS]
    _decorate(page.object_list, now)
    markers = [{"id": m[0], "name": m[1], "lat": m[2], "lng": m[3], "kind": m[4]} for m in markers]
    towns = cache.get_or_set(
        "stations:towns",
        lambda: list(Station.objects.public().order_by("town").values_list("town", flat=True).distinct()[:500]),
        CACHE_SECONDS,
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "stations/finder.html",
        {
            "filters": f,
            "page": page,
            "markers": markers,
            "tiles": tile_config(),
            "kinds": Station.Kind.choices,
            "amenities": [(c, label, icon) for c, label, icon in AMENITIES],
            "towns": [t for t in towns if t],
            "query": query.urlencode(),
            "nearby_url": reverse("stations:nearby"),
            "search_cap": SEARCH_CAP,
            "count_cap": COUNT_CAP,
        },
    )


def _bad(message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=400)


def _float(request, name: str, low: float, high: float) -> float:
    raw = request.GET.get(name)
    if raw is None or raw == "":
        raise ValueError(_("Missing parameter: {name}.").format(name=name))
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(_("Not a number: {name}.").format(name=name)) from None
    if not (low <= value <= high):  # also rejects nan
        raise ValueError(_("{name} must be between {low} and {high}.").format(name=name, low=low, high=high))
    return value


@require_GET
def nearby(request: HttpRequest) -> JsonResponse:
    """GET /stations/nearby?lat=&lng=&limit=&amenity=&open_now=1 -> nearest public stations."""
    try:
        lat = _float(request, "lat", -90, 90)
        lng = _float(request, "lng", -180, 180)
        raw_limit = request.GET.get("limit", "20")
        if not raw_limit.isdigit() or not 1 <= int(raw_limit) <= 100:
            raise ValueError(_("limit must be a whole number from 1 to 100."))
        limit = int(raw_limit)
        amenities = request.GET.getlist("amenity")
        unknown = [c for c in amenities if c not in CODES]
        if unknown:
            raise ValueError(_("Unknown amenity: {codes}.").format(codes=", ".join(unknown[:5])))
        open_now = request.GET.get("open_now", "") in ("1", "true")
    except ValueError as e:
        return _bad(str(e))
    hits = nearby_search(
        Station.objects.public(), lat=lat, lng=lng, limit=limit, amenities=amenities, open_now=open_now
    )
    return JsonResponse(
        {
            "results": [
                {
                    "id": h.station.pk,
                    "name": h.station.name,
                    "kind": h.station.kind,
                    "lat": h.station.lat,
                    "lng": h.station.lng,
                    "distance_m": round(h.distance_m, 1),
                    "open_now": h.open_now,
                    "amenities": h.amenities,
                    "url": h.station.get_absolute_url(),
                }
                for h in hits
            ]
        }
    )


def _station_for(request: HttpRequest, pk: int, qs=None) -> Station:
    """Public stations for everyone; others for the owning union's subtree only (else 404)."""
    station = get_object_or_404((qs if qs is not None else Station.objects).select_related("union"), pk=pk)
    public = station.is_public and station.status in Station.PUBLIC_STATUSES
    if not public and not Station.objects.visible_to(request.user).filter(pk=pk).exists():
        raise Http404
    return station


def detail(request: HttpRequest, pk: int) -> HttpResponse:
    if pagecache.cacheable(request):
        # Whether the page is public and when the station last changed (kept for a few seconds
        # in the shared cache; the station's writers forget it); the minute keeps "open now" and
        # "closes in N minutes" true.
        name = services.page_name(pk)
        changed = pagecache.stamp(name, lambda: _page_stamp(pk))
        if changed is not None:
            stamp = (changed, int(time.time() // 60))
            return pagecache.serve(request, name, stamp, lambda: _detail(request, pk), ttl=120)
    return _detail(request, pk)


def _page_stamp(pk: int):
    """The freshness stamp of a public station's page (its updated_at), or None when the page
    is not public. Writes to what the page shows besides the station row (hours, exceptions,
    amenities, photos, awards) go through services, which move updated_at and forget the kept
    stamp (pagecache.stamp).

    Plain SQL on the primary key: it runs on every anonymous page view, and composing it
    through the ORM costs more than running it."""
    with connection.cursor() as cursor:
        cursor.execute(_PAGE_STAMP_SQL, [pk, *Station.PUBLIC_STATUSES])
        row = cursor.fetchone()
    return row and row[0]


_PAGE_STAMP_SQL = (
    f"SELECT updated_at FROM {Station._meta.db_table} "  # noqa: S608 - table name from the model
    f"WHERE id = %s AND is_public AND status IN ({', '.join(['%s'] * len(Station.PUBLIC_STATUSES))})"
)


def _detail(request: HttpRequest, pk: int, form: FeedbackForm | None = None, status: int = 200) -> HttpResponse:
    station = _station_for(
        request, pk, with_amenity_rows(with_open_state_rows(Station.objects.all())).prefetch_related("photos", "awards")
    )
    now = timezone.localtime()
    _decorate([station], now)
    week = []
    by_day: dict[int, list] = {}
    for h in station.hours.all():
        by_day.setdefault(h.weekday, []).append(h)
    for day, label in Weekday.choices:
        week.append((label, by_day.get(day, []), day == now.weekday()))
    upcoming = [e for e in station.exceptions.all() if e.date >= now.date()]
    return render(
        request,
        "stations/detail.html",
        {
            "station": station,
            "now": now,
            "week": week,
            "exceptions": upcoming,
            "form": form or FeedbackForm(),
            "tiles": tile_config(),
            "marker": {"id": station.pk, "name": station.name, "lat": station.lat, "lng": station.lng},
        },
        status=status,
    )


def qr_png(request: HttpRequest, pk: int) -> HttpResponse:
    """The QR code for the station's sign: it leads to the station page."""
    station = _station_for(request, pk)
    return qr_png_response(request.build_absolute_uri(station.get_absolute_url()))


@require_POST
def feedback(request: HttpRequest, pk: int) -> HttpResponse:
    station = _station_for(request, pk)
    if rate_limited(request, scope="stations-feedback", limit=5, window=3600):
        messages.error(request, _("Too many reports from this device. Please try again later."))
        return redirect(station)
    form = FeedbackForm(request.POST)
    if not form.is_valid():
        return _detail(request, pk, form=form, status=400)
    d = form.cleaned_data
    try:
        services.feedback_submit(
            station=station, rating=d["rating"], problem=d["problem"], message=d["message"], contact=d["contact"]
        )
    except ValidationError as e:
        form.add_error(None, e)
        return _detail(request, pk, form=form, status=400)
    messages.success(request, _("Thank you! The union that runs this station has received your message."))
    return redirect(station)


@require_POST
def checkin(request: HttpRequest, pk: int) -> HttpResponse:
    """One tap after scanning the station's QR code; at most once per half hour per device and station."""
    station = _station_for(request, pk)
    if rate_limited(request, scope=f"stations-checkin:{station.pk}", limit=1, window=1800) or rate_limited(
        request, scope="stations-checkin", limit=30, window=3600
    ):
        messages.info(request, _("You have already checked in here recently."))
    else:
        services.checkin_record(station=station, ip=client_ip(request))
        messages.success(request, _("Checked in. Welcome!"))
    return redirect(station)


def _stats_data() -> dict:
    qs = Station.objects.order_by()
    statuses = dict(Station.Status.choices)
    kind_counts = dict(qs.values_list("kind").annotate(n=Count("pk")))
    by_kind = [(str(label), kind_counts.get(code, 0)) for code, label in Station.Kind.choices]
    status_counts = dict(qs.values_list("status").annotate(n=Count("pk")))
    by_status = [(str(statuses[code]), status_counts.get(code, 0)) for code in statuses]
    by_town = list(qs.exclude(town="").order_by("town").values_list("town").annotate(n=Count("pk")))
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


def _stats_cached() -> dict:
    # Public figures, the same for everyone: computed at most every few minutes.
    return cache.get_or_set("stations:stats", _stats_data, CACHE_SECONDS)


def stats(request: HttpRequest) -> HttpResponse:
    data = _stats_cached()
    chart = {
        "kind": {"labels": [k for k, _n in data["by_kind"]], "values": [n for _k, n in data["by_kind"]]},
        "status": {"labels": [k for k, _n in data["by_status"]], "values": [n for _k, n in data["by_status"]]},
        "town": {"labels": [k for k, _n in data["by_town"]], "values": [n for _k, n in data["by_town"]]},
        "months": {
            "labels": [m for m, _v, _u in data["months"]],
            "visits": [v for _m, v, _u in data["months"]],
            "visitors": [u for _m, _v, u in data["months"]],
        },
        "names": {"visits": _("Visits"), "visitors": _("Visitors")},
    }
    return render(request, "stations/stats.html", {**data, "chart": chart})


def stats_export(request: HttpRequest) -> HttpResponse:
    data = _stats_cached()
    book = tablib.Databook()
    for title, rows, headers in [
        (_("By kind"), data["by_kind"], [_("Kind"), _("Stations")]),
        (_("By town"), data["by_town"], [_("Town/street"), _("Stations")]),
        (_("By status"), data["by_status"], [_("Status"), _("Stations")]),
        (_("Visits by month"), data["months"], [_("Month"), _("Visits"), _("Visitors")]),
        (_("Visits by station"), [r[1:] for r in data["top"]], [_("Station"), _("Visits"), _("Visitors")]),
        (
            _("Visits by station and month"),
            data["by_station_month"],
            [_("Station"), _("Month"), _("Visits"), _("Visitors")],
        ),
    ]:
        book.add_sheet(tablib.Dataset(*rows, headers=headers, title=title[:31]))
    response = HttpResponse(book.export("xlsx"), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="station-stats-{timezone.localdate():%Y%m%d}.xlsx"'
    return response


# --- Desk (staff) ---------------------------------------------------------------------


@role_required()
def desk_list(request: HttpRequest) -> HttpResponse:
    """Stations of the user's subtree, with the compliance filter (never inspected / failing an item)."""
    now = timezone.localtime()
    f = _filters(request)
    qs = _apply(Station.objects.visible_to(request.user), f, now).select_related("union", "latest_inspection")
    compliance = request.GET.get("compliance", "")
    if compliance == "never":
        qs = qs.never_inspected()
    elif compliance == "failing":
        qs = qs.failing()
    elif compliance.startswith("fail_") and compliance[5:] in Inspection.Item.values:
        qs = qs.failing(compliance[5:])
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "stations/desk_list.html",
        {
            "page": page,
            "filters": f,
            "compliance": compliance,
            "items": Inspection.Item.choices,
            "kinds": Station.Kind.choices,
            "query": query.urlencode(),
        },
    )


@role_required()
def inbox(request: HttpRequest) -> HttpResponse:
    """Ratings and problem reports for the stations of the user's subtree."""
    qs = Feedback.objects.visible_to(request.user).select_related("station", "answered_by")
    status = request.GET.get("status", "open")
    if status == "open":
        qs = qs.open()
    elif status in Feedback.Status.values:
        qs = qs.filter(status=status)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "stations/inbox.html",
        {"page": page, "status": status, "statuses": Feedback.Status.choices, "form": AnswerForm()},
    )


@require_POST
@role_required(Role.EDIT_ROLES)
def feedback_answer(request: HttpRequest, pk: int) -> HttpResponse:
    fb = get_object_or_404(Feedback.objects.editable_by(request.user).select_related("station__union"), pk=pk)
    form = AnswerForm(request.POST)
    if form.is_valid():
        try:
            services.feedback_answer(
                feedback=fb, answer=form.cleaned_data["answer"], close=form.cleaned_data["close"], by=request.user
            )
            messages.success(request, _("Saved."))
        except (ValidationError, PermissionDenied) as e:
            messages.error(request, e.messages[0] if isinstance(e, ValidationError) else _("Not allowed."))
    else:
        messages.error(request, _("Please check the answer."))
    return redirect("stations:inbox")


@role_required()
def coverage(request: HttpRequest) -> HttpResponse:
    """Demand points of the user's subtree farther than N metres from any open public station."""
    form = CoverageForm(request.GET or None)
    distance = 1000
    if form.is_bound and form.is_valid() and form.cleaned_data["distance"]:
        distance = form.cleaned_data["distance"]
    open_stations = Station.objects.public().filter(status=Station.Status.OPEN)
    rows = []
    for point in DemandPoint.objects.visible_to(request.user).select_related("union"):
        hits = nearby_search(open_stations, lat=point.lat, lng=point.lng, limit=1)
        nearest = hits[0] if hits else None
        d = nearest.distance_m if nearest else None
        rows.append(
            {
                "point": point,
                "nearest": nearest.station if nearest else None,
                "distance": d,
                "uncovered": d is None or d > distance,
            }
        )
    rows.sort(key=lambda r: (not r["uncovered"], -(r["distance"] or 1e12)))
    markers = [
        {
            "id": r["point"].pk,
            "name": r["point"].name,
            "lat": r["point"].lat,
            "lng": r["point"].lng,
            "uncovered": r["uncovered"],
        }
        for r in rows
    ]
    return render(
        request,
        "stations/coverage.html",
        {
            "form": form,
            "distance": distance,
            "rows": rows,
            "markers": markers,
            "tiles": tile_config(),
            "uncovered": sum(1 for r in rows if r["uncovered"]),
        },
    )
