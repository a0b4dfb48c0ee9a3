"""End to end on a phone (390x844): welfare staff log a visit with a photo and find it in the file's history."""

import time

import pytest
from PIL import Image

from unionportal.core.models import Role
from unionportal.core.testing import build_tree, make_user
from welfare.models import Visit

from .conftest import visit_world

pytestmark = [pytest.mark.browser]


@pytest.fixture
def world(transactional_db, tmp_path):
    tree, file = visit_world(seq=11)
    make_user("welfare_b", role=Role.Kind.WELFARE, union=tree.b)
    photo = tmp_path / "visit.jpg"
    Image.new("RGB", (800, 600), (180, 40, 40)).save(photo, format="JPEG")
    return file, photo


def test_log_visit_with_photo_on_phone_and_sibling_gets_404(page, live_server, sign_in, world, browser):
    file, photo = world
    started = time.monotonic()
    sign_in(page, "welfare_a")
    page.goto(f"{live_server.url}/desk/visits/new/")
    page.fill("#worker-q", "1234")  # a phone fragment
    page.click(".worker-pick:has-text('Zhou Haitao')")
    assert "Zhou Haitao" in page.text_content("#worker-picked")
    page.select_option("#id_occasion", "spring")
    page.fill("#id_visitors", "Chair Li")
    page.fill("#id_found", "Roof leaks in the kitchen")
    page.fill("#id_money", "600")
    page.set_input_files("#id_photos", str(photo))
    page.click("#visit-form button[type=submit]")
    page.wait_for_url(f"**{file.get_absolute_url()}")
    assert time.monotonic() - started < 60
    history = page.locator("#file-visits")
    assert "Roof leaks in the kitchen" in history.text_content()
    assert history.locator("img.welfare-thumb").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    visit = Visit.objects.get()
    assert (visit.file_id, visit.photos.count()) == (file.pk, 1)

    other = browser.new_context(viewport={"width": 390, "height": 844})
    page_b = other.new_page()
    sign_in(page_b, "welfare_b")
    response = page_b.goto(f"{live_server.url}{file.get_absolute_url()}")
    assert response.status == 404
    response = page_b.goto(f"{live_server.url}{visit.get_absolute_url()}")
    assert response.status == 404
    other.close()


def test_handout_signed_on_phone(page, live_server, sign_in, transactional_db):
    from welfare.models import Campaign, CampaignItem, Employee, Handout

    tree = build_tree()
    make_user("welfare_a", role=Role.Kind.WELFARE, union=tree.a)
    campaign = Campaign.objects.create(union=tree.a, title="Epidemic supplies")
    item = CampaignItem.objects.create(campaign=campaign, name="N95", unit="pcs", per_person=5, received=50, stock=50)
    employee = Employee.objects.create(union=tree.a1g, name="Ma Wenbin", staff_number="001")
    sign_in(page, "welfare_a")
    page.goto(f"{live_server.url}{campaign.get_absolute_url()}")
    page.click("a:has-text('Ma Wenbin')")
    page.wait_for_selector("#signature-pad[data-ready='1']")
    box = page.locator("#signature-pad").bounding_box()
    assert box["width"] <= 390
    # Draw a stroke with the mouse (signature_pad listens to pointer events).
    page.mouse.move(box["x"] + 30, box["y"] + 40)
    page.mouse.down()
    for step in range(1, 12):
        page.mouse.move(box["x"] + 30 + step * 20, box["y"] + 40 + (step % 3) * 25)
    page.mouse.up()
    page.click("#handout-form button[type=submit]")
    page.wait_for_url(f"**{campaign.get_absolute_url()}")
    assert "1 / 1" in page.text_content("body")
    handout = Handout.objects.get()
    assert (handout.employee_id, handout.confirmation) == (employee.pk, Handout.Confirmation.SIGNATURE)
    assert handout.signature.name
    item.refresh_from_db()
    assert item.stock == 45
