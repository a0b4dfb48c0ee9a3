"""End to end on a phone viewport (390x844)."""

import re

import pytest
from playwright.sync_api import expect

from stations.models import CheckIn, Feedback, Station

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


def test_officer_edits_hours_and_exceptions_and_records_an_inspection_in_chinese(
    page, live_server, sign_in, network, settings, tmp_path
):
    """zh-hans at 390x844, without /admin/: the week grid (an overnight range), a holiday, then a
    七有 inspection with a photo of the failed item, listed on the desk page."""
    import io
    from datetime import timedelta

    from django.utils import timezone
    from PIL import Image

    from stations.models import Inspection, InspectionPhoto

    settings.LANGUAGE_CODE = "zh-hans"
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "url": live_server.url}])
    station = network["closed_water"]
    admin_requests, errors = [], []
    page.on("request", lambda r: "/admin/" in r.url and admin_requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    photo = tmp_path / "sign.jpg"
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (10, 120, 200)).save(buf, format="JPEG")
    photo.write_bytes(buf.getvalue())

    sign_in(page, "officer_a")
    page.goto(f"{live_server.url}/stations/desk/")
    page.get_by_role("link", name="Water Closed Station").click()
    expect(page.locator("h1")).to_have_text("Water Closed Station")
    expect(page.locator("#compliance")).to_contain_text("七有")
    page.locator("#edit-hours").click()
    expect(page.locator("h1")).to_have_text("营业时间")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the grid fits the phone
    page.fill("#id_week-d0_opens_0", "06:00")
    page.fill("#id_week-d0_closes_0", "01:00")
    holiday = timezone.localdate() + timedelta(days=5)
    page.fill("#id_exc-0-date", holiday.isoformat())
    page.locator("#id_exc-0-closed").check()
    page.fill("#id_exc-0-note", "元旦")
    page.locator("#save-hours").click()
    expect(page.locator("#desk-hours")).to_contain_text("06:00–01:00 (次日)")
    holiday_row = page.locator("#desk-hours tr.table-warning")
    expect(holiday_row).to_contain_text(f"{holiday:%Y-%m-%d}")
    expect(holiday_row).to_contain_text("未开放 元旦")

    page.locator("#record-inspection").click()
    expect(page.locator("#id_inspected_on")).to_have_value(timezone.localdate().isoformat())
    for code in Inspection.Item.values:
        page.locator(f"label[for=id_item_{code}_{1 if code == 'sign' else 0}]").click()
    page.fill("#id_note_sign", "标识褪色")
    page.locator("#save-inspection").click()
    expect(page.locator("#form-errors")).to_be_visible()  # a failed item needs a photo
    expect(page.locator("li[data-item=sign]")).to_contain_text("请为不达标项添加照片")
    page.locator(f"label[for=id_item_{Inspection.Item.values[0]}_0]").click()
    for code in Inspection.Item.values:
        page.locator(f"label[for=id_item_{code}_{1 if code == 'sign' else 0}]").click()
    page.set_input_files("#id_photos_sign", str(photo))
    page.locator("#save-inspection").click()
    failing = page.locator("#failing-items")
    expect(failing).to_contain_text("标识褪色")
    expect(failing.locator("img")).to_have_count(1)
    assert InspectionPhoto.objects.get().item.item == "sign"
    assert station.hours.get().closes.hour == 1
    assert admin_requests == []
    assert errors == []


def test_near_me_uses_the_ticked_filters_before_search_is_pressed(page, live_server, network):
    """ "我附近" reads the form: ticking water and open-now, then 我附近 without 搜索, lists only
    open stations with water."""
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": 39.7301, "longitude": 116.1401})
    page.goto(f"{live_server.url}/stations/")
    page.locator("label[for=amenity-water]").click()
    page.locator("#open-now").check()
    page.locator("#near-me").click()
    results = page.locator("#nearby-results")
    expect(results).to_contain_text("Water Open Station")
    expect(results).not_to_contain_text("Dry Open Station")
    expect(results).not_to_contain_text("Water Closed Station")
    assert "amenity" not in page.url  # the filters were never submitted


def test_station_map_marker_image_comes_from_its_static_address_and_loads(page, live_server, network):
    """Leaflet's own guess of its image folder breaks with the hashed static names of a server
    (it asked for /stations/<pk>/marker-icon-2x.png); the map takes the template's address, the
    double-size image on any screen, and no shadow."""
    from django.templatetags.static import static

    page.goto(f"{live_server.url}/stations/{network['open_water'].pk}/")
    icon = page.locator("img.leaflet-marker-icon")
    expect(icon).to_be_visible()
    assert icon.get_attribute("src") == static("vendor/leaflet/images/marker-icon-2x.png")
    # A function, not an expression: the page's CSP forbids eval, which Playwright would use to
    # poll an expression string once its first check is false.
    page.wait_for_function("() => document.querySelector('img.leaflet-marker-icon').naturalWidth === 50")
    assert page.locator("img.leaflet-marker-shadow").count() == 0


def test_feedback_error_is_scrolled_into_view_and_facility_broken_is_a_kind(page, live_server, network, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "url": live_server.url}])
    station = network["open_water"]
    page.goto(f"{live_server.url}/stations/{station.pk}/")
    page.locator("#send-feedback").click()  # nothing chosen
    errors = page.locator("#feedback-errors")
    expect(errors).to_be_visible()
    expect(errors).to_be_in_viewport()
    page.select_option("#id_problem", label="设施损坏（如微波炉坏了）")
    page.fill("#id_message", "微波炉坏了")
    page.locator("#send-feedback").click()
    expect(page.locator("body")).to_contain_text("谢谢")
    assert Feedback.objects.get().problem == Feedback.Problem.FACILITY


def _in_chinese(context, live_server, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "url": live_server.url}])


def test_rider_checks_in_from_the_shared_page_in_chinese(page, live_server, network, settings, clock):
    """The station page is one cached copy for everyone, with no CSRF token in it: tapping
    check-in fetches this visitor's token first (static/js/formtokens.js)."""
    _in_chinese(page.context, live_server, settings)
    fetched, errors = [], []
    page.on("request", lambda r: r.url.endswith("/csrf/") and fetched.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    url = f"{live_server.url}/stations/{network['open_water'].pk}/"
    page.goto(url)
    assert page.goto(url).headers.get("x-page-cache") == "hit"
    expect(page.locator("#checkin-form input[name=csrfmiddlewaretoken]")).to_have_value("")
    page.locator("#checkin").tap()
    expect(page.locator("main")).to_contain_text("打卡成功，欢迎！")
    assert CheckIn.objects.filter(station=network["open_water"]).count() == 1
    assert len(fetched) == 1 and errors == []


def test_without_javascript_a_form_goes_after_one_more_tap_in_chinese(
    browser, browser_context_args, live_server, network, settings
):
    """No JavaScript, so no token fetched: the feedback and the check-in arrive without one, are
    not saved, and come back (the input kept) asking for one more tap, which sends them."""
    context = browser.new_context(**browser_context_args, java_script_enabled=False)
    _in_chinese(context, live_server, settings)
    page = context.new_page()
    page.goto(f"{live_server.url}/stations/{network['open_water'].pk}/")
    page.select_option("#id_problem", label="设施损坏（如微波炉坏了）")
    page.fill("#id_message", "微波炉坏了")
    page.locator("#send-feedback").tap()
    expect(page.locator("#feedback-confirm")).to_contain_text("您的留言还没有发出")
    expect(page.locator("#id_message")).to_have_value("微波炉坏了")
    expect(page.locator("#id_problem")).to_have_value(Feedback.Problem.FACILITY)
    assert not Feedback.objects.exists()
    page.locator("#send-feedback").tap()
    expect(page.locator("main")).to_contain_text("谢谢")
    assert Feedback.objects.get().message == "微波炉坏了"
    page.locator("#checkin").tap()
    expect(page.locator("#checkin-confirm")).to_contain_text("还没有打卡成功")
    assert not CheckIn.objects.exists()
    page.locator("#checkin").tap()
    expect(page.locator("main")).to_contain_text("打卡成功，欢迎！")
    assert CheckIn.objects.count() == 1
    context.close()


def test_rider_in_chinese_filters_then_near_me_then_feedback(page, live_server, network, settings):
    """The rider's journey of "Desk first", zh-hans at 390x844, without /admin/: tick 直饮水 and
    营业中 and search, then 我附近 (same filters), open the nearest, send a problem report."""
    settings.LANGUAGE_CODE = "zh-hans"
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "url": live_server.url}])
    page.context.grant_permissions(["geolocation"], origin=live_server.url)
    page.context.set_geolocation({"latitude": 39.7301, "longitude": 116.1401})
    admin_requests, errors = [], []
    page.on("request", lambda r: "/admin/" in r.url and admin_requests.append(r.url))
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{live_server.url}/stations/")
    expect(page.locator(".leaflet-control-zoom-in")).to_have_attribute("title", "放大")
    page.locator("label[for=amenity-water]").click()
    page.locator("#open-now").check()
    page.locator("#apply-filters").click()
    page.wait_for_url(re.compile(r"open_now=1"))
    expect(page.locator("#station-list .station-item")).to_have_count(2)
    page.locator("#near-me").click()
    results = page.locator("#nearby-results")
    expect(results).to_contain_text("Water Open Station")
    expect(results).not_to_contain_text("Dry Open Station")
    expect(results).not_to_contain_text("Water Closed Station")
    results.get_by_role("link", name=re.compile("Water Open Station")).click()
    expect(page.locator("h1")).to_have_text("Water Open Station")
    page.select_option("#id_problem", label="设施损坏（如微波炉坏了）")
    page.fill("#id_message", "微波炉坏了")
    page.locator("#send-feedback").click()
    expect(page.locator("body")).to_contain_text("谢谢")
    assert Feedback.objects.get().station == network["open_water"]
    assert admin_requests == [] and errors == []


def test_officer_in_chinese_adds_a_gallery_photo_and_opens_the_sign(
    page, live_server, sign_in, network, settings, tmp_path
):
    """zh-hans at 390x844: the photo input takes a file (gallery, no camera-only capture), then
    the station sign shows the vector QR code."""
    import io

    from PIL import Image

    from stations.models import StationPhoto

    settings.LANGUAGE_CODE = "zh-hans"
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "url": live_server.url}])
    photo = tmp_path / "front.png"
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 120, 10)).save(buf, format="PNG")
    photo.write_bytes(buf.getvalue())
    station = network["open_water"]
    sign_in(page, "officer_a")
    page.goto(f"{live_server.url}/stations/desk/{station.pk}/")
    page.locator("#edit-photos").click()
    expect(page.locator("h1")).to_have_text("照片")
    assert page.locator("#id_image").get_attribute("capture") is None
    page.set_input_files("#id_image", str(photo))
    page.fill("#id_caption", "门口")
    page.locator("#add-photo").click()
    expect(page.locator("#photo-list")).to_contain_text("门口")
    assert StationPhoto.objects.get().caption == "门口"
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.goto(f"{live_server.url}/stations/desk/{station.pk}/")
    page.emulate_media(media="print")  # the desk's print stylesheet: no menu, no buttons
    expect(page.locator("nav.navbar")).to_be_hidden()
    expect(page.locator("#desk-actions")).to_be_hidden()
    expect(page.locator("#desk-hours")).to_be_visible()
    page.emulate_media(media="screen")
    page.locator("#print-sign-link").click()
    expect(page.locator("#sign")).to_contain_text("Water Open Station")
    qr = page.locator("#sign-qr")
    expect(qr).to_be_visible()
    # the SVG loaded (waits for it: the box is visible at its CSS size before the image arrives)
    page.wait_for_function(  # a function: see the marker test on CSP and eval
        "() => document.getElementById('sign-qr').complete && document.getElementById('sign-qr').naturalWidth > 0"
    )


def test_officer_switches_the_hour_and_sees_uncovered_points_change_in_chinese(
    page, live_server, sign_in, transactional_db, tree, make_station, officer_a, settings
):
    from stations.models import DemandPoint

    settings.LANGUAGE_CODE = "zh-hans"
    settings.MAP_TILE_URL = "/static/no-tiles/{z}/{x}/{y}.png"  # no request leaves the machine
    make_station(
        name="Day Station", union=tree.a1, lat=39.7300, lng=116.1400, hours=[(d, "08:00", "20:00") for d in range(7)]
    )
    DemandPoint.objects.create(union=tree.a1, name="Near hub", lat=39.7350, lng=116.1400)
    DemandPoint.objects.create(union=tree.a1, name="Lonely depot", lat=39.9000, lng=116.4000)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    sign_in(page, "officer_a")
    page.goto(f"{live_server.url}/stations/desk/coverage/?weekday=2&hour=14")
    expect(page.locator("h1")).to_have_text("站点覆盖")
    for control in ["#id_weekday", "#id_hour", "#id_distance", "#coverage-show"]:
        box = page.locator(control).bounding_box()
        assert box["height"] >= 44, control
    expect(page.locator("#coverage-map path.marker-uncovered")).to_have_count(1)
    expect(page.locator("#coverage-map path.marker-covered")).to_have_count(1)
    expect(page.locator("#uncovered-count")).to_have_text("1")
    page.select_option("#id_hour", "23")  # the page reloads at once
    page.wait_for_url(re.compile(r"hour=23"))
    expect(page.locator("#coverage-map path.marker-uncovered")).to_have_count(2)
    expect(page.locator("#coverage-map path.marker-covered")).to_have_count(0)
    expect(page.locator("#uncovered-count")).to_have_text("2")
    expect(page.locator("#coverage-summary")).to_contain_text("2 个在此时段步行范围内没有开放的站点")
    expect(page.locator("#coverage-chart canvas")).to_be_attached()
    assert errors == []


def test_stats_charts_are_drawn_as_they_come_near_the_screen_in_chinese(page, live_server, network, settings):
    """On a phone the statistics page opens with bars drawn by the page and no chart script;
    ECharts is loaded, and the charts further down drawn, when the visitor scrolls to them."""
    settings.LANGUAGE_CODE = "zh-hans"
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "url": live_server.url}])
    errors, scripts = [], []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: scripts.append(r.url) if r.resource_type == "script" else None)
    page.goto(f"{live_server.url}/stations/stats/")
    expect(page.locator("h1")).to_have_text("站点统计")
    bars = page.locator("#by-kind .stat-bar:not([style='width: 0%'])")  # a kind with no station draws none
    expect(bars.first).to_be_visible()
    assert bars.first.bounding_box()["width"] > 0
    page.wait_for_load_state("networkidle")
    assert page.locator("#chart-months canvas").count() == 0  # far below the first screen
    assert not any("echarts" in url for url in scripts)  # not even loaded yet
    page.locator("#chart-months").scroll_into_view_if_needed()
    expect(page.locator("#chart-months")).to_have_attribute("data-ready", "1")
    expect(page.locator("#chart-months canvas")).to_be_attached()
    assert any("echarts" in url for url in scripts)
    assert errors == []
