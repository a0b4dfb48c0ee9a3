"""End to end on a phone-sized screen (390x844): a visitor finds 齐贺's studio, an officer adds a result."""

import io

import pytest
from playwright.sync_api import expect

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
    # Achievements per year: bars drawn by the page (2022 the best year of the demo's four).
    bars = page.locator("#studio-chart .studio-bar")
    expect(bars.first).to_be_visible()
    assert bars.count() == len(page.locator("#studio-chart .studio-bar-year").all_text_contents())
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


def test_officer_keeps_members_and_changes_the_leader_in_chinese(page, live_server, sign_in, seeded, settings):
    """Issue #11: on a phone, in Chinese, an officer edits a member and hands the leadership over
    on the desk; the admin is never opened."""
    settings.LANGUAGE_CODE = "zh-hans"
    visited = []
    page.on("request", lambda r: visited.append(r.url))
    sign_in(page, "cscec_officer", core_demo.DEMO_PASSWORD)
    page.goto(f"{live_server.url}{seeded.get_desk_url()}")
    page.click("#manage-members")
    page.wait_for_url("**/members/")
    assert page.text_content("h1").strip() == "成员与领军人"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    buttons = page.locator("#desk-members .studio-tap")
    assert all(b["height"] >= 44 for b in buttons.evaluate_all("els => els.map(e => e.getBoundingClientRect())"))

    # 李娜 holds a doctorate but is not a CPC member: a Party-member PhD studio refuses her as leader.
    li_na = seeded.members.get(name="李娜")
    page.select_option("#change-leader select", str(li_na.pk))
    page.click("#change-leader button[type=submit]")
    page.wait_for_load_state()
    assert "党员博士创新工作室的领军人" in page.text_content("main")
    assert seeded.members.get(role="leader").name == "齐贺"

    # Edit her particulars: she joined the Party.
    page.click(f"[data-member='{li_na.pk}'] a:has-text('编辑')")
    page.wait_for_url(f"**/members/{li_na.pk}/edit/")
    assert page.input_value("#id_name") == "李娜"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.select_option("#id_political_status", "party")
    page.fill("#id_title", "高级工程师")
    page.click("form input[type=submit], form button[type=submit] >> nth=-1")
    page.wait_for_url("**/members/")
    assert "成员已保存。" in page.text_content("main")

    # Now she may lead; 齐贺 stays on as a member.
    page.select_option("#change-leader select", str(li_na.pk))
    page.click("#change-leader button[type=submit]")
    page.wait_for_url("**/members/")
    assert "李娜现为工作室领军人。" in page.text_content("main")
    assert page.locator(f"[data-member='{li_na.pk}'] [data-leader]").count() == 1
    assert page.locator("[data-leader]").count() == 1
    li_na.refresh_from_db()
    assert (li_na.role, li_na.political_status, li_na.title) == ("leader", "party", "高级工程师")
    assert seeded.members.get(name="齐贺").role == "member"

    # The public profile follows at once.
    page.goto(f"{live_server.url}/studios/qi-he/")
    assert "李娜" in page.text_content("#leader")
    assert not [url for url in visited if "/admin/" in url]
