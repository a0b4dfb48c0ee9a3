"""The year-end report on a phone (zh-hans, 390×844): an officer opens it, switches the year,
and sees the charts and the figures change."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from unionportal.core.models import Activity

pytestmark = [pytest.mark.browser]


def test_officer_opens_the_report_and_switches_the_year(
    page, live_server, sign_in, transactional_db, tree, officer_a, settings
):
    settings.LANGUAGE_CODE = "zh-hans"
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "url": live_server.url}])
    this = timezone.localdate().year
    tz = timezone.get_current_timezone()
    for year, n in ((this, 2), (this - 1, 5)):
        for i in range(n):
            when = dt.datetime(year, 3, 1 + i, 10, tzinfo=tz)
            Activity.objects.create(
                union=tree.a1,
                kind="study",
                title=f"t{i}",
                starts_at=when,
                participants=10,
                status="published",
                published_at=when,
            )
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, "officer_a")
    page.goto(f"{live_server.url}/desk/")
    page.click("#desk-actions a[href='/desk/yearend/']")  # the desk's link
    expect(page.locator("h1")).to_have_text("年度统计")
    held = page.locator("#yearend-activities [data-figure]").first
    expect(held).to_have_text("2")
    expect(page.locator("#chart-activities-0 canvas")).to_be_attached()
    expect(page.locator("#chart-stations-0 canvas")).to_be_attached()
    for control in ["#yearend-union", "#yearend-year"]:
        assert page.locator(control).bounding_box()["height"] >= 44, control
    page.select_option("#yearend-year", str(this - 1))  # the page reloads at once
    page.wait_for_url(re.compile(rf"year={this - 1}"))
    expect(page.locator("#yearend-activities [data-figure]").first).to_have_text("5")
    expect(page.locator("#yearend-heading")).to_contain_text(f"District A，{this - 1} 年")
    expect(page.locator("#chart-activities-0 canvas")).to_be_attached()
    assert page.locator("#yearend-welfare").count() == 0  # an officer: no welfare section
    assert errors == []
