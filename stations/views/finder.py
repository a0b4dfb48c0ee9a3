"""The public finder (filters, clustered map, list) and the nearby JSON API."""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from unionportal.core.ids import parse_count

from .. import selectors, services
from ..amenities import AMENITIES, CODES
from ..maps import tile_config
from ..models import Station

PAGE_SIZE = 20


def parse_filters(request: HttpRequest) -> dict:
    """The finder's filters from the query string (unknown values are dropped)."""
    g = request.GET
    return {
        "kind": g.get("kind") if g.get("kind") in Station.Kind.values else "",
        "amenity": [c for c in g.getlist("amenity") if c in CODES],
        "open_now": g.get("open_now") == "1",
        "town": g.get("town", "").strip()[:50],
        "q": g.get("q", "").strip()[:50],
    }


def finder(request: HttpRequest) -> HttpResponse:
    """The public finder: filters, a clustered map and a list (phone first)."""
    now = timezone.localtime()
    f = parse_filters(request)
    page, markers = selectors.finder_page(filters=f, page_number=request.GET.get("page"), page_size=PAGE_SIZE, now=now)
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
            "towns": selectors.public_towns(),
            "query": query.urlencode(),
            "nearby_url": reverse("stations:nearby"),
            "search_cap": selectors.SEARCH_CAP,
            "count_cap": selectors.COUNT_CAP,
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
        limit = parse_count(request.GET.get("limit", "20"), maximum=100)
        if not limit:
            raise ValueError(_("limit must be a whole number from 1 to 100."))
        amenities = request.GET.getlist("amenity")
        unknown = [c for c in amenities if c not in CODES]
        if unknown:
            raise ValueError(_("Unknown amenity: {codes}.").format(codes=", ".join(unknown[:5])))
        open_now = request.GET.get("open_now", "") in ("1", "true")
    except ValueError as e:
        return _bad(str(e))
    hits = selectors.nearby_public(lat=lat, lng=lng, limit=limit, amenities=amenities, open_now=open_now)
    services.search_demand_record(lat=lat, lng=lng)  # anonymous: the ~500 m cell and the day only
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
