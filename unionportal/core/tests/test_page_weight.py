"""Page weight (#13): compression without BREACH, the icon sprite, the ECharts bundle, the
language switch link, and the SEO basics every public page needs (description, favicon, lang,
viewport, robots.txt)."""

import gzip
import io
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.http import HttpResponse
from django.template import Context, Template
from django.test import RequestFactory

from unionportal.core.compression import SafeGZipMiddleware
from unionportal.core.templatetags.icons import SpriteMissing

BASE = Path(settings.BASE_DIR)
TEMPLATE_DIRS = [BASE / "templates", *sorted(BASE.glob("*/templates"))]
PUBLIC_FIXED = ["/", "/activities/", "/stations/", "/stations/stats/", "/studios/", "/contests/"]
BUILD_HINT = "run `make install` (node scripts/build-assets.mjs builds static/build/)"


def _templates():
    for folder in TEMPLATE_DIRS:
        yield from sorted(folder.rglob("*.html"))


def _built(name: str) -> Path:
    found = finders.find(f"build/{name}")
    if not found:
        pytest.fail(f"static/build/{name} is missing: {BUILD_HINT}")
    return Path(found)


# --- Icons --------------------------------------------------------------------------------


def test_icon_tag_renders_a_hidden_svg_from_the_sprite():
    html = Template('{% load icons %}{% icon "geo-alt" %}').render(Context())
    assert html == (
        '<svg class="bi" width="1em" height="1em" fill="currentColor" aria-hidden="true">'
        f'<use href="{settings.STATIC_URL}build/icons.svg#geo-alt"></use></svg>'
    )


def test_icon_tag_keeps_classes_and_names_a_meaningful_icon():
    html = Template('{% load icons %}{% icon "bi-person-check" class="text-success me-1" label=label %}').render(
        Context({"label": "Active <b>"})
    )
    assert 'class="bi text-success me-1"' in html
    assert 'role="img" aria-label="Active &lt;b&gt;"' in html and "<title>Active &lt;b&gt;</title>" in html
    assert "aria-hidden" not in html and "#person-check" in html


def test_icon_tag_says_what_to_do_when_the_sprite_was_not_built(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    settings.STATIC_ROOT = str(BASE / "no-such-static-root")
    with pytest.raises(SpriteMissing, match="make install"):
        Template('{% load icons %}{% icon "geo-alt" %}').render(Context())


def test_no_template_uses_the_icon_font_any_more():
    left = [
        f"{path.relative_to(BASE)}:{n}"
        for path in _templates()
        for n, line in enumerate(path.read_text("utf-8").splitlines(), 1)
        if "bi bi-" in line or re.search(r"<i [^>]*class=\"bi\b", line)
    ]
    assert not left, 'use {% icon %} instead of <i class="bi ...">:\n' + "\n".join(left)
    for path in _templates():
        assert "bootstrap-icons.min.css" not in path.read_text("utf-8"), path


def test_every_icon_used_is_in_the_sprite():
    from stations.amenities import AMENITIES

    sprite = _built("icons.svg").read_text("utf-8")
    in_sprite = set(re.findall(r'<symbol id="([a-z0-9-]+)"', sprite))
    used = {icon.removeprefix("bi-") for _code, _label, icon in AMENITIES}
    for path in _templates():
        used |= set(re.findall(r"\{%\s*icon\s+[\"']([a-z0-9-]+)[\"']", path.read_text("utf-8")))
    assert used, "no {% icon %} found in the templates"
    assert not used - in_sprite, f"icons missing from the sprite ({BUILD_HINT}): {sorted(used - in_sprite)}"
    # Only what is used (plus the few that JavaScript builds): not the whole set of 2,000.
    assert len(in_sprite) < 150


# --- ECharts ------------------------------------------------------------------------------


def test_pages_load_the_tree_shaken_echarts_bundle():
    bundle = _built("echarts.js")
    full = BASE / "node_modules/echarts/dist/echarts.min.js"
    if full.exists():
        assert bundle.stat().st_size < 0.7 * full.stat().st_size
    text = bundle.read_text("utf-8")
    assert "window.echarts" in text
    for path in _templates():
        assert "vendor/echarts" not in path.read_text("utf-8"), f"{path}: load build/echarts.js"


# --- Compression (BREACH) -----------------------------------------------------------------


def _get(client, url, **extra):
    return client.get(url, HTTP_ACCEPT_ENCODING="gzip, deflate, br", **extra)


@pytest.mark.django_db
@pytest.mark.parametrize("url", PUBLIC_FIXED)
def test_anonymous_public_pages_are_compressed_and_carry_no_token(client, url):
    response = _get(client, url)
    assert response.status_code == 200
    assert response["Content-Encoding"] == "gzip", url
    assert "Accept-Encoding" in response["Vary"]
    assert not response.cookies
    html = gzip.decompress(response.content)
    assert b"csrfmiddlewaretoken" not in html and b"</html>" in html


@pytest.mark.django_db
def test_signed_in_pages_are_never_compressed(client, officer_a):
    client.force_login(officer_a)
    for url in ["/", "/desk/", "/stations/"]:
        response = _get(client, url)
        assert response.status_code == 200
        assert not response.has_header("Content-Encoding"), url


@pytest.mark.django_db
def test_a_page_with_a_csrf_token_is_not_compressed(client):
    response = _get(client, "/accounts/login/")
    assert b"csrfmiddlewaretoken" in response.content
    assert not response.has_header("Content-Encoding")


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/", "/activities/", "/stations/", "/studios/", "/contests/"])
def test_a_kept_page_is_compressed_once_and_sent_as_each_visitor_accepts(client, url, monkeypatch):
    """The page cache keeps a public page with its compressed body: a hit goes out compressed
    for a browser that accepts gzip, plain for one that does not, and compresses nothing."""
    from unionportal.core import compression

    made = _get(client, url)  # rendered, compressed by the middleware, and kept
    assert made["Content-Encoding"] == "gzip" and not made.has_header("X-Page-Cache")
    calls = []
    real = compression.compress_string
    monkeypatch.setattr(compression, "compress_string", lambda *a, **k: calls.append(1) or real(*a, **k))
    monkeypatch.setattr("django.middleware.gzip.compress_string", compression.compress_string)
    packed = _get(client, url)
    plain = client.get(url)
    assert packed["X-Page-Cache"] == "hit" and plain["X-Page-Cache"] == "hit"
    assert calls == []  # neither hit compressed anything
    assert packed["Content-Encoding"] == "gzip" and not plain.has_header("Content-Encoding")
    assert gzip.decompress(packed.content) == plain.content == gzip.decompress(made.content)
    assert int(packed["Content-Length"]) == len(packed.content)
    assert int(plain["Content-Length"]) == len(plain.content)
    for response in (packed, plain):
        assert "Accept-Encoding" in response["Vary"] and not response.cookies


@pytest.mark.django_db
def test_a_kept_page_with_forms_taking_their_token_when_sent_is_compressed(client, tree, clock):
    """A station page holds the check-in and feedback forms, whose CSRF token is fetched when
    they are sent (unionportal.core.formtokens): no secret in it, so it is compressed."""
    from stations import services
    from stations.models import Station

    station = services.station_save(
        station=Station(
            union=tree.a,
            name="Form station",
            kind=Station.Kind.OUTDOOR,
            lat=39.73,
            lng=116.14,
            town="T",
            status=Station.Status.OPEN,
            is_public=True,
        )
    )
    first = _get(client, station.get_absolute_url())
    again = _get(client, station.get_absolute_url())
    assert again["X-Page-Cache"] == "hit"
    for response in (first, again):
        assert response["Content-Encoding"] == "gzip"
        html = gzip.decompress(response.content)
        assert html.count(b'name="csrfmiddlewaretoken" value=""') == 2 and b"</html>" in html


def _through_middleware(response, **cookies):
    request = RequestFactory().get("/", HTTP_ACCEPT_ENCODING="gzip")
    request.COOKIES.update(cookies)
    return SafeGZipMiddleware(lambda request: response)(request)


def test_the_middleware_leaves_out_cookies_tokens_and_sessions():
    body = "<p>" + "public text " * 100 + "</p>"
    assert _through_middleware(HttpResponse(body))["Content-Encoding"] == "gzip"

    with_cookie = HttpResponse(body)
    with_cookie.set_cookie("anything", "1")
    assert not _through_middleware(with_cookie).has_header("Content-Encoding")

    with_token = HttpResponse(body + '<input name="csrfmiddlewaretoken" value="x">')
    assert not _through_middleware(with_token).has_header("Content-Encoding")

    session = {settings.SESSION_COOKIE_NAME: "abc"}
    assert not _through_middleware(HttpResponse(body), **session).has_header("Content-Encoding")

    image = HttpResponse(b"\x89PNG" + b"\0" * 1000, content_type="image/png")
    assert not _through_middleware(image).has_header("Content-Encoding")


# --- The language switch ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_language_switch_is_a_link_that_sets_the_cookie(client):
    html = client.get("/stations/").content.decode()
    assert re.search(r'href="/i18n/lang/zh-hans/\?next=/stations/"', html)
    response = client.get("/i18n/lang/zh-hans/?next=/stations/")
    assert response.status_code == 302 and response["Location"] == "/stations/"
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "zh-hans"
    assert "no-cache" in response["Cache-Control"]
    assert '<html lang="zh-hans">' in client.get("/stations/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", ""])
def test_the_language_switch_goes_only_to_this_site(client, target):
    response = client.get("/i18n/lang/en/", {"next": target})
    assert response.status_code == 302 and response["Location"] == "/"


@pytest.mark.django_db
def test_an_unknown_language_changes_nothing(client):
    response = client.get("/i18n/lang/xx-evil/?next=/contests/")
    assert response.status_code == 302 and response["Location"] == "/contests/"
    assert settings.LANGUAGE_COOKIE_NAME not in response.cookies


# --- SEO basics ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_robots_txt_and_favicon_answer(client):
    response = client.get("/robots.txt")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/plain")
    assert "User-agent: *" in response.content.decode() and "Disallow: /desk/" in response.content.decode()
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    path = response["Location"].removeprefix(settings.STATIC_URL)
    assert finders.find(path), path


def _head_problems(html: str) -> list[str]:
    problems = []
    m = re.search(r'<meta name="description" content="([^"]*)"', html)
    if not m or len(m.group(1).strip()) < 10:
        problems.append("meta description")
    if not re.search(r'<link rel="icon" href="[^"]+"', html):
        problems.append("favicon link")
    if not re.search(r'<html lang="[a-z-]+"', html):
        problems.append("lang attribute")
    if '<meta name="viewport" content="width=device-width, initial-scale=1">' not in html:
        problems.append("viewport meta")
    return problems


@pytest.mark.django_db
def test_every_public_page_has_a_description_a_favicon_lang_and_viewport(client, settings):
    """On the demo data: the fixed pages and one of each object page, in Chinese."""
    from contests.models import Contest, Entry
    from stations.models import Station
    from studios.models import Studio

    call_command("seed_demo", stdout=io.StringIO())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"

    def first_ok(urls):
        return next((u for u in urls if client.get(u).status_code == 200), None)

    pages = list(PUBLIC_FIXED)
    pages.append(Station.objects.order_by("pk").first().get_absolute_url())
    pages.append(Studio.objects.order_by("pk").first().get_absolute_url())
    pages.append(first_ok(c.get_absolute_url() for c in Contest.objects.order_by("pk")))
    pages.append(first_ok(e.get_absolute_url() for e in Entry.objects.select_related("contest").order_by("pk")[:30]))
    pages.append(first_ok(f"{c.get_absolute_url()}results/" for c in Contest.objects.order_by("pk")))
    assert None not in pages, pages
    descriptions = {}
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert not _head_problems(html), (url, _head_problems(html))
        descriptions[url] = re.search(r'<meta name="description" content="([^"]*)"', html).group(1)
    # Each kind of page says what it is (object pages name their object), in Chinese.
    assert len(set(descriptions.values())) == len(pages), descriptions
    assert all(re.search(r"[\u4e00-\u9fff]", d) for d in descriptions.values()), descriptions
