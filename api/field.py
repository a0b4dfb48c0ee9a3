"""The authenticated API for field tasks: hardship visits, 七有 inspections and feedback
answers. Scoped exactly as the desk (selectors, editable_by: another union's record is a
404), validated by the desk's own forms and written through the same services."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, status
from rest_framework.decorators import api_view, permission_classes
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from stations import selectors as station_selectors
from stations import services as station_services
from stations.forms import AnswerForm, InspectionForm
from stations.models import Feedback, Inspection
from unionportal.core.ids import parse_id
from unionportal.core.models import Role
from unionportal.core.scoping import holds_any
from welfare import selectors as welfare_selectors
from welfare import services as welfare_services
from welfare.forms import VisitForm
from welfare.models import WELFARE

from . import serializers as sz
from .views import ERRORS, PAGE_PARAMS, _paginated, _query, paged

AUTH_ERRORS = {**ERRORS, 401: sz.ErrorSerializer, 403: sz.ErrorSerializer}


def _require(request: Request, roles) -> None:
    if not holds_any(request.user, roles):
        raise exceptions.PermissionDenied()


def _form_errors(form) -> exceptions.ValidationError:
    return exceptions.ValidationError({k: [str(m) for m in v] for k, v in form.errors.items()})


# --- Hardship visits -----------------------------------------------------------------------


@extend_schema(
    operation_id="field_visits_list",
    methods=["GET"],
    parameters=[sz.VisitFilterSerializer, *PAGE_PARAMS],
    responses={200: paged(sz.VisitSerializer), **AUTH_ERRORS},
    tags=["field"],
)
@extend_schema(
    methods=["POST"], request=sz.VisitInSerializer, responses={201: sz.VisitSerializer, **AUTH_ERRORS}, tags=["field"]
)
@api_view(["GET", "POST"])
@permission_classes([IsAuthenticated])
def visits(request: Request) -> Response:
    """GET: the visits the welfare desk shows this user. POST: log a visit (as the desk's form)."""
    _require(request, WELFARE)
    if request.method == "GET":
        occasion = _query(sz.VisitFilterSerializer, request).validated_data.get("occasion")
        qs = welfare_selectors.visits_visible(user=request.user).select_related("union")
        if occasion:
            qs = qs.filter(occasion=occasion)
        return _paginated(request, qs, sz.VisitSerializer)
    files_qs = welfare_selectors.files_visible(user=request.user)
    data = request.data
    if not hasattr(data, "getlist") and not isinstance(data, dict):
        raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object or a form.")]})
    data = {k: ("" if v is None else v) for k, v in data.items() if k != "photos"}
    form = VisitForm(data, request.FILES or None, user=request.user, files_qs=files_qs)
    if not form.is_valid():
        raise _form_errors(form)
    fields = {k: v for k, v in form.cleaned_data.items() if k not in ("union", "photos", "file")}
    try:
        visit = welfare_services.visit_create(
            union=form.cleaned_data["union"],
            file=form.cleaned_data["file"],
            by=request.user,
            photos=form.cleaned_data["photos"],
            **fields,
        )
    except PermissionDenied:
        raise exceptions.PermissionDenied() from None
    return Response(sz.VisitSerializer(visit).data, status=status.HTTP_201_CREATED)


@extend_schema(responses={200: sz.VisitSerializer, **AUTH_ERRORS}, tags=["field"])
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def visit_detail(request: Request, pk: int) -> Response:
    """One visit; another union's is a 404. Every view is logged, as on the desk."""
    _require(request, WELFARE)
    visit = welfare_selectors.visits_visible(user=request.user).select_related("union", "file").filter(pk=pk).first()
    if visit is None:
        raise Http404
    welfare_services.access_log_view(
        user=request.user,
        union=visit.union_id,
        file=visit.file,
        what=_("Visit #{pk}").format(pk=visit.pk),
        request=request._request,
    )
    return Response(sz.VisitSerializer(visit).data)


# --- Feedback ------------------------------------------------------------------------------


@extend_schema(
    operation_id="field_feedback_list",
    parameters=[sz.FeedbackFilterSerializer, *PAGE_PARAMS],
    responses={200: paged(sz.FeedbackSerializer), **AUTH_ERRORS},
    tags=["field"],
)
@api_view(["GET"])
@permission_classes([IsAuthenticated])
def feedback_list(request: Request) -> Response:
    """Reports about the stations of the user's subtree (the desk's inbox)."""
    _require(request, None)
    status_ = _query(sz.FeedbackFilterSerializer, request).validated_data["status"]
    qs = station_selectors.inbox_feedback(user=request.user, status=status_)
    return _paginated(request, qs, sz.FeedbackSerializer)


@extend_schema(request=sz.AnswerInSerializer, responses={200: sz.FeedbackSerializer, **AUTH_ERRORS}, tags=["field"])
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def feedback_answer(request: Request, pk: int) -> Response:
    """Answer a report and optionally close it (the desk's answer form and service)."""
    _require(request, Role.EDIT_ROLES)
    fb = Feedback.objects.editable_by(request.user).select_related("station__union").filter(pk=pk).first()
    if fb is None:
        raise Http404
    form = AnswerForm(request.data if hasattr(request.data, "get") else None)
    if not form.is_valid():
        raise _form_errors(form)
    try:
        fb = station_services.feedback_answer(
            feedback=fb, answer=form.cleaned_data["answer"], close=form.cleaned_data["close"], by=request.user
        )
    except PermissionDenied:
        raise exceptions.PermissionDenied() from None
    except ValidationError as e:
        raise exceptions.ValidationError({"non_field_errors": e.messages}) from None
    return Response(sz.FeedbackSerializer(fb).data)


# --- 七有 inspections ---------------------------------------------------------------------


def _inspection_form_data(data) -> dict:
    """The API's {inspected_on, inspector_name, items: [{item, passed, note}]} as the desk
    form's fields (item_<code> = pass/fail, note_<code>); form fields pass through as they are."""
    out = {k: v for k, v in data.items() if k != "items"}
    items = data.get("items") if hasattr(data, "get") else None
    if isinstance(items, list):
        for row in items:
            if not isinstance(row, dict) or row.get("item") not in Inspection.Item.values:
                raise exceptions.ValidationError({"items": [_("Each item needs a known code.")]})
            out[f"item_{row['item']}"] = "pass" if row.get("passed") is True else "fail"
            out[f"note_{row['item']}"] = str(row.get("note") or "")
    return out


@extend_schema(
    request=sz.InspectionInSerializer, responses={201: sz.InspectionSerializer, **AUTH_ERRORS}, tags=["field"]
)
@api_view(["POST"])
@permission_classes([IsAuthenticated])
def inspection_create(request: Request, pk: int) -> Response:
    """Record a 七有 inspection of a station the user may edit (failed items need photos:
    multipart with photos_<code>)."""
    _require(request, Role.EDIT_ROLES)
    station = station_selectors.desk_station(user=request.user, pk=parse_id(pk), editable=True)
    if station is None:
        raise Http404
    if not hasattr(request.data, "items"):
        raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON object or a form.")]})
    form = InspectionForm(_inspection_form_data(request.data), request.FILES or None)
    if not form.is_valid():
        raise _form_errors(form)
    try:
        inspection = station_services.inspection_record(
            station=station,
            inspected_on=form.cleaned_data["inspected_on"],
            results=form.results(),
            photos=form.photos(),
            inspector_name=form.cleaned_data["inspector_name"],
            by=request.user,
        )
    except PermissionDenied:
        raise exceptions.PermissionDenied() from None
    return Response(sz.InspectionSerializer(inspection).data, status=status.HTTP_201_CREATED)
