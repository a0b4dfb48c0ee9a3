"""The desk's station page and its edits: details, status and amenities; the week's hours and
exceptions; a 七有 inspection recorded in the field. Stations of the user's subtree only
(another union's: 404); edits need an editing role there."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.core.decorators import role_required
from unionportal.core.models import Role

from .. import selectors, services
from ..forms import ExceptionFormSet, InspectionForm, StationEditForm, StationNewForm, WeekForm
from ..models import Station, Weekday


def _station(request: HttpRequest, pk: int, *, editable: bool = True) -> Station:
    station = selectors.desk_station(user=request.user, pk=pk, editable=editable)
    if station is None:
        raise Http404
    return station


def _errors(form, e: ValidationError) -> None:
    for message in e.messages:
        form.add_error(None, message)


@role_required()
def desk_station(request: HttpRequest, pk: int) -> HttpResponse:
    """A station as the desk sees it: details, hours, amenities and the failing 七有 items."""
    station = _station(request, pk, editable=False)
    now = timezone.localtime()
    by_day: dict[int, list] = {}
    for h in station.hours.all():
        by_day.setdefault(h.weekday, []).append(h)
    return render(
        request,
        "stations/desk_station.html",
        {
            "station": station,
            "week": [(label, by_day.get(day, [])) for day, label in Weekday.choices],
            "exceptions": [e for e in station.exceptions.all() if e.date >= now.date()],
            "amenities": [sa.amenity.label for sa in station.station_amenities.all()],
            "failing": selectors.failing_items(station),
            "inspections": station.inspections.only("pk", "station", "inspected_on", "inspector_name", "passed_all")[
                :10
            ],
            "may_edit": selectors.station_may_edit(user=request.user, station=station),
        },
    )


@role_required(Role.EDIT_ROLES)
def station_edit(request: HttpRequest, pk: int) -> HttpResponse:
    station = _station(request, pk)
    form = StationEditForm(request.POST or None, instance=station)
    if request.method == "POST" and form.is_valid():
        try:
            services.station_edit(
                station=form.save(commit=False), amenities=form.cleaned_data["amenities"], by=request.user
            )
        except ValidationError as e:
            _errors(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("stations:desk_station", pk=station.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "stations/desk_edit.html", {"station": station, "form": form}, status=status)


@role_required(Role.EDIT_ROLES)
def station_new(request: HttpRequest) -> HttpResponse:
    """A new station of one of the user's unions; its hours are set next."""
    form = StationNewForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            station = services.station_edit(
                station=form.save(commit=False), amenities=form.cleaned_data["amenities"], by=request.user
            )
        except (ValidationError, PermissionDenied) as e:
            _errors(form, e if isinstance(e, ValidationError) else ValidationError(_("Not allowed.")))
        else:
            messages.success(request, _("Station created. Now set its opening hours."))
            return redirect("stations:station_hours", pk=station.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "stations/desk_edit.html", {"station": None, "form": form}, status=status)


@role_required(Role.EDIT_ROLES)
def station_hours(request: HttpRequest, pk: int) -> HttpResponse:
    station = _station(request, pk)
    today = timezone.localdate()
    upcoming = station.exceptions.filter(date__gte=today)
    week = WeekForm(request.POST or None, station=station, prefix="week")
    excs = ExceptionFormSet(request.POST or None, instance=station, queryset=upcoming, prefix="exc")
    if request.method == "POST" and week.is_valid() and excs.is_valid():
        saved = [f.instance for f in excs.forms if f.has_changed() and f not in excs.deleted_forms]
        deleted = [f.instance for f in excs.deleted_forms if f.instance.pk]
        try:
            services.station_hours_set(
                station=station,
                open_24h=week.cleaned_data["open_24h"],
                weekly=week.ranges(),
                exceptions_saved=[e for e in saved if e.date],
                exceptions_deleted=deleted,
                by=request.user,
            )
        except ValidationError as e:
            _errors(week, e)
        else:
            messages.success(request, _("Opening hours saved."))
            return redirect("stations:desk_station", pk=station.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "stations/desk_hours.html", {"station": station, "week": week, "excs": excs}, status=status)


@role_required(Role.EDIT_ROLES)
def inspection_new(request: HttpRequest, pk: int) -> HttpResponse:
    station = _station(request, pk)
    initial = {"inspected_on": timezone.localdate()}
    form = InspectionForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.inspection_record(
                station=station,
                inspected_on=form.cleaned_data["inspected_on"],
                results=form.results(),
                photos=form.photos(),
                inspector_name=form.cleaned_data["inspector_name"],
                by=request.user,
            )
        except ValidationError as e:
            _errors(form, e)
        else:
            messages.success(request, _("Inspection recorded."))
            return redirect(reverse("stations:desk_station", args=[station.pk]) + "#compliance")
    status = 400 if request.method == "POST" else 200
    return render(request, "stations/desk_inspection.html", {"station": station, "form": form}, status=status)
