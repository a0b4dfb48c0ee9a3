"""Issue #10 (integrity), welfare's share: each test fails on the code before it."""

import base64
import datetime as dt
import io
import time
import zipfile
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from openpyxl import Workbook
from PIL import Image

from unionportal.core.models import Role
from unionportal.core.testing import image_upload, make_user
from welfare import services
from welfare.admin import HardshipFileAdminForm
from welfare.models import (
    AccessLog,
    Assistance,
    Campaign,
    CampaignItem,
    Employee,
    FileEvent,
    Handout,
    HardshipFile,
    MinimumLivingLine,
    Visit,
    YearlyCap,
)

from .conftest import id_number


@pytest.fixture
def two_files(make_file, tree):
    return (
        make_file(union=tree.a1g, name="Alice A", id_number=id_number(1)),
        make_file(union=tree.bg, name="Bob B", id_number=id_number(2)),
    )


@pytest.fixture
def chair_welfare_a(tree):
    """A chair of District A who is also its welfare officer."""
    user = make_user("chair_welfare_a", role=Role.Kind.CHAIR, union=tree.a)
    Role.objects.create(user=user, union=tree.a, kind=Role.Kind.WELFARE)
    return user


# --- Hole 3: the access-log admin names the person only to welfare staff ----------------------


def test_access_log_admin_hides_the_person_from_chairs_without_the_welfare_role(
    client, chair_a, chair_welfare_a, superuser, two_files
):
    alice, _bob = two_files
    entry = services.access_log_write(user=None, union=alice.union, action=AccessLog.Action.VIEW, what="x", file=alice)
    url = reverse("admin:welfare_accesslog_change", args=[entry.pk])
    client.force_login(chair_a)
    page = client.get(url).content.decode()
    assert "Alice A" not in page and alice.id_number_masked not in page
    assert f"File #{alice.pk}" in page
    assert "Alice A" not in client.get(reverse("admin:welfare_accesslog_changelist")).content.decode()
    for user in (chair_welfare_a, superuser):
        client.force_login(user)
        assert "Alice A" in client.get(url).content.decode()


# --- Hole 4: one ID service for desk and admin, no oracle, logged --------------------------------


def test_admin_file_form_is_no_existence_oracle_across_unions(welfare_a, two_files, tree):
    form_class = type("Form", (HardshipFileAdminForm,), {"acting_user": welfare_a})
    data = {"union": tree.a1g.pk, "name": "New", "rigid_expenses": "0", "accident_loss": "0", "notice_days": "5"}
    data["causes"] = "[]"
    # Bob's file is in District B: welfare_a must not learn that it exists.
    form = form_class(data | {"id_number": id_number(2)})
    assert "id_number" not in form.errors or "already exists" not in str(form.errors["id_number"])
    # Alice's file is theirs: the duplicate is reported, and that look is logged.
    form = form_class(data | {"id_number": id_number(1)})
    assert not form.is_valid() and "already exists" in str(form.errors["id_number"])
    assert AccessLog.objects.filter(action=AccessLog.Action.SEARCH, user=welfare_a, file=two_files[0]).exists()


def test_desk_duplicate_id_is_logged_and_refused(welfare_a, two_files, tree):
    with pytest.raises(ValidationError, match="already exists"):
        services.file_create(union=tree.a1g, by=welfare_a, id_number=id_number(1), name="Again")
    assert AccessLog.objects.filter(action=AccessLog.Action.SEARCH, user=welfare_a).count() == 1
    # A file of another union does not count (and the twin is opened).
    services.file_create(union=tree.a1g, by=welfare_a, id_number=id_number(2), name="Twin")


def test_admin_add_file_goes_through_the_service(client, superuser, tree, line):
    client.force_login(superuser)
    data = {
        "union": tree.a1g.pk,
        "name": "Added Here",
        "id_number": id_number(77),
        "rigid_expenses": "0",
        "accident_loss": "0",
        "notice_days": "5",
        "causes": "[]",
        "members-TOTAL_FORMS": "1",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
        "members-0-relation": "self",
        "members-0-name": "",
        "members-0-yearly_income": "6000",
    }
    response = client.post(reverse("admin:welfare_hardshipfile_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    file = HardshipFile.objects.get(name="Added Here")
    assert file.created_by == superuser and file.household_size == 1
    assert FileEvent.objects.filter(file=file, action=FileEvent.Action.OPENED, by=superuser).exists()


def test_staff_cannot_add_files_in_the_admin(client, welfare_a, tree):
    client.force_login(welfare_a)
    assert client.get(reverse("admin:welfare_hardshipfile_add")).status_code == 403


# --- Hole 8: full ID numbers never in a URL; every look logged ---------------------------------


def test_admin_refuses_full_id_in_the_url_and_searches_by_post(client, welfare_a, two_files):
    alice, _bob = two_files
    client.force_login(welfare_a)
    url = reverse("admin:welfare_hardshipfile_changelist")
    response = client.get(url, {"q": id_number(1), "status": "filed"})
    page = response.content.decode()
    # Refused: nothing searched or listed, the number not echoed (search box, filter links).
    assert response.status_code == 200 and list(response.context["cl"].result_list) == []
    assert id_number(1) not in page and "ID number search form" in page and 'id="id-search"' in page
    assert not AccessLog.objects.filter(action=AccessLog.Action.SEARCH).exists()
    response = client.post(reverse("admin:welfare_hardshipfile_idsearch"), {"id_number": id_number(1)})
    assert response.status_code == 302 and id_number(1) not in response["Location"]
    page = client.get(response["Location"])
    assert [f.pk for f in page.context["cl"].result_list] == [alice.pk]
    assert id_number(1) not in page.content.decode()
    assert AccessLog.objects.filter(action=AccessLog.Action.SEARCH, user=welfare_a).count() == 1
    assert client.get(reverse("admin:welfare_hardshipfile_idsearch")).status_code == 405
    for model in ("visit", "employee", "accesslog"):
        response = client.get(reverse(f"admin:welfare_{model}_changelist"), {"q": id_number(1)})
        assert response.status_code in (200, 403)
        if response.status_code == 200:
            assert id_number(1) not in response.content.decode()


def test_admin_visit_history_and_version_pages_are_logged(client, welfare_a, two_files, tree):
    alice, _bob = two_files
    visit = services.visit_create(union=tree.a1g, file=alice, by=None, occasion=Visit.Occasion.SPRING)
    services.file_update(file=alice, by=None, phone="13911112222")
    client.force_login(welfare_a)
    views = AccessLog.objects.filter(action=AccessLog.Action.VIEW, file=alice)  # the log is append-only
    assert client.get(reverse("admin:welfare_visit_change", args=[visit.pk])).status_code == 200
    assert views.filter(what__contains="visit").count() == 1
    assert client.get(reverse("admin:welfare_hardshipfile_history", args=[alice.pk])).status_code == 200
    assert views.count() == 2
    version = alice.history.order_by("history_id").first().history_id
    response = client.get(reverse("admin:welfare_hardshipfile_simple_history", args=[alice.pk, version]))
    assert response.status_code == 200
    assert views.count() == 3


# --- Hole 9: spreadsheet bombs ---------------------------------------------------------------


def _bomb() -> SimpleUploadedFile:
    """A small xlsx whose zip declares ~48 MB once unpacked (zeros compress a thousandfold)."""
    book = io.BytesIO()
    Workbook().save(book)
    out = io.BytesIO()
    with zipfile.ZipFile(book) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info, src.read(info))
        dst.writestr("xl/media/padding.bin", b"\0" * (48 * 1024 * 1024))
    return SimpleUploadedFile("bomb.xlsx", out.getvalue())


def test_import_refuses_a_zip_bomb_quickly(client, welfare_a, tree):
    upload = _bomb()
    assert upload.size < 200 * 1024
    client.force_login(welfare_a)
    started = time.monotonic()
    response = client.post(reverse("welfare:file_import"), {"spreadsheet": upload}, follow=True)
    assert time.monotonic() - started < 5
    assert "This workbook is too large once unpacked." in response.content.decode()
    assert not HardshipFile.objects.exists()


# --- Hole 12: no 500s on odd digits ------------------------------------------------------------


def test_superscript_digits_are_no_500(client, welfare_a, superuser, two_files, campaign):
    alice, _bob = two_files
    c, item, employees = campaign
    client.force_login(welfare_a)
    assert client.get(reverse("welfare:visit_create") + "?file=²").status_code == 200
    url = reverse("welfare:handout_create", args=[c.pk, employees[0].pk])
    response = client.post(url, {f"item_{item.pk}": "²", "code": "123456"}, follow=True)
    assert response.status_code == 200 and "whole numbers" in response.content.decode()
    client.force_login(superuser)
    assert client.get("/admin/welfare/hardshipfile/²/change/").status_code in (302, 404)
    assert client.get(f"/admin/welfare/hardshipfile/{alice.pk}/history/²/").status_code == 404
    assert client.get("/admin/welfare/hardshipfile/²/history/").status_code == 404


# --- Hole 13: minimum living lines belong to their level, with history -----------------------


def test_line_changed_only_by_its_owning_level_with_history(client, welfare_a, line, tree):
    city_welfare = make_user("city_welfare", role=Role.Kind.WELFARE, union=tree.city)
    line.monthly_amount = Decimal(1)
    with pytest.raises(PermissionDenied):
        services.line_save(line=line, by=welfare_a)
    with pytest.raises(PermissionDenied):
        services.line_delete(line=line, by=welfare_a)
    client.force_login(welfare_a)
    url = reverse("admin:welfare_minimumlivingline_change", args=[line.pk])
    data = {"union": tree.city.pk, "region": line.region, "year": line.year, "monthly_amount": "1"}
    assert client.get(url).status_code == 200  # read: a district's file may take the city's line
    assert client.post(url, data).status_code == 403
    assert (
        client.post(reverse("admin:welfare_minimumlivingline_delete", args=[line.pk]), {"post": "yes"}).status_code
        == 403
    )
    line.refresh_from_db()
    assert line.monthly_amount == Decimal(1000)
    client.force_login(city_welfare)
    assert client.post(url, data).status_code == 302
    line.refresh_from_db()
    assert line.monthly_amount == Decimal(1)
    assert [h.history_user for h in line.history.order_by("history_id")][-1] == city_welfare


def test_lines_of_a_sibling_are_not_listed(client, welfare_b, line, tree):
    theirs = MinimumLivingLine.objects.create(union=tree.a, region="Test City A", year=2026, monthly_amount=900)
    assert set(MinimumLivingLine.objects.visible_to(welfare_b)) == {line}  # the city's, not District A's
    client.force_login(welfare_b)
    url = reverse("admin:welfare_minimumlivingline_change", args=[theirs.pk])
    assert client.get(url).status_code in (302, 403, 404)


def test_line_of_a_region_outside_the_union_is_refused(tree, welfare_a):
    tree.a.region = "Test City District A"
    tree.a.save()
    line = MinimumLivingLine(union=tree.a, region="Test City", year=2030, monthly_amount=Decimal(900))
    with pytest.raises(ValidationError, match="own region"):
        services.line_save(line=line, by=welfare_a)
    line.region = "Test City District A"
    services.line_save(line=line, by=welfare_a)


# --- Rules: the workflow, caps, shares, eligibility, purge -------------------------------------


def test_admin_cannot_set_stage_status_or_category(client, superuser, two_files):
    alice, _bob = two_files
    client.force_login(superuser)
    data = {
        "union": alice.union_id,
        "name": "Alice A",
        "status": "closed",
        "stage": "filed",
        "category": "deep",
        "rigid_expenses": "0",
        "accident_loss": "0",
        "notice_days": "5",
        "causes": "[]",
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }
    response = client.post(reverse("admin:welfare_hardshipfile_change", args=[alice.pk]), data)
    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.stage, alice.status, alice.category) == ("application", "filed", "")
    with pytest.raises(ValidationError, match="only through the workflow"):
        services.file_update(file=alice, by=None, stage="filed")


def test_assistance_over_the_yearly_cap_needs_a_chairs_reason(make_file, tree, welfare_a, chair_welfare_a):
    file = make_file(union=tree.a1g)
    year = dt.date.today().year
    YearlyCap.objects.create(union=tree.a, year=year, per_household=Decimal(3000))
    with pytest.raises(ValidationError, match="over the yearly cap of 3000"):
        services.assistance_add(file=file, by=welfare_a, kind="living", amount=Decimal(5000))
    with pytest.raises(PermissionDenied):
        services.assistance_add(file=file, by=welfare_a, kind="living", amount=Decimal(5000), override_reason="Fire")
    services.assistance_add(file=file, by=welfare_a, kind="living", amount=Decimal(3000))
    with pytest.raises(ValidationError):  # visits count too
        services.visit_create(union=tree.a1g, file=file, by=welfare_a, occasion="spring", money=Decimal(1))
    measure = services.assistance_add(
        file=file, by=chair_welfare_a, kind="medical", amount=Decimal(2000), override_reason="House fire"
    )
    assert Assistance.objects.count() == 2
    event = FileEvent.objects.get(file=file, action=FileEvent.Action.CAP_OVERRIDE)
    assert event.by == chair_welfare_a and "House fire" in event.note and str(measure.pk) in event.note


def _signature() -> str:
    buf = io.BytesIO()
    Image.new("RGB", (300, 120), (255, 255, 255)).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def test_handout_over_the_share_needs_a_chairs_reason(tree, welfare_a, chair_welfare_a):
    c = Campaign.objects.create(union=tree.a, title="Masks")
    item = CampaignItem.objects.create(campaign=c, name="N95", unit="pcs", per_person=10, received=100, stock=100)
    emp = Employee.objects.create(union=tree.a1g, name="Emp", staff_number="E1")
    with pytest.raises(ValidationError, match="share of N95 is 10"):
        services.handout_record(
            campaign=c, employee=emp, quantities={item.pk: 50}, by=welfare_a, signature=_signature()
        )
    with pytest.raises(PermissionDenied):
        services.handout_record(
            campaign=c,
            employee=emp,
            quantities={item.pk: 50},
            by=welfare_a,
            signature=_signature(),
            override_reason="x",
        )
    item.refresh_from_db()
    assert item.stock == 100 and not Handout.objects.exists()
    handout = services.handout_record(
        campaign=c,
        employee=emp,
        quantities={item.pk: 50},
        by=chair_welfare_a,
        signature=_signature(),
        override_reason="Family of five",
    )
    assert handout.over_share_reason == "Family of five" and handout.by == chair_welfare_a


def test_new_file_takes_the_line_of_the_enclosing_region(tree, welfare_a):
    tree.a1g.region = "北京市丰台区"
    tree.a1g.save()
    MinimumLivingLine.objects.create(union=tree.city, region="北京市", year=2020, monthly_amount=Decimal(1100))
    file = services.file_create(
        union=tree.a1g, by=welfare_a, id_number=id_number(5), name="Fengtai", members=[{"relation": "self"}]
    )
    assert file.region == "北京市丰台区"
    assert file.line_amount == Decimal(1100) and file.suggested_category == HardshipFile.Category.DEEP


def test_purge_deletes_photo_and_signature_files_and_history_notes(make_file, tree, django_capture_on_commit_callbacks):
    file = make_file(name="Li Si")
    visit = services.visit_create(
        union=tree.a1g, file=file, by=None, occasion="spring", photos=[_clean_photo()], found="ill"
    )
    photo = visit.photos.get()
    image, thumb = photo.image, photo.thumbnail
    assert image.storage.exists(image.name) and thumb.storage.exists(thumb.name)
    measure = services.assistance_add(file=file, by=None, kind="medical", amount=Decimal(10), note="Li Si's surgery")
    measure.note = "changed: Li Si"
    measure.save()
    c = Campaign.objects.create(union=tree.a, title="Old")
    item = CampaignItem.objects.create(campaign=c, name="Rice", unit="kg", per_person=5, received=5, stock=5)
    emp = Employee.objects.create(union=tree.a1g, name="Emp")
    handout = services.handout_record(
        campaign=c, employee=emp, quantities={item.pk: 1}, by=None, signature=_signature()
    )
    Handout.objects.filter(pk=handout.pk).update(at=dt.datetime(2015, 1, 1, tzinfo=dt.UTC))
    signature = handout.signature
    services.file_review(file=file, by=None, status=HardshipFile.Status.CLOSED, today=dt.date(2015, 1, 1))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_welfare", "--apply", "--years", "5")
    assert not image.storage.exists(image.name) and not thumb.storage.exists(thumb.name)
    assert not signature.storage.exists(signature.name)
    assert not Assistance.history.exclude(note="").exists()
    handout.refresh_from_db()
    assert not handout.signature


def _clean_photo():
    from unionportal.core.images import clean_image

    return clean_image(image_upload())
