"""Printable documents (issue #11 "On paper"): the visit record, the masked public notice, the
sign-off sheet. Each is scoped: another union's record is a 404, and the notice never carries
a full name, phone number, ID number or address."""

import base64
import datetime as dt
import io

import pytest
from django.urls import reverse
from PIL import Image

from unionportal.core.images import clean_image
from unionportal.core.models import Role
from unionportal.core.testing import image_upload, make_user
from welfare import identity, services
from welfare.models import AccessLog, Employee, HardshipFile

from .conftest import id_number

FULL_NAME = "欧阳建国"
PHONE = "13912345678"
ADDRESS = "拱辰街道苹果园小区 5 号楼 2 单元 301"


def _signature() -> str:
    buf = io.BytesIO()
    Image.new("RGB", (300, 120), (255, 255, 255)).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def _under_notice(file: HardshipFile, starts=dt.date(2026, 11, 20), days=5) -> HardshipFile:
    HardshipFile.objects.filter(pk=file.pk).update(
        stage=HardshipFile.Stage.NOTICE, notice_starts=starts, notice_days=days, category=HardshipFile.Category.DEEP
    )
    file.refresh_from_db()
    return file


@pytest.fixture
def visit(tree, make_file, welfare_a):
    file = make_file(name="Zhou Haitao")
    return services.visit_create(
        union=tree.a,
        file=file,
        by=welfare_a,
        occasion="spring",
        visitors="Chair Li, Officer Wang",
        found="Roof leaks in the kitchen",
        money=600,
        needs="A new roof",
        photos=[clean_image(image_upload())],
    )


# --- The visit record -----------------------------------------------------------------------


def test_visit_record_prints_the_visit_with_its_file_and_photos(client, welfare_a, visit):
    client.force_login(welfare_a)
    response = client.get(reverse("welfare:visit_print", args=[visit.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Hardship visit record" in html
    for text in ("Zhou Haitao", visit.file.id_number_masked, "Chair Li, Officer Wang", "Roof leaks in the kitchen"):
        assert text in html
    assert visit.date.isoformat() in html
    photo = visit.photos.get()
    assert reverse("welfare:visit_photo", args=[photo.pk, "full"]) in html
    # The print button runs from a static file (the CSP forbids inline scripts); A4 print CSS.
    assert "data-print" in html and "welfare/js/print.js" in html and "welfare/css/print.css" in html
    assert "onclick" not in html
    # The full ID number is never printed.
    assert identity.decrypt(visit.file.id_number_encrypted) not in html
    assert AccessLog.objects.filter(user=welfare_a, file=visit.file, action=AccessLog.Action.VIEW).exists()


def test_visit_record_of_a_sibling_union_is_404(client, welfare_b, visit):
    client.force_login(welfare_b)
    assert client.get(reverse("welfare:visit_print", args=[visit.pk])).status_code == 404


def test_visit_record_is_for_welfare_staff_only(client, chair_a, officer_a, visit):
    for user in (chair_a, officer_a):
        client.force_login(user)
        assert client.get(reverse("welfare:visit_print", args=[visit.pk])).status_code == 403


def test_visit_page_links_to_its_record(client, welfare_a, visit):
    client.force_login(welfare_a)
    html = client.get(visit.get_absolute_url()).content.decode()
    assert reverse("welfare:visit_print", args=[visit.pk]) in html


# --- The public notice (公示), masked -------------------------------------------------------


@pytest.fixture
def notice(tree, make_file):
    shown = _under_notice(make_file(name=FULL_NAME, phone=PHONE, address=ADDRESS, id_number=id_number(77)))
    other = _under_notice(make_file(union=tree.bg, name="司马光明", phone="13800001111"))
    _under_notice(make_file(name="张三明", phone="13700002222"))
    not_yet = make_file(name="Not Yet Noticed")
    return shown, other, not_yet


def _notice_html(client, user, **params) -> str:
    client.force_login(user)
    response = client.get(reverse("welfare:notice_print"), params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("who", ["welfare_a", "chair_a"])
def test_notice_is_masked(request, client, notice, who):
    """No full name, phone, ID number (not even masked) or address: the masked name only."""
    shown, _other, _not_yet = notice
    html = _notice_html(client, request.getfixturevalue(who))
    assert identity.mask_name(FULL_NAME) == "欧**国"
    assert "欧**国" in html and "张*明" in html
    assert FULL_NAME not in html and "阳建" not in html and "张三明" not in html
    assert PHONE not in html and PHONE[-4:] not in html
    assert identity.decrypt(shown.id_number_encrypted) not in html
    assert shown.id_number_masked not in html
    assert "苹果园" not in html
    assert "2026-11-20 – 2026-11-24" in html  # five days of notice
    assert "Deep hardship" in html
    # Only files at the notice stage.
    assert "Not Yet" not in html and "N**" not in html


@pytest.mark.parametrize("who", ["welfare_b", "chair_b"])
def test_notice_of_a_sibling_union_shows_nothing_of_it_and_its_union_is_404(request, client, tree, notice, who):
    if who == "chair_b":
        user = make_user("chair_b", role=Role.Kind.CHAIR, union=tree.b)
    else:
        user = request.getfixturevalue(who)
    html = _notice_html(client, user)
    assert "欧**国" not in html and tree.a1g.name not in html
    assert "司**明" in html  # their own
    client.force_login(user)
    assert client.get(reverse("welfare:notice_print"), {"union": tree.a.pk}).status_code == 404
    assert client.get(reverse("welfare:notice_print"), {"union": "x"}).status_code == 404


def test_notice_narrowed_to_one_union(client, tree, notice, superuser):
    html = _notice_html(client, superuser, union=tree.b.pk)
    assert "司**明" in html and "欧**国" not in html


def test_notice_is_not_for_officers_viewers_or_judges(client, officer_a, viewer_a, judge_a, notice):
    for user in (officer_a, viewer_a, judge_a):
        client.force_login(user)
        assert client.get(reverse("welfare:notice_print")).status_code == 403


def test_notice_print_is_logged_per_union(client, chair_a, notice):
    shown, _other, _not_yet = notice
    _notice_html(client, chair_a)
    entries = AccessLog.objects.filter(user=chair_a)
    assert list(entries.values_list("union_id", "action")) == [(shown.union_id, AccessLog.Action.VIEW)]


def test_chair_sees_no_other_welfare_page(client, chair_a, notice):
    """The notice is the one welfare page a chair may open: the file list stays closed."""
    client.force_login(chair_a)
    assert client.get(reverse("welfare:file_list")).status_code == 403
    assert client.get(reverse("welfare:notice_list")).status_code == 403


def test_notice_list_links_to_the_print_view(client, welfare_a, notice):
    client.force_login(welfare_a)
    assert reverse("welfare:notice_print") in client.get(reverse("welfare:notice_list")).content.decode()


def test_notice_in_chinese(client, settings, welfare_a, notice):
    settings.LANGUAGE_CODE = "zh-hans"
    html = _notice_html(client, welfare_a)
    assert "公示" in html and "打印" in html
    assert FULL_NAME not in html


# --- The sign-off sheet (签收表) -------------------------------------------------------------


@pytest.fixture
def handed(campaign, welfare_a, tree):
    c, item, employees = campaign
    signed = services.handout_record(
        campaign=c, employee=employees[0], quantities={item.pk: 2}, by=welfare_a, signature=_signature()
    )
    # An employee of the sibling subtree: never on A's sheet.
    stranger = Employee.objects.create(union=tree.bg, name="Stranger B", staff_number="B1")
    return c, item, employees, signed, stranger


def test_signoff_sheet_lists_the_roster_with_signatures(client, welfare_a, handed):
    c, item, employees, signed, _stranger = handed
    client.force_login(welfare_a)
    response = client.get(reverse("welfare:campaign_signoff", args=[c.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sign-off sheet: Masks" in html
    for e in employees:
        assert e.name in html
    assert "N95 × 2 pcs" in html
    assert html.count(reverse("welfare:handout_signature", args=[signed.pk])) == 1
    assert "Stranger B" not in html
    assert client.get(reverse("welfare:handout_signature", args=[signed.pk])).status_code == 200


def test_signoff_sheet_of_a_sibling_campaign_is_404(client, welfare_b, handed):
    c, _item, _employees, signed, _stranger = handed
    client.force_login(welfare_b)
    assert client.get(reverse("welfare:campaign_signoff", args=[c.pk])).status_code == 404
    assert client.get(reverse("welfare:handout_signature", args=[signed.pk])).status_code == 404


def test_signoff_sheet_keeps_to_the_campaign_subtree(client, tree, welfare_a, handed):
    """A campaign of a lower union lists only that union's subtree, not the whole of A's."""
    _c, _item, employees, _signed, _stranger = handed
    from welfare.models import Campaign

    lower = Campaign.objects.create(union=tree.a1, title="Street only")
    Employee.objects.create(union=tree.a, name="District Clerk", staff_number="D1")
    client.force_login(welfare_a)
    html = client.get(reverse("welfare:campaign_signoff", args=[lower.pk])).content.decode()
    assert employees[0].name in html  # a1g is below a1
    assert "District Clerk" not in html


def test_signoff_sheet_queries_flat(client, welfare_a, handed, django_assert_num_queries):
    c, item, employees, _signed, _stranger = handed
    client.force_login(welfare_a)
    url = reverse("welfare:campaign_signoff", args=[c.pk])
    # 1 session, 2 user, 3 role kinds, 4 campaign, 5 employees, 6 handouts, 7 their lines,
    # 8 the lines' items, 9 campaign items
    with django_assert_num_queries(9):
        client.get(url)
    for e in employees[1:3]:
        services.handout_record(campaign=c, employee=e, quantities={item.pk: 1}, by=welfare_a, signature=_signature())
    with django_assert_num_queries(9):
        client.get(url)


def test_campaign_page_links_to_the_signoff_sheet(client, welfare_a, handed):
    c = handed[0]
    client.force_login(welfare_a)
    assert reverse("welfare:campaign_signoff", args=[c.pk]) in client.get(c.get_absolute_url()).content.decode()


def test_notice_queries_flat(client, chair_a, tree, make_file, django_assert_num_queries):
    client.force_login(chair_a)
    _under_notice(make_file(name="First Worker"))
    url = reverse("welfare:notice_print")
    # 1 session, 2 user, 3 role kinds, 4 masked rows, 5 access-log entry (one per owning
    # union), 6 the unions to choose from
    with django_assert_num_queries(6):
        client.get(url)
    for name in ("Second Worker", "Third Worker"):
        _under_notice(make_file(name=name))
    with django_assert_num_queries(6):
        assert "T****" in client.get(url).content.decode()
