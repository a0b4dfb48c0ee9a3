"""Query counts of the finder, the station page, the stats page and the admin changelist do not grow
with the number of stations (50 vs 5,000, made with bulk_create)."""

import datetime as dt
import random

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from stations import services
from stations.models import Amenity, Award, CheckIn, OpeningHours, Station, StationAmenity
from unionportal.core import pagecache
from unionportal.core.testing import clear_caches


def grow(union, n: int) -> None:
    rng = random.Random(n)
    amenities = list(Amenity.objects.all())
    rows = [
        services.station_fill_derived(
            station=Station(
                union=union,
                name=f"Bulk {i}",
                kind=Station.Kind.WARM,
                town=f"Town {i % 7}",
                lat=39.5 + rng.random(),
                lng=115.8 + rng.random(),
                open_24h=i % 2 == 0,
            )
        )
        for i in range(n)
    ]
    Station.objects.bulk_create(rows, batch_size=1000)
    created = list(Station.objects.filter(name__startswith="Bulk ").order_by("-pk")[:n])
    services.station_index_text(stations=created, fresh=True)
    OpeningHours.objects.bulk_create(
        [OpeningHours(station=s, weekday=d, opens=dt.time(8), closes=dt.time(20)) for s in created for d in (0, 3)],
        batch_size=2000,
    )
    StationAmenity.objects.bulk_create(
        [StationAmenity(station=s, amenity=a) for s in created for a in rng.sample(amenities, 2)], batch_size=2000
    )
    CheckIn.objects.bulk_create([CheckIn(station=s, at=dt.datetime.now(dt.UTC), client="x") for s in created[:50]])


def count(client, url: str) -> int:
    clear_caches()  # towns and stats are cached for a few minutes; count the cold page
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries)


@pytest.fixture
def few_then_many(tree, amenities):
    grow(tree.a, 50)

    def more():
        grow(tree.a1, 4950)

    return more


def test_public_pages_flat(client, tree, few_then_many):
    station = Station.objects.order_by("pk").first()
    urls = {
        # 1 the map's stamp (page cache), 2 the stations holding the term's character pairs
        # (the n-gram index), 3 ids of the matches (capped), 4 their rows (also the map's
        # extent), 5 page of stations, 6 their amenities, 7 hours, 8 exceptions, 9 towns
        "/stations/?amenity=water&open_now=1&q=bulk": 9,
        # 1 the map's stamp (page cache), 2 count (capped), 3 page of stations, 4 their
        # amenities, 5 hours, 6 exceptions, 7 the map's extent (its markers come from
        # stations:markers), 8 towns
        "/stations/": 8,
        # 1 freshness stamp of the page cache, 2 station with union, 3 amenities, 4 hours,
        # 5 exceptions, 6 photos, 7 awards, 8 activities about the station
        f"/stations/{station.pk}/": 8,
        # 1 by kind, 2 by status, 3 by town, 4 visits by month, 5 visits by station,
        # 6 visits by station and month, 7 repeat visitors, 8 demand points for coverage by hour
        # (with some: 3 more, their stations, hours and exceptions, whatever their number)
        "/stations/stats/": 8,
    }
    before = {url: count(client, url) for url in urls}
    assert before == urls
    few_then_many()
    assert Station.objects.count() == 5000
    after = {url: count(client, url) for url in urls}
    assert after == urls


def test_admin_changelist_flat(client, tree, superuser, officer_a, few_then_many):
    url = reverse("admin:stations_station_changelist")
    client.force_login(officer_a)
    few_officer = count(client, url)
    client.force_login(superuser)
    few_super = count(client, url + "?kind=warm&compliance=never")
    few_then_many()
    client.force_login(officer_a)
    assert count(client, url) == few_officer
    client.force_login(superuser)
    assert count(client, url + "?kind=warm&compliance=never") == few_super


def test_station_page_cached_for_anonymous_visitors(client, tree, few_then_many, clock):
    station = Station.objects.order_by("pk").first()
    url = f"/stations/{station.pk}/"
    clear_caches()
    first = client.get(url)
    # The freshness stamp and the page both come from the shared cache: no query.
    with CaptureQueriesContext(connection) as ctx:
        again = client.get(url)
    assert len(ctx.captured_queries) == 0
    assert again["X-Page-Cache"] == "hit" and again.content == first.content
    # A change to the station shows on the very next request.
    station.name = "Renamed station"
    services.station_save(station=station)
    assert "Renamed station" in client.get(url).content.decode()
    # Without a kept stamp in the shared cache (expired), this process still holds its own copy
    # for up to LOCAL_SECONDS; past that, one query reads it.
    cache.delete(f"pagestamp:station:{station.pk}")
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    assert len(ctx.captured_queries) == 0
    pagecache.clear_local()
    with CaptureQueriesContext(connection) as ctx:
        client.get(url)
    assert len(ctx.captured_queries) == 1


def test_every_change_to_what_a_station_page_shows_reaches_its_cached_copy(client, tree, superuser, make_station):
    """The cached page is keyed by the station's updated_at: writes of hours, amenities, photos and
    awards move it (by saving the station or through services.station_touch)."""
    station = make_station(name="Cached station")
    url = f"/stations/{station.pk}/"
    admin = Client()
    admin.force_login(superuser)
    clear_caches()

    def page() -> str:
        return client.get(url).content.decode()

    assert "Best Station Ever" not in page()
    r = admin.post(
        reverse("admin:stations_award_add"),
        {"station": station.pk, "level": Award.Level.DISTRICT, "year": 2026, "title": "Best Station Ever"},
    )
    assert r.status_code == 302
    assert "Best Station Ever" in page()

    award = Award.objects.get(station=station)
    admin.post(reverse("admin:stations_award_delete", args=[award.pk]), {"post": "yes"})
    assert "Best Station Ever" not in page()

    assert "icons.svg#wifi" not in page()
    services.amenity_delivery_record(
        station=station, amenity=Amenity.objects.get(code="wifi"), quantity=1, delivered_on=dt.date(2026, 1, 5)
    )
    assert "icons.svg#wifi" in page()
