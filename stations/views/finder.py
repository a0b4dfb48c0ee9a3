"""The public finder (filters, map, list), its map markers and the nearby JSON API."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import parse_etags
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from unionportal.core import pagecache
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


def _finder_stamp(request: HttpRequest) -> str:
    # The list shows every station's open state: the page moves with the minute as well as with
    # the stations (the map's stamp, which station writes forget).
    return f"{selectors.map_stamp()}|{pagecache.bucket(selectors.MAP_MAX_AGE)}"


# The finder's filters as the page cache takes them (others: made for the request alone).
FILTER_PARAMS = {
    "q": pagecache.text,
    "kind": pagecache.choice(*Station.Kind.values),
    "amenity": pagecache.choice(*CODES),  # one amenity (several: rendered for the request)
    "open_now": pagecache.choice("1"),
    "town": pagecache.text,
}


@pagecache.page(
    "finder",
    _finder_stamp,
    params={**FILTER_PARAMS, "page": pagecache.page_number},
    fresh=selectors.MAP_MAX_AGE,
)
def finder(request: HttpRequest) -> HttpResponse:
    """The public finder: filters, a clustered map and a list (phone first)."""
    now = timezone.localtime()
    f = parse_filters(request)
    page, extent = selectors.finder_page(filters=f, page_number=request.GET.get("page"), page_size=PAGE_SIZE, now=now)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "stations/finder.html",
        {
            "filters": f,
            "page": page,
            "extent": extent,
            "markers_url": reverse("stations:markers"),
            "time_zone": settings.TIME_ZONE,
            "tiles": tile_config(),
            "kinds": Station.Kind.choices,
            "amenities": [(c, label, icon) for c, label, icon in AMENITIES],
            "towns": selectors.public_towns(selected=f["town"]),
            "query": query.urlencode(),
            "nearby_url": reverse("stations:nearby"),
            "search_cap": selectors.SEARCH_CAP,
            "count_cap": selectors.COUNT_CAP,
        },
    )


def _bad(message: str, code: str = "bad_request") -> JsonResponse:
    return JsonResponse({"error": message, "code": code}, status=400)


class BadView(ValueError):
    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def parse_map_view(request: HttpRequest) -> tuple[tuple, int]:
    """The map's box (WGS-84 west,south,east,north) and zoom from the query string."""
    zoom = parse_count(request.GET.get("zoom", ""), maximum=selectors.MAX_ZOOM)
    if zoom is None:
        raise BadView("bad_zoom", _("zoom must be a whole number from 0 to {n}.").format(n=selectors.MAX_ZOOM))
    parts = request.GET.get("bbox", "").split(",")
    message = _(
        "bbox must be four numbers: west,south,east,north (longitude from -180 to 180, latitude from -90 to 90)."
    )
    if len(parts) != 4:
        raise BadView("bad_bbox", message)
    try:
        west, south, east, north = (float(p) for p in parts)
    except ValueError:
        raise BadView("bad_bbox", message) from None
    # The comparisons also refuse nan and infinities.
    if not (-180 <= west <= east <= 180 and -90 <= south <= north <= 90):
        raise BadView("bad_bbox", message)
    span = selectors.map_max_span(zoom)
    if east - west > span or north - south > span:
        raise BadView("bbox_too_large", _("This area is too large for the zoom: zoom in, or send a smaller bbox."))
    return (west, south, east, north), zoom


@pagecache.page(
    "markers",
    _finder_stamp,
    params={**FILTER_PARAMS, "bbox": pagecache.decimals(4), "zoom": pagecache.number},
    fresh=selectors.MAP_MAX_AGE,
)
@require_GET
def markers(request: HttpRequest) -> HttpResponse:
    """GET /stations/markers?bbox=west,south,east,north&zoom=Z plus the finder's filters ->
    public stations in the box: clusters below selectors.CLUSTER_BELOW, else points. Cached in
    the shared cache (the answer by its snapped box, and as a page by the box the map sent) and
    by browsers for a minute; ETag and If-None-Match answer 304."""
    try:
        bbox, zoom = parse_map_view(request)
    except BadView as e:
        return _bad(str(e), e.code)
    f = parse_filters(request)
    now = timezone.localtime()
    bbox = selectors.map_snap(bbox, zoom)
    key = selectors.map_markers_key(filters=f, zoom=zoom, bbox=bbox, now=now)
    headers = {"ETag": f'"{key}"', "Cache-Control": f"public, max-age={selectors.MAP_MAX_AGE}"}
    # A tag the browser got with a compressed answer is weak (W/"..."): the same answer.
    if f'"{key}"' in {tag.removeprefix("W/") for tag in parse_etags(request.headers.get("If-None-Match", ""))}:
        return HttpResponse(status=304, headers=headers)
    body = selectors.map_markers_json(key=key, filters=f, zoom=zoom, bbox=bbox, now=now)
    return HttpResponse(body, content_type="application/json", headers=headers)


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
