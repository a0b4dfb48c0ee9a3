"""The cache, sessions and rate limits against a real Redis (what production runs with REDIS_URL).

Skipped only when no Redis answers at REDIS_URL (default redis://127.0.0.1:6379/0); CI starts
one (.ci/run). Every test uses its own key prefix, usernames, addresses and scopes, so pytest-xdist
workers sharing the one Redis never see each other's keys, and each test deletes its keys.
"""

import hashlib
import json
import os
import random
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.urls import reverse

from unionportal.core.http import rate_limited, signin_throttled
from unionportal.core.testing import make_user

ROOT = Path(__file__).resolve().parents[1]
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
PASSWORD = "pw-for-tests"  # noqa: S105


def _redis_client():
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError:
        return None
    return client


@pytest.fixture
def raw_redis():
    client = _redis_client()
    if client is None:
        pytest.skip(f"no Redis at {REDIS_URL} (CI starts one: .ci/run)")
    yield client
    client.close()


@pytest.fixture
def prefix(raw_redis):
    """A key prefix of this test's own; its keys are deleted afterwards."""
    name = f"t-{uuid.uuid4().hex[:12]}"
    yield name
    keys = list(raw_redis.scan_iter(f"{name}:*", count=1000))
    if keys:
        raw_redis.delete(*keys)


@pytest.fixture
def redis_cache(settings, prefix):
    """The production configuration: Redis cache, sessions in the cache."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cache"
    return prefix


def test_the_cache_is_redis_and_shared(redis_cache, raw_redis):
    assert type(cache._cache).__name__ == "RedisCacheClient"
    cache.set("greeting", {"zh": "你好"}, timeout=60)
    assert cache.get("greeting") == {"zh": "你好"}
    # Stored in Redis under the test's prefix, with its timeout.
    raw_key = f"{redis_cache}:1:greeting"
    assert raw_redis.exists(raw_key) and 0 < raw_redis.ttl(raw_key) <= 60
    assert cache.add("greeting", "other") is False
    cache.set("n", 1)
    assert cache.incr("n") == 2 and cache.incr("n", 5) == 7
    with pytest.raises(ValueError):
        cache.incr("missing")
    cache.delete("greeting")
    assert not raw_redis.exists(raw_key)


@pytest.mark.django_db
def test_sessions_live_in_redis(redis_cache, raw_redis, client, django_user_model):
    make_user("redis_signin")
    response = client.post(
        reverse("login"), {"username": "redis_signin", "password": PASSWORD}, REMOTE_ADDR="198.51.100.201"
    )
    assert response.status_code == 302
    session_key = client.cookies["sessionid"].value
    assert raw_redis.exists(f"{redis_cache}:1:django.contrib.sessions.cache{session_key}")
    assert not Session.objects.exists()  # nothing in the database session table
    # Another client carrying only the cookie is signed in: the session comes from Redis.
    from django.test import Client

    other = Client()
    other.cookies["sessionid"] = session_key
    assert other.get(reverse("core:desk")).wsgi_request.user.username == "redis_signin"
    # Signing out removes it from Redis.
    client.post(reverse("logout"))
    assert not raw_redis.exists(f"{redis_cache}:1:django.contrib.sessions.cache{session_key}")


@pytest.mark.django_db
def test_sign_in_throttle_counts_in_redis(redis_cache, raw_redis, client, settings):
    settings.SIGNIN_ACCOUNT_FAILURES = 3
    user = make_user(f"redis_{redis_cache[2:]}")
    for n in range(3):
        answer = client.post(
            reverse("login"), {"username": user.username, "password": "wrong"}, REMOTE_ADDR=f"198.51.100.{n + 10}"
        )
        assert answer.status_code == 200
    assert any(raw_redis.scan_iter(f"{redis_cache}:1:signin:acct:*"))
    answer = client.post(
        reverse("login"), {"username": user.username, "password": PASSWORD}, REMOTE_ADDR="198.51.100.99"
    )
    assert answer.status_code == 429


def test_rate_limit_counts_in_redis(redis_cache, raw_redis, rf):
    request = rf.get("/", REMOTE_ADDR="203.0.113.40")
    assert [rate_limited(request, scope="t", limit=3, window=60) for _ in range(5)] == [False] * 3 + [True] * 2
    (key,) = raw_redis.scan_iter(f"{redis_cache}:1:rl:t:*")
    assert int(raw_redis.get(key)) == 5 and 0 < raw_redis.ttl(key) <= 60


# --- Limits held across processes ---------------------------------------------------------
# Each child is a separate Python process with the production cache settings (REDIS_URL): the
# limits must hold across every server process, which a per-process cache (LocMemCache)
# would not do.

CHILD = r"""
import json, os, sys
import django
django.setup()
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from accounts.services import code_throttle
from unionportal.core.http import rate_limited, signin_failed, signin_throttled

job = json.loads(sys.argv[1])
request = RequestFactory().get("/", REMOTE_ADDR=job["address"])
out = {}
if job["kind"] == "rate":
    out["allowed"] = sum(
        not rate_limited(request, scope=job["scope"], limit=job["limit"], window=60) for _ in range(job["hits"])
    )
elif job["kind"] == "signin":
    for _ in range(job["failures"]):
        signin_failed(request, job["username"])
    out["throttled"] = signin_throttled(request, job["username"])
elif job["kind"] == "code":
    try:
        code_throttle(target=job["target"], address=job["address"])
        out["sent"] = True
    except ValidationError:
        out["sent"] = False
print("RESULT " + json.dumps(out))
"""


def _children(*jobs, extra_env=None):
    """Run one child process per job at the same time; their results, in order."""
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE",)}
    env.update(
        ENV_FILE="/dev/null",
        DJANGO_SETTINGS_MODULE="unionportal.settings",
        REDIS_URL=REDIS_URL,
        DATABASE_URL="sqlite:////tmp/unionportal-redis-children.sqlite3",  # never queried
        **(extra_env or {}),
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", CHILD, json.dumps(job)],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for job in jobs
    ]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
        line = next(line for line in out.splitlines() if line.startswith("RESULT "))
        results.append(json.loads(line.removeprefix("RESULT ")))
    return results


def test_a_rate_limit_holds_across_two_processes(raw_redis):
    scope = f"t{uuid.uuid4().hex[:12]}"
    job = {"kind": "rate", "scope": scope, "limit": 25, "hits": 20, "address": "203.0.113.41"}
    try:
        a, b = _children(job, job)
        # 40 hits at once from two processes: exactly 25 let through in all, none lost or doubled.
        assert a["allowed"] + b["allowed"] == 25
        (key,) = raw_redis.scan_iter(f":1:rl:{scope}:*")
        assert int(raw_redis.get(key)) == 40
    finally:
        for key in raw_redis.scan_iter(f":1:rl:{scope}:*"):
            raw_redis.delete(key)


def _digest(text: str) -> bytes:
    return hashlib.sha256(text.encode()).hexdigest()[:24].encode()


def _delete_signin_keys(raw_redis, username: str, addresses) -> None:
    """The children write without a key prefix: delete exactly this test's counters."""
    digests = [_digest(username.casefold()), *(_digest(a) for a in addresses)]
    for key in raw_redis.scan_iter(":1:signin:*"):
        if any(d in key for d in digests):
            raw_redis.delete(key)


def _addresses(n):
    """Addresses of this test run only (the address counter outlives a test by 15 minutes)."""
    return [f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{k + 1}" for k in range(n)]


def test_the_sign_in_throttle_holds_across_two_processes(raw_redis, settings, rf):
    username = f"acct-{uuid.uuid4().hex[:12]}"
    one, two, three = _addresses(3)
    limit = settings.SIGNIN_ACCOUNT_FAILURES  # the same default in the children
    first = limit // 2
    try:
        # One process counts half the failures, from one address; another the rest, from another.
        (a,) = _children({"kind": "signin", "username": username, "failures": first, "address": one})
        assert a["throttled"] is False
        (b,) = _children({"kind": "signin", "username": username, "failures": limit - first, "address": two})
        assert b["throttled"] is True
        # This process, with the production cache, sees the pause from a third address too;
        # a per-process cache (LocMemCache, the default without REDIS_URL) would not.
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
        assert signin_throttled(rf.get("/", REMOTE_ADDR=three), username) is True
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
        assert signin_throttled(rf.get("/", REMOTE_ADDR=three), username) is False
    finally:
        _delete_signin_keys(raw_redis, username, [one, two, three])


def test_one_time_code_limits_hold_across_two_processes(raw_redis):
    target = f"{uuid.uuid4().hex[:12]}@example.org"
    one, two = _addresses(2)
    try:
        # Two servers asked for a code for the same address at the same moment: one code only.
        a, b = _children(
            {"kind": "code", "target": target, "address": one},
            {"kind": "code", "target": target, "address": two},
        )
        assert sorted([a["sent"], b["sent"]]) == [False, True]
    finally:
        digests = [_digest(x) for x in (target, one, two)]
        for key in raw_redis.scan_iter(":1:otc:*"):
            if any(d in key for d in digests):
                raw_redis.delete(key)
