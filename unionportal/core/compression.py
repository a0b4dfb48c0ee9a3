"""Compression of pages that carry no secret, and the language switch that keeps them so.

BREACH: when a compressed response holds a secret (a CSRF token, a session's data) next to
text an attacker can inject (a search term in the URL), the compressed size tells the secret
away byte by byte. So only responses with no secret are compressed:

- the visitor is anonymous: no session cookie, no Authorization header, not signed in;
- the response sets no cookie (a CSRF or session cookie means a token went into the page);
- no CSRF token was used to render it, and the body holds no filled-in `csrfmiddlewaretoken`.

Everything else (signed-in pages, pages with a form, the sign-in page) goes out as is. The
public pages qualify once their one form on every page, the language switcher, is a plain link
(`switch_language` below), and the forms of a public page (a station's feedback and check-in)
take their token when sent (unionportal.core.formtokens).

Only text types are compressed (not images or files already compressed); static files are
whitenoise's (compressed ahead of time with the manifest storage). The middleware sits right
after the health checks, above the page cache (so cached pages are compressed too) and above
every middleware that sets a cookie (so it sees them all).
"""

import re

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.middleware.gzip import GZipMiddleware, re_accepts_gzip
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import compress_string

FILLED_TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]')  # a form's CSRF field, filled in
COMPRESSIBLE = (
    "text/",
    "application/json",
    "application/geo+json",
    "application/javascript",
    "application/xml",
    "application/manifest+json",
    "image/svg+xml",
)


def carries_no_secret(request: HttpRequest, response: HttpResponse) -> bool:
    """True when the response may be compressed: see the module's docstring."""
    if settings.SESSION_COOKIE_NAME in request.COOKIES or "HTTP_AUTHORIZATION" in request.META:
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    if response.cookies or response.has_header("Set-Cookie"):
        return False
    if request.META.get("CSRF_COOKIE_NEEDS_UPDATE"):  # get_token() ran: a token is in the page
        return False
    # A streamed body cannot be searched; the checks above cover how a token gets into one.
    return response.streaming or not FILLED_TOKEN.search(response.content)


def compressible(request: HttpRequest, response: HttpResponse) -> bool:
    content_type = response.get("Content-Type", "").lower()
    return content_type.startswith(COMPRESSIBLE) and not request.path.startswith(settings.STATIC_URL)


def accepts_gzip(meta: dict) -> bool:
    return bool(re_accepts_gzip.search(meta.get("HTTP_ACCEPT_ENCODING", "")))


def gzip_headers(etag: str | None, size: int) -> dict[str, str]:
    """The headers of a kept page sent compressed (`size` bytes), as GZipMiddleware sets them."""
    headers = {"Content-Length": str(size), "Content-Encoding": "gzip"}
    if etag and etag.startswith('"'):
        headers["ETag"] = "W/" + etag
    return headers


def compress_kept(request: HttpRequest, response: HttpResponse) -> None:
    """Compress a page the page cache keeps, once (unionportal.core.pagecache): its hits go out
    as kept, compressed or not as each visitor accepts, without compressing the page again.
    Only a page that carries no secret, as any other compressed response."""
    patch_vary_headers(response, ("Accept-Encoding",))  # as GZipMiddleware would on each hit
    if len(response.content) < 200 or not compressible(request, response):
        return
    if not carries_no_secret(request, response):
        return
    packed = compress_string(response.content, max_random_bytes=SafeGZipMiddleware.max_random_bytes)
    if len(packed) < len(response.content):
        response.gzipped = packed


class SafeGZipMiddleware(GZipMiddleware):
    """Django's GZipMiddleware (with its random padding against BREACH too), for text
    responses that carry no secret only (see the module)."""

    def process_response(self, request, response):
        if hasattr(response, "gzipped"):  # a kept page, compressed once (compress_kept)
            return self._send_kept(request, response)
        if not compressible(request, response):
            return response
        if not carries_no_secret(request, response):
            return response
        return super().process_response(request, response)

    @staticmethod
    def _send_kept(request: HttpRequest, response: HttpResponse) -> HttpResponse:
        packed = response.gzipped
        del response.gzipped
        if packed is None or not accepts_gzip(request.META):
            return response
        response.content = packed
        for name, value in gzip_headers(response.get("ETag"), len(packed)).items():
            response.headers[name] = value
        return response


def switch_language(request: HttpRequest, code: str) -> HttpResponse:
    """Set the language cookie and go back to `next`: a link, so pages need no form (and no
    CSRF token) for it. Safe as a GET: it only changes a display preference of this browser."""
    next_url = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if code in {c for c, _name in settings.LANGUAGES}:
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            code,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    add_never_cache_headers(response)
    return response
