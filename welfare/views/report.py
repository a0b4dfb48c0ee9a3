"""The welfare report (page and Excel) and the Spring Festival plan."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.core.decorators import role_required
from unionportal.core.models import Union

from .. import reports, selectors, services
from ..forms import (
    PeriodForm,
)
from ..models import (
    WELFARE,
    HandoutLine,
    YearlyCap,
)
from ._common import XLSX, _log_export, _stamp


@role_required(WELFARE)
def festival_plan(request: HttpRequest) -> HttpResponse:
    """Households due a Spring Festival visit this season, by subsidiary, against the yearly cap."""
    today = timezone.localdate()
    start, end = reports.due_this_season(today)
    files = selectors.files_visible(user=request.user)
    due = list(
        reports.files_needing_visit(files, start, end).select_related("union").order_by("union__path", "pk")[:2000]
    )
    year = end.year if today.month <= 2 else today.year
    given = reports.yearly_given([f.pk for f in due], year)
    caps = list(YearlyCap.objects.filter(year=year).select_related("union"))
    groups: dict[int, dict] = defaultdict(lambda: {"union": None, "rows": []})
    for f in due:
        cap = selectors.cap_for(f.union, caps)
        total = given.get(f.pk, Decimal(0))
        g = groups[f.union_id]
        g["union"] = f.union
        g["rows"].append(
            {
                "file": f,
                "given": total,
                "cap": cap,
                "room": (cap - total) if cap is not None else None,
                "over": cap is not None and total >= cap,
            }
        )
    return render(
        request,
        "welfare/festival_plan.html",
        {
            "groups": list(groups.values()),
            "start": start,
            "end": end,
            "year": year,
            "count": len(due),
        },
    )


def _report(user, union: Union | None, start: dt.date, end: dt.date) -> dict:
    files = selectors.files_visible(user=user)
    visits = selectors.visits_visible(user=user)
    assistance = selectors.assistance_visible(user=user)
    lines = HandoutLine.objects.filter(handout__in=_handouts(user))
    if union is not None:
        files = files.filter(union__path__startswith=union.path)
        visits = visits.filter(union__path__startswith=union.path)
        assistance = assistance.filter(union__path__startswith=union.path)
        lines = lines.filter(handout__union__path__startswith=union.path)
    return reports.report_data(files=files, visits=visits, assistance=assistance, lines=lines, start=start, end=end)


def _handouts(user):
    return selectors.handouts_visible(user=user).values("pk")


@role_required(WELFARE)
def report(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None, user=request.user)
    start, end = reports.default_period()
    union = None
    if form.is_bound and form.is_valid():
        union = form.cleaned_data["union"]
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    data = _report(request.user, union, start, end)
    if request.GET.get("format") == "xlsx":
        reveal = request.GET.get("reveal") == "1"
        if reveal and not services.can_reveal(request.user):
            raise PermissionDenied
        files = selectors.files_visible(user=request.user)
        if union is not None:
            files = files.filter(union__path__startswith=union.path)
        content = reports.report_workbook(data=data, union=union, files=files, reveal=reveal)
        _log_export(request, _("Excel welfare report") + (" " + _("(ID numbers revealed)") if reveal else ""))
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="welfare-report-{_stamp()}.xlsx"'
        return response
    return render(
        request,
        "welfare/report.html",
        {
            "form": form,
            "data": data,
            "chart": reports.chart_data(data),
            "union": union,
            "can_reveal": services.can_reveal(request.user),
        },
    )
