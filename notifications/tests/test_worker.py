"""A real Celery worker on Redis: a task sent through the broker creates the notifications.

The worker is a subprocess (`celery -A unionportal worker`) with REDIS_URL set; it reaches the test
database: PostgreSQL's test database by name, or on SQLite a file copy of the in-memory test database
(read back after the task). Skipped only when Redis does not answer.
"""

import os
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from celery import Celery
from django.conf import settings
from django.db import connection

from notifications.models import Event, Notification
from unionportal.core.models import Role

REDIS = os.environ.get("NOTIFICATIONS_TEST_REDIS", "redis://127.0.0.1:6379/13")
ROOT = Path(settings.BASE_DIR)


def _redis_or_skip():
    import redis

    try:
        redis.Redis.from_url(REDIS, socket_connect_timeout=2).ping()
    except redis.RedisError as e:
        pytest.skip(f"Redis not reachable at {REDIS}: {e}")


def _database_url(tmp_path) -> tuple[str, Path | None]:
    s = connection.settings_dict
    if connection.vendor == "postgresql":
        user, password = s.get("USER") or "", s.get("PASSWORD") or ""
        auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
        return f"postgres://{auth}{s.get('HOST') or '127.0.0.1'}:{s.get('PORT') or 5432}/{s['NAME']}", None
    path = tmp_path / "worker.sqlite3"
    target = sqlite3.connect(path)
    connection.ensure_connection()
    connection.connection.backup(target)
    target.close()
    return f"sqlite:///{path}", path


def test_real_worker_runs_a_sent_task(transactional_db, tree, officer_a, officer_b, chair_a, tmp_path):
    _redis_or_skip()
    database_url, sqlite_path = _database_url(tmp_path)
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {
        **os.environ,
        "REDIS_URL": REDIS,
        "DATABASE_URL": database_url,
        "ENV_FILE": "/dev/null",
        "DJANGO_SETTINGS_MODULE": "unionportal.settings",
        "CONN_MAX_AGE": "0",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "unionportal", "worker", "--pool=solo", "-Q", queue,
         "--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "warning"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        sender = Celery("probe", broker=REDIS)
        sender.send_task(
            "notifications.fanout",
            kwargs={"event": Event.STATION_FEEDBACK.value, "union_id": tree.a.pk, "title": "Worker stop",
                    "link": "/stations/desk/feedback/", "roles": list(Role.EDIT_ROLES)},
            queue=queue,
        )  # fmt: skip
        deadline = time.monotonic() + 120
        got: set = set()
        while time.monotonic() < deadline and worker.poll() is None:
            got = _recipients(sqlite_path)
            if got:
                break
            time.sleep(0.5)
        assert worker.poll() is None, worker.stdout.read()
        assert got == {officer_a.pk, chair_a.pk}
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
        import redis

        redis.Redis.from_url(REDIS).delete(queue)


def _recipients(sqlite_path) -> set:
    if sqlite_path is None:
        return set(Notification.objects.filter(title="Worker stop").values_list("recipient_id", flat=True))
    with sqlite3.connect(sqlite_path) as db:
        rows = db.execute("SELECT recipient_id FROM notifications_notification WHERE title = 'Worker stop'")
        return {r[0] for r in rows}
