"""Public station statistics: the page and its workbook."""

import tablib
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from unionportal.core import pagecache
from unionportal.core.text import bars

from .. import coverage, selectors
from ..models import Weekday

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


STATS_SECONDS = 300  # the figures are recounted once per slot of this length
COVERAGE_SECONDS = 600  # the coverage shares once per slot of this length
TOWN_BARS = 10  # towns drawn as bars (the busiest); the table below lists them all


@pagecache.page("stations-stats", lambda request: pagecache.bucket(STATS_SECONDS), fresh=COVERAGE_SECONDS)
def stats(request: HttpRequest) -> HttpResponse:
    # Per time slot (the page cache follows the same slots): a station edit shows within
    # COVERAGE_SECONDS, the freshness the footer states.
    language = translation.get_language() or ""
    data = cache.get_or_set(
        f"stations:stats-page:{language}:{pagecache.bucket(STATS_SECONDS)}", selectors.station_stats, 2 * STATS_SECONDS
    )
    chart = {
        "months": {
            "labels": [m for m, _v, _u in data["months"]],
            "visits": [v for _m, v, _u in data["months"]],
            "visitors": [u for _m, _v, u in data["months"]],
        },
        "names": {"visits": _("Visits"), "visitors": _("Visitors")},
    }
    shares = cache.get_or_set(
        f"stations:stats-page:coverage:{pagecache.bucket(COVERAGE_SECONDS)}",
        coverage.network_shares,
        2 * COVERAGE_SECONDS,
    )
    days = [str(label) for _v, label in Weekday.choices]
    chart["coverage"] = {
        "labels": [f"{days[h // 24]} {h % 24:02d}:00" for h in range(len(shares))],
        "values": shares,
        "name": _("Demand points with an open station within a 1 km walk (%)"),
    }
    worst = min(range(len(shares)), key=lambda h: (shares[h], h)) if shares else None
    context = {
        **data,
        # The first screen's two charts are bars drawn by the page itself (no script to run as
        # it opens); ECharts draws the ones further down when they come near (stats.js).
        "kind_bars": bars(data["by_kind"]),
        "status_bars": bars(data["by_status"]),
        "town_bars": bars(sorted(data["by_town"], key=lambda row: -row[1])[:TOWN_BARS]),
        "chart": chart,
        "coverage_shares": shares,
        "coverage_worst": chart["coverage"]["labels"][worst] if worst is not None else "",
        "coverage_worst_share": shares[worst] if worst is not None else None,
    }
    return render(request, "stations/stats.html", context)


def stats_export(request: HttpRequest) -> HttpResponse:
    data = selectors.station_stats_cached()
    book = tablib.Databook()
    for title, rows, headers in [
        (_("By kind"), data["by_kind"], [_("Kind"), _("Stations")]),
        (_("By town"), data["by_town"], [_("Town/street"), _("Stations")]),
        (_("By status"), data["by_status"], [_("Status"), _("Stations")]),
        (_("Visits by month"), data["months"], [_("Month"), _("Visits"), _("Visitors")]),
        (_("Visits by station"), [r[1:] for r in data["top"]], [_("Station"), _("Visits"), _("Visitors")]),
        (
            _("Visits by station and month"),
            data["by_station_month"],
            [_("Station"), _("Month"), _("Visits"), _("Visitors")],
        ),
    ]:
        book.add_sheet(tablib.Dataset(*rows, headers=headers, title=title[:31]))
    response = HttpResponse(book.export("xlsx"), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="station-stats-{timezone.localdate():%Y%m%d}.xlsx"'
    return response
