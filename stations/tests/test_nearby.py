"""The nearby API: exact against a brute-force great-circle sort, strict on bad input."""

import datetime as dt
import random

import pytest
from django.urls import reverse

from stations import services
from stations.geo import haversine_m
from stations.models import Station, StationAmenity
from stations.nearby import full_scan, nearby

URL = "/stations/nearby"


@pytest.fixture
def scattered(tree, amenities):
    """300 stations: a dense town, a sparse region and a few far away (north and south)."""
    rng = random.Random(3)
    rows = []
    for i in range(300):
        if i < 150:
            lat, lng = 39.73 + rng.gauss(0, 0.02), 116.14 + rng.gauss(0, 0.02)
        elif i < 290:
            lat, lng = rng.uniform(30, 42), rng.uniform(110, 122)
        else:
            lat, lng = rng.uniform(-40, 60), rng.uniform(-170, 170)
        s = Station(union=tree.a, name=f"S{i}", kind=Station.Kind.WARM, lat=lat, lng=lng, open_24h=i % 3 == 0)
        rows.append(services.station_fill_derived(station=s))
    Station.objects.bulk_create(rows)
    water = amenities["water"]
    StationAmenity.objects.bulk_create(
        [StationAmenity(station=s, amenity=water) for s in Station.objects.all() if int(s.name[1:]) % 2 == 0]
    )
    return Station.objects.all()


def brute(lat, lng, limit, qs):
    return sorted((haversine_m(lat, lng, s.lat, s.lng), s.pk) for s in qs)[:limit]


def test_nearby_equals_brute_force(scattered):
    rng = random.Random(11)
    points = [(39.73, 116.14), (39.9, 116.4), (45.0, 80.0), (-33.9, 151.2), (0.0, 0.0), (89.0, 10.0)]
    # On and just below a boundary of the bands of cell rows (rows 12976 = 39.76 N), and at the
    # edges of the map.
    points += [(39.76, 116.14), (39.7599999, 116.14), (39.76, 179.999), (10.0, -179.999), (-89.9, 0.0)]
    points += [(rng.uniform(25, 45), rng.uniform(100, 125)) for _ in range(20)]
    for lat, lng in points:
        for limit in (1, 5, 20, 100):
            got = [
                (round(h.distance_m, 6), h.station.pk)
                for h in nearby(Station.objects.all(), lat=lat, lng=lng, limit=limit)
            ]
            want = [(round(d, 6), pk) for d, pk in brute(lat, lng, limit, scattered)]
            assert [d for d, _ in got] == [d for d, _ in want], (lat, lng, limit)
            assert full_scan(Station.objects.all(), lat=lat, lng=lng, limit=limit)[0][1] == want[0][1]


def test_nearby_with_amenity_and_open_now_equals_brute_force(scattered):
    now = dt.datetime(2026, 11, 23, 12, tzinfo=dt.UTC)
    qs = Station.objects.with_amenities(["water"]).open_at(now)
    assert 0 < qs.count() < scattered.count()
    for lat, lng in [(39.73, 116.14), (35.0, 115.0), (10.0, 10.0)]:
        got = nearby(Station.objects.all(), lat=lat, lng=lng, limit=10, amenities=["water"], open_now=True, now=now)
        assert [h.station.pk for h in got] == [pk for _d, pk in brute(lat, lng, 10, qs)]
        assert all(h.open_now for h in got)


def test_api_shape(client, scattered):
    r = client.get(URL, {"lat": "39.73", "lng": "116.14", "limit": "3", "amenity": "water"})
    assert r.status_code == 200
    results = r.json()["results"]
    assert len(results) == 3
    assert set(results[0]) == {"id", "name", "kind", "lat", "lng", "distance_m", "open_now", "amenities", "url"}
    assert all("water" in x["amenities"] for x in results)
    assert results[0]["url"] == reverse("stations:detail", args=[results[0]["id"]])
    assert [x["distance_m"] for x in results] == sorted(x["distance_m"] for x in results)


def test_api_hides_non_public_stations(client, make_station):
    hidden = make_station(name="Internal home", is_public=False, lat=39.7300, lng=116.1400)
    shown = make_station(name="Public", lat=39.74, lng=116.15)
    ids = [x["id"] for x in client.get(URL, {"lat": "39.73", "lng": "116.14"}).json()["results"]]
    assert shown.pk in ids and hidden.pk not in ids


@pytest.mark.parametrize(
    "params",
    [
        {"lat": "abc", "lng": "116"},
        {"lat": "91", "lng": "116"},
        {"lat": "-90.5", "lng": "116"},
        {"lat": "39", "lng": "181"},
        {"lat": "nan", "lng": "116"},
        {"lat": "39", "lng": "116", "limit": "0"},
        {"lat": "39", "lng": "116", "limit": "100000"},
        {"lat": "39", "lng": "116", "limit": "-1"},
        {"lat": "39", "lng": "116", "limit": "ten"},
        {"lat": "39", "lng": "116", "amenity": "jacuzzi"},
        {"lng": "116"},
        {"lat": "39"},
        {},
    ],
)
def test_bad_parameters_answer_400_json(client, db, params):
    r = client.get(URL, params)
    assert r.status_code == 400
    assert r["Content-Type"] == "application/json"
    assert r.json()["error"]


def test_limit_bounds_accepted(client, db):
    assert client.get(URL, {"lat": "39", "lng": "116", "limit": "1"}).status_code == 200
    assert client.get(URL, {"lat": "39", "lng": "116", "limit": "100"}).json() == {"results": []}


def test_open_now_of_each_hit_equals_open_state(make_station):
    """The answer reads hours and exceptions itself (plain SQL): it must agree with open_state."""
    from zoneinfo import ZoneInfo

    from stations.hours import open_state
    from stations.models import HoursException

    sh = ZoneInfo("Asia/Shanghai")
    monday = dt.date(2026, 11, 23)
    day = make_station(name="Day", hours=[(d, "08:00", "20:00") for d in range(7)])
    night = make_station(name="Night", lat=39.731, hours=[(d, "18:00", "02:00") for d in range(7)])
    holiday = make_station(name="Holiday", lat=39.732, hours=[(d, "08:00", "20:00") for d in range(7)])
    HoursException.objects.create(station=holiday, date=monday, closed=True)
    HoursException.objects.create(station=day, date=monday, opens=dt.time(6), closes=dt.time(7))
    for hh, mm in [(6, 30), (7, 30), (12, 0), (19, 59), (20, 0), (23, 0), (1, 30)]:
        now = dt.datetime.combine(monday, dt.time(hh, mm), tzinfo=sh)
        got = {
            h.station.name: h.open_now for h in nearby(Station.objects.all(), lat=39.73, lng=116.14, limit=3, now=now)
        }
        want = {
            s.name: open_state(s, now).is_open
            for s in Station.objects.prefetch_related("hours", "exceptions").filter(
                pk__in=[day.pk, night.pk, holiday.pk]
            )
        }
        assert got == want, now
    # The holiday is closed all day, the day station only 06:00-07:00, the night station from 18:00.
    noon = dt.datetime.combine(monday, dt.time(12), tzinfo=sh)
    assert not any(h.open_now for h in nearby(Station.objects.all(), lat=39.73, lng=116.14, limit=3, now=noon))
