import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import RequestFactory
from django.urls import reverse

from unionportal.core.http import client_ip, rate_limited

ROOT = Path(__file__).resolve().parents[3]
PRODUCTION_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "a-real-production-secret-key-with-plenty-of-entropy-7f3a9c2e1b8d4f6a",
    "ALLOWED_HOSTS": "portal.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://portal.example.org",
    "DATABASE_URL": "sqlite:////tmp/unionportal-deploy-check.sqlite3",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "WELFARE_DATA_KEY": "another-real-secret-for-welfare-data-0123456789abcdef",
    "BALLOT_CHAIN_KEY": "a-third-real-secret-for-the-ballot-chain-0123456789abcdef",
}


def _manage(*args, env=None):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}, **(env or {})},
    )


def test_check_deploy_passes_with_production_settings():
    result = _manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr


def test_check_deploy_fails_with_development_defaults():
    env = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**env, "DEBUG": "1"},
    )
    assert result.returncode != 0


def _clean_env(**overrides) -> dict:
    """The process environment without any of the production variables, plus `overrides`."""
    base = {k: v for k, v in os.environ.items() if k not in PRODUCTION_ENV and k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**base, **overrides}


def _import_settings(env: dict):
    return subprocess.run(
        [sys.executable, "-c", "import unionportal.settings"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )


@pytest.mark.parametrize("secret", ["SECRET_KEY", "WELFARE_DATA_KEY", "BALLOT_CHAIN_KEY"])
@pytest.mark.parametrize(
    "value, problem",
    [
        (None, "is not set"),
        ("", "is not set"),
        ("dev-only-welfare-key-not-for-production", "is the development default"),
        ("dev-only-insecure-key-change-me-in-production-0123456789", "is the development default"),
        ("dev-only-ballot-chain-key-not-for-production", "is the development default"),
        ("short-but-not-a-default", "is shorter than 32 characters"),
    ],
)
def test_production_refuses_to_start_on_a_missing_default_or_short_secret(secret, value, problem):
    env = _clean_env(**PRODUCTION_ENV)
    if value is None:
        del env[secret]
    else:
        env[secret] = value
    result = _import_settings(env)
    assert result.returncode != 0
    assert "ImproperlyConfigured: Refusing to start with DEBUG off" in result.stderr
    assert f"{secret} {problem}" in result.stderr


def test_production_refuses_the_same_value_for_two_secrets():
    env = _clean_env(**PRODUCTION_ENV)
    env["BALLOT_CHAIN_KEY"] = env["WELFARE_DATA_KEY"]
    result = _import_settings(env)
    assert result.returncode != 0 and "are the same value" in result.stderr


def test_production_starts_with_its_own_secrets_and_development_without_any():
    assert _import_settings(_clean_env(**PRODUCTION_ENV)).returncode == 0
    assert _import_settings(_clean_env(DEBUG="1")).returncode == 0


def test_production_settings_values():
    code = (
        "from django.conf import settings as s;"
        "print(s.CACHES['default']['BACKEND'], s.SESSION_ENGINE, s.DATABASES['default']['CONN_MAX_AGE'],"
        " s.SECURE_SSL_REDIRECT, s.STORAGES['staticfiles']['BACKEND'])"
    )
    result = _manage("shell", "-v", "0", "-c", code, env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "django.core.cache.backends.redis.RedisCache",
        "django.contrib.sessions.backends.cache",
        "600",
        "True",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
    ]


def test_healthz_is_plain_ok_without_queries(db, client, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200 and response.content == b"ok"


def test_client_ip_reads_forwarded_for_only_behind_trusted_proxies(settings):
    rf = RequestFactory()
    request = rf.get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "10.0.0.5"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "203.0.113.9"  # the forged left-most entry is ignored
    settings.TRUSTED_PROXY_COUNT = 3
    assert client_ip(request) == "10.0.0.5"


def test_rate_limit_counts_per_client():
    rf = RequestFactory()
    a, b = rf.get("/", REMOTE_ADDR="1.1.1.1"), rf.get("/", REMOTE_ADDR="2.2.2.2")
    assert [rate_limited(a, scope="t", limit=2, window=60) for _ in range(3)] == [False, False, True]
    assert not rate_limited(b, scope="t", limit=2, window=60)


@pytest.mark.django_db
def test_axes_locks_out_by_username_and_address(client, officer_a, settings):
    settings.AXES_FAILURE_LIMIT = 3
    url = reverse("login")
    for _ in range(3):
        client.post(url, {"username": "officer_a", "password": "wrong"}, REMOTE_ADDR="9.9.9.9")
    locked = client.post(url, {"username": "officer_a", "password": "pw-for-tests"}, REMOTE_ADDR="9.9.9.9")
    assert locked.status_code == 429
    # Same user from another address is not locked out.
    ok = client.post(url, {"username": "officer_a", "password": "pw-for-tests"}, REMOTE_ADDR="8.8.8.8")
    assert ok.status_code == 302


@pytest.mark.django_db
def test_home_in_chinese_by_default_and_english_on_request(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert "抬眼可见、随处可享、随时可用" in page
    client.cookies["django_language"] = "en"
    assert "Warm at a glance" in client.get("/").content.decode()


@pytest.mark.django_db
def test_nul_characters_are_refused_with_400_not_a_server_error(client, officer_a):
    assert client.get("/activities/?kind=%00").status_code == 400
    client.force_login(officer_a)
    response = client.post(reverse("core:activity_create"), {"title": "a\x00b"})
    assert response.status_code == 400
    assert "not allowed" in response.content.decode()


@pytest.mark.django_db
def test_error_pages_speak_chinese(client, settings, tree):
    settings.LANGUAGE_CODE = "zh-hans"
    settings.DEBUG = False
    assert "页面不存在" in client.get("/activities/999999/").content.decode()
    from unionportal.core.testing import make_user

    client.force_login(make_user("no_role"))
    forbidden = client.get("/desk/activities/")  # the desk itself sends a no-role member to /accounts/
    assert forbidden.status_code == 403 and "无权访问" in forbidden.content.decode()


def test_server_error_page_renders_without_a_request_context(rf):
    from django.views.defaults import server_error

    response = server_error(rf.get("/"))
    assert response.status_code == 500 and b"Something went wrong" in response.content


@pytest.mark.parametrize(
    "tile_url, extra",
    [
        ("", []),
        ("https://tiles.intranet/{z}/{x}/{y}.png", []),  # https: covers it
        ("http://tiles.intranet:8080/{z}/{x}/{y}.png", ["http://tiles.intranet:8080"]),
        ("http://{s}.tiles.intranet/{z}/{x}/{y}.png", ["http://*.tiles.intranet"]),
    ],
)
def test_a_plain_http_intranet_tile_server_is_allowed_to_show_its_tiles(tile_url, extra):
    code = "from django.conf import settings as s; print(*s.CONTENT_SECURITY_POLICY['DIRECTIVES']['img-src'])"
    result = _manage("shell", "-v", "0", "-c", code, env={"MAP_TILE_URL": tile_url})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["'self'", "data:", "blob:", "https:", *extra]


def test_a_cache_key_prefix_keeps_two_sites_apart_on_one_redis():
    code = "from django.conf import settings as s; print(repr(s.CACHES['default']['KEY_PREFIX']))"
    for extra, prefix in (({}, "''"), ({"CACHE_KEY_PREFIX": "staging"}, "'staging'")):
        result = _manage("shell", "-v", "0", "-c", code, env={**PRODUCTION_ENV, **extra})
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == prefix
