"""On a phone (390x844) in zh-hans: an officer sees a new feedback in the bell and answers it."""

import pytest
from playwright.sync_api import expect

from stations import services as station_services
from stations.models import Feedback

pytestmark = [pytest.mark.browser]


def test_officer_sees_new_feedback_in_the_bell_and_answers_it(
    page, live_server, sign_in, transactional_db, tree, officer_a, officer_b, make_station, settings
):
    settings.LANGUAGE_CODE = "zh-hans"
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "url": live_server.url}])
    station = make_station(union=tree.a, name="西站")
    # A worker reports a problem (committed: the fan-out runs in process, no REDIS_URL).
    fb = station_services.feedback_submit(station=station, rating=2, problem="water", message="没水了")
    sign_in(page, "officer_a")
    # The menu's bell, counted once the desk page has loaded.
    page.goto(f"{live_server.url}/desk/")
    bell = page.locator(".navbar .notification-bell")
    expect(bell).to_have_attribute("data-unread", "1")
    bell.click()
    expect(page).to_have_url(f"{live_server.url}/notifications/")
    item = page.locator(".notification-item").first
    expect(item).to_contain_text("站点新反馈：西站")
    item.get_by_role("button", name="打开").click()
    expect(page).to_have_url(f"{live_server.url}/stations/desk/feedback/")
    card = page.locator(f'.feedback-item[data-id="{fb.pk}"]')
    card.locator("textarea[name=answer]").fill("已修好饮水机")
    card.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    fb.refresh_from_db()
    assert fb.status == Feedback.Status.ANSWERED and fb.answer == "已修好饮水机"
    page.goto(f"{live_server.url}/desk/")
    expect(page.locator(".navbar .notification-bell")).to_have_attribute("data-unread", "0")
    assert not officer_b.notifications.exists()
