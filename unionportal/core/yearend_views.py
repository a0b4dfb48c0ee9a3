"""The desk's year-end report page and its upward workbook (see unionportal.core.yearend)."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors
from .decorators import role_required
from .yearend import chart_data, workbook, year_parse, yearend_report

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _choose(request: HttpRequest) -> tuple:
    """(union, year, error message, status) from the query: the union defaults to the user's
    topmost one, the year to this one; a union outside the user's subtree is not found."""
    choices = selectors.yearend_unions(user=request.user)
    try:
        year = year_parse(request.GET.get("year") or timezone.localdate().year)
    except ValidationError as e:
        return choices, None, None, e.messages[0], 400
    raw = request.GET.get("union")
    if raw in (None, ""):
        union = choices[0] if choices else None
    else:
        union = selectors.yearend_union(user=request.user, pk=raw)
    if union is None:
        return choices, None, year, _("No such union among yours."), 404
    return choices, union, year, "", 200


@role_required()
def yearend(request: HttpRequest) -> HttpResponse:
    choices, union, year, error, status = _choose(request)
    report = yearend_report(user=request.user, union=union, year=year) if not error else None
    if union is not None and all(u.pk != union.pk for u in choices):
        choices = [union, *choices]
    this_year = timezone.localdate().year
    context = {
        "choices": choices,
        "union": union,
        "year": year,
        "years": list(range(this_year, this_year - 6, -1)),
        "error": error,
        "report": report,
        "charts": chart_data(report) if report else [],
    }
    return render(request, "core/yearend.html", context, status=status)


@role_required()
def yearend_export(request: HttpRequest) -> HttpResponse:
    _choices, union, year, error, status = _choose(request)
    if error:
        return render(request, "core/yearend.html", {"error": error, "choices": _choices}, status=status)
    report = yearend_report(user=request.user, union=union, year=year)
    response = HttpResponse(workbook(report, by=request.user), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="yearend-{union.pk}-{year}.xlsx"'
    return response
