"""In-process measurements for `make bench` (after `seed_scale --stations N`)."""

import random
import statistics
import time

from .models import Station
from .nearby import full_scan, nearby
from .selectors import search_rows

RUNS = 200


def pages() -> list[tuple[str, str]]:
    first = Station.objects.public().order_by("pk").values_list("pk", flat=True).first()
    out = [("station finder", "/stations/"), ("station stats", "/stations/stats/")]
    if first:
        out.insert(0, ("station page", f"/stations/{first}/"))
    return out


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def _row(name: str, value: float, unit: str, target: str, ok: bool) -> dict:
    return {"name": name, "value": round(value, 3), "unit": unit, "target": target, "ok": ok}


def run() -> list[dict]:
    base = Station.objects.public()
    total = base.count()
    if not total:
        return [_row("stations: no stations (run seed_scale --stations N)", 0, "", "", False)]
    rng = random.Random(20)
    # The same 200 points on every run (stations picked by key, moved up to about 2 km), read
    # once to warm the caches, then timed: steady state, as a server answers.
    pks = list(base.order_by("pk").values_list("pk", flat=True))
    sample = list(base.filter(pk__in=rng.sample(pks, min(RUNS, len(pks)))).values_list("lat", "lng"))
    points = [(lat + rng.uniform(-0.02, 0.02), lng + rng.uniform(-0.02, 0.02)) for lat, lng in sample]
    for lat, lng in points:
        nearby(base, lat=lat, lng=lng, limit=20)
    times = []
    for lat, lng in points:
        t0 = time.perf_counter()
        nearby(base, lat=lat, lng=lng, limit=20)
        times.append((time.perf_counter() - t0) * 1000)
    scans = []
    for lat, lng in points[:5]:
        t0 = time.perf_counter()
        full_scan(base, lat=lat, lng=lng, limit=20)
        scans.append((time.perf_counter() - t0) * 1000)
    p50, p95, scan = statistics.median(times), _pct(times, 95), statistics.median(scans)
    rows = [
        _row(f"nearby 20 of {total} p50", p50, "ms", "", True),
        _row(f"nearby 20 of {total} p95", p95, "ms", "< 10", p95 < 10),
        _row("nearby speed-up over full scan (median)", scan / p50 if p50 else 0, "x", ">= 20", scan / p50 >= 20),
    ]
    names = list(base.filter(pk__in=rng.sample(pks, min(50, len(pks)))).values_list("name", flat=True))
    for length in (1, 2, 3, 4):
        terms = [n[:length] for n in names] + ["lxz"[:length]]
        for term in terms:
            search_rows(base, term)  # warm
        times = []
        for term in terms:
            t0 = time.perf_counter()
            search_rows(base, term)
            times.append((time.perf_counter() - t0) * 1000)
        p95 = _pct(times, 95)
        rows.append(_row(f"q search {length}-char p95 (up to 1,000 matches, sorted)", p95, "ms", "< 50", p95 < 50))
    return rows
