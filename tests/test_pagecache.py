"""The whole-page cache of the anonymous public pages (unionportal.core.pagecache): it never
holds or serves per-visitor data, its keys are bounded, and a cached page costs (almost) no
query."""

import pytest
from django.test import Client

from unionportal.core import pagecache
from unionportal.core.testing import clear_caches


@pytest.fixture(autouse=True)
def frozen_clock(clock):
    """A still clock for stamps and time slots (the shared `clock`, never moved here): no test
    straddles a slot by chance."""
    return clock


def hit(response) -> bool:
    return response.headers.get("X-Page-Cache") == "hit"


@pytest.mark.django_db
def test_signed_in_page_never_reaches_anonymous_visitors_nor_the_reverse(client, tree, officer_a):
    anonymous = Client()
    signed_in = Client()
    signed_in.force_login(officer_a)
    # Signed in first: their page (their name in the menu) is not kept for anyone.
    for _ in range(2):
        page = signed_in.get("/")
        assert "officer_a" in page.content.decode() and not hit(page)
    first = anonymous.get("/")
    assert "officer_a" not in first.content.decode() and not hit(first)
    second = anonymous.get("/")
    assert hit(second) and "officer_a" not in second.content.decode()
    # The anonymous page, now kept, is not served to the signed-in user.
    page = signed_in.get("/")
    assert "officer_a" in page.content.decode() and not hit(page)


@pytest.mark.django_db
def test_session_or_messages_cookie_bypasses_the_cache(client, tree):
    client.get("/activities/")
    assert hit(client.get("/activities/"))
    other = Client()
    other.cookies["sessionid"] = "not-a-real-session"
    assert not hit(other.get("/activities/"))
    other = Client()
    other.cookies["messages"] = "pending"
    assert not hit(other.get("/activities/"))


@pytest.mark.django_db
def test_page_cache_off_by_setting(client, tree, settings):
    settings.PAGE_CACHE = False
    client.get("/activities/")
    assert not hit(client.get("/activities/"))


@pytest.mark.django_db
def test_query_parameters_whitelisted_normalised_and_bounded(client, tree):
    def twice(url):
        client.get(url)
        return client.get(url)

    assert hit(twice("/activities/?page=2"))
    assert hit(client.get("/activities/?page=02"))  # the same page, one key
    assert hit(twice("/activities/?kind=training"))
    assert not hit(twice("/activities/?utm_source=x"))  # not whitelisted: rendered each time
    assert not hit(twice("/activities/?page=abc"))
    assert not hit(twice("/activities/?page=2&page=3"))
    assert hit(twice("/studios/?q=abc"))
    assert not hit(twice("/studios/?q=" + "x" * (pagecache.MAX_TEXT_PARAM + 1)))


@pytest.mark.django_db
def test_not_found_and_hidden_pages_are_not_kept(client, tree):
    for _ in range(2):
        assert client.get("/studios/no-such-studio/").status_code == 404
        assert client.get("/contests/no-such-contest/").status_code == 404


# --- Queries: a cached page costs at most its stamp; a miss stays flat ------------------------------


@pytest.mark.django_db
def test_cached_pages_cost_at_most_one_query(client, tree, django_assert_max_num_queries):
    urls = ["/", "/activities/", "/activities/?page=2", "/stations/stats/", "/contests/", "/studios/"]
    for url in urls:
        client.get(url)
    for url in urls:
        with django_assert_max_num_queries(1):
            assert hit(client.get(url)), url


@pytest.mark.django_db
def test_public_pages_queries_flat(client, tree, officer_a, django_assert_max_num_queries):
    """The same number of queries on a page-cache miss with 2 activities or 30, 1 contest entry or 12."""
    import datetime as dt

    from django.utils import timezone

    from contests.models import Category, Contest, Entry
    from contests.tests.conftest import stages
    from unionportal.core import services
    from unionportal.core.models import Activity

    contest = Contest.objects.create(union=tree.a, slug="flat", title="Flat", **stages(timezone.now(), "vote"))
    category = Category.objects.create(contest=contest, name="C", order=0)

    def grow(n_activities, n_entries):
        for i in range(n_activities):
            services.activity_create(
                union=tree.a,
                by=officer_a,
                title=f"A{i}",
                kind=Activity.Kind.TRAINING,
                starts_at=timezone.now() - dt.timedelta(days=1 + i),
                publish=True,
            )
        for i in range(n_entries):
            Entry.objects.create(
                contest=contest, category=category, title=f"E{i}", description="d", status=Entry.Status.ACCEPTED
            )

    urls = ["/", "/activities/", "/contests/", contest.get_absolute_url(), f"{contest.get_absolute_url()}results/"]

    def counts():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        out = {}
        for url in urls:
            clear_caches()
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            out[url] = len(queries)
        return out

    grow(2, 1)
    before = counts()
    grow(28, 11)
    assert counts() == before
    assert all(n <= 12 for n in before.values()), before


# --- One request makes a missing page; the others get its last copy meanwhile --------------------


@pytest.fixture
def renamed_station(db, tree, rf):
    """A public station whose page is kept, then renamed (its stamp moves): (url, its place's
    "being made" mark). The kept page still says "Old name"."""
    from django.core.cache import cache

    from stations import services
    from stations.models import Station

    station = services.station_save(
        station=Station(union=tree.a, name="Old name", kind=Station.Kind.OUTDOOR, lat=39.7, lng=116.1, is_public=True)
    )
    url = station.get_absolute_url()
    Client().get(url)
    station.name = "New name"
    services.station_save(station=station)
    mark = pagecache.page_key(rf.get(url)).making_key
    assert cache.get(mark) is None  # the first request made it and let go
    return url, mark


def test_while_another_request_makes_a_page_the_last_copy_is_served(renamed_station, clock):
    from django.core.cache import cache

    url, mark = renamed_station
    cache.add(mark, 1)  # another server process is making the page
    stale = Client().get(url)
    assert stale["X-Page-Cache"] == "stale" and "Old name" in stale.content.decode()
    # Past the page's stated freshness the last copy is too old: this request makes it too.
    clock["now"] += pagecache.STAMP_TTL + 1
    made = Client().get(url)
    assert "X-Page-Cache" not in made and "New name" in made.content.decode()
    assert cache.get(mark) == 1  # the other request's mark is left to it


def test_without_another_maker_the_page_is_made_at_once(renamed_station):
    url, mark = renamed_station
    page = Client().get(url)
    assert "X-Page-Cache" not in page and "New name" in page.content.decode()
    assert hit(Client().get(url))


def test_the_mark_is_let_go_when_making_the_page_fails(renamed_station, rf):
    from django.core.cache import cache

    url, mark = renamed_station

    def broken(request):
        raise RuntimeError("the view failed")

    with pytest.raises(RuntimeError):
        pagecache.PageCacheMiddleware(broken)(rf.get(url))
    assert cache.get(mark) is None
    assert "New name" in Client().get(url).content.decode()
