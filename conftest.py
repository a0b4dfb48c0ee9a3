"""Fixtures shared by every app: the union tree, actors and the browser."""

import os

import pytest

from unionportal.core.models import Role
from unionportal.core.testing import build_tree, make_user, seeded_for_module

# Browser tests touch the ORM beside Playwright's event loop.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session", autouse=True)
def _fast_password_hashing():
    """Hash test passwords with MD5, as Django's docs advise for tests: the production hasher
    (PBKDF2, a million rounds) spends 0.3 s on every account a fixture makes and every sign-in.
    What the suite checks of passwords (validation, check_password, sign-in) does not depend on
    the hasher; servers keep Django's default list."""
    from django.conf import settings
    from django.contrib.auth.hashers import get_hashers, get_hashers_by_algorithm

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    get_hashers.cache_clear()
    get_hashers_by_algorithm.cache_clear()


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.WELFARE_PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture
def clock(monkeypatch):
    """The page cache's clock (unionportal.core.pagecache.now), moved by a test instead of
    sleeping: clock["now"] += seconds."""
    import time

    from unionportal.core import pagecache

    state = {"now": time.time()}
    monkeypatch.setattr(pagecache, "now", lambda: state["now"])
    return state


@pytest.fixture(autouse=True)
def _fresh_cache():
    from unionportal.core.testing import clear_caches

    clear_caches()
    yield
    clear_caches()


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo data (`seed_demo`), seeded once for every test of the module that asks for it
    (with `db`), rolled back after the module. Not for browser tests: a live server's thread
    sees only committed rows."""
    yield from seeded_for_module(django_db_blocker, tmp_path_factory.mktemp("demo-media"))


@pytest.fixture
def tree(db):
    """Two sibling subtrees: A (with A1 and A1g below) and B (with Bg)."""
    return build_tree()


@pytest.fixture
def officer_a(tree):
    return make_user("officer_a", role=Role.Kind.OFFICER, union=tree.a)


@pytest.fixture
def officer_b(tree):
    return make_user("officer_b", role=Role.Kind.OFFICER, union=tree.b)


@pytest.fixture
def viewer_a(tree):
    return make_user("viewer_a", role=Role.Kind.VIEWER, union=tree.a)


@pytest.fixture
def chair_a(tree):
    return make_user("chair_a", role=Role.Kind.CHAIR, union=tree.a)


@pytest.fixture
def welfare_a(tree):
    return make_user("welfare_a", role=Role.Kind.WELFARE, union=tree.a)


@pytest.fixture
def welfare_b(tree):
    return make_user("welfare_b", role=Role.Kind.WELFARE, union=tree.b)


@pytest.fixture
def judge_a(tree):
    return make_user("judge_a", role=Role.Kind.JUDGE, union=tree.a)


@pytest.fixture
def superuser(db):
    return make_user("root", is_superuser=True, is_staff=True)


# --- Browser (pytest-playwright on Debian's Chromium; never a downloaded browser) --------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    # A phone: 390×844 like an iPhone 12-15.
    return {
        **browser_context_args,
        "viewport": {"width": 390, "height": 844},
        "is_mobile": True,
        "has_touch": True,
        "device_scale_factor": 2,
    }


@pytest.fixture
def sign_in(live_server):
    """Sign in through the real form on the page: sign_in(page, username)."""

    def do(page, username: str, password: str = "pw-for-tests") -> None:  # noqa: S107
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", password)
        page.click("main button[type=submit]")
        page.wait_for_load_state()

    return do
