"""CSRF tokens for the forms of cached public pages.

A page the whole public shares (unionportal.core.pagecache) cannot hold a visitor's CSRF
token, so its forms carry an empty one (`{% csrf_on_submit %}`, portal template tags):
- with JavaScript, static/js/formtokens.js fetches this visitor's token from `/csrf/`
  (`token()`, which also sets the CSRF cookie) when the form is sent;
- without it (or when that fetch fails), the form arrives without a token. A view decorated
  with `@confirm_unless_proven(confirm)` then does nothing and answers `confirm(...)`: the page
  again, the visitor's input kept, with a real token and a request to send it once more.
  A forged request from another site gets no further than that page either.

The page so stays one ready copy for everyone (a "hot" page, answered before Django runs).
"""

import logging
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET

logger = logging.getLogger(__name__)


@require_GET
@never_cache
def token(request: HttpRequest) -> JsonResponse:
    """This visitor's CSRF token, `{"token": "..."}`; the CSRF cookie comes with it when new.
    Another site cannot read the answer (same-origin policy; no CORS here)."""
    return JsonResponse({"token": get_token(request)})


class _Check(CsrfViewMiddleware):
    """Django's own CSRF check, giving the reason for a refusal instead of answering 403."""

    def _reject(self, request, reason):
        return reason


def unproven(request: HttpRequest) -> str | None:
    """Why this request fails Django's CSRF check (token, cookie, Origin/Referer), or None."""
    check = _Check(lambda request: None)
    check.process_request(request)
    return check.process_view(request, None, (), {})


def confirm_unless_proven(confirm: Callable[..., HttpResponse]):
    """Run the view only for a request that passes the CSRF check; answer any other with
    `confirm(request, *args, **kwargs)`, which must write nothing (see the module docstring)."""

    def decorator(view):
        @csrf_exempt  # checked below, with a kinder answer than 403
        @wraps(view)
        def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            reason = unproven(request)
            if reason is None:
                return view(request, *args, **kwargs)
            logger.info("Form sent without a valid CSRF token (%s): asked to confirm", reason)
            return confirm(request, *args, **kwargs)

        return checked

    return decorator
