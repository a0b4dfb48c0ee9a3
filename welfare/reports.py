"""Figures for the welfare report and its exports: a fixed number of aggregate queries."""

import csv
import datetime as dt
from collections.abc import Iterator
from decimal import Decimal

from django.db.models import Count, Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from unionportal.core.models import Union
from unionportal.core.scoping import union_scope

from . import identity
from .models import WELFARE, Assistance, HandoutLine, HardshipFile, Visit
from .xlsx import Bold, Workbook


def default_period() -> tuple[dt.date, dt.date]:
    """The last five calendar years, this one included."""
    today = timezone.localdate()
    return dt.date(today.year - 4, 1, 1), dt.date(today.year, 12, 31)


def report_data(*, files, visits, assistance, lines, start: dt.date, end: dt.date) -> dict:
    """Aggregates over already-scoped querysets (5 queries, whatever the volume)."""
    by_category: dict[str, dict[str, int]] = {}
    for row in files.values("category", "status").annotate(n=Count("pk")).order_by():
        by_category.setdefault(row["category"], {})[row["status"]] = row["n"]
    # One pass over the visits, grouped by occasion and year; both tables are folded from it.
    by_occasion: dict[str, dict] = {}
    years: dict[int, dict] = {}

    def year_row(year: int) -> dict:
        return years.setdefault(
            year, {"year": year, "visits": 0, "given": Decimal(0), "measures": 0, "assistance": Decimal(0)}
        )

    for row in (
        visits.filter(date__gte=start, date__lte=end)
        .annotate(year=ExtractYear("date"))
        .values("occasion", "year")
        .annotate(n=Count("pk"), money=Sum("money"), goods=Sum("goods_value"))
        .order_by()
    ):
        money, goods = row["money"] or Decimal(0), row["goods"] or Decimal(0)
        o = by_occasion.setdefault(
            row["occasion"], {"occasion": row["occasion"], "n": 0, "money": Decimal(0), "goods": Decimal(0)}
        )
        o["n"] += row["n"]
        o["money"] += money
        o["goods"] += goods
        y = year_row(row["year"])
        y["visits"] += row["n"]
        y["given"] += money + goods
    visit_rows = [by_occasion[k] for k in sorted(by_occasion)]
    assist_rows = list(
        assistance.filter(date__gte=start, date__lte=end)
        .values("kind")
        .annotate(n=Count("pk"), amount=Sum("amount"))
        .order_by("kind")
    )
    supply_rows = list(
        lines.filter(handout__at__date__gte=start, handout__at__date__lte=end)
        .values("item__name", "item__unit")
        .annotate(quantity=Sum("quantity"), recipients=Count("handout", distinct=True))
        .order_by("item__name", "item__unit")
    )
    for row in (
        assistance.filter(date__gte=start, date__lte=end)
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(n=Count("pk"), amount=Sum("amount"))
        .order_by()
    ):
        y = year_row(row["year"])
        y["measures"], y["assistance"] = row["n"], row["amount"] or Decimal(0)
    categories = dict(HardshipFile.Category.choices)
    statuses = dict(HardshipFile.Status.choices)
    occasions = dict(Visit.Occasion.choices)
    kinds = dict(Assistance.Kind.choices)
    file_table = [
        {
            "category": categories.get(cat, _("Not yet set")),
            "counts": [counts.get(s, 0) for s in statuses],
            "total": sum(counts.values()),
        }
        for cat, counts in sorted(by_category.items())
    ]
    return {
        "start": start,
        "end": end,
        "statuses": list(statuses.values()),
        "file_table": file_table,
        "files_total": sum(r["total"] for r in file_table),
        "visits": [
            {
                "occasion": occasions.get(r["occasion"], r["occasion"]),
                "n": r["n"],
                "money": r["money"] or Decimal(0),
                "goods": r["goods"] or Decimal(0),
            }
            for r in visit_rows
        ],
        "assistance": [
            {"kind": kinds.get(r["kind"], r["kind"]), "n": r["n"], "amount": r["amount"] or Decimal(0)}
            for r in assist_rows
        ],
        "supplies": supply_rows,
        "years": [years[y] for y in sorted(years)],
        "money_total": sum((r["money"] or 0 for r in visit_rows), Decimal(0)),
        "goods_total": sum((r["goods"] or 0 for r in visit_rows), Decimal(0)),
        "assistance_total": sum((r["amount"] or 0 for r in assist_rows), Decimal(0)),
    }


def chart_data(data: dict) -> dict:
    """What the ECharts script draws (numbers as floats, labels as strings)."""
    return {
        "categories": [r["category"] for r in data["file_table"]],
        "files": [r["total"] for r in data["file_table"]],
        "occasions": [str(r["occasion"]) for r in data["visits"]],
        "visits": [r["n"] for r in data["visits"]],
        "money": [float(r["money"] + r["goods"]) for r in data["visits"]],
    }


def report_workbook(*, data: dict, union: Union | None, files, reveal: bool) -> bytes:
    """The Excel layout a higher union asks for: a summary sheet and a roster of files.

    The roster streams from a server-side cursor into the zip, so memory stays flat with volume.
    """
    wb = Workbook()
    b = Bold

    def summary():
        yield [b(_("Welfare report")), union.name if union else _("All my unions")]
        yield [b(_("Period")), f"{data['start']:%Y-%m-%d} – {data['end']:%Y-%m-%d}"]
        yield []
        yield [b(_("Category")), *(b(s) for s in data["statuses"]), b(pgettext("welfare", "Total"))]
        for r in data["file_table"]:
            yield [str(r["category"]), *r["counts"], r["total"]]
        yield []
        yield [b(_("Occasion")), b(pgettext("welfare", "Visits")), b(_("Money given")), b(_("Value of goods"))]
        for r in data["visits"]:
            yield [str(r["occasion"]), r["n"], r["money"], r["goods"]]
        yield []
        yield [b(_("Assistance")), b(_("Measures")), b(_("Amount"))]
        for r in data["assistance"]:
            yield [str(r["kind"]), r["n"], r["amount"]]
        yield []
        yield [
            b(_("Year")),
            b(pgettext("welfare", "Visits")),
            b(_("Given in visits")),
            b(_("Measures")),
            b(_("Assistance amount")),
        ]
        for r in data["years"]:
            yield [r["year"], r["visits"], r["given"], r["measures"], r["assistance"]]
        yield []
        yield [b(pgettext("welfare", "Item")), b(_("Unit")), b(_("Quantity handed out")), b(_("Recipients"))]
        for r in data["supplies"]:
            yield [r["item__name"], r["item__unit"], r["quantity"], r["recipients"]]

    def roster():
        yield [
            b(c)
            for c in (
                _("No."),
                _("Union"),
                pgettext("welfare", "Name"),
                _("Gender"),
                _("ID number"),
                _("Category"),
                _("Status"),
                _("Household size"),
                _("Per-capita monthly income"),
                _("Review due"),
            )
        ]
        categories = dict(HardshipFile.Category.choices)
        statuses = dict(HardshipFile.Status.choices)
        genders = dict(HardshipFile.Gender.choices)
        union_names = dict(Union.objects.values_list("pk", "name"))
        # The ciphertext is read only when the user asked (with permission) to reveal.
        id_col = "id_number_encrypted" if reveal else "id_number_masked"
        cols = [
            "union_id",
            "name",
            "gender",
            id_col,
            "category",
            "status",
            "household_size",
            "per_capita_monthly",
            "review_due",
        ]
        rows = files.values_list(*cols).order_by("union_id", "pk").iterator(chunk_size=5000)
        for n, (uid, name, gender, idv, cat, st, size, pc, due) in enumerate(rows, start=1):
            yield [
                n,
                union_names.get(uid, ""),
                name,
                str(genders.get(gender, "")),
                identity.decrypt(idv) if reveal else idv,
                str(categories.get(cat, "")),
                str(statuses.get(st, "")),
                size,
                pc,
                due,
            ]

    wb.sheet(pgettext("welfare", "Summary"), summary())
    wb.sheet(_("Hardship files"), roster())
    return wb.save()


class _Echo:
    def write(self, value):
        return value


VISIT_COLUMNS = [
    "pk",
    "date",
    "union__name",
    "file__name",
    "file__id_number_masked",
    "kind",
    "occasion",
    "site",
    "group_size",
    "visitors",
    "money",
    "goods",
    "goods_value",
    "next_follow_up",
]


def visits_csv(visits) -> Iterator[str]:
    """Rows of the visits CSV, produced as the database cursor advances (no list in memory).

    The rows are written while the server streams the response, after the view has returned
    and in whatever language the thread holds by then: every word (headers, kinds, occasions)
    is translated here, in the language of the request that asked for them.
    """
    header = [
        _("No."),
        _("Date"),
        _("Union"),
        _("Worker"),
        _("ID number"),
        _("Visited"),
        _("Occasion"),
        _("Site or group"),
        _("People"),
        pgettext("welfare", "Visitors"),
        _("Money given"),
        _("Goods given"),
        _("Value of goods"),
        _("Next follow-up"),
    ]
    kinds = {value: str(label) for value, label in Visit.Kind.choices}
    occasions = {value: str(label) for value, label in Visit.Occasion.choices}
    return _visits_csv_rows(visits, header, kinds, occasions)


def _visits_csv_rows(visits, header: list[str], kinds: dict, occasions: dict) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # Excel reads UTF-8 with a BOM
    yield writer.writerow(header)
    for row in visits.values_list(*VISIT_COLUMNS).order_by().iterator(chunk_size=5000):
        pk, date, union, worker, masked, kind, occasion, *rest = row
        yield writer.writerow(
            [
                pk,
                date,
                union,
                worker or "",
                masked or "",
                kinds.get(kind, kind),
                occasions.get(occasion, occasion),
                *("" if v is None else v for v in rest),
            ]
        )


def visits_total_given(visits) -> Decimal:
    agg = visits.aggregate(m=Sum("money"), g=Sum("goods_value"))
    return (agg["m"] or 0) + (agg["g"] or 0)


def due_this_season(today: dt.date) -> tuple[dt.date, dt.date]:
    """The Spring Festival season (送温暖): from 1 November to the end of February."""
    start_year = today.year if today.month >= 11 else today.year - 1
    return dt.date(start_year, 11, 1), dt.date(start_year + 1, 3, 1) - dt.timedelta(days=1)


def yearly_given(files_ids: list[int], year: int) -> dict[int, Decimal]:
    """Per file, what visits and assistance gave in the year (two grouped queries)."""
    out: dict[int, Decimal] = {}
    for row in (
        Visit.objects.filter(file_id__in=files_ids, date__year=year)
        .values("file_id")
        .annotate(m=Sum("money"), g=Sum("goods_value"))
        .order_by()
    ):
        out[row["file_id"]] = (row["m"] or 0) + (row["g"] or 0)
    for row in (
        Assistance.objects.filter(file_id__in=files_ids, date__year=year)
        .values("file_id")
        .annotate(a=Sum("amount"))
        .order_by()
    ):
        out[row["file_id"]] = out.get(row["file_id"], Decimal(0)) + (row["a"] or 0)
    return out


def files_needing_visit(files, start: dt.date, end: dt.date):
    """Active files not yet visited for the Spring Festival in the season."""
    visited = Visit.objects.filter(
        occasion=Visit.Occasion.SPRING, date__gte=start, date__lte=end, file__isnull=False
    ).values("file_id")
    return files.active().exclude(pk__in=visited)


def supplies_lines(user):
    return HandoutLine.objects.filter(handout__union__in=_scope(user))


def _scope(user):
    return union_scope(user, WELFARE)
