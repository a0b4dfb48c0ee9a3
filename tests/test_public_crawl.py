"""Cross-app checks on the demo data: every public page answers, nothing personal leaks.

An anonymous visitor crawls the portal from the home page, following every same-site link,
and each page is also loaded with hostile query strings. No answer may be a server error,
and no public page may carry an ID number, a phone number of a hardship worker or a
hardship worker's name.
"""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.apps import apps

ID_NUMBER = re.compile(r"(?<![0-9])[1-9][0-9]{16}[0-9Xx](?![0-9])")
FUZZ = [
    "?q=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "?page=abc",
    "?page=-1",
    "?page=99999999999999999999",
    "?kind=zzz&amenity=nope&open_now=maybe",
    "?lat=abc&lng=1e999&limit=0",
    "?q=" + "长" * 500,
    "?q=%00%ff",
    "?town=%27%22",
    "?year=20x",
    "?sort=;drop",
]
MAX_PAGES = 400


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]


def _welfare_secrets() -> set[str]:
    """Names and phone numbers of hardship workers, read straight from the welfare tables."""
    secrets: set[str] = set()
    if not apps.is_installed("welfare"):
        return secrets
    for model in apps.get_app_config("welfare").get_models():
        fields = {f.name for f in model._meta.concrete_fields}
        for name in ("worker_name", "name", "phone"):
            if name in fields and not model.__name__.startswith("Historical"):
                secrets |= {v for v in model._default_manager.values_list(name, flat=True) if v and len(v) >= 2}
    return secrets


def test_anonymous_crawl_has_no_server_error_and_no_personal_data(demo_module, db, client):
    secrets = _welfare_secrets()
    seen, queue, failures = set(), ["/"], []
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code >= 500:
            failures.append(f"{path}: {response.status_code}")
            continue
        if response.get("Content-Type", "").startswith(("text/html", "application/json", "text/csv")):
            body = response.content.decode("utf-8", "replace")
            if ID_NUMBER.search(body):
                failures.append(f"{path}: ID number {ID_NUMBER.search(body).group()}")
            leaked = [s for s in secrets if s in body]
            if leaked:
                failures.append(f"{path}: welfare data {leaked[:3]}")
            if response.get("Content-Type", "").startswith("text/html"):
                parser = Links()
                parser.feed(body)
                for href in parser.hrefs:
                    url = urlsplit(urljoin(path, href))
                    if url.scheme in ("", "http") and url.netloc in ("", "testserver"):
                        target = url.path + (f"?{url.query}" if url.query else "")
                        if not url.path.startswith(("/admin/", "/media/", "/static/", "/i18n/")):
                            queue.append(target)
    assert not failures, failures
    assert len(seen) > 20  # the crawl really went through the portal


def test_hostile_query_strings_never_give_a_server_error(demo_module, db, client):
    paths = ["/", "/activities/", "/stations/", "/stations/nearby", "/stations/stats/", "/studios/", "/contests/"]
    failures = []
    for path in paths:
        for query in FUZZ:
            status = client.get(path + query).status_code
            if status >= 500:
                failures.append(f"{path}{query}: {status}")
    assert not failures, failures
