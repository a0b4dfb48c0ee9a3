"""A station's page (cached for anonymous visitors), its QR code, feedback and check-in."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.core import formtokens, pagecache
from unionportal.core.http import client_ip, rate_limited
from unionportal.core.qr import qr_png_response

from .. import selectors, services
from ..forms import FeedbackForm
from ..maps import tile_config
from ..models import Station, Weekday


def _station_for(request: HttpRequest, pk: int) -> Station:
    """Public stations for everyone; others for the owning union's subtree only (else 404)."""
    station = selectors.station_visible(user=request.user, pk=pk)
    if station is None:
        raise Http404
    return station


@pagecache.page("station", lambda request, pk: selectors.page_cache_stamp(pk), ttl=120)
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    # Cached for anonymous visitors by unionportal.core.pagecache.PageCacheMiddleware.
    return _detail(request, pk)


def _detail(
    request: HttpRequest, pk: int, form: FeedbackForm | None = None, status: int = 200, confirm: str = ""
) -> HttpResponse:
    """The page; `confirm` names the form a visitor is asked to send once more (with a token)."""
    station = selectors.station_page(user=request.user, pk=pk)
    if station is None:
        raise Http404
    now = timezone.localtime()
    selectors.stations_decorate([station], now)
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
            "confirm": confirm,
        },
        status=status,
    )


def qr_png(request: HttpRequest, pk: int) -> HttpResponse:
    """The QR code for the station's sign: it leads to the station page."""
    station = _station_for(request, pk)
    return qr_png_response(request.build_absolute_uri(station.get_absolute_url()))


def _confirm_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """Feedback sent without a valid CSRF token: nothing saved; the form again as filled in,
    with its errors if any, so that one more tap sends it."""
    return _detail(request, pk, form=FeedbackForm(request.POST), confirm="feedback")


def _confirm_checkin(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, pk, confirm="checkin")


# The page is cached, so its forms fetch their CSRF token on submit (unionportal.core.formtokens).
@require_POST
@formtokens.confirm_unless_proven(_confirm_feedback)
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
            station=station,
            rating=d["rating"],
            problem=d["problem"],
            message=d["message"],
            contact=d["contact"],
            by=request.user,
        )
    except ValidationError as e:
        form.add_error(None, e)
        return _detail(request, pk, form=form, status=400)
    messages.success(request, _("Thank you! The union that runs this station has received your message."))
    return redirect(station)


@require_POST
@formtokens.confirm_unless_proven(_confirm_checkin)
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
