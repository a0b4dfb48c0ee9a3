"""Anonymous answers about public stations are kept in the page cache and served before DRF
(unionportal.core.pagecache): repeat answers cost no query and no throttle count, a station
write shows on the next answer, and nothing signed in (session or token) is ever shared."""

import pytest
from django.test import Client
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from stations import services

pytestmark = pytest.mark.django_db

NEAR = {"lat": "39.7301", "lng": "116.1401", "radius": "2000"}


def hit(response) -> bool:
    return response.headers.get("X-Page-Cache") == "hit"


def test_station_detail_repeat_is_kept_and_an_edit_shows_at_once(
    client, make_station, django_assert_num_queries, clock
):
    station = make_station(name="Old name")
    url = f"/api/v1/stations/{station.pk}/"
    first = client.get(url)
    assert first.status_code == 200 and not hit(first)
    with django_assert_num_queries(0):
        second = client.get(url)
    assert hit(second) and second.json() == first.json()
    assert second["Content-Type"] == "application/json"

    station.name = "New name"
    services.station_save(station=station)
    fresh = client.get(url)
    assert not hit(fresh) and fresh.json()["name"] == "New name"
    # The hours endpoint is kept by the same stamp, and moves with the minute ("open now").
    hours = f"/api/v1/stations/{station.pk}/hours/"
    client.get(hours)
    assert hit(client.get(hours))
    clock["now"] += 60
    assert not hit(client.get(hours))


def test_nearby_repeat_is_kept_and_a_new_station_shows_at_once(client, make_station, clock):
    make_station(name="First", lat=39.7300, lng=116.1400)
    url = "/api/v1/stations/nearby/"
    assert [r["name"] for r in client.get(url, NEAR).json()["results"]] == ["First"]
    assert hit(client.get(url, NEAR))
    make_station(name="Second", lat=39.7310, lng=116.1410)  # station writes forget the map stamp
    again = client.get(url, NEAR)
    assert not hit(again)
    assert sorted(r["name"] for r in again.json()["results"]) == ["First", "Second"]
    assert hit(client.get(url, NEAR))
    clock["now"] += 60  # open-now moves with the minute
    assert not hit(client.get(url, NEAR))


@pytest.mark.parametrize(
    "params",
    [
        {"lat": "39.73012345678", "lng": "116.14"},  # a raw GPS reading: made for the request alone
        {"lat": "39.73", "lng": "116.14", "amenity": ["water", "toilet"]},
        {"lat": "39.73", "lng": "116.14", "callback": "x"},  # a parameter the API does not know
    ],
)
def test_nearby_queries_outside_the_whitelist_are_never_kept(client, make_station, params):
    make_station(lat=39.7300, lng=116.1400)
    for _ in range(2):
        r = client.get("/api/v1/stations/nearby/", params)
        assert r.status_code == 200 and not hit(r)


def test_bad_parameters_are_not_kept(client, make_station):
    make_station()
    for _ in range(2):
        r = client.get("/api/v1/stations/nearby/", {"lat": "99", "lng": "116"})
        assert r.status_code == 400 and not hit(r) and r.json()["code"] == "invalid"


def test_hidden_station_never_kept_nor_shared_with_a_token_or_a_session(client, make_station, officer_a):
    from api.services import token_create

    hidden = make_station(is_public=False)
    public = make_station()
    _token, key = token_create(name="phone", by=officer_a)
    token = {"HTTP_AUTHORIZATION": f"Token {key}"}
    anon = Client()
    for _ in range(2):  # its own union's token sees it, and nothing is kept for anyone
        r = anon.get(f"/api/v1/stations/{hidden.pk}/", **token)
        assert r.status_code == 200 and not hit(r)
    assert anon.get(f"/api/v1/stations/{hidden.pk}/").status_code == 404
    # A token or a session is never answered from the cache, even for a public station.
    assert anon.get(f"/api/v1/stations/{public.pk}/").status_code == 200
    assert hit(anon.get(f"/api/v1/stations/{public.pk}/"))
    assert not hit(anon.get(f"/api/v1/stations/{public.pk}/", **token))
    client.force_login(officer_a)
    assert not hit(client.get(f"/api/v1/stations/{public.pk}/"))


def test_throttle_counts_answers_made_not_answers_kept(client, make_station):
    station = make_station()
    SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES | {"anon": "2/min"}
    try:
        url = f"/api/v1/stations/{station.pk}/"
        assert [client.get(url).status_code for _ in range(5)] == [200] * 5  # one made, four kept
        assert client.get("/api/v1/stations/nearby/", NEAR).status_code == 200  # the second made
        r = client.get("/api/v1/stations/nearby/", {**NEAR, "radius": "3000"})  # a third to make
        assert r.status_code == 429 and r.json()["code"] == "throttled"
    finally:
        SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES
