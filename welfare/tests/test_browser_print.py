"""Issue #11 "On paper", on a phone (390x844) in Chinese, without the admin: the chair prints
the masked public notice; welfare desk record pages print without menus or buttons."""

import datetime as dt

import pytest

from unionportal.core.models import Role
from unionportal.core.testing import build_tree, make_user
from welfare import services
from welfare.models import Campaign, CampaignItem, Employee, HardshipFile, MinimumLivingLine

from .conftest import id_number

pytestmark = [pytest.mark.browser]

HIDDEN = """(selector) => Array.from(document.querySelectorAll(selector))
  .filter((el) => getComputedStyle(el).display !== 'none' && el.getClientRects().length > 0)
  .map((el) => el.outerHTML.slice(0, 80))"""

A4_PAGE_RULE = """() => Array.from(document.styleSheets).some((sheet) => {
  try { return Array.from(sheet.cssRules).some((r) => r instanceof CSSPageRule && /A4/i.test(r.style.size)); }
  catch (e) { return false; }
})"""


@pytest.fixture
def chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture
def notice_world(transactional_db):
    tree = build_tree()
    MinimumLivingLine.objects.create(union=tree.city, region="Test City", year=2026, monthly_amount=1000)
    file = services.file_create(
        union=tree.a1g,
        by=None,
        id_number=id_number(31),
        name="欧阳建国",
        phone="13912345678",
        address="苹果园小区 5 号楼",
        region="Test City",
        members=[{"relation": "self", "yearly_income": 9000}],
    )
    HardshipFile.objects.filter(pk=file.pk).update(
        stage=HardshipFile.Stage.NOTICE, notice_starts=dt.date(2026, 11, 20), notice_days=5
    )
    make_user("chair_a", role=Role.Kind.CHAIR, union=tree.a)
    make_user("welfare_a", role=Role.Kind.WELFARE, union=tree.a)
    return tree, file


def test_chair_prints_the_public_notice(chinese, page, live_server, sign_in, notice_world):
    """From the desk to the printed notice: masked, no menu on paper, the button prints."""
    _tree, file = notice_world
    sign_in(page, "chair_a")
    page.goto(f"{live_server.url}/desk/")
    page.click("a:has-text('打印公示')")
    page.wait_for_load_state()
    assert page.url.endswith("/desk/welfare/notice/print/")
    table = page.text_content("#notice-table")
    assert "欧**国" in table and "2026-11-20 – 2026-11-24" in table
    html = page.content()
    for secret in ("欧阳建国", "13912345678", "5678", file.id_number_masked, "苹果园"):
        assert secret not in html
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The button calls window.print() from the static script (no inline JS under the CSP).
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    page.click("button:has-text('打印')")
    assert page.evaluate("window.__printed") == 1
    page.emulate_media(media="print")
    assert page.evaluate(HIDDEN, ".navbar, footer, .print-toolbar, .btn") == []
    assert page.is_visible("#notice-table")
    assert page.evaluate(A4_PAGE_RULE)


def test_file_page_prints_without_menus_or_buttons(chinese, page, live_server, sign_in, notice_world):
    tree, file = notice_world
    visit = services.visit_create(
        union=tree.a, file=file, by=None, occasion="spring", visitors="李主席、王干事", found="厨房漏雨" * 20
    )
    sign_in(page, "welfare_a")
    page.goto(f"{live_server.url}{visit.get_absolute_url()}")
    page.click("#visit-print")
    page.wait_for_load_state()
    assert "厨房漏雨" in page.text_content("#visit-record")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # the record fits the phone
    page.goto(f"{live_server.url}{file.get_absolute_url()}")
    assert page.is_visible(".welfare-nav") and page.is_visible("#welfare-primary, .btn-danger")
    page.evaluate("() => { window.__printed = 0; window.print = () => { window.__printed += 1; }; }")
    page.click("#file-print")
    assert page.evaluate("window.__printed") == 1
    page.emulate_media(media="print")
    assert page.evaluate(HIDDEN, ".navbar, footer, .welfare-nav, #welfare-primary, .btn, form") == []
    assert "欧阳建国" in page.text_content("main")  # the record itself still prints


@pytest.fixture
def handout_world(transactional_db):
    tree = build_tree()
    make_user("welfare_a", role=Role.Kind.WELFARE, union=tree.a)
    make_user("welfare_b", role=Role.Kind.WELFARE, union=tree.b)
    campaign = Campaign.objects.create(union=tree.a, title="防疫物资")
    CampaignItem.objects.create(campaign=campaign, name="N95", unit="只", per_person=5, received=50, stock=50)
    Employee.objects.create(union=tree.a1g, name="马文斌", staff_number="001")
    Employee.objects.create(union=tree.a1g, name="王芳", staff_number="002")
    return campaign


def test_signed_after_a_resize_then_on_the_signoff_sheet(chinese, page, live_server, sign_in, browser, handout_world):
    """Sign, the phone turns, save; the campaign's 签收表 shows the signature image."""
    campaign = handout_world
    sign_in(page, "welfare_a")
    page.goto(f"{live_server.url}{campaign.get_absolute_url()}")
    page.click("a:has-text('马文斌')")
    page.wait_for_selector("#signature-pad[data-ready='1']")
    box = page.locator("#signature-pad").bounding_box()
    page.mouse.move(box["x"] + 30, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 10):
        page.mouse.move(box["x"] + 30 + step * 20, box["y"] + 40 + (step % 3) * 25)
    page.mouse.up()
    page.set_viewport_size({"width": 844, "height": 390})
    page.wait_for_timeout(200)
    page.set_viewport_size({"width": 390, "height": 844})
    page.wait_for_timeout(200)
    page.click("#handout-form button[type=submit]")
    page.wait_for_url(f"**{campaign.get_absolute_url()}")
    page.click("#campaign-signoff")
    page.wait_for_load_state()
    assert "签收表" in page.text_content("h1")
    signature = page.locator("#signoff-table img.signoff-signature")
    assert signature.count() == 1
    assert page.evaluate("document.querySelector('img.signoff-signature').naturalWidth") > 0
    assert "王芳" in page.text_content("#signoff-table")  # still to sign, on paper
    page.emulate_media(media="print")
    assert page.evaluate(HIDDEN, ".navbar, footer, .print-toolbar, .btn") == []
    assert signature.is_visible()

    other = browser.new_context(viewport={"width": 390, "height": 844})
    page_b = other.new_page()
    sign_in(page_b, "welfare_b")
    assert page_b.goto(f"{live_server.url}/desk/welfare/campaigns/{campaign.pk}/signoff/").status == 404
    other.close()
