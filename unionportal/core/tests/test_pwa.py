"""Offline use (issue #15): manifest, service worker, offline page, what the worker may keep,
and sign-out clearing the device."""

import json

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from PIL import Image

from unionportal.core import pwa


def test_manifest_is_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200 and response["Content-Type"] == "application/manifest+json"
    data = response.json()
    assert (data["start_url"], data["scope"], data["display"]) == ("/?source=pwa", "/", "standalone")
    assert data["theme_color"] == pwa.THEME_COLOR
    sizes = {(i["sizes"], i["purpose"]) for i in data["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes


def test_manifest_in_chinese(client, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    data = json.loads(client.get("/manifest.webmanifest").content)
    assert data["short_name"] == "工会驿站" and data["lang"] == "zh-hans"
    assert data["name"] == "工会服务平台"


@pytest.mark.parametrize(("name", "side"), [("icon-192", 192), ("icon-512", 512), ("maskable-512", 512)])
def test_icons_are_pngs_of_their_size(name, side):
    from django.contrib.staticfiles import finders

    with Image.open(finders.find(f"img/icons/{name}.png")) as img:
        assert (img.format, img.size) == ("PNG", (side, side))


def test_service_worker_headers_and_config(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    body = response.content.decode()
    config = json.loads(body.split("const CONFIG = ", 1)[1].split(";\n", 1)[0])
    assert config["version"] == pwa.sw_version() and len(config["version"]) == 16
    assert "/offline/" in config["shell"] and any(u.endswith("bootstrap.min.css") for u in config["shell"])
    assert config["nearby"] == reverse("stations:nearby") and config["finder"] == reverse("stations:finder")
    assert {"/desk/", "/accounts/", "/admin/", "/welfare/"} <= set(config["private"])
    assert 'request.method !== "GET"' in body  # POSTs are never handled, never kept


def test_sw_version_follows_the_static_manifest(monkeypatch):
    class Storage:
        manifest_hash = "abc"

    pwa.sw_version.cache_clear()
    pwa.shell_urls.cache_clear()
    try:
        plain = pwa.sw_version()
        monkeypatch.setattr(pwa, "staticfiles_storage", Storage())
        monkeypatch.setattr(pwa, "shell_urls", lambda: ("/static/x.css",))
        pwa.sw_version.cache_clear()
        first = pwa.sw_version()
        Storage.manifest_hash = "def"
        pwa.sw_version.cache_clear()
        assert len({plain, first, pwa.sw_version()}) == 3
    finally:
        pwa.sw_version.cache_clear()


@pytest.mark.django_db
def test_offline_page_in_chinese_says_nothing_personal(client, welfare_a, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(welfare_a)
    with translation.override("zh-hans"):
        response = client.get("/offline/")
    page = response.content.decode()
    assert response.status_code == 200 and "离线" in page
    assert "welfare_a" not in page and "csrfmiddlewaretoken" not in page


@pytest.mark.django_db
def test_public_pages_are_marked_keepable_only_for_anonymous_visitors(client, welfare_a):
    assert client.get("/offline/").get("X-Offline-Cache") == "public"
    home = client.get("/")
    assert home.status_code == 200 and home["X-Offline-Cache"] == "public"
    client.force_login(welfare_a)
    assert "X-Offline-Cache" not in client.get("/")
    assert "X-Offline-Cache" not in client.get(reverse("welfare:visit_create"))


@pytest.mark.django_db
def test_private_addresses_are_never_marked(client):
    for path in ("/accounts/login/", "/api/docs/"):
        response = client.get(path)
        assert response.status_code == 200 and "X-Offline-Cache" not in response, path


def test_is_private_path():
    assert pwa.is_private_path("/desk/visits/new/") and pwa.is_private_path("/accounts/logout/")
    assert not pwa.is_private_path("/stations/") and not pwa.is_private_path("/")


@pytest.mark.django_db
def test_sign_out_clears_the_site_data(client, welfare_a):
    client.force_login(welfare_a)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_base_links_the_manifest_and_the_worker_script(client):
    page = client.get("/").content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in page
    assert '<meta name="theme-color" content="#dc3545">' in page
    assert 'data-sw="/sw.js"' in page and "js/pwa.js" in page


@override_settings(CONTENT_SECURITY_POLICY={"DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'"]}})
@pytest.mark.django_db
def test_no_inline_script_added(client):
    page = client.get("/offline/").content.decode()
    assert "<script" not in page


def test_every_shell_file_exists():
    """The worker's shell list names files that are there (a renamed or dropped file would be
    skipped in silence, and the offline shell would lack it)."""
    from django.contrib.staticfiles import finders

    assert [name for name in pwa.SHELL_FILES if not finders.find(name)] == []
