"""A whole-page cache for anonymous visitors of the public pages.

Public pages are read far more often than they change. For an anonymous visitor (no session
cookie, no pending messages), the rendered page is kept in the shared cache under a key
holding the host, the language, the path, a normalised whitelist of query parameters and a
freshness stamp. A view opts in with the `page()` decorator, which names the page, how its
stamp is read (cheaply: a kept stamp, see `kept()`, and/or a time bucket, see `bucket()`) and
within how many seconds a write shows on it; `base.html` states that in its footer.

`PageCacheMiddleware` (first after the health checks) answers a cached page before the rest
of the middleware runs (sessions, CSRF, authentication, messages...): the headers they set
on the page when it was rendered are stored with it and replayed. Anything that makes a page
per-visitor (a session or messages cookie, a signed-in user, an API token, a cookie set by the
page, `Cache-Control: private/no-store`, a CSRF token in it) bypasses the cache both ways: the
forms of a cached page take their token when sent (unionportal.core.formtokens).

`HotPages`, the WSGI application around Django's, answers a ready page (no per-visitor part)
that this process served in the last second without running Django at all (see "Hot pages").
A kept page with an ETag answers a matching If-None-Match with 304.

A missing page (its stamp moved: a write, or the minute turned) is made by one request at a
time: the others meanwhile get its last copy if that was made within the page's stated
freshness (`X-Page-Cache: stale`), so a popular page does not render once per waiting visitor.

The public read API (/api/v1/) opts its answers in the same way: a JSON answer kept here is
served before DRF runs, so a repeat answer costs no throttle count and no query; the throttle
still counts every answer that is made (api/views.py).

`PAGE_CACHE=0` (settings.PAGE_CACHE) turns the cache off: `make bench` measures the cold
pages that way.
"""

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import DisallowedHost
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils.cache import get_conditional_response

from .compression import FILLED_TOKEN, accepts_gzip, compress_kept, gzip_headers

TTL = 300  # seconds; a safety net for changes that do not move the stamp (e.g. a union renamed)
STAMP_TTL = 10  # seconds a stamp read by kept() is trusted without asking the database again
MAX_TEXT_PARAM = 40  # longer search terms are answered without the cache (bounds the keys)
MAX_PAGE_PARAM = 500
KEPT_TYPES = ("text/html", "application/json")  # pages, and the public API's answers
# One request at a time makes a missing page (its stamp moved: a write, or the minute turned);
# for at most this long the others get its last copy meanwhile (PageCacheMiddleware).
MAKING_SECONDS = 5


def now() -> float:
    """The clock of stamps and buckets (tests move it forward instead of sleeping)."""
    return time.time()


def enabled() -> bool:
    return getattr(settings, "PAGE_CACHE", True)


def bucket(seconds: int) -> int:
    """The number of the current `seconds`-long time slot: a stamp part that moves by itself."""
    return int(now() // seconds)


# --- Query parameters ------------------------------------------------------------------------


def page_number(value: str) -> str | None:
    """?page=N: a positive number (canonical form; 1 is the page without it), else uncached."""
    if value == "":
        return ""
    if not value.isdigit() or not 0 < int(value) <= MAX_PAGE_PARAM:
        return None
    return "" if int(value) == 1 else str(int(value))


def text(value: str) -> str | None:
    """A short search term, as typed (the view reads it as typed); longer ones are not cached."""
    return value if len(value) <= MAX_TEXT_PARAM and "\x00" not in value else None


def choice(*values: str) -> Callable[[str], str | None]:
    """One of these values (or empty)."""
    allowed = {"", *values}
    return lambda value: value if value in allowed else None


def number(value: str) -> str | None:
    """An id (or empty), as typed."""
    return value if value == "" or (value.isdigit() and len(value) <= 12) else None


_DECIMAL = re.compile(r"-?\d{1,3}(\.\d{1,6})?")


def decimal(value: str) -> str | None:
    """A short plain decimal (a coordinate to 6 places, about 0.1 m), as typed; anything longer
    (raw GPS readings) is answered without the cache, which bounds the keys."""
    return value if value == "" or _DECIMAL.fullmatch(value) else None


def decimals(count: int) -> Callable[[str], str | None]:
    """`count` comma-separated short decimals (a map's box), as typed (see decimal())."""

    def normalise(value: str) -> str | None:
        if value == "":
            return ""
        parts = value.split(",")
        return value if len(parts) == count and all(decimal(part) for part in parts) else None

    return normalise


def query_key(request: HttpRequest, params: dict[str, Callable[[str], str | None]]) -> str | None:
    """The normalised query string of the whitelisted parameters, or None when the query holds
    anything else (then the page is rendered for this request only)."""
    parts = []
    for name, values in request.GET.lists():
        normalise = params.get(name)
        if normalise is None or len(values) != 1:
            return None
        value = normalise(values[0])
        if value is None:
            return None
        if value:
            parts.append(f"{name}={value}")
    return "&".join(sorted(parts))


# --- Who may get a shared page -----------------------------------------------------------------


def _anonymous_request(request: HttpRequest) -> bool:
    # Without a session cookie the visitor is anonymous (sign-in is session based), so the user
    # need not be loaded; `request.user`, once loaded, is asked as a second line of defence.
    # An API token (Authorization header) signs a request in without a cookie: never shared.
    return (
        request.method == "GET"
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and "messages" not in request.COOKIES
        and "HTTP_AUTHORIZATION" not in request.META
    )


# --- Stamps --------------------------------------------------------------------------------------

_MISSING = object()


# Each server process also remembers the stamps it read for up to LOCAL_SECONDS, so a cached
# page costs one shared-cache read (the page) rather than two; forget() clears this process's
# copy at once, and another process's copy lapses within LOCAL_SECONDS, which no page's stated
# freshness is shorter than.
LOCAL_SECONDS = 1.0
_LOCAL_MAX = 10_000
_local: dict[str, tuple[object, float]] = {}


def kept(name: str, read: Callable[[], object]) -> object:
    """The freshness stamp of page `name`, read by `read()` (one small query) at most every
    STAMP_TTL seconds and kept in the shared cache meanwhile, so that a cached page costs no
    query at all. Writers that change the page call forget(name): with a shared cache (Redis)
    the change shows within LOCAL_SECONDS on every server, and in any case within STAMP_TTL
    seconds."""
    key = f"pagestamp:{name}"
    moment = now()
    mine = _local.get(key)
    if mine is not None and 0 < mine[1] - moment <= LOCAL_SECONDS:  # (a clock set back: read again)
        return mine[0]
    entry = cache.get(key, _MISSING)
    if entry is not _MISSING and isinstance(entry, tuple) and len(entry) == 2 and entry[1] > moment:
        value, until = entry
    else:
        value, until = read(), moment + STAMP_TTL
        cache.set(key, (value, until), STAMP_TTL)
    if len(_local) >= _LOCAL_MAX:
        _local.clear()
    _local[key] = (value, min(until, moment + LOCAL_SECONDS))
    return value


def clear_local() -> None:
    """Forget this process's copies of the stamps and its hot pages (with the shared cache
    cleared, in tests)."""
    _local.clear()
    _hot.clear()


def _drop(keys: list[str]) -> None:
    cache.delete_many(keys)
    for key in keys:
        _local.pop(key, None)
    _hot.clear()  # a hot page may show what changed: this process asks the shared cache again


def forget(*names: str) -> None:
    """Drop the kept stamps of these pages now, and again once the current transaction commits
    (a request in between may have read and kept the old stamp)."""
    keys = [f"pagestamp:{name}" for name in names]
    if keys:
        _drop(keys)
        transaction.on_commit(lambda: _drop(keys))


# --- Opting a view in ---------------------------------------------------------------------------


@dataclass
class Spec:
    name: str
    stamp: Callable[..., object]  # (request, **url kwargs) -> stamp, or None: render, do not cache
    params: dict[str, Callable[[str], str | None]] = field(default_factory=dict)
    ttl: int = TTL
    fresh: int = STAMP_TTL  # a write shows within this many seconds (0: at once), stated in the footer


def page(
    name: str,
    stamp: Callable[..., object],
    *,
    params: dict[str, Callable[[str], str | None]] | None = None,
    ttl: int = TTL,
    fresh: int = STAMP_TTL,
):
    """Cache this view's page for anonymous visitors (PageCacheMiddleware does the work)."""
    spec = Spec(name, stamp, dict(params or {}), ttl, fresh)

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            request.page_cached = True  # base.html states the freshness: "changes show within N s"
            request.page_fresh = spec.fresh
            return view(request, *args, **kwargs)

        wrapper.page_cache = spec
        return wrapper

    return decorate


def language_of(request: HttpRequest) -> str:
    """The language PortalLocaleMiddleware will pick (it has not run yet)."""
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    return chosen if chosen in {code for code, _name in settings.LANGUAGES} else settings.LANGUAGE_CODE


_ROUTES: dict[str, tuple] = {}
_ROUTES_MAX = 5000


def _route(path: str):
    route = _ROUTES.get(path)
    if route is None:
        try:
            match = resolve(path)
        except Resolver404:
            route = (None, None)
        else:
            route = (getattr(match.func, "page_cache", None), match.kwargs)
        if len(_ROUTES) >= _ROUTES_MAX:
            _ROUTES.clear()
        _ROUTES[path] = route
    return route


class Found(NamedTuple):
    key: str  # the page as of its stamp
    spec: Spec
    place: str  # the page whatever its stamp: its last copy and its "being made" mark are kept by it

    @property
    def last_key(self) -> str:
        return f"pagelast:{self.place}"

    @property
    def making_key(self) -> str:
        return f"pagemaking:{self.place}"


def page_key(request: HttpRequest) -> Found | None:
    """The cache keys of this request's page, or None when it must be rendered for it alone."""
    if not enabled() or not _anonymous_request(request):
        return None
    if settings.SECURE_SSL_REDIRECT and not request.is_secure():
        return None  # SecurityMiddleware redirects it
    path = request.path_info
    if path.startswith((settings.STATIC_URL or "/static/", settings.MEDIA_URL or "/media/")):
        return None
    spec, kwargs = _route(path)
    if spec is None:
        return None
    query = query_key(request, spec.params)
    if query is None:
        return None
    try:
        host = request.get_host()
    except DisallowedHost:
        return None
    value = spec.stamp(request, **kwargs)
    if value is None:
        return None
    place = f"{host}|{path}|{query}"
    prefix = f"{spec.name}:{language_of(request)}"
    return Found(
        f"pagemw:{prefix}:{hashlib.blake2b(f'{place}|{value}'.encode(), digest_size=12).hexdigest()}",
        spec,
        f"{prefix}:{hashlib.blake2b(place.encode(), digest_size=12).hexdigest()}",
    )


# --- Hot pages: answered at the WSGI entry -----------------------------------------------------
#
# A ready page (one with no per-visitor part) that this process served or kept in the last
# HOT_SECONDS is answered by `HotPages`, the WSGI application around Django's (unionportal/wsgi.py),
# without building a request or running any middleware: a popular page then costs about what
# /healthz does. The entry is found by every request field the page cache's own decision and
# key read (_hot_fields(): method, scheme and proxy header, host, path, query, cookies and
# Authorization), so a request gets from it exactly what the shared cache would give it. A
# page is hot for HOT_SECONDS at most: forget() empties this process's hot pages at once, and
# another process's lapse within HOT_SECONDS (plus the stamps' LOCAL_SECONDS), which no page's
# stated freshness is shorter than.

HOT_SECONDS = 1.0
HOT_MAX = 200  # pages per process
HOT_MAX_BYTES = 512 * 1024
HOT_KEY = "portal.hot_key"  # where HotPages leaves a request's key for the middleware


@dataclass(frozen=True)
class HotPage:
    until: float
    plain: tuple[list[tuple[str, str]], bytes]
    gzip: tuple[list[tuple[str, str]], bytes] | None


_hot: dict[tuple, HotPage] = {}


def _hot_fields() -> tuple[str, ...]:
    proxy = settings.SECURE_PROXY_SSL_HEADER[0] if settings.SECURE_PROXY_SSL_HEADER else ""
    return (
        "REQUEST_METHOD",
        "wsgi.url_scheme",
        proxy,
        "HTTP_HOST",
        "HTTP_X_FORWARDED_HOST",
        "SERVER_NAME",
        "SERVER_PORT",
        "SCRIPT_NAME",
        "PATH_INFO",
        "QUERY_STRING",
        "HTTP_COOKIE",
        "HTTP_AUTHORIZATION",
    )


def hot_key(environ: dict) -> tuple:
    """What a hot page is found by: the request's fields that decide its page (see above), as
    the WSGI server gave them."""
    return tuple(environ.get(name) for name in _hot_fields())


def remember_hot(request: HttpRequest, response: HttpResponse | None) -> None:
    """Keep a ready page (see PageCacheMiddleware.keep) as this process's hot page for the
    request HotPages passed on (none when Django is called otherwise, e.g. by the test client)."""
    key = request.META.get(HOT_KEY)
    if key is None or response is None or len(response.content) > HOT_MAX_BYTES:
        return
    headers = [(k, "hot" if k == "X-Page-Cache" else v) for k, v in response.items()]
    packed = getattr(response, "gzipped", None)
    gzip = None
    if packed is not None:
        changes = gzip_headers(response.get("ETag"), len(packed))
        replaced = {name.lower() for name in changes}
        gzip = ([(k, v) for k, v in headers if k.lower() not in replaced] + list(changes.items()), packed)
    if len(_hot) >= HOT_MAX:
        _hot.clear()
    _hot[key] = HotPage(now() + HOT_SECONDS, (headers, response.content), gzip)


class HotPages:
    """The WSGI application: a hot page if there is one for this request, else Django's."""

    def __init__(self, application):
        self.application = application

    def __call__(self, environ, start_response):
        key = hot_key(environ)
        page = _hot.get(key)
        # Not hot: none, lapsed (or the clock was set back), or a browser revalidating its copy.
        if page is None or not 0 < page.until - now() <= HOT_SECONDS or "HTTP_IF_NONE_MATCH" in environ:
            # Found by the fields as they came (Django's request rewrites the path in META).
            environ[HOT_KEY] = key
            return self.application(environ, start_response)
        headers, body = page.gzip if page.gzip is not None and accepts_gzip(environ) else page.plain
        start_response("200 OK", list(headers))  # a copy: some servers add to the list (wsgiref)
        return [body]


_SKIP_HEADERS = {"set-cookie", "content-length"}


class PageCacheMiddleware:
    """Serve and keep the pages of views decorated with `page()` (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        found = page_key(request)
        if found is None:
            return self.get_response(request)
        entry = cache.get(found.key)
        if isinstance(entry, HttpResponse):
            if entry.has_header("ETag") and "HTTP_IF_NONE_MATCH" in request.META:
                # The browser's copy may still be good: 304 (weak tags match, as of a gzipped copy).
                return get_conditional_response(request, etag=entry["ETag"], response=entry)
            remember_hot(request, entry)
            return entry  # kept whole (a fresh copy from the cache), "X-Page-Cache: hit" included
        mine = cache.add(found.making_key, 1, MAKING_SECONDS)
        if not mine:  # another request is making it
            last = self.last_copy(found)
            if last is not None:
                return last
        try:
            response = self.get_response(request)
            remember_hot(request, self.keep(request, found, response))
        finally:
            if mine:
                cache.delete(found.making_key)
        return response

    @staticmethod
    def last_copy(found: Found) -> HttpResponse | None:
        """While another request makes this page: its last copy, if it was made within the page's
        stated freshness (so a write still shows within it), else None (made here too)."""
        last = cache.get(found.last_key)
        if not isinstance(last, HttpResponse) or not 0 <= now() - getattr(last, "made_at", 0) <= found.spec.fresh:
            return None
        last.headers["X-Page-Cache"] = "stale"
        return last

    @staticmethod
    def keep(request: HttpRequest, found: Found, response: HttpResponse) -> HttpResponse | None:
        """Keep the page when it may be shared, as of its stamp and as its place's last copy: the
        ready copy kept, else None."""
        user = getattr(request, "user", None)
        control = response.headers.get("Cache-Control", "")
        if (
            response.status_code != 200
            or response.streaming
            or response.cookies
            or "private" in control
            or "no-store" in control
            or not response.headers.get("Content-Type", "").startswith(KEPT_TYPES)
            or (user is not None and user.is_authenticated)
            or getattr(getattr(request, "session", None), "modified", False)
            or FILLED_TOKEN.search(response.content)  # this visitor's CSRF token
        ):
            return None
        headers = [(k, v) for k, v in response.items() if k.lower() not in _SKIP_HEADERS]
        # The response itself is kept, ready to go out as it comes back from the cache (no
        # header is converted again on a hit).
        ready = HttpResponse(response.content)
        for name, value in headers:
            ready.headers[name] = value
        ready.headers["X-Page-Cache"] = "hit"
        ready.headers["Content-Length"] = str(len(response.content))
        ready.gzipped = None
        ready.made_at = now()
        compress_kept(request, ready)  # compressed once here, not on every hit
        cache.set_many({found.key: ready, found.last_key: ready}, found.spec.ttl)
        return ready
