"""The year-end report (年度统计上报表): one union's figures for one calendar year, rolled up
over its subtree, section by section, for the page, its charts and the upward workbook.

Each app contributes a section from its own `yearend.py` (discovered at start-up, see
apps.py) through `registry.yearend_section(key, label, build, visible=..., order=...)`:

    build(*, union, year) -> {"figures": [(label, value), ...], "tables": [table(...), ...]}

The builds read through their app's selectors: a few flat aggregate queries over
`<union field>__path__startswith=union.path` (the subtree in one filter, never a loop over
unions). This module also holds the activities section (the core's own records).
"""

import datetime as dt
import io
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from . import registry

MIN_YEAR = 2000


def year_parse(value) -> int:
    """The report year from user input; a ValidationError with a readable message otherwise."""
    text = str(value if value is not None else "").strip()
    if not text.isdigit():
        raise ValidationError(_("The year must be a number such as {year}.").format(year=timezone.localdate().year))
    year = int(text)
    latest = timezone.localdate().year + 1
    if not MIN_YEAR <= year <= latest:
        raise ValidationError(_("The year must be between {first} and {last}.").format(first=MIN_YEAR, last=latest))
    return year


def year_bounds(year: int) -> tuple[dt.datetime, dt.datetime]:
    """The year as [start, end) in local time, for date-time fields (date fields use __year)."""
    tz = timezone.get_current_timezone()
    return dt.datetime(year, 1, 1, tzinfo=tz), dt.datetime(year + 1, 1, 1, tzinfo=tz)


def _number(value) -> bool:
    return isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)


def table(title, headers: list, rows: list[list], *, chart: str | None = "bar", total: bool = True) -> dict:
    """One table of a section: rows of [label, number, ...]; with `total`, a totals row summing
    each numeric column; `chart` ("bar" or "pie") draws its first numeric column."""
    out = {"title": str(title), "headers": [str(h) for h in headers], "rows": rows, "chart": chart, "total": None}
    if total and rows:
        sums = [pgettext("yearend", "Total")]
        for col in range(1, len(headers)):
            values = [r[col] for r in rows if col < len(r)]
            sums.append(sum(values) if values and all(_number(v) for v in values) else "")
        out["total"] = sums
    return out


def yearend_report(*, user, union, year: int) -> dict:
    """The sections of the report the user may see, built for `union`'s subtree and `year`."""
    sections = []
    for s in registry.YEAREND:
        if s.visible is not None and not s.visible(user=user, union=union):
            continue
        data = s.build(union=union, year=year)
        sections.append({"key": s.key, "label": str(s.label), **data})
    return {"union": union, "year": year, "generated_at": timezone.localtime(), "sections": sections}


def chart_data(report: dict) -> list[dict]:
    """What the page's charts draw: one per charted table, first numeric column."""
    charts = []
    for section in report["sections"]:
        for i, t in enumerate(section["tables"]):
            if not t["chart"] or not t["rows"]:
                continue
            charts.append(
                {
                    "id": f"chart-{section['key']}-{i}",
                    "type": t["chart"],
                    "title": t["title"],
                    "labels": [str(r[0]) for r in t["rows"]],
                    "values": [float(r[1]) if isinstance(r[1], Decimal) else r[1] for r in t["rows"]],
                }
            )
    return charts


def _sheet_title(label: str, used: set[str]) -> str:
    title = "".join(c for c in label if c not in "[]:*?/\\")[:31] or "Sheet"
    base, n = title, 2
    while title in used:
        title = f"{base[:28]} {n}"
        n += 1
    used.add(title)
    return title


def workbook(report: dict, *, by=None) -> bytes:
    """The upward report (上报表): a cover sheet, then one sheet per section with totals rows."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font
    from openpyxl.utils import get_column_letter

    bold, big = Font(bold=True), Font(bold=True, size=14)
    book = Workbook()
    cover = book.active
    used: set[str] = set()
    cover.title = _sheet_title(_("Cover"), used)
    cover.append([_("Year-end statistics report")])
    cover["A1"].font = big
    cover.append([])
    cover.append([_("Union"), report["union"].name])
    cover.append([_("Year"), report["year"]])
    cover.append([_("Generated at"), report["generated_at"].strftime("%Y-%m-%d %H:%M")])
    if by is not None:
        cover.append([_("Prepared by"), by.get_full_name() or by.get_username()])
    cover.append([])
    cover.append([_("Sections")])
    cover.cell(row=cover.max_row, column=1).font = bold
    for section in report["sections"]:
        cover.append([section["label"]])
    cover.column_dimensions["A"].width = 18
    cover.column_dimensions["B"].width = 40
    for section in report["sections"]:
        sheet = book.create_sheet(_sheet_title(section["label"], used))
        sheet.append([f"{report['union'].name} · {report['year']} · {section['label']}"])
        sheet["A1"].font = big
        if section["figures"]:
            sheet.append([])
            for label, value in section["figures"]:
                sheet.append([str(label), value])
        for t in section["tables"]:
            sheet.append([])
            sheet.append([t["title"]])
            sheet.cell(row=sheet.max_row, column=1).font = bold
            sheet.append(t["headers"])
            for cell in sheet[sheet.max_row]:
                cell.font = bold
            for row in t["rows"]:
                sheet.append([str(v) if not _number(v) else v for v in row])
            if t["total"]:
                sheet.append(t["total"])
                for cell in sheet[sheet.max_row]:
                    cell.font = bold
        sheet.column_dimensions["A"].width = 34
        for col in range(2, 7):
            sheet.column_dimensions[get_column_letter(col)].width = 16
        sheet["A1"].alignment = Alignment(wrap_text=False)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- The core's own section: activities --------------------------------------------------------


def activities_section(*, union, year: int) -> dict:
    from .models import Activity
    from .selectors import yearend_activities

    counts = yearend_activities(union=union, year=year)
    rows = [[label, *counts.get(code, (0, 0))] for code, label in Activity.Kind.choices]
    held = sum(r[1] for r in rows)
    people = sum(r[2] for r in rows)
    return {
        "figures": [(_("Activities held"), held), (_("Participants"), people)],
        "tables": [table(_("Activities by kind"), [_("Kind"), _("Activities"), _("Participants")], rows)],
    }


registry.yearend_section("activities", gettext_lazy("Activities"), activities_section, order=90)
registry.nav(gettext_lazy("Year-end statistics"), "core:yearend", desk=True, order=80)


def _bench() -> list[dict]:
    from .yearend_bench import run

    return run()


registry.bench("yearend", _bench)
