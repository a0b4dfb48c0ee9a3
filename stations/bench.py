"""In-process measurements for `make bench` (after `seed_scale --stations N`)."""

import random
import statistics
import time

from .models import Station
from .nearby import full_scan, nearby
from .selectors import search_rows

RUNS = 200


def pages() -> list[tuple[str, str]]:
    first = Station.objects.public().order_by("pk").values_list("pk", "lat", "lng").first()
    out = [
        ("station finder", "/stations/"),
        ("station finder with filters", "/stations/?kind=outdoor&open_now=1"),
        ("station stats", "/stations/stats/"),
    ]
    if first:
        pk, lat, lng = first
        out.insert(0, ("station page", f"/stations/{pk}/"))
        # A phone's view (390x844 px) around the first station: clustered at zoom 12, stations at 16.
        for zoom, (dlng, dlat) in ((12, (0.07, 0.11)), (16, (0.0045, 0.007))):
            bbox = f"{lng - dlng:.5f},{lat - dlat:.5f},{lng + dlng:.5f},{lat + dlat:.5f}"
            out.append((f"finder markers z{zoom}", f"/stations/markers?bbox={bbox}&zoom={zoom}"))
    # Signed in (a third field: the demo user whose session wrk sends).
    out.append(("stations desk", "/stations/desk/", "fangshan_officer"))
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
    return rows + coverage_rows(rng, sample)


def coverage_rows(rng: random.Random, sample: list[tuple[float, float]]) -> list[dict]:
    """Coverage of 10,000 demand points (made in memory near random stations, up to about 3 km
    off) at one hour, the week's hourly profile of the same points, and what logging a nearby
    search (one upsert, autocommit) adds to a request."""
    import datetime as dt
    from types import SimpleNamespace

    from django.utils import timezone

    from . import coverage, services
    from .models import SearchDemand, search_cell_of

    anchors = sample or [(39.9, 116.4)]
    points = [
        SimpleNamespace(pk=i, name=f"P{i}", lat=a[0] + rng.uniform(-0.03, 0.03), lng=a[1] + rng.uniform(-0.03, 0.03))
        for i, a in ((i, anchors[i % len(anchors)]) for i in range(10_000))
    ]
    moment = timezone.localtime().replace(hour=23, minute=0, second=0, microsecond=0)
    coverage.coverage_at(points[:100], moment=moment, walk_m=1000)  # warm
    t0 = time.perf_counter()
    at_hour = coverage.coverage_at(points, moment=moment, walk_m=1000)
    one = time.perf_counter() - t0
    t0 = time.perf_counter()
    profile = coverage.week_profile(points, walk_m=1000)
    week = time.perf_counter() - t0
    uncovered = sum(1 for r in at_hour if r["uncovered"])
    # Search logging: cells in the Southern Ocean (no real searches there), deleted after.
    far = [(-60 + rng.uniform(0, 1), rng.uniform(-170, 170)) for _ in range(RUNS)]
    times = []
    for lat, lng in far:
        t0 = time.perf_counter()
        services.search_demand_record(lat=lat, lng=lng)
        times.append((time.perf_counter() - t0) * 1000)
    SearchDemand.objects.filter(
        cell__in=[search_cell_of(lat, lng) for lat, lng in far], day__gte=timezone.localdate() - dt.timedelta(days=1)
    ).delete()
    mean, p95 = statistics.fmean(times), _pct(times, 95)
    return [
        _row(f"coverage of 10,000 points at 23:00 ({uncovered} uncovered)", one, "s", "< 1", one < 1),
        _row(f"week's hourly profile of 10,000 points ({len(profile['gaps'])} gaps)", week, "s", "< 5", week < 5),
        _row("nearby search logging (upsert, new cells) mean", mean, "ms", "< 1 added", mean < 1),
        _row("nearby search logging (upsert, new cells) p95", p95, "ms", "", True),
    ]
