"""Every link from `/` and `/desk/` works for each demo role: no 403, 404 or 500.

A button that ends in "无权访问" is a button the user should never have been shown; a signed-in
member with no role lands on their account page, not on a refused desk.
"""

import pytest

from .demo_crawl import ROLES, demo_world, english_words, owner_of


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    yield from demo_world(django_db_blocker, tmp_path_factory.mktemp("media"))


@pytest.mark.parametrize("role", list(ROLES))
def test_every_link_a_role_is_shown_works(world, role, db):
    crawl = world.crawl(role)
    assert len(crawl.pages) > 10
    broken = [f"{p.status} {p.path} (linked from {p.came_from}; app {p.app})" for p in crawl.broken()]
    assert not broken, f"{role}: broken links:\n" + "\n".join(broken)


@pytest.mark.parametrize("role", list(ROLES))
def test_no_english_ui_words_in_the_chinese_ui(world, role, db):
    """Every public and desk page a role reaches, rendered in zh-hans, has no English UI word
    in its visible text (scripts, styles, attribute values and text marked lang="en" aside).
    The report names the app whose catalogue or template the words come from."""
    found: dict[str, dict[str, set[str]]] = {}  # app -> word/chunk -> pages
    for page in world.crawl(role).pages:
        if page.html:
            for word, chunk in english_words(page.html):
                app = owner_of(chunk, fallback=page.app)
                found.setdefault(app, {}).setdefault(f"{word}: «{chunk[:80]}»", set()).add(page.path)
    report = [
        f"  [{app}] {hit} on {sorted(pages)[:3]}"
        for app, hits in sorted(found.items())
        for hit, pages in sorted(hits.items())
    ]
    assert not report, f"{role}: English in the Chinese UI:\n" + "\n".join(report)
