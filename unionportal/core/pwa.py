"""Offline use (issue #15): the web app manifest, the service worker at /sw.js, the offline
page, the header that lets the worker keep a public page, and sign-out that clears the device.

What the worker may keep is decided here, on the server: a page carries `X-Offline-Cache:
public` only when it was answered to an anonymous GET at a public address. Desk, account,
welfare and admin pages, and anything a signed-in user was shown, never get it, so the worker
never stores personal data in its caches. Welfare drafts recorded offline live in IndexedDB
(welfare/js/visit_offline.js) until they are sent, and sign-out removes them.
"""

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from urllib.parse import urljoin

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.functional import empty
from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

THEME_COLOR = "#dc3545"  # the navbar's red (Bootstrap's bg-danger)
# Addresses whose pages are never kept on the device, whoever asks.
PRIVATE_PREFIXES = (
    "/desk/",
    "/accounts/",
    "/admin/",
    "/api/",
    "/members/",
    "/notifications/",
    "/welfare/",
    "/i18n/",
    "/media/",
)
# The app shell: what base.html loads, the icons, and the offline page's script. Files that
# a deployment lacks are left out rather than failing the worker's install.
SHELL_FILES = (
    "vendor/bootstrap/css/bootstrap.min.css",
    "build/icons.svg",
    "css/portal.css",
    "css/print.css",
    "img/favicon.svg",
    "img/icons/icon-192.png",
    "img/icons/icon-512.png",
    "img/icons/maskable-192.png",
    "img/icons/maskable-512.png",
    "vendor/bootstrap/js/bootstrap.bundle.min.js",
    "vendor/htmx/htmx.min.js",
    "js/pwa.js",
)
SW_TEMPLATE = "pwa/sw.js"
OFFLINE_DB = "unionportal-offline"  # IndexedDB of welfare drafts (visit_offline.js)


def is_private_path(path: str) -> bool:
    return path.startswith(PRIVATE_PREFIXES)


@lru_cache(maxsize=1)
def shell_urls() -> tuple[str, ...]:
    urls = []
    manifest = hasattr(staticfiles_storage, "manifest_hash")
    for name in SHELL_FILES:
        if not manifest and not finders.find(name):
            continue
        try:
            urls.append(static(name))
        except ValueError:  # not in the manifest of collected files
            continue
    return tuple(urls)


@lru_cache(maxsize=1)
def sw_version() -> str:
    """Changes with every deploy that changes the static files or the worker itself, so the
    browser installs the new worker and drops the old caches."""
    h = hashlib.sha256()
    h.update(Path(__file__).read_bytes())
    for directory in settings.TEMPLATES[0]["DIRS"]:
        source = Path(directory) / SW_TEMPLATE
        if source.exists():
            h.update(source.read_bytes())
    manifest_hash = getattr(staticfiles_storage, "manifest_hash", "")
    if manifest_hash:
        h.update(manifest_hash.encode())
    else:  # development: the shell files' contents
        for name in SHELL_FILES:
            found = finders.find(name)
            if found:
                h.update(Path(found).read_bytes())
    h.update("\n".join(shell_urls()).encode())
    return h.hexdigest()[:16]


@require_GET
def manifest(request: HttpRequest) -> HttpResponse:
    """The web app manifest: installable, opens on the home page, standalone, in the portal's red."""
    icons = [
        {"src": static(f"img/icons/icon-{n}.png"), "sizes": f"{n}x{n}", "type": "image/png", "purpose": "any"}
        for n in (192, 512)
    ] + [
        {"src": static(f"img/icons/maskable-{n}.png"), "sizes": f"{n}x{n}", "type": "image/png", "purpose": "maskable"}
        for n in (192, 512)
    ]
    data = {
        "id": "/",
        "name": _("UnionPortal"),
        "short_name": pgettext("app name on the home screen", "Union stations"),
        "description": _("UnionPortal · trade-union services for workers"),
        "lang": get_language() or settings.LANGUAGE_CODE,
        "start_url": "/?source=pwa",
        "scope": "/",
        "display": "standalone",
        "orientation": "portrait",
        "theme_color": THEME_COLOR,
        "background_color": "#ffffff",
        "icons": icons,
        "shortcuts": [{"name": _("Station finder"), "url": reverse("stations:finder")}],
    }
    response = JsonResponse(data, content_type="application/manifest+json", json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, from the site's root so that its scope is the whole site."""
    config = {
        "version": sw_version(),
        "shell": list(shell_urls()) + [reverse("offline"), reverse("manifest")],
        "offline": reverse("offline"),
        "finder": reverse("stations:finder"),
        "nearby": reverse("stations:nearby"),
        "static": urljoin("/", settings.STATIC_URL),
        "private": list(PRIVATE_PREFIXES),
    }
    body = render_to_string(SW_TEMPLATE, {"config": json.dumps(config)})
    response = HttpResponse(body, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    # Always asked again, so that a deploy reaches every device on its next visit.
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request: HttpRequest) -> HttpResponse:
    """What the worker shows for a page it has not kept, without a signal (never personal)."""
    response = render(request, "pwa/offline.html", {"db_name": OFFLINE_DB})
    response["Cache-Control"] = "public, max-age=3600"
    return response


def _anonymous(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is None:
        return settings.SESSION_COOKIE_NAME not in request.COOKIES
    if getattr(user, "_wrapped", None) is empty:
        # Not looked at by the view: a page that needs no session costs none here either.
        # Without a session cookie nobody is signed in; with one, stay on the safe side.
        return settings.SESSION_COOKIE_NAME not in request.COOKIES
    return not user.is_authenticated


class OfflineCacheMiddleware:
    """Mark the pages the service worker may keep for offline use: `X-Offline-Cache: public`."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            request.method == "GET"
            and response.status_code == 200
            and not response.streaming
            and response.get("Content-Type", "").startswith("text/html")
            and not is_private_path(request.path)
            and not any(w in response.get("Cache-Control", "") for w in ("private", "no-store"))
            and _anonymous(request)
        ):
            response["X-Offline-Cache"] = "public"
        return response


class SignOutView(auth_views.LogoutView):
    """Django's sign-out, which also tells the browser to clear this site's caches and storage
    (the service worker's caches, IndexedDB drafts); pwa.js clears them too before it posts."""

    def post(self, request, *args, **kwargs):
        response = super().post(request, *args, **kwargs)
        response["Clear-Site-Data"] = '"cache", "storage"'
        return response
