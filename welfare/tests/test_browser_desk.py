"""Issue #11 on a phone (390x844) in Chinese: what field staff hit that English tests never see."""

import pytest
from django.utils import timezone
from PIL import Image

from unionportal.core.models import Role
from unionportal.core.testing import build_tree, make_user
from welfare.models import Campaign, CampaignItem, Employee, Handout, Visit

from .conftest import visit_world

pytestmark = [pytest.mark.browser]


@pytest.fixture
def chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture
def world(transactional_db, tmp_path):
    tree, file = visit_world(seq=21)
    photo = tmp_path / "visit.jpg"
    Image.new("RGB", (800, 600), (180, 40, 40)).save(photo, format="JPEG")
    return tree, file, photo


def test_visit_with_photo_in_one_submit_in_chinese(chinese, page, live_server, sign_in, world):
    """The date is prefilled in an ISO value the browser keeps: the first submit saves the photo."""
    _tree, file, photo = world
    sign_in(page, "welfare_a")
    page.goto(f"{live_server.url}/desk/visits/new/")
    assert page.get_attribute("html", "lang") == "zh-hans"
    assert page.input_value("#id_date") == timezone.localdate().isoformat()
    page.fill("#worker-q", "1234")
    page.click(".worker-pick:has-text('Zhou Haitao')")
    page.select_option("#id_occasion", "spring")
    page.fill("#id_found", "厨房漏雨")
    page.set_input_files("#id_photos", str(photo))
    page.click("#visit-form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(file.get_absolute_url()), page.text_content("main")
    visit = Visit.objects.get()
    assert (visit.file_id, visit.date, visit.photos.count()) == (file.pk, timezone.localdate(), 1)


@pytest.fixture
def handout_world(transactional_db):
    tree = build_tree()
    make_user("welfare_a", role=Role.Kind.WELFARE, union=tree.a)
    campaign = Campaign.objects.create(union=tree.a, title="Epidemic supplies")
    item = CampaignItem.objects.create(campaign=campaign, name="N95", unit="pcs", per_person=5, received=50, stock=50)
    employee = Employee.objects.create(union=tree.a1g, name="Ma Wenbin", staff_number="001")
    return campaign, item, employee


def _sign(page) -> None:
    page.wait_for_selector("#signature-pad[data-ready='1']")
    box = page.locator("#signature-pad").bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 30 + step * 20, box["y"] + 40 + (step % 3) * 25)
    page.mouse.up()


def test_handout_signed_then_resized_is_saved(chinese, page, live_server, sign_in, handout_world):
    """The address bar hides (height changes), then the phone turns: the signature stays."""
    campaign, item, employee = handout_world
    sign_in(page, "welfare_a")
    page.goto(f"{live_server.url}/desk/welfare/campaigns/{campaign.pk}/handout/{employee.pk}/")
    page.wait_for_selector("#signature-pad[data-ready='1']")
    _sign(page)
    page.set_viewport_size({"width": 390, "height": 760})
    page.wait_for_timeout(200)
    page.set_viewport_size({"width": 844, "height": 390})
    page.wait_for_timeout(200)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(200)
    page.click("#handout-form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(campaign.get_absolute_url()), page.text_content("main")
    handout = Handout.objects.get()
    assert (handout.employee_id, handout.confirmation) == (employee.pk, Handout.Confirmation.SIGNATURE)
    assert handout.signature.name
    item.refresh_from_db()
    assert item.stock == 45


def test_handout_error_keeps_the_signature(chinese, page, live_server, sign_in, handout_world):
    """A wrong quantity sends the page back with its error, not with an empty pad."""
    campaign, item, employee = handout_world
    sign_in(page, "welfare_a")
    page.goto(f"{live_server.url}/desk/welfare/campaigns/{campaign.pk}/handout/{employee.pk}/")
    _sign(page)
    page.fill(f"#item_{item.pk}", "0")
    page.click("#handout-form button[type=submit]")
    page.wait_for_load_state()
    assert not Handout.objects.exists()
    page.fill(f"#item_{item.pk}", "5")
    page.click("#handout-form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(campaign.get_absolute_url()), page.text_content("main")
    assert Handout.objects.get().signature.name


ONE_LINE = """(selector) => Array.from(document.querySelectorAll(selector)).map((el) => {
  const s = getComputedStyle(el);
  const line = parseFloat(s.lineHeight) + parseFloat(s.paddingTop) + parseFloat(s.paddingBottom)
    + parseFloat(s.borderTopWidth) + parseFloat(s.borderBottomWidth);
  return [el.textContent.trim(), el.getBoundingClientRect().height, line];
})"""


def _taller_than_a_line(page, selector: str) -> list:
    found = page.evaluate(ONE_LINE, selector)
    assert found, selector
    return [(text, height) for text, height, line in found if height > line + 1]


def test_section_menu_and_file_table_stay_on_one_line_at_390(chinese, page, live_server, sign_in, world):
    tree, file, _photo = world
    file.name = "周海涛"
    file.save(update_fields=["name"])
    campaign = Campaign.objects.create(union=tree.a, title="防疫物资")
    pages = [
        "/desk/welfare/files/",
        file.get_absolute_url(),
        f"/desk/welfare/files/{file.pk}/edit/",
        "/desk/welfare/files/new/",
        "/desk/welfare/files/import/",
        "/desk/welfare/notice/",
        "/desk/welfare/plan/",
        "/desk/welfare/campaigns/",
        campaign.get_absolute_url(),
        "/desk/welfare/report/",
        "/desk/welfare/visits/",
        "/desk/welfare/reviews/",
        "/desk/welfare/campaigns/new/",
    ]
    sign_in(page, "welfare_a")
    for url in pages:
        response = page.goto(f"{live_server.url}{url}")
        assert response.status == 200, url
        assert _taller_than_a_line(page, ".welfare-nav .nav-link") == [], url
    page.goto(f"{live_server.url}/desk/welfare/files/")
    assert _taller_than_a_line(page, "#file-table td, #file-table th") == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_supply_campaign_set_up_on_a_phone_in_chinese(chinese, page, live_server, sign_in, world):
    """Create a campaign, its item and stock, its roster, then hand out: no admin."""
    tree, _file, _photo = world
    sign_in(page, "welfare_a")
    page.goto(f"{live_server.url}/desk/welfare/campaigns/")
    page.click("a[href='/desk/welfare/campaigns/new/']")
    page.select_option("#id_union", str(tree.a1.pk))
    page.fill("#id_title", "冬季慰问物资")
    page.click("#campaign-form button[type=submit]")
    page.wait_for_load_state()
    campaign = Campaign.objects.get(title="冬季慰问物资")
    assert page.url.endswith(campaign.get_absolute_url()), page.text_content("main")
    page.fill("#id_item-name", "棉衣")
    page.fill("#id_item-unit", "件")
    page.fill("#id_item-per_person", "1")
    page.fill("#id_item-received", "3")
    page.click("#item-add button[type=submit]")
    page.wait_for_load_state()
    page.fill(".item-receive input[name=quantity]", "2")
    page.click(".item-receive button[type=submit]")
    page.wait_for_load_state()
    item = campaign.items.get()
    assert (item.received, item.stock) == (5, 5)
    assert page.locator("#employee-add").get_attribute("open") is not None  # the roster is empty
    page.select_option("#id_employee-union", str(tree.a1g.pk))
    page.fill("#id_employee-name", "马文斌")
    page.click("#employee-add button[type=submit]")
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("a:has-text('马文斌')")
    _sign(page)
    page.click("#handout-form button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(campaign.get_absolute_url()), page.text_content("main")
    item.refresh_from_db()
    assert item.stock == 4
    assert Handout.objects.get().employee == Employee.objects.get(name="马文斌")
