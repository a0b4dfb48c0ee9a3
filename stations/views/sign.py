"""Paper: the station's printable sign (A4 or A5) with a vector QR code to its public page, and
a 七有 inspection record for the desk (printable through the desk's print stylesheet)."""

import io

import qrcode
import qrcode.image.svg
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from unionportal.core.decorators import role_required
from unionportal.core.ids import parse_id

from .. import selectors
from ..amenities import ICONS
from ..models import Inspection, Weekday
from .edit import _station
from .station import _station_for

SIGN_SIZES = ("a4", "a5")


def qr_svg_bytes(url: str) -> bytes:
    """A vector (SVG) QR code of `url`: one path, sharp at any print size; cached per URL."""
    key = f"qr-svg:{url}"
    svg = cache.get(key)
    if svg is None:
        # Error correction M survives a scuffed or partly faded outdoor sign.
        code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=2)
        code.add_data(url)
        buf = io.BytesIO()
        code.make_image(image_factory=qrcode.image.svg.SvgPathImage).save(buf)
        svg = buf.getvalue()
        cache.set(key, svg, 24 * 3600)
    return svg


def qr_svg(request: HttpRequest, pk: int) -> HttpResponse:
    """The sign's QR code as SVG: it leads to the station's public page."""
    station = _station_for(request, pk)
    response = HttpResponse(
        qr_svg_bytes(request.build_absolute_uri(station.get_absolute_url())), content_type="image/svg+xml"
    )
    response["Cache-Control"] = "public, max-age=86400"
    return response


def _week(station) -> list[tuple[str, list]]:
    by_day: dict[int, list] = {}
    for h in station.hours.all():
        by_day.setdefault(h.weekday, []).append(h)
    return [(label, by_day.get(day, [])) for day, label in Weekday.choices]


@role_required()
def station_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """The unified sign of a station of the user's subtree, for printing on A4 or A5."""
    station = _station(request, pk, editable=False)
    size = request.GET.get("size", "a4")
    if size not in SIGN_SIZES:
        size = "a4"
    return render(
        request,
        "stations/sign.html",
        {
            "station": station,
            "size": size,
            "sizes": SIGN_SIZES,
            "week": _week(station),
            "amenities": [
                (sa.amenity.label, ICONS.get(sa.amenity.code, "bi-check")) for sa in station.station_amenities.all()
            ],
            "public_url": request.build_absolute_uri(station.get_absolute_url()),
            "is_public": station.is_public and station.status in station.PUBLIC_STATUSES,
        },
    )


@role_required()
def inspection_detail(request: HttpRequest, pk: int, inspection_pk: int) -> HttpResponse:
    """One 七有 inspection as recorded: the seven items, notes and photos (printable)."""
    station = _station(request, pk, editable=False)
    inspection_pk = parse_id(inspection_pk)
    inspection = (
        Inspection.objects.filter(station=station, pk=inspection_pk).prefetch_related("items__photos").first()
        if inspection_pk is not None
        else None
    )
    if inspection is None:
        raise Http404
    items = {i.item: i for i in inspection.items.all()}
    rows = [(code, label, items.get(code)) for code, label in Inspection.Item.choices]
    return render(
        request,
        "stations/desk_inspection_detail.html",
        {
            "station": station,
            "inspection": inspection,
            "rows": rows,
            "may_edit": selectors.station_may_edit(user=request.user, station=station),
        },
    )
