"""`make bench` rows of issue #14's notifications targets, measured in process:

- the audit trail's first page as a chair of the city (< 150 ms, at most 6 queries);
- one contest stage fanned out to 100,000 people: the web request that publishes the results
  only enqueues the fan-out task (the enqueue is recorded, not run, so the row times what a
  web worker does: < 200 ms), then the task itself, timed apart, creates the 100,000
  notifications (< 5 s).

The fan-out audience (100,000 accounts verified as voters of a bench federation) is made once
and kept; the notifications the run creates are deleted after it.
"""

import datetime as dt
import statistics
import time
from contextlib import contextmanager
from unittest import mock

from django.contrib.auth import get_user_model
from django.core import signals
from django.db import close_old_connections, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from unionportal.core.models import Role, Union

AUDIENCE = 100_000
ROOT_NAME = "Fan-out bench federation"
SLUG = "bench-fanout"
PREFIX = "bench_fan_"
RUNS = 20


def _row(name: str, value: float, unit: str, target: str, ok: bool) -> dict:
    return {"name": name, "value": round(value, 3), "unit": unit, "target": target, "ok": ok}


def _client(user) -> Client:
    # The bench serves with ALLOWED_HOSTS=127.0.0.1,localhost.
    client = Client(SERVER_NAME="localhost")
    client.force_login(user)
    return client


@contextmanager
def _one_connection():
    """Keep the database connection across the client's requests, as the bench's gunicorn does
    (CONN_MAX_AGE): without it each request reconnects and the query capture sees nothing."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def _chair(username: str, union: Union):
    from unionportal.core.services import role_grant

    user, _ = get_user_model().objects.get_or_create(username=username, defaults={"is_staff": True})
    if not Role.objects.filter(user=user, union=union, kind=Role.Kind.CHAIR).exists():
        role_grant(user=user, union=union, kind=Role.Kind.CHAIR)
    return user


def _pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def audit_rows() -> list[dict]:
    city = Union.objects.filter(depth=1).order_by("path").first()
    if city is None:
        return [_row("audit trail: no unions (run seed_demo)", 0, "", "", False)]
    client = _client(_chair("bench_audit_chair", city))
    url = "/notifications/audit/"
    for _ in range(3):
        response = client.get(url)  # warm
    if response.status_code != 200:
        return [_row(f"audit trail page 1: HTTP {response.status_code}", 0, "", "", False)]
    with CaptureQueriesContext(connection) as q:
        client.get(url)
    n = len(q.captured_queries)  # now: each request clears the query log (reset_queries)
    times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
    p50, p95 = statistics.median(times), _pct(times, 95)
    return [
        _row("audit trail page 1, chair of the city, p50 (test client, in process)", p50, "ms", "< 150", p50 < 150),
        _row("audit trail page 1 p95", p95, "ms", "", True),
        _row("audit trail page 1 queries (session and user included)", n, "", "<= 6", n <= 6),
    ]


def _audience() -> tuple[Union, object]:
    """The bench federation with AUDIENCE verified voters (made once; COPY-free bulk inserts)."""
    from contests.models import Voter

    root = Union.objects.filter(name=ROOT_NAME, depth=1).first()
    if root is None:
        root = Union.objects.add_root({"name": ROOT_NAME, "kind": Union.Kind.CITY})
    User = get_user_model()
    have = Voter.objects.filter(union=root, verified=True).count()
    if have < AUDIENCE:
        now = timezone.now()
        with transaction.atomic():
            start = User.objects.filter(username__startswith=PREFIX).count()
            users = [
                User(username=f"{PREFIX}{i:06d}", password="!", is_active=True, date_joined=now)  # noqa: S106
                for i in range(start, AUDIENCE)
            ]
            User.objects.bulk_create(users, batch_size=5000)
            ids = User.objects.filter(username__startswith=PREFIX).exclude(contest_voter__isnull=False)
            Voter.objects.bulk_create(
                [
                    Voter(user_id=pk, union=root, verified=True, verified_at=now)
                    for pk in ids.values_list("pk", flat=True)
                ],
                batch_size=5000,
            )
    return root, _chair("bench_fanout_chair", root)


def _contest(root: Union):
    from contests.models import Category, Contest

    now = timezone.now()
    contest = Contest.objects.filter(slug=SLUG).first()
    if contest is None:
        contest = Contest.objects.create(
            union=root,
            kind=Contest.Kind.LABOUR,
            slug=SLUG,
            title="Bench fan-out",
            entry_opens=now - dt.timedelta(days=10),
            entry_closes=now - dt.timedelta(days=9),
            screening_closes=now - dt.timedelta(days=8),
            vote_opens=now - dt.timedelta(days=7),
            vote_closes=now - dt.timedelta(days=6),
            jury_closes=now - dt.timedelta(days=5),
            results_on=now - dt.timedelta(days=4),
        )
        Category.objects.create(contest=contest, name="bench")
    # Results computed, not published: the request below publishes them.
    Contest.objects.filter(pk=contest.pk).update(
        results_computed_at=now, results_published=False, results_published_at=None
    )
    return contest


def fanout_rows() -> list[dict]:
    from . import tasks
    from .models import Notification
    from .services import notify_fanout

    root, chair = _audience()
    contest = _contest(root)
    key = f"contest:{contest.pk}:results"
    Notification.objects.filter(key=key).delete()
    client = _client(chair)
    url = f"/contests/desk/{SLUG}/publish/"
    queued: list[dict] = []
    with mock.patch.object(tasks.notify_fanout_task, "delay", side_effect=lambda **kw: queued.append(kw)):
        client.post(url, {"publish": "1"})  # warm (the first request loads templates and the like)
        _contest(root)
        queued.clear()
        with CaptureQueriesContext(connection) as q:
            t0 = time.perf_counter()
            response = client.post(url, {"publish": "1"})
            request_ms = (time.perf_counter() - t0) * 1000
        queries = len(q.captured_queries)
    published = type(contest).objects.filter(pk=contest.pk, results_published=True).exists()
    rows = [
        _row(
            f"contest stage (results published) web request, fan-out enqueued not run "
            f"({len(queued)} task queued, {queries} queries, HTTP {response.status_code})",
            request_ms,
            "ms",
            "< 200",
            request_ms < 200 and published and len(queued) == 1,
        )
    ]
    if not queued:
        return [*rows, _row("contest stage fan-out: the request queued no task", 0, "", "", False)]
    t0 = time.perf_counter()
    n = notify_fanout(**queued[0])
    task_s = time.perf_counter() - t0
    rows.append(
        _row(
            f"contest stage fan-out task: {n} notifications created for {AUDIENCE} voters (the task's own run)",
            task_s,
            "s",
            "< 5",
            task_s < 5 and n >= AUDIENCE,
        )
    )
    Notification.objects.filter(key=key).delete()
    return rows


def run() -> list[dict]:
    with _one_connection():
        return audit_rows() + fanout_rows()
