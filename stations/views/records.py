"""The desk's pages for a station's records: photos (camera or gallery), awards, amenity
deliveries and exchange visits; the union's demand points; spreadsheet imports of stations
(with their weekly hours) and demand points. Stations and records of the user's editable
subtree only (another union's: 404); every write through the services, all or nothing."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.core.decorators import role_required
from unionportal.core.ids import parse_id
from unionportal.core.imports import ImportFailed
from unionportal.core.models import Role

from .. import services
from ..forms import (
    AwardForm,
    DeliveryForm,
    DemandPointForm,
    ExchangeVisitForm,
    ImportForm,
    PhotoAddForm,
    PhotoEditForm,
)
from ..models import AmenityDelivery, Award, DemandPoint, ExchangeVisit, StationPhoto
from ..services.imports import DEMAND_POINT_COLUMNS, HOURS_COLUMNS, STATION_COLUMNS
from .edit import _station


def _record(qs, pk):
    pk = parse_id(pk)
    if pk is None:
        raise Http404
    return get_object_or_404(qs, pk=pk)


def _fail(form, e: Exception) -> None:
    form.add_error(None, e.messages[0] if isinstance(e, ValidationError) else _("Not allowed."))


def _page(request, template: str, context: dict, form) -> HttpResponse:
    status = 400 if request.method == "POST" and form.errors else 200
    return render(request, template, context, status=status)


def _deleted(request: HttpRequest, call) -> None:
    try:
        call()
    except (ValidationError, PermissionDenied) as e:
        messages.error(request, e.messages[0] if isinstance(e, ValidationError) else _("Not allowed."))
    else:
        messages.success(request, _("Deleted."))


# --- Photos ---------------------------------------------------------------------------------


@role_required(Role.EDIT_ROLES)
def station_photos(request: HttpRequest, pk: int) -> HttpResponse:
    """The station's gallery in order, and a form to add a photo."""
    station = _station(request, pk)
    form = PhotoAddForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.station_photo_add(
                station=station, image=form.cleaned_data["image"], caption=form.cleaned_data["caption"], by=request.user
            )
        except (ValidationError, PermissionDenied) as e:
            _fail(form, e)
        else:
            messages.success(request, _("Photo added."))
            return redirect("stations:station_photos", pk=station.pk)
    photos = list(StationPhoto.objects.filter(station=station).order_by("order", "pk"))
    return _page(request, "stations/desk_photos.html", {"station": station, "photos": photos, "form": form}, form)


@role_required(Role.EDIT_ROLES)
def photo_edit(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    station = _station(request, pk)
    photo = _record(StationPhoto.objects.filter(station=station), photo_pk)
    form = PhotoEditForm(
        request.POST or None, request.FILES or None, initial={"caption": photo.caption, "order": photo.order}
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.station_photo_update(
                photo=photo, caption=d["caption"], order=d["order"], image=d["image"], by=request.user
            )
        except (ValidationError, PermissionDenied) as e:
            _fail(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("stations:station_photos", pk=station.pk)
    return _page(request, "stations/desk_photo_edit.html", {"station": station, "photo": photo, "form": form}, form)


@require_POST
@role_required(Role.EDIT_ROLES)
def photo_move(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    station = _station(request, pk)
    photo = _record(StationPhoto.objects.filter(station=station), photo_pk)
    services.station_photo_move(photo=photo, up=request.POST.get("up") == "1", by=request.user)
    return redirect("stations:station_photos", pk=station.pk)


@require_POST
@role_required(Role.EDIT_ROLES)
def photo_delete(request: HttpRequest, pk: int, photo_pk: int) -> HttpResponse:
    station = _station(request, pk)
    photo = _record(StationPhoto.objects.filter(station=station), photo_pk)
    _deleted(request, lambda: services.station_photo_delete(photo=photo, by=request.user))
    return redirect("stations:station_photos", pk=station.pk)


# --- Awards ---------------------------------------------------------------------------------


@role_required(Role.EDIT_ROLES)
def station_awards(request: HttpRequest, pk: int, award_pk: int | None = None) -> HttpResponse:
    """The station's awards, and a form to add one (or to correct `award_pk`)."""
    station = _station(request, pk)
    award = _record(Award.objects.filter(station=station), award_pk) if award_pk is not None else None
    form = AwardForm(request.POST or None, instance=award)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        obj.station = station
        try:
            services.award_save(award=obj, by=request.user)
        except (ValidationError, PermissionDenied) as e:
            _fail(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("stations:station_awards", pk=station.pk)
    awards = Award.objects.filter(station=station)
    return _page(
        request,
        "stations/desk_awards.html",
        {"station": station, "awards": awards, "form": form, "award": award},
        form,
    )


@require_POST
@role_required(Role.EDIT_ROLES)
def award_delete(request: HttpRequest, pk: int, award_pk: int) -> HttpResponse:
    station = _station(request, pk)
    award = _record(Award.objects.filter(station=station), award_pk)
    _deleted(request, lambda: services.award_delete(award=award, by=request.user))
    return redirect("stations:station_awards", pk=station.pk)


# --- Amenity deliveries ---------------------------------------------------------------------


@role_required(Role.EDIT_ROLES)
def station_deliveries(request: HttpRequest, pk: int) -> HttpResponse:
    """What the union delivered to the station; recording one adds to its amenities."""
    station = _station(request, pk)
    form = DeliveryForm(request.POST or None, initial={"delivered_on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            services.amenity_delivery_record(
                station=station,
                amenity=d["amenity"],
                quantity=d["quantity"],
                delivered_on=d["delivered_on"],
                note=d["note"],
                by=request.user,
            )
        except (ValidationError, PermissionDenied) as e:
            _fail(form, e)
        else:
            messages.success(request, _("Delivery recorded."))
            return redirect("stations:station_deliveries", pk=station.pk)
    deliveries = AmenityDelivery.objects.filter(station=station).select_related("amenity")
    return _page(
        request, "stations/desk_deliveries.html", {"station": station, "deliveries": deliveries, "form": form}, form
    )


@require_POST
@role_required(Role.EDIT_ROLES)
def delivery_delete(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    station = _station(request, pk)
    delivery = _record(AmenityDelivery.objects.filter(station=station).select_related("station__union"), delivery_pk)
    _deleted(request, lambda: services.amenity_delivery_delete(delivery=delivery, by=request.user))
    return redirect("stations:station_deliveries", pk=station.pk)


# --- Exchange visits ------------------------------------------------------------------------


@role_required(Role.EDIT_ROLES)
def station_visits(request: HttpRequest, pk: int, visit_pk: int | None = None) -> HttpResponse:
    """Exchange visits this station hosted, and a form to record one (or to correct `visit_pk`)."""
    station = _station(request, pk)
    visit = _record(ExchangeVisit.objects.filter(host=station), visit_pk) if visit_pk is not None else None
    initial = {} if visit else {"visited_on": timezone.localdate()}
    form = ExchangeVisitForm(request.POST or None, instance=visit, initial=initial, host=station, user=request.user)
    if request.method == "POST" and form.is_valid():
        obj = form.save(commit=False)
        obj.host = station
        try:
            services.exchange_visit_save(visit=obj, by=request.user)
        except (ValidationError, PermissionDenied) as e:
            _fail(form, e)
        else:
            messages.success(request, _("Exchange visit saved."))
            return redirect("stations:station_visits", pk=station.pk)
    visits = ExchangeVisit.objects.filter(host=station).select_related("guest")
    return _page(
        request,
        "stations/desk_visits.html",
        {"station": station, "visits": visits, "form": form, "visit": visit},
        form,
    )


@require_POST
@role_required(Role.EDIT_ROLES)
def visit_delete(request: HttpRequest, pk: int, visit_pk: int) -> HttpResponse:
    station = _station(request, pk)
    visit = _record(ExchangeVisit.objects.filter(host=station).select_related("host__union", "activity"), visit_pk)
    _deleted(request, lambda: services.exchange_visit_delete(visit=visit, by=request.user))
    return redirect("stations:station_visits", pk=station.pk)


# --- Demand points --------------------------------------------------------------------------


@role_required(Role.EDIT_ROLES)
def demand_points(request: HttpRequest, point_pk: int | None = None) -> HttpResponse:
    """The demand points of the user's editable unions, and a form to add one (or correct `point_pk`)."""
    editable = DemandPoint.objects.editable_by(request.user).select_related("union")
    point = _record(editable, point_pk) if point_pk is not None else None
    form = DemandPointForm(request.POST or None, instance=point, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.demand_point_save(point=form.save(commit=False), by=request.user)
        except (ValidationError, PermissionDenied) as e:
            _fail(form, e)
        else:
            messages.success(request, _("Saved."))
            return redirect("stations:demand_points")
    return _page(
        request,
        "stations/desk_demand.html",
        {"points": editable.order_by("name", "pk")[:500], "form": form, "point": point},
        form,
    )


@require_POST
@role_required(Role.EDIT_ROLES)
def demand_point_delete(request: HttpRequest, point_pk: int) -> HttpResponse:
    point = _record(DemandPoint.objects.editable_by(request.user).select_related("union"), point_pk)
    _deleted(request, lambda: services.demand_point_delete(point=point, by=request.user))
    return redirect("stations:demand_points")


# --- Imports --------------------------------------------------------------------------------

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

IMPORTS = {
    "stations": (services.station_import, STATION_COLUMNS, ("union", "name", "kind", "lat", "lng"), "desk_list"),
    "demand": (services.demand_point_import, DEMAND_POINT_COLUMNS, ("union", "name", "lat", "lng"), "demand_points"),
}


@role_required(Role.EDIT_ROLES)
def import_sheet(request: HttpRequest, what: str) -> HttpResponse:
    """Stations (with their weekly hours) or demand points from a spreadsheet: every row saved,
    or none, with each bad row's number and reason."""
    service, columns, required, back = IMPORTS[what]
    form = ImportForm(request.POST or None, request.FILES or None)
    row_errors = []
    if request.method == "POST" and form.is_valid():
        try:
            saved = service(upload=form.cleaned_data["upload"], by=request.user)
        except ImportFailed as e:
            row_errors = e.row_errors
            form.add_error(None, _("Nothing was imported: correct the rows below and upload the file again."))
        else:
            messages.success(request, _("Imported {n} rows.").format(n=len(saved)))
            return redirect(f"stations:{back}")
    return _page(
        request,
        "stations/desk_import.html",
        {
            "what": what,
            "form": form,
            "row_errors": row_errors,
            "columns": columns,
            "required": required,
            "hours_columns": HOURS_COLUMNS if what == "stations" else (),
        },
        form,
    )


def _example(what: str, union_name: str) -> dict:
    if what == "demand":
        return {"union": union_name, "name": _("Courier hub"), "kind": "delivery_hub", "lat": 39.73, "lng": 116.14}
    return {
        "union": union_name,
        "name": _("Example outdoor-worker station"),
        "kind": "outdoor",
        "host_type": "gas_station",
        "lat": 39.73,
        "lng": 116.14,
        "status": "open",
        "is_public": 1,
        "amenities": "water, microwave",
        "hours_mon": "08:00-20:00",
        "hours_sat": "09:00-12:00, 14:00-18:00",
    }


@role_required(Role.EDIT_ROLES)
def import_template(request: HttpRequest, what: str) -> HttpResponse:
    """An empty workbook with every column of the import and one example row."""
    import tablib

    from unionportal.core.scoping import union_scope

    _service, columns, _required, _back = IMPORTS[what]
    union = union_scope(request.user, Role.EDIT_ROLES).order_by("path").first()
    example = _example(what, union.name if union else "")
    sheet = tablib.Dataset(headers=list(columns), title=what)
    sheet.append([example.get(c, "") for c in columns])
    response = HttpResponse(sheet.export("xlsx"), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="{what}-import.xlsx"'
    return response
