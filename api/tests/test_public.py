import datetime as dt

import pytest
from django.utils import timezone

from contests.models import Contest
from stations.models import Station
from unionportal.core.models import Activity

pytestmark = pytest.mark.django_db


def test_station_list_filters_and_paginates(client, make_station):
    make_station(name="Water", amenity_codes=["water"])
    make_station(name="Home", kind=Station.Kind.WORKER_HOME)
    make_station(name="Hidden", is_public=False)
    body = client.get("/api/v1/stations/").json()
    assert body["count"] == 2
    assert {r["name"] for r in body["results"]} == {"Water", "Home"}
    body = client.get("/api/v1/stations/", {"amenity": "water"}).json()
    assert [r["name"] for r in body["results"]] == ["Water"]
    assert body["results"][0]["amenities"][0]["code"] == "water"
    body = client.get("/api/v1/stations/", {"kind": "worker_home", "page_size": 1}).json()
    assert [r["name"] for r in body["results"]] == ["Home"]


@pytest.mark.parametrize(
    "params",
    [{"kind": "nope"}, {"amenity": "caviar"}, {"page": "x"}, {"page": "99"}, {"page_size": "0"}, {"open_now": "maybe"}],
)
def test_station_list_bad_parameters_are_400_json(client, make_station, params):
    make_station()
    r = client.get("/api/v1/stations/", params)
    assert r.status_code == 400
    assert r.json()["code"] == "invalid"
    assert r.json()["message"]


def test_bad_parameter_message_in_chinese(client, make_station, settings):
    settings.LANGUAGE_CODE = "zh-hans"  # the portal's default language
    r = client.get("/api/v1/stations/", {"kind": "nope"})
    assert r.status_code == 400
    assert any("\u4e00" <= ch <= "\u9fff" for ch in r.json()["message"])


def test_station_detail_hours_and_hidden_404(client, make_station, officer_a):
    s = make_station(name="East", lat=39.9, lng=116.4, hours=[(d, "08:00", "20:00") for d in range(7)])
    body = client.get(f"/api/v1/stations/{s.pk}/").json()
    assert body["name"] == "East"
    assert body["lat_gcj02"] != body["lat"]  # shifted inside China
    assert len(body["hours"]["weekly"]) == 7
    hours = client.get(f"/api/v1/stations/{s.pk}/hours/").json()
    assert hours["weekly"][0] == {"weekday": 0, "opens": "08:00", "closes": "20:00"}
    assert isinstance(hours["open_now"], bool)
    hidden = make_station(is_public=False)
    r = client.get(f"/api/v1/stations/{hidden.pk}/")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    client.force_login(officer_a)  # its own union's subtree sees it
    assert client.get(f"/api/v1/stations/{hidden.pk}/").status_code == 200


def test_nearby_radius_and_bad_params(client, make_station):
    make_station(name="Near", lat=39.7300, lng=116.1400)
    make_station(name="Far", lat=39.9000, lng=116.4000)
    body = client.get("/api/v1/stations/nearby/", {"lat": 39.73, "lng": 116.14, "radius": 1000}).json()
    assert [r["name"] for r in body["results"]] == ["Near"]
    body = client.get("/api/v1/stations/nearby/", {"lat": 39.73, "lng": 116.14, "radius": 50000}).json()
    assert [r["name"] for r in body["results"]] == ["Near", "Far"]
    for params in ({"lat": 99, "lng": 116}, {"lng": 116}, {"lat": "x", "lng": 1}, {"lat": 1, "lng": 1, "radius": 0}):
        r = client.get("/api/v1/stations/nearby/", params)
        assert r.status_code == 400, params
    # the old endpoint is unchanged (a contract)
    old = client.get("/stations/nearby", {"lat": 39.73, "lng": 116.14, "limit": 1}).json()
    assert set(old["results"][0]) == {"id", "name", "kind", "lat", "lng", "distance_m", "open_now", "amenities", "url"}


def test_checkin_once_per_half_hour(client, make_station):
    s = make_station()
    assert client.post(f"/api/v1/stations/{s.pk}/checkin/").json() == {"checked_in": True, "station": s.pk}
    assert client.post(f"/api/v1/stations/{s.pk}/checkin/").json()["checked_in"] is False
    assert s.checkins.count() == 1


def test_throttle_429_json(client, make_station, settings):
    from rest_framework.settings import api_settings
    from rest_framework.throttling import SimpleRateThrottle

    rates = api_settings.DEFAULT_THROTTLE_RATES | {"anon": "2/min"}
    SimpleRateThrottle.THROTTLE_RATES = rates
    try:
        make_station()
        assert client.get("/api/v1/stations/").status_code == 200
        assert client.get("/api/v1/stations/").status_code == 200
        r = client.get("/api/v1/stations/")
        assert r.status_code == 429
        assert r.json()["code"] == "throttled"
    finally:
        SimpleRateThrottle.THROTTLE_RATES = api_settings.DEFAULT_THROTTLE_RATES


def test_activity_feed_published_only(client, tree):
    now = timezone.now()
    kind = Activity.Kind.values[0]
    Activity.objects.create(union=tree.a, kind=kind, title="Shown", starts_at=now, status=Activity.Status.PUBLISHED)
    draft = [v for v in Activity.Status.values if v != Activity.Status.PUBLISHED][0]
    Activity.objects.create(union=tree.a, kind=kind, title="Draft", starts_at=now, status=draft)
    body = client.get("/api/v1/activities/").json()
    assert [r["title"] for r in body["results"]] == ["Shown"]
    assert client.get("/api/v1/activities/", {"kind": "nope"}).status_code == 400


def _contest(tree, **kw):
    now = timezone.now()
    d = dt.timedelta(days=1)
    fields = {
        "union": tree.a,
        "title": "Five types",
        "slug": "five",
        "entry_opens": now - 9 * d,
        "entry_closes": now - 8 * d,
        "screening_closes": now - 7 * d,
        "vote_opens": now - 6 * d,
        "vote_closes": now - 5 * d,
        "jury_closes": now - 4 * d,
        "results_on": now - 3 * d,
    }
    return Contest.objects.create(**(fields | kw))


def test_contests_list_detail_results_published_only(client, tree):
    c = _contest(tree)
    body = client.get("/api/v1/contests/").json()
    assert body["results"][0]["slug"] == "five"
    assert client.get("/api/v1/contests/five/").json()["title"] == "Five types"
    r = client.get("/api/v1/contests/five/results/")
    assert r.status_code == 404 and r.json()["code"] == "not_published"
    c.results_published = True
    c.save()
    assert client.get("/api/v1/contests/five/results/").json() == {"contest": "five", "categories": []}
    assert client.get("/api/v1/contests/nope/").status_code == 404


def test_studios_list_and_missing_profile(client, tree):
    assert client.get("/api/v1/studios/").json()["count"] == 0
    assert client.get("/api/v1/studios/nope/").status_code == 404
    assert client.get("/api/v1/studios/", {"kind": "nope"}).status_code == 400


def test_station_list_queries_flat(client, make_station):
    make_station(amenity_codes=["water"], hours=[(0, "08:00", "20:00")])
    client.get("/api/v1/stations/")  # warm the amenity/cache lookups

    def count() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/api/v1/stations/").status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for _ in range(3):
        make_station(amenity_codes=["water", "microwave"], hours=[(0, "08:00", "20:00")])
    # count, page of stations, hours, exceptions, amenities: the same however many rows
    assert count() == one


HOSTILE = [
    "?q=%3Cscript%3E",
    "?page=abc",
    "?page=-1",
    "?page=99999999999999999999",
    "?page_size=99999999999999999999",
    "?kind=zzz&amenity=nope&open_now=maybe",
    "?lat=abc&lng=1e999&limit=0",
    "?lat=nan&lng=inf&radius=-1",
    "?q=" + "\u957f" * 500,
    "?town=%27%22",
    "?status=zzz&occasion=zzz",
]


def test_hostile_query_strings_are_4xx_json_never_500(client, make_station, officer_a):
    s = make_station()
    client.force_login(officer_a)
    paths = [
        "/api/v1/stations/",
        "/api/v1/stations/nearby/",
        f"/api/v1/stations/{s.pk}/",
        "/api/v1/studios/",
        "/api/v1/contests/",
        "/api/v1/activities/",
        "/api/v1/field/feedback/",
        "/api/v1/field/visits/",
        "/api/v1/stations/99999999999999999999/",
    ]
    for path in paths:
        for query in HOSTILE:
            r = client.get(path + query)
            assert r.status_code < 500, (path, query)
            assert r["Content-Type"].startswith("application/json"), (path, query)
