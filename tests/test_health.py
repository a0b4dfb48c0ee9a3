"""/healthz and /readyz behind a load balancer, and the log lines of refused requests."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import PermissionDenied
from django.db import OperationalError
from django.http import HttpResponse
from django.urls import path

from unionportal import health
from unionportal.urls import urlpatterns as portal_urlpatterns

ROOT = Path(__file__).resolve().parents[1]


def _forbidden(request):
    raise PermissionDenied


def _broken(request):
    raise RuntimeError("boom")


urlpatterns = [
    path("forbidden/", _forbidden),
    path("broken/", _broken),
    path("fine/", lambda r: HttpResponse("x")),
    *portal_urlpatterns,
]


@pytest.fixture
def production(settings):
    """What a real server runs with: DEBUG off, HTTPS redirect on, only the portal's own host."""
    settings.DEBUG = False
    settings.SECURE_SSL_REDIRECT = True
    settings.ALLOWED_HOSTS = ["portal.example.org"]
    return settings


@pytest.mark.parametrize("host", ["10.0.0.7:8000", "portal.example.org", "balancer.internal"])
def test_healthz_answers_the_balancer_whatever_host_and_scheme(db, client, production, host):
    # The same settings redirect a plain-HTTP page and refuse a foreign Host: the check is real.
    assert client.get("/", HTTP_HOST="portal.example.org").status_code == 301
    assert client.get("/", HTTP_HOST="10.0.0.7:8000").status_code == 400
    response = client.get("/healthz", HTTP_HOST=host)
    assert response.status_code == 200 and response.content == b"ok"
    assert client.head("/healthz", HTTP_HOST=host).status_code == 200
    assert client.get("/healthz", HTTP_HOST=host, secure=True).status_code == 200


def test_readyz_checks_database_and_cache(db, client, production, django_assert_max_num_queries):
    with django_assert_max_num_queries(1):
        response = client.get("/readyz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert response["Cache-Control"] == "no-store"
    assert json.loads(response.content) == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


class _DeadConnection:
    def cursor(self):
        raise OperationalError('could not connect to server at "db.internal" (10.1.2.3), password=hunter2')


def test_readyz_503_when_the_database_fails_without_leaking_details(db, client, production, monkeypatch, caplog):
    monkeypatch.setattr(health, "connection", _DeadConnection())
    response = client.get("/readyz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 503
    assert json.loads(response.content) == {"status": "failed", "checks": {"database": "failed", "cache": "ok"}}
    assert b"db.internal" not in response.content and b"hunter2" not in response.content
    assert any("database check failed" in r.getMessage() for r in caplog.records)  # the detail is in the log


class _DeadCache:
    def set(self, *args, **kwargs):
        raise ConnectionError("Error 111 connecting to redis.internal:6379. Connection refused.")


def test_readyz_503_when_the_cache_fails(db, client, production, monkeypatch):
    monkeypatch.setattr(health, "cache", _DeadCache())
    response = client.get("/readyz", HTTP_HOST="10.0.0.7")
    assert response.status_code == 503
    body = json.loads(response.content)
    assert body == {"status": "failed", "checks": {"database": "ok", "cache": "failed"}}
    assert b"redis.internal" not in response.content


def test_other_methods_and_paths_are_not_answered_by_the_health_middleware(db, client, production):
    assert client.post("/healthz", HTTP_HOST="10.0.0.7").status_code == 400  # a foreign Host again
    assert client.get("/healthz/x", HTTP_HOST="10.0.0.7").status_code == 400


# --- Logs ---------------------------------------------------------------------------------


def test_permission_denied_logs_one_line_without_traceback(client, settings, caplog):
    settings.ROOT_URLCONF = __name__
    with caplog.at_level(logging.WARNING):
        response = client.get("/forbidden/")
    assert response.status_code == 403
    records = [r for r in caplog.records if r.name.startswith("django")]
    assert len(records) == 1
    assert records[0].name == "django.request" and records[0].status_code == 403
    assert records[0].exc_info is None and "Traceback" not in caplog.text


def test_a_server_error_keeps_its_traceback(client, settings, caplog):
    settings.ROOT_URLCONF = __name__
    client.raise_request_exception = False
    with caplog.at_level(logging.ERROR):
        assert client.get("/broken/").status_code == 500
    errors = [r for r in caplog.records if r.name == "django.request"]
    assert len(errors) == 1 and errors[0].exc_info is not None


def test_console_prints_each_dev_server_line_and_each_403_once():
    """With the real LOGGING (and DEBUG on, as `make run`), each line reaches stderr once."""
    code = (
        "import logging\n"
        "from django.core.exceptions import PermissionDenied\n"
        "from django.test import Client\n"
        "from django.urls import path\n"
        "from django.conf import settings\n"
        "logging.getLogger('django.server').info('\"GET /stations/ HTTP/1.1\" 200 1234')\n"
        "from django.utils.log import log_response\n"
        "from django.test import RequestFactory\n"
        "r = RequestFactory().get('/desk/x')\n"
        "from django.http import HttpResponseForbidden\n"
        "try:\n"
        "    raise PermissionDenied\n"
        "except PermissionDenied as exc:\n"
        "    log_response('Forbidden (Permission denied): %s', r.path, response=HttpResponseForbidden(),"
        " request=r, exception=exc)\n"
        "assert Client(HTTP_HOST='evil.example').get('/healthz/nope').status_code == 400\n"
    )
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_ALLOW_ASYNC_UNSAFE", "LOG_LEVEL")}
    env.update(DEBUG="1", DATABASE_URL="sqlite:////tmp/unionportal-logcheck.sqlite3")
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    err = result.stderr
    assert err.count("GET /stations/ HTTP/1.1") == 1, err
    assert err.count("Forbidden (Permission denied): /desk/x") == 1, err
    assert err.count("Invalid HTTP_HOST header: 'evil.example'") == 1, err  # django.security.DisallowedHost
    assert "Traceback" not in err
