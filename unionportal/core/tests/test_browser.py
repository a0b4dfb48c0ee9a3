"""End to end in Debian's Chromium on a 390×844 phone screen."""

import pytest
from playwright.sync_api import expect

from unionportal.core.models import Activity, Role
from unionportal.core.testing import image_upload, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_officer_logs_an_activity_with_a_photo_on_a_phone(page, live_server, sign_in, tmp_path):
    from unionportal.core.testing import build_tree

    tree = build_tree()
    make_user("phone_officer", role=Role.Kind.OFFICER, union=tree.a)
    photo = tmp_path / "meeting.jpg"
    photo.write_bytes(image_upload().read())

    sign_in(page, "phone_officer")
    expect(page).to_have_url(f"{live_server.url}/desk/")
    page.get_by_role("link", name="Log an activity").first.click()

    page.select_option("select[name=union]", label="Street A1")
    page.select_option("select[name=kind]", "lecture")
    page.fill("input[name=title]", "Model worker lecture on the phone")
    page.fill("input[name=starts_at]", "2022-11-25T15:00")
    page.fill("input[name=place]", "Worker home")
    page.fill("input[name=participants]", "60")
    page.set_input_files("input[name=photos]", str(photo))
    page.get_by_role("button", name="Save draft").click()

    expect(page.locator("h1")).to_contain_text("Model worker lecture on the phone")
    expect(page.locator(".badge")).to_have_text("Draft")
    activity = Activity.objects.get(title="Model worker lecture on the phone")
    assert activity.photos.count() == 1

    # Drafts never reach the public feed.
    page.goto(f"{live_server.url}/activities/")
    expect(page.get_by_text("Model worker lecture on the phone")).to_have_count(0)

    page.goto(f"{live_server.url}{activity.get_absolute_url()}")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".alert-success")).to_contain_text("Activity published.")

    page.goto(f"{live_server.url}/activities/")
    card = page.locator(".activity-card", has_text="Model worker lecture on the phone")
    expect(card).to_be_visible()
    expect(card.locator("img")).to_be_visible()
    # The page fits the phone: no horizontal scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
