"""A demo-like world crawled as each demo role, shared by the crawl and the language tests.

The demo data is seeded once per test module (inside a transaction rolled back at the end, so
no other test sees it); each role then follows every same-site link reachable from `/` and
`/desk/`, breadth first. Addresses that differ only by their numbers or query values (the
858 station pages, page=2, page=3, ...) share a pattern, and only a few of each pattern are
fetched: the crawl stays short and still reaches every kind of page.
"""

import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit

from django.core.management import call_command
from django.db import transaction
from django.test import Client
from django.urls import Resolver404, resolve

# role name -> demo username (None: anonymous). `voter` holds no role: a plain member.
ROLES = {
    "officer": "fangshan_officer",
    "welfare": "beifang_welfare",
    "chair": "beifang_chair",
    "judge": "xingshan_judge",
    "viewer": "fangshan_viewer",
    "member": "voter",
    "anonymous": None,
}
MAX_PAGES = 300
PER_PATTERN = 2
SKIP_PREFIXES = ("/admin/", "/media/", "/static/", "/i18n/", "/accounts/logout/", "/favicon.ico")
# GET on these answers a download or a redirect; nothing there to read or follow.
SKIP_SUFFIXES = (".xlsx", ".pdf", ".csv", ".png", ".jpg", ".svg")


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]


def pattern(target: str) -> str:
    url = urlsplit(target)
    keys = sorted({k for k, _ in parse_qsl(url.query, keep_blank_values=True)})
    return re.sub(r"\d+", "N", url.path) + ("?" + "&".join(keys) if keys else "")


@dataclass
class Page:
    path: str
    came_from: str
    status: int
    content_type: str = ""
    html: str = ""
    app: str = ""


@dataclass
class Crawl:
    role: str
    pages: list[Page] = field(default_factory=list)

    def broken(self) -> list[Page]:
        return [p for p in self.pages if p.status in (403, 404) or p.status >= 500]


def app_of(path: str) -> str:
    """The app that owns an address (its URL namespace; the core for the rest)."""
    try:
        match = resolve(urlsplit(path).path)
    except Resolver404:
        return "?"
    ns = match.namespace or ""
    if ns in ("", "core"):
        return "core"
    return ns.split(":")[0]


def seed_demo() -> None:
    call_command("seed_demo", stdout=io.StringIO())


def crawl(username: str | None, *, role: str, language: str = "zh-hans") -> Crawl:
    from django.contrib.auth import get_user_model

    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.cookies["django_language"] = language
    if username:
        client.force_login(get_user_model().objects.get(username=username))
    result = Crawl(role)
    starts = ["/", "/desk/"]
    queue = [(s, "(start)") for s in starts]
    seen: set[str] = set()
    per_pattern: dict[str, int] = {}
    while queue and len(result.pages) < MAX_PAGES:
        path, came_from = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        key = pattern(path)
        if per_pattern.get(key, 0) >= PER_PATTERN:
            continue
        per_pattern[key] = per_pattern.get(key, 0) + 1
        response = client.get(path, follow=True)
        final = response.redirect_chain[-1][0] if response.redirect_chain else path
        ctype = response.get("Content-Type", "")
        page = Page(path, came_from, response.status_code, ctype, app=app_of(urlsplit(final).path or path))
        result.pages.append(page)
        if response.status_code != 200 or not ctype.startswith("text/html"):
            continue
        page.html = response.content.decode("utf-8", "replace")
        parser = Links()
        parser.feed(page.html)
        base = urljoin("http://testserver", final)
        for href in parser.hrefs:
            url = urlsplit(urljoin(base, href))
            if url.scheme not in ("", "http") or url.netloc not in ("", "testserver"):
                continue
            if url.path.startswith(SKIP_PREFIXES) or url.path.endswith(SKIP_SUFFIXES):
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            if target not in seen:
                queue.append((target, path))
    return result


class World:
    """The seeded demo and each role's crawl, computed once per module."""

    def __init__(self):
        self._crawls: dict[str, Crawl] = {}

    def crawl(self, role: str) -> Crawl:
        if role not in self._crawls:
            self._crawls[role] = crawl(ROLES[role], role=role)
        return self._crawls[role]


def demo_world(django_db_blocker, media_root):
    """Generator for a module fixture: seeds the demo, yields a World, rolls it all back."""
    from django.test import override_settings

    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media_root, WELFARE_PRIVATE_ROOT=media_root / "p"),
        transaction.atomic(),
    ):
        seed_demo()
        yield World()
        transaction.set_rollback(True)
