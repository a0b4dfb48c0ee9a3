"""In-process measurements of welfare for `make bench` (after seed_scale); never asserted in tests."""

import datetime as dt
import statistics
import time
import tracemalloc

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import Client

from . import identity
from .models import HardshipFile, Visit

RUNS = 7


def pages() -> list[tuple]:
    """The welfare desk's file list, signed in as the demo welfare officer (bench/run.py sends
    that user's session); the rest is measured in run()."""
    return [("welfare files desk", "/desk/welfare/files/", "beifang_welfare")]


def _client():
    User = get_user_model()
    user = User.objects.filter(is_superuser=True).order_by("pk").first()
    if user is None:
        return None
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def _timed(fn, runs: int = RUNS) -> tuple[float, float, object]:
    times, result = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        result = fn()
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]
    return statistics.median(times), p95, result


def _row(name, value, unit, target, ok) -> dict:
    return {"name": f"welfare: {name}", "value": round(float(value), 1), "unit": unit, "target": target, "ok": bool(ok)}


def run() -> list[dict]:
    client = _client()
    if client is None:
        return [_row("no superuser: skipped", 0, "", "", False)]
    rows = []
    n_files = HardshipFile.objects.count()
    n_visits = Visit.objects.count()
    rows.append(
        _row(
            f"volume: files ({n_visits} visits)",
            n_files,
            "rows",
            "100,000 files / 1M visits",
            n_files >= 100_000 and n_visits >= 1_000_000,
        )
    )

    p50, p95, _r = _timed(lambda: client.get("/desk/welfare/report/"))
    rows.append(_row("report p50", p50, "ms", "< 1000 ms", p50 < 1000))
    rows.append(_row("report p95", p95, "ms", "< 1000 ms", p95 < 1000))

    client.get("/admin/welfare/visit/")  # warm
    queries = []
    with connection.execute_wrapper(
        lambda execute, sql, params, many, context: (queries.append(sql), execute(sql, params, many, context))[1]
    ):
        client.get("/admin/welfare/visit/")
    p50, p95, _r = _timed(lambda: client.get("/admin/welfare/visit/"))
    rows.append(_row("visit admin first page p50", p50, "ms", "< 150 ms", p50 < 150))
    rows.append(
        _row(
            "visit admin first page queries",
            len(queries),
            "queries",
            "<= 6",
            len(queries) <= 6,
        )
    )

    sample = HardshipFile.objects.exclude(name="").order_by("-pk").values_list("pk", "name").first()
    if sample:
        name = sample[1][:2]
        p50, _p95, _r = _timed(lambda: client.get("/desk/welfare/files/", {"q": name}))
        rows.append(_row("file search by name p50", p50, "ms", "< 300 ms", p50 < 300))
        p50, _p95, _r = _timed(lambda: client.get("/admin/welfare/visit/", {"q": name}))
        rows.append(_row("visit admin search by name p50", p50, "ms", "< 300 ms", p50 < 300))
    full_id = identity.make_fictional("110101", dt.date(1960, 1, 1), 1)
    p50, _p95, _r = _timed(lambda: client.get("/desk/welfare/files/", {"q": full_id}))
    rows.append(_row("file search by full ID number p50", p50, "ms", "< 300 ms", p50 < 300))
    p50, _p95, _r = _timed(lambda: client.get("/admin/welfare/visit/", {"q": full_id}))
    rows.append(_row("visit admin search by full ID number p50", p50, "ms", "< 300 ms", p50 < 300))
    t0 = time.perf_counter()
    client.get("/desk/welfare/files/export.xlsx")
    rows.append(_row("Excel export of all files, time", (time.perf_counter() - t0) * 1000, "ms", "-", True))

    tracemalloc.start()
    t0 = time.perf_counter()
    response = client.get("/desk/welfare/files/export.xlsx")
    elapsed = time.perf_counter() - t0
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows.append(
        _row(
            f"Excel export of all files peak memory ({elapsed:.1f} s)",
            peak / 2**20,
            "MB",
            "< 200 MB",
            peak < 200 * 2**20 and response.status_code == 200,
        )
    )

    tracemalloc.start()
    t0 = time.perf_counter()
    response = client.get("/desk/welfare/visits/export.csv")
    stream = iter(response.streaming_content)
    next(stream)
    next(stream)
    first_byte = (time.perf_counter() - t0) * 1000
    base, _peak = tracemalloc.get_traced_memory()
    size = 0
    for chunk in stream:
        size += len(chunk)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rows.append(_row("visits CSV first byte", first_byte, "ms", "< 1000 ms", first_byte < 1000))
    rows.append(
        _row(
            f"visits CSV memory growth ({size / 2**20:.0f} MB streamed)",
            (peak - base) / 2**20,
            "MB",
            "< 100 MB",
            peak - base < 100 * 2**20,
        )
    )
    return rows
