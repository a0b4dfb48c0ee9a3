"""`make bench` rows of the API and the open data (issue #15's targets).

- API nearby and station detail: pages loaded under gunicorn beside /healthz (>= 0.8x).
- /stations.geojson of every public station, in process: time to the first byte (< 200 ms)
  and the memory the stream grows by while the whole body is read (< 100 MB), so the feed
  stays streamed at any size.
"""

import resource
import time
import tracemalloc

from django.test import RequestFactory

from stations.models import Station

from . import opendata

MB = 1024 * 1024


def pages() -> list[tuple[str, str]]:
    first = Station.objects.public().order_by("pk").values_list("pk", "lat", "lng").first()
    if not first:
        return []
    pk, lat, lng = first
    return [
        ("api nearby", f"/api/v1/stations/nearby/?lat={lat + 0.003:.5f}&lng={lng + 0.003:.5f}"),
        ("api station", f"/api/v1/stations/{pk}/"),
    ]


def _row(name: str, value: float, unit: str, target: str, ok: bool) -> dict:
    return {"name": name, "value": round(value, 3), "unit": unit, "target": target, "ok": ok}


def _geojson():
    request = RequestFactory().get("/stations.geojson", HTTP_HOST="localhost")
    return opendata.stations_geojson(request)


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def run() -> list[dict]:
    total = Station.objects.public().count()
    if not total:
        return [_row("geojson: no public stations (run seed_scale --stations N)", 0, "", "", False)]
    _geojson()  # the view's imports and the ETag query planned once, as in a running server

    # Time to the first byte and to the last, without the tracer (it slows Python down); the
    # process's peak resident size before and after.
    rss_before = _rss_mb()
    t0 = time.perf_counter()
    response = _geojson()
    chunks = iter(response.streaming_content)
    next(chunks)
    first_ms = (time.perf_counter() - t0) * 1000
    size = sum(len(c) for c in chunks)
    whole_s = time.perf_counter() - t0
    rss_growth = _rss_mb() - rss_before

    # Memory: the peak of Python allocations while the whole body is streamed and dropped,
    # above what was held before the request; and how much of it came after the first
    # quarter of the features (flat: the stream holds one chunk of stations at a time).
    tracemalloc.start()
    base, _ = tracemalloc.get_traced_memory()
    features, quarter_peak = 0, None
    for chunk in _geojson().streaming_content:
        features += chunk.count(b'"type": "Feature"')
        if quarter_peak is None and features >= total / 4:
            quarter_peak = tracemalloc.get_traced_memory()[1]
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    growth = (peak - base) / MB
    late = (peak - (quarter_peak or peak)) / MB
    return [
        _row(f"geojson {total} stations: first byte", first_ms, "ms", "< 200", first_ms < 200),
        _row(f"geojson {total} stations: whole body ({size / MB:.0f} MB)", whole_s, "s", "", True),
        _row("geojson memory growth while streaming (traced peak)", growth, "MB", "< 100", growth < 100),
        _row("geojson memory growth after the first quarter", late, "MB", "< 10 (flat)", late < 10),
        _row("geojson peak RSS growth while streaming", rss_growth, "MB", "< 100", rss_growth < 100),
        _row("geojson features streamed = public stations", features, "", f"= {total}", features == total),
    ]
