"""A demo-like world crawled as each demo role, shared by the crawl and the language tests.

The demo data is seeded once per test module (inside a transaction rolled back at the end, so
no other test sees it); each role then follows every same-site link reachable from `/` and
`/desk/`, breadth first. Addresses that differ only by their numbers or query values (the
858 station pages, page=2, page=3, ...) share a pattern, and only a few of each pattern are
fetched: the crawl stays short and still reaches every kind of page.
"""

import functools
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qsl, urljoin, urlsplit

from django.test import Client
from django.urls import Resolver404, resolve

from unionportal.core.testing import seeded_for_module

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
PER_PATTERN = 3
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
    seeded = seeded_for_module(django_db_blocker, media_root)
    next(seeded)
    yield World()
    next(seeded, None)  # the rollback


# --- English left in the Chinese UI ----------------------------------------------------------

# Common words of a UI's chrome: buttons, headings, labels, states. Whole words, any case.
ENGLISH_UI_WORDS = (  # noqa: SIM905 (a word list reads best as words)
    "Save Cancel Search Edit Delete Remove Add New Back Next Previous Submit Send Export Import Print "
    "Open Closed Close Station Stations Visit Visits Status Name Date Time Kind Type Union Role Filter "
    "Apply Reset Details Description Address Phone Photo Photos Hours Score Scores Vote Votes Results "
    "Contest Contests Studio Studios Activity Activities Report Reports Sign Home Desk Menu Page Total "
    "Yes None Required Optional Actions Approve Reject Publish Published Draft Upload Download View Show "
    "More Less Today Yesterday Week Month Year Inspection Award Awards Feedback Rating Members Member"
).split()
ENGLISH_RE = re.compile(r"(?<![\w-])(" + "|".join(ENGLISH_UI_WORDS) + r")(?![\w-])", re.IGNORECASE | re.ASCII)
NOT_TEXT = {"script", "style", "template", "noscript", "textarea", "svg", "code"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class VisibleText(HTMLParser):
    """Text a reader sees: no scripts or styles, no attribute values, nothing marked as another
    language (the language switch says "English" in English on purpose)."""

    def __init__(self):
        super().__init__()
        self.stack: list[tuple[str, bool]] = []  # (tag, hidden)
        self.chunks: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        a = dict(attrs)
        lang = (a.get("lang") or "").lower()
        hidden = (self.stack and self.stack[-1][1]) or tag in NOT_TEXT or (lang and not lang.startswith("zh"))
        # User data is marked translate="no" (names, titles typed by people) where a page wants it skipped.
        hidden = hidden or a.get("translate") == "no"
        self.stack.append((tag, bool(hidden)))

    def handle_endtag(self, tag):
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data):
        if not (self.stack and self.stack[-1][1]) and data.strip():
            self.chunks.append(" ".join(data.split()))


def english_words(html: str) -> list[tuple[str, str]]:
    """(word, text chunk) for each English UI word in the visible text."""
    parser = VisibleText()
    parser.feed(html)
    return [(m.group(1), chunk) for chunk in parser.chunks for m in ENGLISH_RE.finditer(chunk)]


@functools.cache
def _sources() -> dict[str, str]:
    """App -> the text of its templates and modules (the core's include templates/)."""
    from django.conf import settings

    base = Path(settings.BASE_DIR)
    roots = {"core": [base / "unionportal", base / "templates"]}
    for app in ("stations", "studios", "contests", "welfare", "accounts", "members"):
        roots[app] = [base / app]
    texts = {}
    for app, dirs in roots.items():
        parts = []
        for d in dirs:
            for f in d.rglob("*"):
                if f.suffix in (".py", ".html", ".js") and not {"tests", "migrations"} & set(f.parts):
                    parts.append(" ".join(f.read_text("utf-8", "replace").split()))
        texts[app] = "\n".join(parts)
    return texts


def owner_of(chunk: str, *, fallback: str) -> str:
    """The app whose source holds this text (the longest English run of it), else `fallback`."""
    runs = sorted(re.findall(r"[A-Za-z][A-Za-z ,.'’-]{3,}", chunk), key=len, reverse=True)
    for run in runs[:2]:
        run = run.strip(" ,.")
        owners = [app for app, text in _sources().items() if run in text]
        if len(owners) == 1:
            return owners[0]
        if fallback in owners:
            return fallback
    return fallback
