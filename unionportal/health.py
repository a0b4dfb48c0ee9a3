"""Health checks for load balancers, and the logging filter that keeps 4xx lines short.

`HealthCheckMiddleware` sits first in MIDDLEWARE: it answers `/healthz` and `/readyz` before
SecurityMiddleware (which would redirect plain HTTP to HTTPS) and before CommonMiddleware
(whose ALLOWED_HOSTS check refuses the balancer's own address as Host). A balancer probes
each server by address over plain HTTP, so both checks answer whatever the Host and scheme.

- `/healthz`: the process is up. No database, no cache, no template (the benchmarks' baseline).
- `/readyz`: the process can serve: the database answers a query and the cache a write and a
  read. 200 when both pass, 503 otherwise; the body names each check as "ok" or "failed" and
  nothing more (no error text, host or version reaches an unauthenticated caller; the failure
  itself goes to the log).
"""

import json
import logging
import uuid

from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse

logger = logging.getLogger(__name__)

HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"


def _plain(body: bytes, *, status: int = 200, content_type: str = "text/plain") -> HttpResponse:
    response = HttpResponse(body, status=status, content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response


def check_database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone()[0] == 1
    except Exception:  # any failure means "not ready"; the detail goes to the log only
        logger.exception("readyz: database check failed")
        return False


def check_cache() -> bool:
    key = f"readyz:{uuid.uuid4().hex}"
    try:
        cache.set(key, "1", timeout=10)
        ok = cache.get(key) == "1"
        cache.delete(key)
    except Exception:
        logger.exception("readyz: cache check failed")
        return False
    if not ok:
        logger.error("readyz: cache check failed (value written was not read back)")
    return ok


def healthz(request: HttpRequest | None = None) -> HttpResponse:
    return _plain(b"ok")


def readyz(request: HttpRequest | None = None) -> HttpResponse:
    checks = {"database": check_database(), "cache": check_cache()}
    ready = all(checks.values())
    body = {"status": "ok" if ready else "failed", "checks": {k: "ok" if v else "failed" for k, v in checks.items()}}
    return _plain(json.dumps(body).encode(), status=200 if ready else 503, content_type="application/json")


class HealthCheckMiddleware:
    """Answer GET/HEAD /healthz and /readyz before any host, scheme or session handling."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in ("GET", "HEAD"):
            if request.path_info == HEALTH_PATH:
                return healthz(request)
            if request.path_info == READY_PATH:
                return readyz(request)
        return self.get_response(request)


class ClientErrorWithoutTraceback(logging.Filter):
    """On `django.request`: a 4xx (403 PermissionDenied, 400 SuspiciousOperation...) is one line.

    Django logs a refused request with the exception attached, so every 403 printed a
    traceback of an expected outcome. 5xx records keep theirs.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500:
            record.exc_info = None
            record.exc_text = None
        return True
