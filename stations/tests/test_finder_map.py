"""The finder's map markers: a cached JSON endpoint by bounds and zoom (clusters on the server
when zoomed out, stations when zoomed in), ETag and 304, fresh after a station write, never a
non-public station; and the finder page's HTML stays small at any number of stations."""

import datetime as dt
import random

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from stations import selectors, services
from stations.models import Amenity, OpeningHours, Station, StationAmenity
from unionportal.core.testing import clear_caches

MARKERS = reverse("stations:markers")
FINDER = reverse("stations:finder")
# Fangshan and around (west, south, east, north).
BBOX = "115.9,39.6,116.3,39.9"


def get(client, bbox=BBOX, zoom=12, **params):
    r = client.get(MARKERS, {"bbox": bbox, "zoom": zoom, **params})
    assert r.status_code == 200, r.content
    return r.json()


def ids(answer) -> set[int]:
    return {p["id"] for p in answer["points"]}


@pytest.fixture
def spread(make_station, tree):
    """Three stations close together in Liangxiang, one alone in Changyang, and the ones the
    public must never see: planned, closed, and another union's private station."""
    return {
        "lx1": make_station(name="Liangxiang 1", lat=39.7301, lng=116.1401, open_24h=True, amenity_codes=["water"]),
        "lx2": make_station(name="Liangxiang 2", lat=39.7305, lng=116.1405, kind=Station.Kind.WARM),
        "lx3": make_station(name="Liangxiang 3", lat=39.7309, lng=116.1409, town="Liangxiang"),
        "cy": make_station(name="Changyang", lat=39.7700, lng=116.2100, open_24h=True),
        "planned": make_station(name="Planned", lat=39.7302, lng=116.1402, status=Station.Status.PLANNED),
        "closed": make_station(name="Closed", lat=39.7303, lng=116.1403, status=Station.Status.CLOSED),
        "private": make_station(name="Private B", union=tree.b, lat=39.7304, lng=116.1404, is_public=False),
    }


def test_low_zoom_clusters_the_close_stations_and_keeps_a_lone_one_as_a_point(client, spread):
    d = get(client, zoom=12)
    assert d["clustered"] is True and d["truncated"] is False
    assert [c["count"] for c in d["clusters"]] == [3]  # the three public ones of Liangxiang
    cluster = d["clusters"][0]
    assert 39.7300 < cluster["lat"] < 39.7310 and 116.1400 < cluster["lng"] < 116.1410  # their mean, WGS-84
    assert d["points"] == [{"id": spread["cy"].pk, "lat": 39.77, "lng": 116.21, "name": "Changyang", "kind": "outdoor"}]
    assert d["count"] == 4


def test_high_zoom_lists_stations_with_their_open_state(client, spread):
    d = get(client, bbox="116.13,39.72,116.15,39.74", zoom=16)
    assert d["clustered"] is False and d["clusters"] == []
    assert ids(d) == {spread[k].pk for k in ("lx1", "lx2", "lx3")}
    by_id = {p["id"]: p for p in d["points"]}
    assert by_id[spread["lx1"].pk] == {
        "id": spread["lx1"].pk,
        "lat": 39.7301,
        "lng": 116.1401,
        "name": "Liangxiang 1",
        "kind": "outdoor",
        "open": True,
    }
    assert by_id[spread["lx2"].pk]["open"] is False  # no hours at all


def test_non_public_stations_never_leak_at_any_zoom(client, spread, officer_b):
    client.force_login(officer_b)  # even their own union's officer: the map is the public one
    hidden = {"Planned", "Closed", "Private B"}
    for zoom, bbox in ((3, "100,30,130,45"), (12, BBOX), (18, "116.139,39.729,116.142,39.732")):
        body = client.get(MARKERS, {"bbox": bbox, "zoom": zoom}).content.decode()
        assert not any(name in body for name in hidden), zoom
    assert get(client, zoom=12)["count"] == 4


def test_filters_are_those_of_the_finder(client, spread):
    z14 = {"bbox": "116.10,39.70,116.25,39.80", "zoom": 14}
    assert ids(get(client, **z14, kind="warm")) == {spread["lx2"].pk}
    assert ids(get(client, **z14, amenity="water")) == {spread["lx1"].pk}
    assert ids(get(client, **z14, town="Liangxiang")) == {spread["lx3"].pk}
    assert ids(get(client, **z14, open_now="1")) == {spread["lx1"].pk, spread["cy"].pk}  # 24 hours
    assert ids(get(client, **z14, q="Changyang")) == {spread["cy"].pk}
    # Unknown filter values are dropped, as on the page.
    assert len(ids(get(client, **z14, kind="<x>", amenity="nope"))) == 4
    # Clustered too: the Liangxiang cluster has only the water station left, so it is a point.
    d = get(client, zoom=12, amenity="water")
    assert d["clusters"] == [] and ids(d) == {spread["lx1"].pk}


def test_bbox_bounds_the_answer(client, spread):
    assert ids(get(client, bbox="116.20,39.76,116.22,39.78", zoom=16)) == {spread["cy"].pk}
    assert get(client, bbox="120,30,120.01,30.01", zoom=16)["count"] == 0


def test_etag_and_304(client, spread):
    r = client.get(MARKERS, {"bbox": BBOX, "zoom": 12})
    etag = r.headers["ETag"]
    assert etag.startswith('"') and r.headers["Cache-Control"] == "public, max-age=60"
    assert r.headers["Content-Type"] == "application/json"
    again = client.get(MARKERS, {"bbox": BBOX, "zoom": 12}, headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == etag and again.headers["Cache-Control"] == "public, max-age=60"
    # A view a little moved snaps to the same cells: the same answer, the same tag.
    moved = client.get(MARKERS, {"bbox": "115.9001,39.6001,116.2999,39.8999", "zoom": 12})
    assert moved.headers["ETag"] == etag
    other = client.get(MARKERS, {"bbox": BBOX, "zoom": 12, "kind": "warm"}, headers={"if-none-match": etag})
    assert other.status_code == 200 and other.headers["ETag"] != etag


@pytest.mark.parametrize("page_cache", [True, False])
def test_a_compressed_answers_weak_tag_gets_304(client, spread, settings, page_cache):
    """A browser that took the answer gzipped holds its tag as W/"...": still the same answer,
    whether the page cache (on) or the view (off) answers."""
    settings.PAGE_CACHE = page_cache
    view = {"bbox": "116.13,39.72,116.15,39.74", "zoom": 16}  # three stations: long enough to compress
    packed = client.get(MARKERS, view, headers={"accept-encoding": "gzip"})
    assert packed.headers["Content-Encoding"] == "gzip" and packed.headers["ETag"].startswith('W/"')
    again = client.get(MARKERS, view, headers={"accept-encoding": "gzip", "if-none-match": packed["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["Cache-Control"] == "public, max-age=60"


def test_the_page_cache_keeps_answers_for_boxes_the_map_sends(client, spread):
    """The finder sends its box to 5 decimals: kept as a page. A box of raw coordinates, or a
    malformed one, is answered for the request alone (bounded keys; a 400 is never kept)."""

    def twice(bbox):
        client.get(MARKERS, {"bbox": bbox, "zoom": 12})
        return client.get(MARKERS, {"bbox": bbox, "zoom": 12})

    assert twice("115.90000,39.60000,116.30000,39.90000").headers["X-Page-Cache"] == "hit"
    assert "X-Page-Cache" not in twice("115.9000000001,39.6,116.3,39.9").headers
    bad = twice("115.9,39.6,116.3")
    assert bad.status_code == 400 and "X-Page-Cache" not in bad.headers


def test_an_answer_is_served_from_the_cache_without_a_query(client, spread, django_assert_num_queries):
    first = client.get(MARKERS, {"bbox": BBOX, "zoom": 12})
    with django_assert_num_queries(0):  # the map's stamp and the answer are both kept
        second = client.get(MARKERS, {"bbox": BBOX, "zoom": 12})
    assert second.content == first.content


def test_a_station_write_shows_on_the_next_request(client, spread, officer_a):
    """Freshness: the page says the map is updated every minute (browsers keep an answer up to
    60 s); the server's answer changes on the very next request after a write via a service."""
    before = client.get(MARKERS, {"bbox": BBOX, "zoom": 12})
    cy = spread["cy"]
    cy.name = "Changyang renamed"
    services.station_save(station=cy, by=officer_a)
    after = client.get(MARKERS, {"bbox": BBOX, "zoom": 12}, headers={"if-none-match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert after.json()["points"][0]["name"] == "Changyang renamed"
    services.station_set_public(station=cy, is_public=False, by=officer_a)
    assert get(client, zoom=12)["points"] == []
    services.station_delete(station=spread["lx3"], by=officer_a)
    assert [c["count"] for c in get(client, zoom=12)["clusters"]] == [2]
    # Hours go through station_touch: an open_now map at high zoom sees them too.
    lx2 = spread["lx2"]
    z16 = {"bbox": "116.13,39.72,116.15,39.74", "zoom": 16}
    assert {p["id"]: p["open"] for p in get(client, **z16)["points"]}[lx2.pk] is False
    services.station_hours_set(
        station=lx2,
        weekly=[],
        open_24h=True,
        exceptions_saved=[],
        exceptions_deleted=[],
        by=officer_a,
    )
    assert {p["id"]: p["open"] for p in get(client, **z16)["points"]}[lx2.pk] is True


def test_the_finder_page_states_how_fresh_the_map_is(client, spread, settings):
    html = client.get(FINDER).content.decode()
    assert 'id="map-freshness"' in html and "Map data are updated every minute." in html
    assert f'data-markers-url="{MARKERS}"' in html
    assert 'id="finder-offline" data-offline-saved' in html
    settings.LANGUAGE_CODE = "zh-hans"
    html = client.get(FINDER, headers={"accept-language": "zh-hans"}).content.decode()
    assert "地图数据每分钟更新" in html
    assert "离线：显示 {time} 保存的附近驿站" in html


def test_points_are_capped_with_a_flag(client, tree, monkeypatch):
    monkeypatch.setattr(selectors, "MARKER_CAP", 5)
    bulk(tree.a, 8, lat=(39.730, 39.731), lng=(116.140, 116.141))
    d = get(client, bbox="116.13,39.72,116.15,39.74", zoom=16)
    assert len(d["points"]) == 5 and d["truncated"] is True


def test_coordinates_are_wgs84_whatever_the_tiles(client, spread, settings):
    """Stations are stored in WGS-84; map.js shifts them for GCJ-02 tiles (as the page's
    markers always were), so the answer does not depend on the tile provider."""
    settings.MAP_TILE_PROVIDER = "amap"
    d = get(client, bbox="116.20,39.76,116.22,39.78", zoom=16)
    assert (d["points"][0]["lat"], d["points"][0]["lng"]) == (39.77, 116.21)


BAD = [
    ({"zoom": "12"}, "bad_bbox"),
    ({"bbox": BBOX}, "bad_zoom"),
    ({"bbox": BBOX, "zoom": "-1"}, "bad_zoom"),
    ({"bbox": BBOX, "zoom": "21"}, "bad_zoom"),
    ({"bbox": BBOX, "zoom": "1.5"}, "bad_zoom"),
    ({"bbox": BBOX, "zoom": "１２"}, "bad_zoom"),
    ({"bbox": "1,2,3", "zoom": "12"}, "bad_bbox"),
    ({"bbox": "a,b,c,d", "zoom": "12"}, "bad_bbox"),
    ({"bbox": "nan,39,116,40", "zoom": "12"}, "bad_bbox"),
    ({"bbox": "-inf,39,inf,40", "zoom": "3"}, "bad_bbox"),
    ({"bbox": "116.3,39.6,115.9,39.9", "zoom": "12"}, "bad_bbox"),  # west east of east
    ({"bbox": "115.9,39.6,116.3,91", "zoom": "12"}, "bad_bbox"),
    ({"bbox": "-181,39.6,116.3,39.9", "zoom": "3"}, "bad_bbox"),
    ({"bbox": "100,30,130,45", "zoom": "12"}, "bbox_too_large"),  # a country at street zoom
]


@pytest.mark.parametrize(("params", "code"), BAD)
def test_bad_parameters_are_a_400_in_chinese_with_a_code(client, db, settings, params, code):
    settings.LANGUAGE_CODE = "zh-hans"
    r = client.get(MARKERS, params, headers={"accept-language": "zh-hans"})
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in body["error"]), body["error"]


@hsettings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    bbox=st.one_of(
        st.text(max_size=60),
        st.lists(
            st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.integers(-1000, 1000)).map(str),
            min_size=0,
            max_size=6,
        ).map(",".join),
    ),
    zoom=st.one_of(st.text(max_size=6), st.integers(-5, 40).map(str)),
)
def test_weird_bbox_and_zoom_never_500(client, db, bbox, zoom):
    bbox, zoom = bbox.replace("\x00", ""), zoom.replace("\x00", "")
    r = client.get(MARKERS, {"bbox": bbox, "zoom": zoom, "open_now": "1"})
    assert r.status_code in (200, 400)
    body = r.json()
    assert ("error" in body and "code" in body) if r.status_code == 400 else "points" in body


def bulk(
    union, n: int, *, lat=(39.5, 40.5), lng=(115.8, 116.8), towns: int = 7, seed: int = 1, suffix: str = ""
) -> list[Station]:
    """n public stations made in bulk (derived columns filled, as the importer's bulk path)."""
    rng = random.Random(seed)
    rows = [
        services.station_fill_derived(
            station=Station(
                union=union,
                name=f"Bulk {seed}-{i}{suffix}",
                kind=Station.Kind.WARM if i % 3 else Station.Kind.OUTDOOR,
                town=f"Town {i % towns}{suffix[:4]}",
                lat=round(rng.uniform(*lat), 6),
                lng=round(rng.uniform(*lng), 6),
                open_24h=i % 2 == 0,
                status=Station.Status.OPEN,
                is_public=True,
            )
        )
        for i in range(n)
    ]
    Station.objects.bulk_create(rows, batch_size=1000)
    created = list(Station.objects.filter(name__startswith=f"Bulk {seed}-"))
    services.station_index_text(stations=created, fresh=True)  # the text search's n-grams
    return created


def test_markers_queries_flat(client, tree, amenities, django_assert_max_num_queries):
    """Whatever the number of stations in view: 1 the map's stamp (when not kept), 2 the
    grid's aggregate (or the points with their open state); the text filter adds its n-gram
    read."""
    urls = [
        (MARKERS, {"bbox": "115.8,39.5,116.8,40.5", "zoom": 10}),
        (MARKERS, {"bbox": "115.8,39.5,116.8,40.5", "zoom": 10, "amenity": "water", "open_now": "1", "kind": "warm"}),
        (MARKERS, {"bbox": "116.2,39.9,116.25,39.95", "zoom": 16, "open_now": "1"}),
        (MARKERS, {"bbox": "116.2,39.9,116.25,39.95", "zoom": 16, "q": "bulk"}),
    ]

    def counts():
        out = []
        for url, params in urls:
            clear_caches()
            with django_assert_max_num_queries(3) as ctx:
                assert client.get(url, params).status_code == 200
            out.append(len(ctx.captured_queries))
        return out

    bulk(tree.a, 20)
    few = counts()
    stations = bulk(tree.a1, 3000, seed=2)
    water = Amenity.objects.get(code="water")
    StationAmenity.objects.bulk_create([StationAmenity(station=s, amenity=water) for s in stations[::2]])
    assert counts() == few
    assert get(client, bbox="115.8,39.5,116.8,40.5", zoom=10)["count"] == 3020


def test_finder_html_stays_under_30_kb_with_3000_stations(client, tree, amenities, settings):
    # Every station in its own town (the town list is capped) and with every amenity (their
    # icons are drawn from one copy each).
    stations = bulk(tree.a, 3000, towns=3000, suffix="城关街道书店户外劳动者暖心驿站")  # long names, as real ones
    StationAmenity.objects.bulk_create(
        [StationAmenity(station=s, amenity=a) for s in stations for a in Amenity.objects.all()], batch_size=5000
    )
    OpeningHours.objects.bulk_create(
        [OpeningHours(station=s, weekday=d, opens=dt.time(0), closes=dt.time(0)) for s in stations for d in range(7)]
    )
    sizes = {}
    settings.LANGUAGE_CODE = "zh-hans"
    for params in (
        {},
        {"kind": "warm", "open_now": "1"},
        {"amenity": "water", "town": "Town 5城关街道"},
        {"q": "bulk"},
    ):
        r = client.get(FINDER, params, headers={"accept-language": "zh-hans"})
        assert r.status_code == 200
        html = r.content.decode()
        assert "Bulk 1-" in html, params  # the list is there
        assert html.count('class="small amenity-icons"') >= 1 and 'data-codes="water ' in html
        sizes[str(params)] = len(r.content)
    assert max(sizes.values()) < 30 * 1024, sizes


def test_finder_page_is_cached_for_anonymous_visitors_and_fresh_after_a_write(
    client, spread, officer_a, django_assert_num_queries
):
    first = client.get(FINDER, {"kind": "outdoor"})
    assert "Changyang" in first.content.decode()
    with django_assert_num_queries(0):  # the map's stamp and the page are both kept
        again = client.get(FINDER, {"kind": "outdoor"})
    assert again.headers["X-Page-Cache"] == "hit"
    cy = spread["cy"]
    cy.name = "Changyang renamed"
    services.station_save(station=cy, by=officer_a)
    assert "Changyang renamed" in client.get(FINDER, {"kind": "outdoor"}).content.decode()


def test_bench_pages_of_the_finder_answer(client, spread):
    from stations.bench import pages

    rows = {row[0]: row[1] for row in pages()}
    assert {"station finder", "station finder with filters", "finder markers z12", "finder markers z16"} <= set(rows)
    assert get(client, **dict(p.split("=") for p in rows["finder markers z12"].split("?")[1].split("&")))["count"]
    for name in ("station finder", "station finder with filters", "finder markers z16"):
        assert client.get(rows[name]).status_code == 200, name


def test_markers_are_computed_each_time_with_the_page_cache_off(client, spread, settings, django_assert_num_queries):
    settings.PAGE_CACHE = False
    client.get(MARKERS, {"bbox": BBOX, "zoom": 12})
    with django_assert_num_queries(1):  # the grid's aggregate (the map's stamp is kept)
        client.get(MARKERS, {"bbox": BBOX, "zoom": 12})
