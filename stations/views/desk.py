"""The desk (staff): stations of the user's subtree, the reports inbox, coverage of demand points."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.core.decorators import role_required
from unionportal.core.models import Role
from unionportal.core.scoping import holds_any

from .. import selectors, services
from ..forms import AnswerForm, CoverageForm
from ..maps import tile_config
from ..models import Feedback, Inspection, Station
from .finder import PAGE_SIZE, parse_filters


@role_required()
def desk_list(request: HttpRequest) -> HttpResponse:
    """Stations of the user's subtree, with the compliance filter (never inspected / failing an item)."""
    f = parse_filters(request)
    compliance = request.GET.get("compliance", "")
    qs = selectors.desk_stations(user=request.user, filters=f, compliance=compliance, now=timezone.localtime())
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
            "may_add": holds_any(request.user, Role.EDIT_ROLES),
        },
    )


@role_required()
def inbox(request: HttpRequest) -> HttpResponse:
    """Ratings and problem reports for the stations of the user's subtree."""
    status = request.GET.get("status", "open")
    qs = selectors.inbox_feedback(user=request.user, status=status)
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
    rows = selectors.coverage_rows(user=request.user, distance=distance)
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
            "may_edit": holds_any(request.user, Role.EDIT_ROLES),
        },
    )
