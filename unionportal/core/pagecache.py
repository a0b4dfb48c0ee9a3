"""A whole-page cache for anonymous visitors of the public pages (studio profiles, station pages).

Public pages are read far more often than they change. For an anonymous visitor without a
session or pending messages, the rendered page is kept in the shared cache under a key
holding the language, a page name and a freshness stamp that the caller reads from the
database (one small indexed query), or from the shared cache through stamp() when the
page's writers call forget(); either way a change shows on the very next request, whichever
server process answers it (see stamp() for caches that are not shared).

The one per-visitor part of such a page is the CSRF token of its forms (the language
switcher, a feedback form): it is stored as a placeholder and filled in with this visitor's
own token on the way out.
"""

import hashlib
import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

TTL = 300  # seconds; a safety net for changes that do not move the stamp (e.g. a union renamed)
STAMP_TTL = 10  # seconds a stamp read by stamp() is trusted without asking the database again
PLACEHOLDER = "__portal_csrf__"
_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]*(")')


def cacheable(request: HttpRequest) -> bool:
    # Without a session cookie the visitor is anonymous (sign-in is session based), so the
    # user need not be loaded; `request.user` is only asked as a second line of defence.
    return (
        request.method == "GET"
        and not request.GET
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and not request.user.is_authenticated
    )


_MISSING = object()


def stamp(name: str, read: Callable[[], object]) -> object:
    """The freshness stamp of page `name`, read by `read()` (one small query) at most every
    STAMP_TTL seconds and kept in the shared cache meanwhile, so that a cached page costs no
    query at all. Writers that change the page call forget(name): with a shared
    cache (Redis) the change shows on the very next request, with per-process caches (no
    REDIS_URL, several workers) within STAMP_TTL seconds."""
    key = f"pagestamp:{name}"
    value = cache.get(key, _MISSING)
    if value is _MISSING:
        value = read()
        cache.set(key, value, STAMP_TTL)
    return value


def forget(*names: str) -> None:
    """Drop the kept stamps of these pages now, and again once the current transaction commits
    (a request in between may have read and kept the old stamp)."""
    keys = [f"pagestamp:{name}" for name in names]
    if keys:
        cache.delete_many(keys)
        transaction.on_commit(lambda: cache.delete_many(keys))


def serve(request: HttpRequest, name: str, stamp, render: Callable[[], HttpResponse], ttl: int = TTL) -> HttpResponse:
    """The cached page for `name` at freshness `stamp`, or `render()` (kept when it may be shared)."""
    if not cacheable(request):
        return render()
    stamp_hash = hashlib.blake2b(str(stamp).encode(), digest_size=8).hexdigest()
    key = f"page:{name}:{translation.get_language()}:{stamp_hash}"
    html = cache.get(key)
    if html is None:
        response = render()
        if response.status_code != 200:
            return response
        html = _TOKEN.sub(rf"\g<1>{PLACEHOLDER}\g<2>", response.content.decode())
        cache.set(key, html, ttl)
        return response
    response = HttpResponse(html.replace(PLACEHOLDER, get_token(request)))
    response.headers.setdefault("Content-Language", translation.get_language())
    return response
