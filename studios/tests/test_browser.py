"""End to end on a phone-sized screen (390x844): a visitor finds 齐贺's studio, an officer adds a result."""

import io

import pytest

from studios import demo as studios_demo
from studios.models import Studio
from unionportal.core import demo as core_demo

pytestmark = [pytest.mark.browser]


@pytest.fixture
def seeded(transactional_db):
    nodes = core_demo.seed_unions()
    core_demo.seed_users(nodes)
    studios_demo.seed(io.StringIO())
    return Studio.objects.get(slug="qi-he")


def test_visitor_filters_opens_profile_and_officer_adds_achievement(page, live_server, sign_in, seeded):
    page.goto(f"{live_server.url}/studios/")
    assert page.locator(".studio-card").count() == 4
    page.select_option("#id_kind", "party_phd")
    page.click("#studio-filter button[type=submit]")
    page.wait_for_url("**kind=party_phd**")
    cards = page.locator(".studio-card")
    assert cards.count() == 2
    assert all(k == "party_phd" for k in cards.evaluate_all("els => els.map(e => e.dataset.kind)"))

    page.click(".studio-card:has-text('齐贺')")
    page.wait_for_url("**/studios/qi-he/")
    assert page.text_content("[data-count=ip]").strip() == "88"
    assert page.text_content("[data-count=patents]").strip() == "77"
    assert page.text_content("[data-count=standards]").strip() == "18"
    page.wait_for_selector("#studio-chart[data-ready='1'] canvas")
    box = page.locator("#studio-chart").bounding_box()
    assert box["width"] <= 390 and box["height"] > 100
    # Nothing runs off the side of a phone.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    sign_in(page, "cscec_officer", core_demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}{seeded.get_desk_url()}")
    page.click("#add-achievement")
    page.select_option("#id_type", "patent_accepted")
    page.fill("#id_title", "Zero-carbon building energy controller")
    page.fill("#id_date", "2023-03-01")
    page.click("form input[type=submit], form button[type=submit] >> nth=-1")
    page.wait_for_url(f"**{seeded.get_desk_url()}")
    page.goto(f"{live_server.url}/studios/qi-he/")
    assert page.text_content("[data-count=ip]").strip() == "89"
    assert page.text_content("[data-count=patents]").strip() == "78"
    assert page.text_content("[data-count=standards]").strip() == "18"

    # A visitor (a fresh phone, no session) sees the new count too: the cached page followed.
    visitor = page.context.browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        other = visitor.new_page()
        other.goto(f"{live_server.url}/studios/qi-he/")
        assert other.text_content("[data-count=ip]").strip() == "89"
        assert other.text_content("[data-count=patents]").strip() == "78"
    finally:
        visitor.close()
