"""End to end on a phone viewport (390x844)."""

import re

import pytest
from playwright.sync_api import expect

from stations.models import Feedback, Station

pytestmark = [pytest.mark.browser]


@pytest.fixture
def network(transactional_db, tree, make_station, officer_a, officer_b, settings):
    settings.MAP_TILE_URL = "/static/no-tiles/{z}/{x}/{y}.png"  # no request leaves the machine
    return {
        "open_water": make_station(
            name="Water Open Station", union=tree.a1, open_24h=True, amenity_codes=["water"], phone="010-69350001"
        ),
        "closed_water": make_station(name="Water Closed Station", union=tree.a1, amenity_codes=["water"]),
        "open_dry": make_station(name="Dry Open Station", union=tree.a1, open_24h=True, amenity_codes=["seats"]),
        "other": make_station(
            name="B Water Station", union=tree.b, open_24h=True, amenity_codes=["water"], lat=39.9, lng=116.4
        ),
    }


def test_find_open_water_open_it_and_report_a_problem(page, live_server, sign_in, network):
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/stations/")
    expect(page.locator("#finder-map")).to_be_visible()
    expect(page.locator("#finder-map .leaflet-marker-icon").first).to_be_attached()
    page.locator("label[for=amenity-water]").click()
    page.locator("#open-now").check()
    page.locator("#apply-filters").click()
    page.wait_for_url(re.compile(r"amenity=water.*open_now=1|open_now=1.*amenity=water"))
    items = page.locator("#station-list .station-item")
    expect(items).to_have_count(2)
    expect(page.locator("#station-list")).not_to_contain_text("Water Closed Station")
    expect(page.locator("#station-list")).not_to_contain_text("Dry Open Station")

    page.get_by_role("link", name=re.compile("Water Open Station")).click()
    expect(page.locator("h1")).to_have_text("Water Open Station")
    expect(page.locator("#hours")).to_contain_text("Open 24 hours")
    expect(page.locator("#open-state")).to_contain_text("Open now")
    navigate = page.locator("#navigate")
    expect(navigate).to_be_visible()
    expect(navigate).to_have_attribute("href", re.compile(r"^https://uri\.amap\.com/marker\?position=116\.14"))
    expect(page.locator("a[href='tel:010-69350001']")).to_be_visible()

    page.select_option("#id_problem", "water")
    page.fill("#id_message", "The water machine gives no water")
    page.locator("#send-feedback").click()
    expect(page.locator("body")).to_contain_text("Thank you")
    assert Feedback.objects.get().station == network["open_water"]

    sign_in(page, "officer_a")
    page.goto(f"{live_server.url}/stations/desk/feedback/")
    expect(page.locator("#inbox")).to_contain_text("The water machine gives no water")

    page.context.clear_cookies()
    sign_in(page, "officer_b")
    page.goto(f"{live_server.url}/stations/desk/feedback/")
    expect(page.locator("#inbox")).not_to_contain_text("The water machine gives no water")
    expect(page.locator("#inbox")).to_contain_text("No reports")
    assert Station.objects.count() == 4
    assert errors == []
