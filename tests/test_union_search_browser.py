"""A union the dropdown does not list, found by name on a phone (zh-hans, 390×844): an officer
of a large scope types part of its name, picks it, and logs an activity under it; a sibling's
union is never offered."""

import pytest
from playwright.sync_api import expect

from unionportal.core import unionchoice
from unionportal.core.models import Activity, Union

pytestmark = [pytest.mark.browser]


def test_officer_finds_a_deep_union_by_name_and_logs_an_activity_under_it(
    page, live_server, sign_in, transactional_db, tree, officer_a, settings, monkeypatch
):
    monkeypatch.setattr(unionchoice, "SHOWN", 3)  # the dropdown lists District A, Street A1 and A1g
    settings.LANGUAGE_CODE = "zh-hans"
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "url": live_server.url}])
    below = tree.a1g
    for name in ("第一班组", "第二班组", "第三班组"):
        below = Union.objects.add_child(below, {"name": name, "kind": Union.Kind.GRASSROOTS})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, "officer_a")
    page.goto(f"{live_server.url}/desk/activities/new/")
    union = page.locator("#id_union")
    box = page.locator("[data-union-search-box]")
    expect(box).to_have_attribute("placeholder", "按名称查找工会")
    assert union.locator("option", has_text="第三班组").count() == 0  # beyond the dropdown's three
    area = box.bounding_box()
    assert area["x"] >= 0 and area["x"] + area["width"] <= 390  # on the phone's screen

    box.fill("B")  # "District B": a sibling's union, never offered
    expect(union).to_have_attribute("data-searched", "B")
    expect(page.locator("[data-union-search-status]")).to_have_text("您管辖的工会中没有这个名称。")
    assert union.locator("option", has_text="District B").count() == 0

    box.fill("第三")
    expect(union).to_have_attribute("data-searched", "第三")
    union.select_option(label="第三班组 · 第二班组")
    page.select_option("#id_kind", "study")
    page.fill("#id_title", "班组学习")
    page.fill("#id_starts_at", "2026-11-30T09:00")
    page.fill("#id_participants", "12")
    page.click("input[name=save_draft]")
    page.wait_for_load_state()
    activity = Activity.objects.get(title="班组学习")
    assert activity.union_id == below.pk
    assert errors == []
