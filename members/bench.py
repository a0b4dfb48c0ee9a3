"""In-process measurements of the roster for `make bench` (after seed_scale); never asserted in tests.

Targets (#12, PostgreSQL): member search p95 < 50 ms, desk list page 1 < 100 ms with ≤ 6
queries and the same at 10× the rows, a 1,000-row import < 10 s.
"""

import io
import random
import statistics
import time

from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from .models import Member
from .scale import GIVEN, SURNAMES

RUNS = 21


def pages() -> list[tuple[str, str]]:
    """Roster pages need a signed-in officer, so wrk cannot load them; measured in run()."""
    return []


def _p95(times: list[float]) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]


def _row(name, value, unit, target, ok) -> dict:
    return {"name": f"members: {name}", "value": round(float(value), 1), "unit": unit, "target": target, "ok": bool(ok)}


def _client(username: str) -> Client | None:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        return None
    client = Client(HTTP_HOST="localhost")
    client.force_login(user)
    return client


def _get(client: Client, url: str, params: dict) -> tuple[float, int]:
    with CaptureQueriesContext(connection) as queries:
        t0 = time.perf_counter()
        response = client.get(url, params)
        elapsed = (time.perf_counter() - t0) * 1000
    assert response.status_code == 200, response.status_code
    return elapsed, len(queries)


def _import_workbook(n: int, seed: int) -> io.BytesIO:
    import openpyxl

    rng = random.Random(seed)
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["Name", "Mobile phone", "Member card number", "Joined on"])
    for i in range(n):
        sheet.append(
            [rng.choice(SURNAMES) + rng.choice(GIVEN), f"199{seed % 10}{i:07d}", f"IMP{seed}-{i}", "2023-05-01"]
        )
    buf = io.BytesIO()
    book.save(buf)
    buf.seek(0)
    buf.name = "roster.xlsx"
    return buf


def import_time(n: int = 1000) -> float:
    """Seconds to import an n-row roster through the desk's pipeline (rolled back afterwards)."""
    from unionportal.core.imports import read_table
    from unionportal.core.models import Union

    from . import services
    from .scale import ROOT_NAME

    union = Union.objects.filter(name__startswith="Bench grassroots").order_by("path").first()
    if union is None:
        union = Union.objects.exclude(name=ROOT_NAME).order_by("path").first()
    officer = get_user_model().objects.filter(username="bench_roster_officer").first()
    upload = _import_workbook(n, seed=int(time.time()) % 1000)
    t0 = time.perf_counter()
    with transaction.atomic():
        created = services.members_import(table=read_table(upload), union=union, by=officer)
        elapsed = time.perf_counter() - t0
        assert len(created) == n
        transaction.set_rollback(True)
    return elapsed


def measure() -> dict:
    """The raw figures: search p95 and desk page 1 (time, queries) for an officer and a chair."""
    out = {"members": Member.objects.count()}
    url = reverse("members:member_list")
    rng = random.Random(7)
    sample = list(Member.objects.filter(card_number__startswith="B").values_list("name", "phone", "card_number")[:200])
    if not sample:
        return out
    for who in ("officer", "chair"):
        client = _client(f"bench_roster_{who}")
        if client is None:
            continue
        _get(client, url, {})  # warm up: session, templates
        pages = [_get(client, url, {}) for _ in range(RUNS)]
        out[f"{who}_page_ms"] = statistics.median(t for t, _q in pages)
        out[f"{who}_page_p95_ms"] = _p95([t for t, _q in pages])
        out[f"{who}_page_queries"] = max(q for _t, q in pages)
        searches = []
        for _ in range(RUNS):
            name, phone, card = rng.choice(sample)
            for q in (name[:2], phone, card):
                searches.append(_get(client, url, {"q": q})[0])
        out[f"{who}_search_p95_ms"] = _p95(searches)
    return out


def run() -> list[dict]:
    figures = measure()
    if "officer_page_ms" not in figures:
        return [_row("no roster bench data (seed_scale --member-unions/--members): skipped", 0, "", "", False)]
    rows = [_row("volume", figures["members"], "members", "1,000,000", figures["members"] >= 1_000_000)]
    for who in ("officer", "chair"):
        rows.append(
            _row(
                f"search p95 ({who})",
                figures[f"{who}_search_p95_ms"],
                "ms",
                "< 50",
                figures[f"{who}_search_p95_ms"] < 50,
            )
        )
        rows.append(
            _row(f"desk list page 1 ({who})", figures[f"{who}_page_ms"], "ms", "< 100", figures[f"{who}_page_ms"] < 100)
        )
        rows.append(
            _row(
                f"desk list queries ({who})",
                figures[f"{who}_page_queries"],
                "queries",
                "≤ 6",
                figures[f"{who}_page_queries"] <= 6,
            )
        )
    seconds = import_time()
    rows.append(_row("1,000-row import", seconds, "s", "< 10", seconds < 10))
    return rows
