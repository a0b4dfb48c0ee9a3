"""`make bench` rows of the year-end report (issue #14: the whole city's report < 2 s)."""

import statistics
import time

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from .models import Union
from .yearend import workbook, yearend_report

RUNS = 3


def _row(name: str, value: float, unit: str, target: str, ok: bool) -> dict:
    return {"name": name, "value": round(value, 3), "unit": unit, "target": target, "ok": ok}


def run() -> list[dict]:
    # The city: the first root (the demo's 北京市总工会; bench federations are later roots).
    city = Union.objects.filter(depth=1).order_by("path").first()
    if city is None:
        return [_row("year-end: no unions (run seed_demo)", 0, "", "", False)]
    below = Union.objects.filter(path__startswith=city.path).count()
    # A superuser sees every section, welfare included: the most work a report does.
    user = get_user_model()(username="bench-yearend", is_superuser=True, is_active=True)
    year = timezone.localdate().year
    yearend_report(user=user, union=city, year=year)  # warm
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as q:
            report = yearend_report(user=user, union=city, year=year)
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    data = workbook(report)
    book = time.perf_counter() - t0
    med = statistics.median(times)
    return [
        _row(
            f"year-end report, whole city ({below} unions, {len(report['sections'])} sections, "
            f"{len(q.captured_queries)} queries) median of {RUNS}",
            med,
            "s",
            "< 2",
            med < 2,
        ),
        _row(f"year-end workbook ({len(data) // 1024} KiB) from the report", book, "s", "", True),
        _row("year-end report + workbook", med + book, "s", "< 2", med + book < 2),
    ]
