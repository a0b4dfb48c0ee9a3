"""The finder's map on a phone (390x844, zh-hans): server clusters, then stations as the rider
zooms in, a station's popup; the offline banner for a kept nearby answer."""

import json
import re

import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser]


@pytest.fixture
def chinese_phone(page, live_server, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    settings.MAP_TILE_URL = "/static/no-tiles/{z}/{x}/{y}.png"  # no request leaves the machine
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "url": live_server.url}])
    return page


@pytest.fixture
def close_and_far(transactional_db, make_station, tree):
    return {
        "a": make_station(name="良乡甲站", lat=39.7301, lng=116.1401, open_24h=True),
        "b": make_station(name="良乡乙站", lat=39.7312, lng=116.1422),
        "c": make_station(name="良乡丙站", lat=39.7323, lng=116.1389),
        "far": make_station(name="远处驿站", lat=39.90, lng=116.40, union=tree.b),
    }


def test_map_shows_clusters_then_stations_when_zooming_and_a_station_opens_its_popup(
    chinese_phone, live_server, close_and_far
):
    page = chinese_phone
    errors, markers = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: "/stations/markers" in r.url and markers.append(r.url))
    page.goto(f"{live_server.url}/stations/")
    expect(page.locator("#map-freshness")).to_contain_text("地图数据每分钟更新")
    assert page.locator("#markers").count() == 0  # nothing inlined
    the_map = page.locator("#finder-map")
    cluster = the_map.locator(".finder-cluster")
    expect(cluster.first).to_be_visible()
    expect(cluster.first).to_have_text("3")
    expect(cluster.first).to_have_attribute("title", re.compile("3"))
    pins = the_map.locator(".finder-pin")
    close = [close_and_far[k].name for k in ("a", "b", "c")]
    for _ in range(8):  # each tap on a cluster zooms in two steps
        if all(the_map.locator(f".finder-pin[title='{name}']").count() for name in close):
            break
        expect(the_map).not_to_have_attribute("data-loading", "1")  # not while markers are redrawn
        zoom = the_map.get_attribute("data-zoom")
        cluster.first.tap()
        # A tap that lands while Leaflet still animates the last zoom is dropped: tap again.
        try:
            expect(the_map).not_to_have_attribute("data-zoom", zoom, timeout=3000)
        except AssertionError:
            continue
        expect(the_map).not_to_have_attribute("data-loading", "1")
    for name in close:
        expect(the_map.locator(f".finder-pin[title='{name}']")).to_be_visible()
    assert int(the_map.get_attribute("data-zoom")) >= 14 and cluster.count() == 0
    # Zoomed in, the open state shows: the 24-hour station is green.
    expect(the_map.locator(f".finder-pin[title='{close[0]}']")).to_have_class(re.compile("finder-pin-open"))
    expect(the_map.locator(f".finder-pin[title='{close[1]}']")).to_have_class(re.compile("finder-pin-closed"))
    assert pins.count() == 3  # the far station is out of view
    the_map.locator(f".finder-pin[title='{close[0]}']").tap()
    popup = page.locator(".leaflet-popup-content a")
    expect(popup).to_have_text(close[0])
    popup.tap()
    expect(page.locator("h1")).to_have_text(close[0])
    assert markers and all("bbox=" in u and "zoom=" in u for u in markers)
    assert errors == []


def test_offline_nearby_answer_shows_the_saved_list_and_banner(
    browser, browser_context_args, live_server, close_and_far, settings
):
    """Offline, the service worker answers /stations/nearby with the last kept answer and its
    X-Saved-At: the finder lists it and says from when (Asia/Shanghai, HH:MM). The answer is
    played here by the test (the real worker blocked, or it would answer first)."""
    settings.LANGUAGE_CODE = "zh-hans"
    settings.MAP_TILE_URL = "/static/no-tiles/{z}/{x}/{y}.png"
    context = browser.new_context(**browser_context_args, service_workers="block")
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "url": live_server.url}])
    page = context.new_page()
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": 39.7301, "longitude": 116.1401})
    pk = close_and_far["a"].pk
    result = {"id": pk, "name": "良乡甲站", "kind": "outdoor", "lat": 39.7301, "lng": 116.1401, "distance_m": 12.0}
    saved = json.dumps({"results": [result | {"open_now": True, "amenities": [], "url": f"/stations/{pk}/"}]})
    page.route(
        re.compile(r".*/stations/nearby\?.*"),
        lambda route: route.fulfill(
            status=200,
            body=saved,
            headers={"Content-Type": "application/json", "X-Saved-At": "2026-11-30T06:05:00Z"},
        ),
    )
    page.goto(f"{live_server.url}/stations/")
    banner = page.locator("#finder-offline[data-offline-saved]")
    expect(banner).to_be_hidden()
    page.locator("#near-me").tap()
    expect(page.locator("#nearby-results")).to_contain_text("良乡甲站")
    expect(banner).to_be_visible()
    expect(banner).to_have_text("离线：显示 14:05 保存的附近驿站")
    context.close()


def test_online_nearby_answer_shows_no_banner(chinese_phone, live_server, close_and_far):
    page = chinese_phone
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": 39.7301, "longitude": 116.1401})
    page.goto(f"{live_server.url}/stations/")
    page.locator("#near-me").tap()
    expect(page.locator("#nearby-results")).to_contain_text("良乡甲站")
    expect(page.locator("#finder-offline")).to_be_hidden()
