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

from .. import coverage as coverage_mod
from .. import selectors, services
from ..forms import AnswerForm, CoverageForm
from ..maps import tile_config
from ..models import Feedback, Inspection, Station, Weekday
from .finder import PAGE_SIZE, parse_filters

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def _coverage_params(request: HttpRequest) -> tuple[CoverageForm, int, int, int]:
    """The form and its weekday, hour (default: now, local) and walking metres (default 1,000);
    bad values fall back to the defaults."""
    form = CoverageForm(request.GET or None)
    now = timezone.localtime()
    weekday, hour, distance = now.weekday(), now.hour, 1000
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        weekday = data["weekday"] if data["weekday"] not in (None, "") else weekday
        hour = data["hour"] if data["hour"] not in (None, "") else hour
        distance = data["distance"] or distance
    return form, weekday, hour, distance


@role_required()
def coverage(request: HttpRequest) -> HttpResponse:
    """Demand points of the user's subtree with no station open within a walk at the chosen hour;
    the week's profile, its worst gaps and the stations whose longer hours would close them."""
    form, weekday, hour, distance = _coverage_params(request)
    points = list(coverage_mod.demand_points_for(request.user))
    moment = coverage_mod.moment_for(weekday, hour)
    rows = coverage_mod.coverage_at(points, moment=moment, walk_m=distance)
    profile = coverage_mod.week_profile(points, walk_m=distance)
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
    days = [str(label) for _v, label in Weekday.choices]
    chart = {
        "labels": [f"{days[h['weekday']]} {h['clock']:02d}:00" for h in profile["hours"]],
        "values": [round(100 * h["share"], 1) for h in profile["hours"]],
        "name": _("Share of demand points covered (%)"),
        "current": weekday * 24 + hour,
    }
    uncovered = sum(1 for r in rows if r["uncovered"])
    search_cells = coverage_mod.search_cells(user=request.user, walk_m=distance)
    return render(
        request,
        "stations/coverage.html",
        {
            "form": form,
            "weekday": weekday,
            "hour": hour,
            "weekdays": Weekday.choices,
            "hours": [(h, f"{h:02d}:00") for h in range(24)],
            "distance": distance,
            "minutes": coverage_mod.walk_minutes(distance),
            "speed": coverage_mod.walk_kmh(),
            "factor": coverage_mod.detour_factor(),
            "rows": rows,
            "markers": markers,
            "chart": chart,
            "gaps": [
                {**g, "label": f"{days[g['weekday']]} {g['clock']:02d}:00", "pct": round(100 * g["uncovered_share"])}
                for g in profile["gaps"]
            ],
            "tiles": tile_config(),
            "uncovered": uncovered,
            "total": len(rows),
            "may_edit": holds_any(request.user, Role.EDIT_ROLES),
            "search_cells": search_cells,
        },
    )


@role_required()
def coverage_export(request: HttpRequest) -> HttpResponse:
    """Uncovered demand points of the user's subtree, one sheet per hour of the chosen weekday
    (or every hour of the week with ?week=1), for planning new stations."""
    import tablib

    form, weekday, _hour, distance = _coverage_params(request)
    points = list(coverage_mod.demand_points_for(request.user))
    profile = coverage_mod.uncovered_by_hour(points, walk_m=distance)
    days = [str(label) for _v, label in Weekday.choices]
    book = tablib.Databook()
    headers = [_("Demand point"), _("Kind"), _("Union"), _("Latitude"), _("Longitude"), _("Outdoor workers")]
    summary = tablib.Dataset(
        headers=[_("Weekday"), _("Hour"), _("Uncovered"), _("Demand points")], title=_("Summary")[:31]
    )
    for h, idx in enumerate(profile["uncovered"]):
        summary.append([days[h // 24], f"{h % 24:02d}:00", len(idx), profile["total"]])
    book.add_sheet(summary)
    for h in range(weekday * 24, weekday * 24 + 24):
        sheet = tablib.Dataset(headers=headers, title=f"{days[h // 24]} {h % 24:02d}h"[:31])
        for i in profile["uncovered"][h]:
            p = points[i]
            sheet.append([p.name, p.get_kind_display(), p.union.name, p.lat, p.lng, p.workers])
        book.add_sheet(sheet)
    response = HttpResponse(book.export("xlsx"), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="coverage-{timezone.localdate():%Y%m%d}-{weekday}.xlsx"'
    return response
