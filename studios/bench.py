"""Benchmarks of the studios app: pages for `make bench` and in-process timings."""

import statistics
import time

from django.db.models import Count

from .models import Studio
from .selectors import search_filter, studio_counts, studio_years


def _profile_slug() -> str | None:
    if Studio.objects.public().filter(slug="qi-he").exists():
        return "qi-he"
    top = Studio.objects.public().annotate(n=Count("achievements")).order_by("-n").values_list("slug", flat=True)
    return top.first()


def pages() -> list[tuple[str, str]]:
    slug = _profile_slug()
    out = [("studio list", "/studios/"), ("studio search", "/studios/?q=qh")]
    if slug:
        out.insert(0, ("studio profile", f"/studios/{slug}/"))
    return out


def _timed(fn, repeat: int = 50) -> tuple[float, float]:
    samples = []
    for _i in range(repeat):
        t = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t) * 1000)
    samples.sort()
    return statistics.median(samples), samples[int(len(samples) * 0.95) - 1]


def run() -> list[dict]:
    slug = _profile_slug()
    if not slug:
        return []
    studio = Studio.objects.get(slug=slug)
    rows = []
    p50, p95 = _timed(lambda: (studio_counts(studio=studio), studio_years(studio=studio)))
    rows.append({"name": "studio counts + years p50", "value": p50, "unit": "ms", "target": "< 20", "ok": p50 < 20})
    rows.append({"name": "studio counts + years p95", "value": p95, "unit": "ms", "target": "< 50", "ok": p95 < 50})
    p50, p95 = _timed(lambda: list(Studio.objects.public().filter(search_filter("qh"))[:20]))
    rows.append({"name": "studio search p50", "value": p50, "unit": "ms", "target": "< 50", "ok": p50 < 50})
    rows.append({"name": "studio search p95", "value": p95, "unit": "ms", "target": "< 100", "ok": p95 < 100})
    return rows
