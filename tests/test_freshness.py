"""Each cached public page states how fresh it is, and a write shows up within that time.

Pattern of each test: render as an anonymous visitor, render again (served from the page
cache), write through the app's service, render again: the change shows at once, or after the
page cache's clock (pagecache.now) is moved forward by the number of seconds the page states.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone

FRESH = re.compile(r"changes show (?:within (\d+) seconds|at once)")


def stated(response) -> int:
    """The seconds within which the page says a change shows (0: at once)."""
    match = FRESH.search(response.content.decode())
    assert match, "the page states its freshness in the footer"
    return int(match.group(1) or 0)


def cached(client, url: str):
    """Render twice as an anonymous visitor; the second answer comes from the page cache."""
    first = client.get(url)
    assert first.status_code == 200
    second = client.get(url)
    assert second.headers.get("X-Page-Cache") == "hit", url
    return second


def after(client, url: str, clock, seconds: int) -> str:
    clock["now"] += seconds
    return client.get(url).content.decode()


# --- A station edit ---------------------------------------------------------------------------


def _station(tree, **fields):
    from stations import services
    from stations.models import Station

    defaults = {
        "union": tree.a,
        "name": "Old name",
        "kind": Station.Kind.OUTDOOR,
        "lat": 39.73,
        "lng": 116.14,
        "town": "Oldtown",
        "status": Station.Status.OPEN,
        "is_public": True,
    }
    return services.station_save(station=Station(**(defaults | fields)))


@pytest.mark.django_db
def test_station_edit_shows_on_station_page(client, tree, clock):
    from stations import services

    station = _station(tree)
    url = station.get_absolute_url()
    page = cached(client, url)
    seconds = stated(page)
    assert seconds <= 10 and "Old name" in page.content.decode()
    station.name = "New name"
    services.station_save(station=station)
    assert "New name" in after(client, url, clock, seconds)


@pytest.mark.django_db
def test_station_edit_shows_on_stats_page(client, tree, clock):
    _station(tree)
    page = cached(client, "/stations/stats/")
    seconds = stated(page)
    assert seconds == 600 and "Freshtown" not in page.content.decode()
    _station(tree, name="Another", town="Freshtown")
    assert "Freshtown" not in client.get("/stations/stats/").content.decode()  # the cached page...
    assert "Freshtown" in after(client, "/stations/stats/", clock, seconds)  # ...within the time it states


# --- A ballot -----------------------------------------------------------------------------------


def _contest_with_entry(tree):
    from contests.models import Category, Contest, Entry
    from contests.tests.conftest import stages

    contest = Contest.objects.create(
        union=tree.a, slug="fresh", title="Fresh contest", **stages(timezone.now(), "vote")
    )
    category = Category.objects.create(contest=contest, name="Efficiency", order=0)
    entry = Entry.objects.create(
        contest=contest, category=category, title="Entry one", description="d", status=Entry.Status.ACCEPTED
    )
    entry.members.create(name="Li", union=tree.a1g, is_leader=True)
    return contest, entry


@pytest.mark.django_db
def test_ballot_shows_on_contest_and_entry_pages_within_5_seconds(client, tree, clock):
    from contests import services
    from unionportal.core.testing import make_user

    contest, entry = _contest_with_entry(tree)
    voter = make_user("voter1")
    services.voter_verify(user=voter, union=tree.a1g, by=None)
    urls = [contest.get_absolute_url(), f"/contests/{contest.slug}/entries/{entry.pk}/"]
    for url in urls:
        page = cached(client, url)
        assert stated(page) == 5
        assert 'data-votes="0"' in page.content.decode()
    services.ballot_cast(contest=contest, user=voter, entry_id=entry.pk)
    clock["now"] += 5
    for url in urls:
        assert 'data-votes="1"' in client.get(url).content.decode(), url


@pytest.mark.django_db
def test_contest_page_changed_shows_at_once(client, tree, clock):
    from contests import services
    from contests.models import Contest

    contest, _entry = _contest_with_entry(tree)
    url = contest.get_absolute_url()
    cached(client, url)
    Contest.objects.filter(pk=contest.pk).update(title="Renamed contest")
    services.page_changed(pk=contest.pk)  # what the linked activities call: forgets the kept stamp
    body = client.get(url).content.decode()
    assert "Renamed contest" in body
    for path in ("/contests/", f"{url}results/"):
        assert stated(cached(client, path)) == 5


# --- An achievement -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_achievement_shows_on_studio_profile(client, tree, officer_a, clock):
    from studios import services
    from studios.models import Member, Studio

    studio = services.studio_apply(
        union=tree.a1,
        by=None,
        leader={"name": "Leader", "education": Member.Education.DOCTORATE, "political_status": Member.Political.PARTY},
        name="Fresh studio",
        slug="fresh-studio",
        kind=Studio.Kind.WORKER,
    )
    Studio.objects.filter(pk=studio.pk).update(status=Studio.Status.ACTIVE, published=True)
    url = studio.get_absolute_url()
    page = cached(client, url)
    assert stated(page) == 10 and 'data-count="ip">0<' in page.content.decode()
    services.achievement_add(studio=studio, by=officer_a, type="patent_granted", title="P", date=dt.date(2023, 1, 1))
    assert 'data-count="ip">1<' in client.get(url).content.decode()  # the writer forgot the stamp: at once
    list_page = cached(client, "/studios/")
    assert stated(list_page) == 10


# --- A published activity ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_published_activity_shows_on_home_and_feed(client, tree, officer_a, clock):
    from unionportal.core import services
    from unionportal.core.models import Activity

    pages = {url: stated(cached(client, url)) for url in ("/", "/activities/")}
    assert pages == {"/": 60, "/activities/": 10}
    activity = services.activity_create(
        union=tree.a,
        by=officer_a,
        title="Freshly published study session",
        kind=Activity.Kind.TRAINING,
        starts_at=timezone.now() - dt.timedelta(days=1),
    )
    services.activity_set_published(activity=activity, published=True, by=officer_a)
    for url, seconds in pages.items():
        assert "Freshly published study session" in after(client, url, clock, seconds), url
