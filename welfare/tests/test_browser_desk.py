"""Issue #11 on a phone (390x844) in Chinese: what field staff hit that English tests never see."""

import pytest
from django.utils import timezone
from PIL import Image

from unionportal.core.models import Role
from unionportal.core.testing import build_tree, make_user
from welfare import services
from welfare.models import MinimumLivingLine, Visit

from .conftest import id_number

pytestmark = [pytest.mark.browser]


@pytest.fixture
def chinese(settings):
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture
def world(transactional_db, tmp_path):
    tree = build_tree()
    MinimumLivingLine.objects.create(union=tree.city, region="Test City", year=2026, monthly_amount=1000)
    file = services.file_create(
        union=tree.a1g,
        by=None,
        id_number=id_number(21),
        name="Zhou Haitao",
        phone="13912345678",
        region="Test City",
        members=[{"relation": "self", "yearly_income": 9000}],
    )
    make_user("welfare_a", role=Role.Kind.WELFARE, union=tree.a)
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
