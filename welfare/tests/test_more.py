import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook as OpenpyxlWorkbook
from openpyxl import load_workbook

from unionportal.core import demo as core_demo
from unionportal.core import registry
from welfare import demo, identity, scale, services
from welfare.models import Employee, Handout, HardshipFile, Visit, YearlyCap
from welfare.xlsx import Bold, Workbook

from .conftest import id_number


def test_xlsx_writer_opens_in_openpyxl():
    wb = Workbook()
    wb.sheet(
        "Sheet <1>",
        [[Bold("Name"), Bold("Amount")], ["A & B\x01", Decimal("1.50")], [None, 3], [dt.date(2025, 1, 2), True]],
    )
    book = load_workbook(io.BytesIO(wb.save()))
    ws = book.worksheets[0]
    assert ws.title == "Sheet <1>"
    assert [[c.value for c in row] for row in ws.iter_rows()] == [
        ["Name", "Amount"],
        ["A & B", 1.5],
        [None, 3],
        ["2025-01-02", True],
    ]
    assert ws["A1"].font.b and not ws["A2"].font.b


def test_desk_cards_only_for_welfare(client, officer_a, welfare_a, make_file):
    make_file()
    cards = {c.url_name: c for c in registry.DESK_CARDS}
    assert cards["welfare:file_list"].count(officer_a) is None
    assert cards["welfare:file_list"].count(welfare_a) == 1
    assert cards["welfare:review_list"].count(officer_a) is None
    client.force_login(officer_a)
    assert reverse("welfare:file_list") not in client.get(reverse("core:desk")).content.decode()
    client.force_login(welfare_a)
    assert reverse("welfare:file_list") in client.get(reverse("core:desk")).content.decode()


def test_festival_plan_groups_and_checks_cap(client, welfare_a, make_file, tree):
    today = timezone.localdate()
    visited = make_file(union=tree.a1g, name="Visited One")
    due = make_file(union=tree.a1g, name="Due One")
    other = make_file(union=tree.a1, name="Due Two")
    make_file(union=tree.bg, name="Not Mine")
    services.visit_create(union=tree.a1g, file=visited, by=None, occasion=Visit.Occasion.SPRING, date=today)
    from welfare.reports import due_this_season

    start, end = due_this_season(today)
    year = end.year if today.month <= 2 else today.year
    services.assistance_add(file=due, by=None, kind="living", amount=Decimal(900), date=dt.date(year, 1, 15))
    YearlyCap.objects.create(union=tree.a, year=year, per_household=Decimal(800))
    client.force_login(welfare_a)
    page = client.get(reverse("welfare:festival_plan")).content.decode()
    assert "Due One" in page and "Due Two" in page
    assert "Visited One" not in page and "Not Mine" not in page
    assert page.index(tree.a1.name) < page.index(tree.a1g.name)  # grouped by subsidiary, in tree order
    assert page.count("Cap reached") == 1  # Due One: 900 given against a cap of 800
    assert other.union == tree.a1
    assert start <= today <= end or today < start


def test_campaign_completeness_and_handout_by_code(client, welfare_a, campaign):
    c, item, employees = campaign
    client.force_login(welfare_a)
    page = client.get(c.get_absolute_url()).content.decode()
    assert "0 / 4" in page and "Emp 0" in page
    url = reverse("welfare:handout_create", args=[c.pk, employees[0].pk])
    page = client.post(url, {"issue_code": "1"}).content.decode()
    import re

    code = re.search(r'id="issued-code">(\d{6})<', page).group(1)
    response = client.post(url, {f"item_{item.pk}": "2", "code": code})
    assert response.status_code == 302
    page = client.get(c.get_absolute_url()).content.decode()
    assert "1 / 4" in page
    response = client.post(
        reverse("welfare:handout_create", args=[c.pk, employees[1].pk]), {f"item_{item.pk}": "-1", "code": "123456"}
    )
    assert "Quantities must be whole numbers, not negative." in response.content.decode()
    item.refresh_from_db()
    assert item.stock == 3


def test_handout_page_of_other_union_is_404(client, welfare_b, campaign):
    c, _item, employees = campaign
    client.force_login(welfare_b)
    assert client.get(c.get_absolute_url()).status_code == 404
    assert client.get(reverse("welfare:handout_create", args=[c.pk, employees[0].pk])).status_code == 404


def _xlsx(rows) -> SimpleUploadedFile:
    wb = OpenpyxlWorkbook()
    ws = wb.active
    ws.append(["union", "name", "gender", "id_number", "phone", "address", "region", "causes", "rigid", "household"])
    for r in rows:
        ws.append(r)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("files.xlsx", out.getvalue())


def test_import_view_shows_row_errors_and_saves_nothing(client, welfare_a, tree, line):
    client.force_login(welfare_a)
    bad = [
        [tree.a1g.name, "Good", "f", id_number(1), "", "", "Test City", "", 0, "self:6000"],
        [tree.a1g.name, "", "m", id_number(2), "", "", "", "", 0, ""],
    ]
    page = client.post(reverse("welfare:file_import"), {"spreadsheet": _xlsx(bad)}).content.decode()
    assert "Nothing was imported" in page and "Row 3" in page and "The worker&#x27;s name is missing." in page
    assert not HardshipFile.objects.exists()
    response = client.post(reverse("welfare:file_import"), {"spreadsheet": _xlsx(bad[:1])})
    assert response.status_code == 302 and HardshipFile.objects.count() == 1
    page = client.post(
        reverse("welfare:file_import"), {"spreadsheet": SimpleUploadedFile("x.xlsx", b"not a zip")}
    ).content.decode()
    assert "This is not an Excel (.xlsx) file." in page


def test_visit_admin_first_page_queries(client, superuser, make_file, tree, django_assert_max_num_queries):
    file = make_file()
    Visit.objects.bulk_create([Visit(union=tree.a1g, file=file, occasion="spring") for _ in range(120)])
    client.force_login(superuser)
    client.get(reverse("admin:welfare_visit_changelist"))
    # 1 session, 2 user, 3 count, 4 page of visits JOIN union JOIN file.
    with django_assert_max_num_queries(6):
        assert client.get(reverse("admin:welfare_visit_changelist")).status_code == 200
    other = make_file(union=tree.bg)
    Visit.objects.create(union=tree.bg, file=other, occasion="spring")
    response = client.get(reverse("admin:welfare_visit_changelist"), {"q": file.phone[-4:]})
    assert response.context["cl"].result_count == 120
    response = client.get(reverse("admin:welfare_visit_changelist"), {"q": file.name})
    assert response.context["cl"].result_count == 120
    # A full ID number is searched by POST; the changelist gets a token, never the number.
    response = client.post(reverse("admin:welfare_visit_idsearch"), {"id_number": id_number(1)})
    assert response.status_code == 302 and id_number(1) not in response["Location"]
    assert client.get(response["Location"]).context["cl"].result_count == 120
    response = client.post(reverse("admin:welfare_visit_idsearch"), {"id_number": id_number(999)})
    assert client.get(response["Location"]).context["cl"].result_count == 0


def test_visit_admin_search_is_scoped(client, welfare_a, make_file, tree):
    mine, theirs = make_file(union=tree.a1g, name="Same Name"), make_file(union=tree.bg, name="Same Name")
    Visit.objects.create(union=tree.a1g, file=mine, occasion="spring")
    Visit.objects.create(union=tree.bg, file=theirs, occasion="spring")
    client.force_login(welfare_a)
    response = client.get(reverse("admin:welfare_visit_changelist"), {"q": "Same Name"})
    assert [v.file_id for v in response.context["cl"].result_list] == [mine.pk]


@pytest.mark.django_db
def test_demo_seed_is_idempotent_and_fictional():
    nodes = core_demo.seed_unions()
    core_demo.seed_users(nodes)
    demo.seed(io.StringIO())
    counts = (HardshipFile.objects.count(), Visit.objects.count(), Handout.objects.count())
    demo.seed(io.StringIO())
    assert (HardshipFile.objects.count(), Visit.objects.count(), Handout.objects.count()) == counts
    assert counts[0] == 20
    subsidiaries = {
        core_demo.union(k).pk
        for k in ("beifang_assembly", "beifang_body", "beifang_transmission", "beifang_thermal", "beifang_logistics")
    }
    assert set(HardshipFile.objects.values_list("union_id", flat=True)) == subsidiaries
    assert Visit.objects.filter(kind=Visit.Kind.GROUP, occasion=Visit.Occasion.EPIDEMIC).count() == 5
    for f in HardshipFile.objects.all():
        identity.validate_id_number(identity.decrypt(f.id_number_encrypted))
    crec6 = core_demo.union("crec6_overseas")
    assert Employee.objects.filter(union=crec6).exclude(handouts__isnull=False).count() == 0
    assert Handout.objects.count() == Employee.objects.filter(union=crec6).count()
    assert set(Handout.objects.values_list("lines__item__name", flat=True)) == {"N95口罩", "医用酒精", "消毒液"}


def test_scale_seeder_small(tree):
    scale.run({"welfare_files": 30, "welfare_visits": 90}, io.StringIO())
    assert HardshipFile.objects.count() == 30 and Visit.objects.count() == 90
    f = HardshipFile.objects.first()
    identity.validate_id_number(identity.decrypt(f.id_number_encrypted))
    assert HardshipFile.objects.search(identity.decrypt(f.id_number_encrypted)).get() == f


def test_handout_signature_served_scoped_and_admin_read_only(client, welfare_a, welfare_b, campaign):
    from .test_services import _signature

    c, item, employees = campaign
    handout = services.handout_record(
        campaign=c, employee=employees[0], quantities={item.pk: 1}, by=welfare_a, signature=_signature()
    )
    client.force_login(welfare_a)
    url = reverse("welfare:handout_signature", args=[handout.pk])
    assert client.get(url).status_code == 200
    page = client.get(reverse("admin:welfare_handout_change", args=[handout.pk])).content.decode()
    assert url in page and 'name="_save"' not in page
    client.force_login(welfare_b)
    assert client.get(url).status_code == 404
