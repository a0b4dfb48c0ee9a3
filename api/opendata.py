"""Open data: every public station as GeoJSON and as CSV (map platforms' bulk-import
columns), streamed, with an ETag from the stations' count and latest change, and a licence."""

import csv
import io
import json

from django.conf import settings
from django.db.models import Count, Max
from django.http import HttpRequest, HttpResponse, HttpResponseNotModified, StreamingHttpResponse
from django.urls import reverse
from django.views.decorators.http import require_GET

from stations import selectors
from stations.geo import wgs84_to_gcj02
from stations.models import Station

CHUNK = 2000
DAYS = ["Mo", "Tu", "We", "Th", "Fr", "Sa", "Su"]
CSV_COLUMNS = [
    "name",
    "address",
    "lng",
    "lat",
    "phone",
    "category",
    "hours",
    "amenities",
    "town",
    "status",
    "lng_wgs84",
    "lat_wgs84",
    "id",
    "url",
]


def _hours(station: dict) -> str:
    """Weekly hours in the OpenStreetMap opening_hours syntax ("24/7", "Mo 08:00-20:00; ...")."""
    if station["open_24h"]:
        return "24/7"
    return "; ".join(f"{DAYS[day]} {opens:%H:%M}-{closes:%H:%M}" for day, opens, closes in station["hours"])


def _row(station: dict, base: str) -> dict:
    """One station of selectors.open_data_rows() as the feeds show it."""
    glat, glng = wgs84_to_gcj02(station["lat"], station["lng"])
    return {
        "id": station["pk"],
        "name": station["name"],
        "kind": station["kind"],
        "address": station["address"],
        "town": station["town"],
        "phone": station["phone"],
        "status": station["status"],
        "hours": _hours(station),
        "amenities": station["amenities"],
        "lat_wgs84": round(station["lat"], 7),
        "lng_wgs84": round(station["lng"], 7),
        "lat_gcj02": round(glat, 7),
        "lng_gcj02": round(glng, 7),
        "url": base + reverse("stations:detail", args=[station["pk"]]),
    }


def _etag() -> str:
    agg = Station.objects.public().order_by().aggregate(n=Count("pk"), last=Max("updated_at"))
    last = agg["last"].timestamp() if agg["last"] else 0
    return f'"stations-{agg["n"]}-{last:.6f}"'


def _conditional(request: HttpRequest, kind: str):
    etag = _etag()[:-1] + f'-{kind}"'
    match = request.headers.get("If-None-Match", "")
    if etag in [t.strip().removeprefix("W/") for t in match.split(",")] or match.strip() == "*":
        response = HttpResponseNotModified()
        response["ETag"] = etag
        return etag, response
    return etag, None


def _headers(response: HttpResponse, etag: str) -> HttpResponse:
    response["ETag"] = etag
    response["Cache-Control"] = "public, max-age=300"
    response["Link"] = f'<{settings.OPEN_DATA_LICENSE_URL}>; rel="license"'
    response["X-License"] = settings.OPEN_DATA_LICENSE
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def stations_geojson(request: HttpRequest) -> HttpResponse:
    """A GeoJSON FeatureCollection; geometry in WGS-84 (RFC 7946), GCJ-02 in the properties."""
    etag, not_modified = _conditional(request, "geojson")
    if not_modified:
        return not_modified
    base = request.build_absolute_uri("/").rstrip("/")

    def stream():
        head = {
            "type": "FeatureCollection",
            "license": settings.OPEN_DATA_LICENSE,
            "license_url": settings.OPEN_DATA_LICENSE_URL,
            "crs_note": "geometry WGS-84 (EPSG:4326); lat_gcj02/lng_gcj02 for AutoNavi/Tencent maps",
        }
        yield json.dumps(head, ensure_ascii=False)[:-1] + ', "features": ['
        first = True
        for station in selectors.open_data_rows(chunk=CHUNK):
            props = _row(station, base)
            feature = {
                "type": "Feature",
                "id": station["pk"],
                "geometry": {"type": "Point", "coordinates": [props["lng_wgs84"], props["lat_wgs84"]]},
                "properties": props,
            }
            yield ("" if first else ",") + json.dumps(feature, ensure_ascii=False)
            first = False
        yield "]}"

    response = StreamingHttpResponse(stream(), content_type="application/geo+json; charset=utf-8")
    return _headers(response, etag)


@require_GET
def stations_csv(request: HttpRequest) -> HttpResponse:
    """CSV in the columns map platforms take for bulk import: name, address, lng, lat (GCJ-02,
    what AutoNavi and Tencent expect), phone, category, hours; then WGS-84 and the rest."""
    etag, not_modified = _conditional(request, "csv")
    if not_modified:
        return not_modified
    base = request.build_absolute_uri("/").rstrip("/")
    kinds = dict(Station.Kind.choices)

    def stream():
        buf = io.StringIO()
        writer = csv.writer(buf)

        def flush() -> str:
            out = buf.getvalue()
            buf.seek(0)
            buf.truncate()
            return out

        writer.writerow(CSV_COLUMNS)
        yield "\ufeff" + flush()  # BOM: spreadsheet programs then read UTF-8
        for station in selectors.open_data_rows(chunk=CHUNK):
            r = _row(station, base)
            r["lng"], r["lat"], r["category"] = r["lng_gcj02"], r["lat_gcj02"], str(kinds.get(station["kind"], ""))
            r["amenities"] = " ".join(r["amenities"])
            writer.writerow([r[c] for c in CSV_COLUMNS])
            yield flush()

    response = StreamingHttpResponse(stream(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="stations.csv"'
    return _headers(response, etag)
