"""`make bench` rows of the year-end report (issue #14: the whole city's report < 2 s).

Measured for the demo's city (the first root) and for the root with the largest tree (at the
bench's scale the roster's federation of 100,000 unions; the scale seeders spread stations,
studios and activities over every union), as a superuser: every section, welfare included.
"""

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


def _measure(user, root: Union, size: int, year: int) -> list[dict]:
    yearend_report(user=user, union=root, year=year)  # warm
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        with CaptureQueriesContext(connection) as q:
            report = yearend_report(user=user, union=root, year=year)
        times.append(time.perf_counter() - t0)
    t0 = time.perf_counter()
    workbook(report)
    book = time.perf_counter() - t0
    med = statistics.median(times)
    what = f"{root.name}: {size} unions, {len(report['sections'])} sections, {len(q.captured_queries)} queries"
    return [
        _row(f"year-end report, whole tree ({what}) median of {RUNS}", med, "s", "< 2", med < 2),
        _row(f"year-end report + its workbook ({root.name})", med + book, "s", "< 2", med + book < 2),
    ]


def run() -> list[dict]:
    roots = list(Union.objects.filter(depth=1).order_by("path"))
    if not roots:
        return [_row("year-end: no unions (run seed_demo)", 0, "", "", False)]
    sizes = {r.pk: Union.objects.filter(path__startswith=r.path).count() for r in roots}
    largest = max(roots, key=lambda r: sizes[r.pk])
    user = get_user_model()(username="bench-yearend", is_superuser=True, is_active=True)
    year = timezone.localdate().year
    rows = []
    for root in dict.fromkeys([roots[0], largest]):
        rows += _measure(user, root, sizes[root.pk], year)
    return rows
