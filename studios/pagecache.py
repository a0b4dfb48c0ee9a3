"""A page cache for anonymous visitors of the public studio pages.

A profile is read far more often than it changes, and `make bench` wants it close to the
speed of /healthz. For an anonymous visitor without a session or pending messages, the
whole rendered page is kept in the cache under a key holding the language, the path and a
freshness stamp read from the database on every request (one indexed query: the studio's
`updated_at`, which every write of a studio's records touches). So an added achievement
shows on the very next request, whichever server process answers it.

The one per-visitor part of such a page is the CSRF token of the language switcher: it is
stored as a placeholder and filled in with this visitor's token on the way out.
"""

import hashlib
import re
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation

TTL = 300  # seconds; a safety net for changes that do not touch the stamp (e.g. a union renamed)
PLACEHOLDER = "__studios_csrf__"
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


def serve(request: HttpRequest, name: str, stamp, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The cached page for `name` at freshness `stamp`, or `render()` (and keep it when it may be shared)."""
    if not cacheable(request):
        return render()
    stamp_hash = hashlib.blake2b(str(stamp).encode(), digest_size=8).hexdigest()
    key = f"studios:page:{name}:{translation.get_language()}:{stamp_hash}"
    html = cache.get(key)
    if html is None:
        response = render()
        if response.status_code != 200:
            return response
        html = _TOKEN.sub(rf"\g<1>{PLACEHOLDER}\g<2>", response.content.decode())
        cache.set(key, html, TTL)
        return response
    response = HttpResponse(html.replace(PLACEHOLDER, get_token(request)))
    response.headers.setdefault("Content-Language", translation.get_language())
    return response


def profile_stamp(slug: str) -> tuple[int, str] | None:
    """(pk, updated_at) of a public studio, or None: the one query of a cached profile.

    Plain SQL on purpose: building the equivalent ORM query costs more than running it, and
    this runs on every anonymous profile view. It must match `StudioQuerySet.public()`.
    """
    from .models import Studio

    statuses = list(Studio.PUBLIC_STATUSES)
    marks = ", ".join(["%s"] * len(statuses))
    sql = (
        f"SELECT id, updated_at FROM {Studio._meta.db_table} "  # noqa: S608 - table name from the model, values bound
        f"WHERE slug = %s AND published = %s AND status IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [slug, True, *statuses])
        row = cursor.fetchone()
    return (row[0], str(row[1])) if row else None
