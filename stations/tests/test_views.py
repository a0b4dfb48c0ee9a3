import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from stations import services
from stations.models import CheckIn, Feedback, HoursException, Station

FINDER = "/stations/"


@pytest.fixture
def town_stations(make_station, tree):
    return {
        "lxz": make_station(
            name="良乡镇第1党群活动中心职工暖心驿站",
            town="良乡镇",
            amenity_codes=["water"],
            open_24h=True,
            kind=Station.Kind.WARM,
        ),
        "cy": make_station(
            name="长阳镇加油站户外劳动者暖心驿站",
            town="长阳镇",
            amenity_codes=["water", "microwave"],
            address="长阳镇长政路1号",
            phone="010-69351234",
        ),
        "home": make_station(
            name="燕山石化示范职工之家",
            town="燕山",
            kind=Station.Kind.MODEL_HOME,
            open_24h=True,
            amenity_codes=["microwave"],
        ),
        "hidden": make_station(name="内部职工之家", town="良乡镇", is_public=False, kind=Station.Kind.WORKER_HOME),
        "other": make_station(name="B区驿站", union=tree.b, town="B镇", open_24h=True),
    }


def names(response) -> set[str]:
    return {s.name for s in response.context["page"].object_list}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("lxz", {"良乡镇第1党群活动中心职工暖心驿站"}),  # pinyin initials of the town
        ("LXZ", {"良乡镇第1党群活动中心职工暖心驿站"}),
        ("良", {"良乡镇第1党群活动中心职工暖心驿站"}),  # one character
        ("长阳", {"长阳镇加油站户外劳动者暖心驿站"}),  # two characters
        ("长政路", {"长阳镇加油站户外劳动者暖心驿站"}),  # address
        ("驿站", {"良乡镇第1党群活动中心职工暖心驿站", "长阳镇加油站户外劳动者暖心驿站", "B区驿站"}),
        ("内部", set()),  # not public
        ("100%", set()),  # LIKE wildcards are escaped
    ],
)
def test_finder_search(client, town_stations, query, expected):
    assert names(client.get(FINDER, {"q": query})) == expected


def test_finder_filters(client, town_stations):
    assert names(client.get(FINDER, {"kind": "model_home"})) == {"燕山石化示范职工之家"}
    assert names(client.get(FINDER, {"amenity": ["water", "microwave"]})) == {"长阳镇加油站户外劳动者暖心驿站"}
    assert names(client.get(FINDER, {"town": "良乡镇"})) == {"良乡镇第1党群活动中心职工暖心驿站"}
    # Only the 24-hour stations are open whatever the time of the test run.
    assert names(client.get(FINDER, {"open_now": "1"})) == {
        "良乡镇第1党群活动中心职工暖心驿站",
        "燕山石化示范职工之家",
        "B区驿站",
    }
    assert names(client.get(FINDER, {"open_now": "1", "amenity": "water"})) == {"良乡镇第1党群活动中心职工暖心驿站"}
    # Bad filter values are ignored, never a 500.
    assert client.get(FINDER, {"kind": "<script>", "amenity": "nope", "page": "999"}).status_code == 200


def test_finder_map_extent_and_tiles(client, town_stations, settings):
    """The page places the map on its matches (their extent); the markers come from
    stations:markers by the map's bounds (test_finder_map.py), not inline."""
    settings.MAP_TILE_PROVIDER = "amap"
    r = client.get(FINDER)
    assert r.status_code == 200
    (south, west), (north, east) = r.context["extent"]
    assert south <= 39.73 <= north and west <= 116.14 <= east
    assert r.context["tiles"]["crs"] == "gcj02"
    assert b'id="finder-extent"' in r.content and b"leaflet.js" in r.content
    assert b'id="markers"' not in r.content and b"markercluster" not in r.content


def test_station_page(client, town_stations):
    s = town_stations["cy"]
    r = client.get(s.get_absolute_url())
    assert r.status_code == 200
    html = r.content.decode()
    assert 'href="tel:010-69351234"' in html
    assert "uri.amap.com/marker?position=116.140000,39.730000" in html and "coordinate=wgs84" in html
    assert 'href="geo:39.730000,116.140000' in html
    assert reverse("stations:qr", args=[s.pk]) in html
    assert 'data-amenity="water"' in html and 'data-amenity="microwave"' in html


def test_station_page_shows_hours_and_closing_time(client, make_station):
    now = timezone.localtime()
    # Opened an hour ago, but not before midnight: the range and the closure below are today's.
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    start = max(now - dt.timedelta(hours=1), midnight).time().replace(second=0, microsecond=0)
    end = (now + dt.timedelta(minutes=90)).time().replace(second=0, microsecond=0)
    s = make_station(hours=[(now.weekday(), start.isoformat(), end.isoformat())])
    html = client.get(s.get_absolute_url()).content.decode()
    assert "Open now" in html and "Closes in" in html
    HoursException.objects.create(station=s, date=now.date(), closed=True, note="Holiday")
    # The admin saves the station with its inlines; a direct write touches it (page cache stamp).
    services.station_touch(station_ids=[s.pk])
    html = client.get(s.get_absolute_url()).content.decode()
    assert "Closed now" in html and "Holiday" in html


def test_station_page_of_hidden_station_is_404_outside_the_subtree(client, town_stations, officer_a, officer_b):
    hidden = town_stations["hidden"]
    assert client.get(hidden.get_absolute_url()).status_code == 404
    client.force_login(officer_b)
    assert client.get(hidden.get_absolute_url()).status_code == 404
    client.force_login(officer_a)
    assert client.get(hidden.get_absolute_url()).status_code == 200
    assert client.get("/stations/999999/").status_code == 404


def test_qr_code_png_leads_to_the_page(client, town_stations):
    r = client.get(reverse("stations:qr", args=[town_stations["cy"].pk]))
    assert r.status_code == 200 and r["Content-Type"] == "image/png"
    assert r.content[:8] == b"\x89PNG\r\n\x1a\n"


def test_feedback_without_account_and_rate_limit(client, town_stations):
    s = town_stations["cy"]
    url = reverse("stations:feedback", args=[s.pk])
    r = client.post(url, {"rating": "2", "problem": "water", "message": "No water"})
    assert r.status_code == 302
    fb = Feedback.objects.get()
    assert (fb.station, fb.rating, fb.problem, fb.message) == (s, 2, "water", "No water")
    for _ in range(4):
        client.post(url, {"rating": "5"})
    r = client.post(url, {"rating": "5"}, follow=True)
    assert "Too many reports" in r.content.decode()
    assert Feedback.objects.count() == 5


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({}, "Give a rating or choose a problem."),
        ({"rating": "9"}, "Select a valid choice"),
        ({"problem": "other"}, "Please describe the problem."),
        ({"problem": "nonsense"}, "Select a valid choice"),
    ],
)
def test_feedback_bad_input(client, town_stations, data, message):
    r = client.post(reverse("stations:feedback", args=[town_stations["cy"].pk]), data)
    assert r.status_code == 400
    assert message in r.content.decode()
    assert not Feedback.objects.exists()


def test_checkin_one_tap_once_per_half_hour(client, town_stations):
    s = town_stations["cy"]
    url = reverse("stations:checkin", args=[s.pk])
    assert client.post(url).status_code == 302
    r = client.post(url, follow=True)
    assert "already checked in" in r.content.decode()
    assert CheckIn.objects.filter(station=s).count() == 1
    assert client.get(url).status_code == 405


def test_stats_page_and_export(client, town_stations):
    CheckIn.objects.create(station=town_stations["cy"], at=timezone.now(), client="a")
    CheckIn.objects.create(station=town_stations["cy"], at=timezone.now(), client="a")
    CheckIn.objects.create(station=town_stations["lxz"], at=timezone.now(), client="b")
    r = client.get("/stations/stats/")
    assert r.status_code == 200
    assert r.context["repeat_visitors"] == 1
    assert r.context["top"][0][1:] == (town_stations["cy"].name, 2, 1)
    assert r.context["warm"] == 3 and r.context["homes"] == 2 and r.context["outdoor"] == 2
    assert b"build/echarts.js" in r.content and b'id="chart-data"' in r.content
    r = client.get(reverse("stations:stats_export"))
    assert r.status_code == 200 and r.content[:2] == b"PK"
    import io

    import openpyxl

    book = openpyxl.load_workbook(io.BytesIO(r.content))
    kinds = {row[0].value: row[1].value for row in book.worksheets[0].iter_rows(min_row=2)}
    assert kinds["Warm station"] == 1 and kinds["Outdoor-worker station"] == 2
    monthly = [[c.value for c in row] for row in book.worksheets[-1].iter_rows(min_row=2)]
    assert [town_stations["cy"].name, timezone.localtime().strftime("%Y-%m"), 2, 1] in monthly


def test_zh_hans_station_page(client, town_stations):
    client.cookies["django_language"] = "zh-hans"
    html = client.get(town_stations["cy"].get_absolute_url()).content.decode()
    assert "营业时间" in html and "导航" in html


def test_finder_sorts_numbers_naturally(client, make_station):
    for n in (10, 2, 1, 19):
        make_station(name=f"良乡第{n}驿站", town="良乡镇")
    expected = ["良乡第1驿站", "良乡第2驿站", "良乡第10驿站", "良乡第19驿站"]
    r = client.get(FINDER)
    assert [s.name for s in r.context["page"].object_list] == expected
    r = client.get(FINDER, {"q": "驿站"})
    assert [s.name for s in r.context["page"].object_list] == expected


def test_natural_key():
    from stations.models import natural_key

    assert natural_key("第1站") < natural_key("第2站") < natural_key("第10站")
    assert natural_key("A007") == natural_key("A7")
