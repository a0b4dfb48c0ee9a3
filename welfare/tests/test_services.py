import base64
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection
from PIL import Image

from unionportal.core.imports import ImportFailed, Table
from welfare import identity, services
from welfare.models import (
    AccessLog,
    CampaignItem,
    Handout,
    HardshipFile,
    HouseholdMember,
    Visit,
)

from .conftest import id_number


def test_database_holds_no_clear_id_number(make_file):
    number = id_number(77)
    make_file(id_number=number, name="Zhang San")
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM welfare_hardshipfile")
        rows = cursor.fetchall()
        cursor.execute("SELECT * FROM welfare_historicalhardshipfile")
        rows += cursor.fetchall()
    dump = repr(rows)
    assert "Zhang San" in dump  # we did read the rows
    assert number not in dump
    assert number[:17] not in dump
    assert identity.mask(number) in dump


def test_file_found_by_keyed_hash(make_file):
    number = id_number(5)
    file = make_file(id_number=number)
    assert list(HardshipFile.objects.search(number.lower())) == [file]


def test_duplicate_id_number_rejected(make_file):
    make_file(id_number=id_number(9))
    with pytest.raises(ValidationError, match="already exists"):
        make_file(id_number=id_number(9))


def test_duplicate_check_does_not_reveal_a_file_in_another_union(tree, line, make_file, welfare_a, welfare_b):
    """welfare_b may not learn that this worker has a hardship file in union A."""
    make_file(union=tree.a1g, id_number=id_number(9))
    twin = services.file_create(union=tree.b, by=welfare_b, id_number=id_number(9), name="Worker B")
    assert twin.union == tree.b
    # Within the acting user's own subtree the duplicate is still refused.
    with pytest.raises(ValidationError, match="already exists"):
        services.file_create(union=tree.a, by=welfare_a, id_number=id_number(9), name="Worker A2")
    assert HardshipFile.objects.filter(id_number_hash=twin.id_number_hash).count() == 2


def test_a_visit_is_not_logged_below_its_file(make_file, welfare_a, tree):
    """Staff of the lower union would see the file's name and ID through the visit."""
    file = make_file(union=tree.a)
    with pytest.raises(ValidationError, match="logged at the file's union or a union above it"):
        services.visit_create(union=tree.a1g, file=file, by=welfare_a, occasion=Visit.Occasion.SPRING)
    assert not Visit.objects.exists()
    assert services.visit_create(union=tree.a, file=file, by=welfare_a, occasion=Visit.Occasion.SPRING).union == tree.a


def test_invalid_id_number_nothing_saved(make_file):
    with pytest.raises(ValidationError, match="checksum"):
        make_file(id_number=id_number(3)[:17] + ("0" if id_number(3)[17] != "0" else "1"))
    assert HardshipFile.objects.count() == 0


@pytest.mark.parametrize(
    ("value", "message"), [("-5", "an income cannot be negative"), ("abc", "is not an amount of money")]
)
def test_invalid_income_rejected_nothing_saved(make_file, value, message):
    with pytest.raises(ValidationError, match=message):
        make_file(members=[{"relation": "self", "yearly_income": value}])
    assert HardshipFile.objects.count() == 0
    assert HouseholdMember.objects.count() == 0


def test_negative_income_refused_by_database(make_file):
    file = make_file()
    with pytest.raises(IntegrityError):
        HouseholdMember.objects.create(file=file, relation="x", yearly_income=-1)


@pytest.mark.parametrize(
    ("incomes", "rigid", "loss", "expected"),
    [
        ([12000, 0], 0, 0, HardshipFile.Category.DEEP),  # 500 per person < 1000
        ([30000, 6000], 0, 0, HardshipFile.Category.RELATIVE),  # 1500 < 2000
        ([30000, 6000], 20000, 0, HardshipFile.Category.DEEP),  # rigid expenses count: 666.67
        ([60000, 30000], 0, 80000, HardshipFile.Category.ACCIDENT),  # loss above 80% of 90000
        ([60000, 30000], 0, 0, ""),  # 3750: not in hardship
    ],
)
def test_eligibility_suggestion_explained(make_file, incomes, rigid, loss, expected):
    file = make_file(
        members=[{"relation": "m", "yearly_income": i} for i in incomes],
        rigid_expenses=Decimal(rigid),
        accident_loss=Decimal(loss),
    )
    assert file.suggested_category == expected
    assert "minimum living line is 1000" in file.eligibility.explanation
    assert file.eligibility.category == expected


def test_override_needs_reason(make_file):
    file = make_file(members=[{"relation": "self", "yearly_income": 6000}])
    assert file.suggested_category == HardshipFile.Category.DEEP
    with pytest.raises(ValidationError, match="Give a reason"):
        services.file_set_category(file=file, category=HardshipFile.Category.RELATIVE, reason="", by=None)
    services.file_set_category(file=file, category=HardshipFile.Category.RELATIVE, reason="Has savings", by=None)
    file.refresh_from_db()
    assert (file.category, file.override_reason) == (HardshipFile.Category.RELATIVE, "Has savings")


def test_workflow_to_filed_after_notice(make_file):
    file = make_file(members=[{"relation": "self", "yearly_income": 6000}])
    day = dt.date(2024, 3, 1)
    for _ in range(3):
        services.file_advance(file=file, by=None, today=day)
    with pytest.raises(ValidationError, match="Confirm the category"):
        services.file_advance(file=file, by=None, today=day)
    services.file_set_category(file=file, category=file.suggested_category, by=None)
    services.file_advance(file=file, by=None, today=day)
    assert file.stage == HardshipFile.Stage.NOTICE
    with pytest.raises(ValidationError, match="public notice runs until"):
        services.file_advance(file=file, by=None, today=day + dt.timedelta(days=2))
    services.file_advance(file=file, by=None, objections="One objection, withdrawn", today=day + dt.timedelta(days=5))
    file.refresh_from_db()
    assert file.stage == HardshipFile.Stage.FILED
    assert file.review_due == day + dt.timedelta(days=5 + 365)
    assert "withdrawn" in file.objections
    assert HardshipFile.objects.overdue_for_review(today=day + dt.timedelta(days=400)).filter(pk=file.pk).exists()


def test_visit_create_needs_welfare_role(make_file, officer_a, welfare_a, tree):
    file = make_file()
    with pytest.raises(PermissionDenied):
        services.visit_create(union=tree.a1g, file=file, by=officer_a, occasion=Visit.Occasion.SPRING)
    visit = services.visit_create(union=tree.a1g, file=file, by=welfare_a, occasion=Visit.Occasion.SPRING)
    assert visit.union == tree.a1g


def test_assistance_totals_and_status(make_file):
    file = make_file()
    services.assistance_add(file=file, by=None, kind="medical", amount=Decimal("100.50"))
    services.assistance_add(file=file, by=None, kind="living", amount=Decimal("200"))
    file.refresh_from_db()
    assert file.status == HardshipFile.Status.HELPED
    from welfare.reports import yearly_given

    assert yearly_given([file.pk], dt.date.today().year)[file.pk] == Decimal("300.50")


def _signature() -> str:
    buf = io.BytesIO()
    Image.new("RGB", (300, 120), (255, 255, 255)).save(buf, format="PNG")
    return "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()


def test_handout_with_signature_decrements_stock(campaign, welfare_a):
    c, item, employees = campaign
    handout = services.handout_record(
        campaign=c, employee=employees[0], quantities={item.pk: 2}, by=welfare_a, signature=_signature()
    )
    assert handout.signature.name.endswith(".jpg")
    item.refresh_from_db()
    assert item.stock == 3
    with pytest.raises(ValidationError, match="already received"):
        services.handout_record(
            campaign=c, employee=employees[0], quantities={item.pk: 1}, by=welfare_a, signature=_signature()
        )


def test_handout_never_below_zero(campaign, welfare_a):
    c, item, employees = campaign
    item.per_person = 5
    item.save()
    services.handout_record(
        campaign=c, employee=employees[0], quantities={item.pk: 4}, by=welfare_a, signature=_signature()
    )
    with pytest.raises(ValidationError, match="Not enough N95"):
        services.handout_record(
            campaign=c, employee=employees[1], quantities={item.pk: 2}, by=welfare_a, signature=_signature()
        )
    item.refresh_from_db()
    assert item.stock == 1
    assert Handout.objects.count() == 1  # the failed one left nothing behind
    with pytest.raises(IntegrityError):
        CampaignItem.objects.filter(pk=item.pk).update(stock=-1)


def test_handout_signature_must_be_png(campaign, welfare_a):
    c, item, employees = campaign
    fake = "data:image/png;base64," + base64.b64encode(b"GIF89a not a png").decode()
    for bad in ("", "data:text/html;base64,AAAA", fake):
        with pytest.raises(ValidationError):
            services.handout_record(
                campaign=c, employee=employees[0], quantities={item.pk: 1}, by=welfare_a, signature=bad
            )


def test_handout_one_time_code(campaign, welfare_a):
    c, item, employees = campaign
    code = services.handout_code_issue(campaign=c, employee=employees[0])
    with pytest.raises(ValidationError, match="wrong or has expired"):
        services.handout_record(
            campaign=c,
            employee=employees[0],
            quantities={item.pk: 1},
            by=welfare_a,
            code="000000" if code != "000000" else "111111",
        )
    services.handout_record(campaign=c, employee=employees[0], quantities={item.pk: 1}, by=welfare_a, code=code)
    assert Handout.objects.get().confirmation == Handout.Confirmation.CODE


def test_handout_outside_scope_refused(campaign, welfare_b):
    c, item, employees = campaign
    with pytest.raises(PermissionDenied):
        services.handout_record(campaign=c, employee=employees[0], quantities={item.pk: 1}, by=welfare_b, code="123456")


def test_import_reports_row_errors_and_saves_nothing(tree, welfare_a, line):
    rows = [
        (tree.a1g.name, "Good One", "f", id_number(1), "139", "", "Test City", "illness", "0", "self:6000"),
        (tree.bg.name, "Other Union", "m", id_number(2), "", "", "", "", "", ""),
        (tree.a1g.name, "Bad Id", "m", "123", "", "", "", "", "", ""),
        (tree.a1g.name, "Bad Income", "m", id_number(3), "", "", "", "", "", "self:-5"),
    ]
    table = Table(header=services.IMPORT_COLUMNS, rows=[(n, list(r)) for n, r in enumerate(rows, start=2)])
    with pytest.raises(ImportFailed) as failed:
        services.files_import(table=table, by=welfare_a)
    errors = failed.value.row_errors
    assert [n for n, _m in errors] == [3, 4, 5]
    assert "not one of yours" in errors[0][1]
    assert "18 characters" in errors[1][1]
    assert "cannot be negative" in errors[2][1]
    assert HardshipFile.objects.count() == 0
    ok = services.files_import(table=Table(header=table.header, rows=table.rows[:1]), by=welfare_a)
    assert len(ok) == 1
    assert HardshipFile.objects.get().suggested_category == HardshipFile.Category.DEEP


def test_purge_keeps_statistics_and_drops_the_person(make_file, tree):
    number = id_number(42)
    file = make_file(
        id_number=number,
        name="Li Si",
        address="Somewhere 1",
        members=[{"relation": "self", "name": "Li Si", "yearly_income": 6000}],
    )
    services.visit_create(
        union=tree.a1g, file=file, by=None, occasion=Visit.Occasion.SPRING, money=Decimal(500), found="Li Si is ill"
    )
    services.file_set_category(file=file, category=file.suggested_category, by=None)
    services.file_review(file=file, by=None, status=HardshipFile.Status.CLOSED, today=dt.date(2015, 1, 1))
    keep = make_file()
    call_command("purge_welfare", "--dry-run", "--years", "5")
    file.refresh_from_db()
    assert file.name == "Li Si"
    call_command("purge_welfare", "--apply", "--years", "5")
    file.refresh_from_db()
    assert (file.name, file.phone, file.address, file.id_number_encrypted, file.id_number_hash) == ("", "", "", "", "")
    assert (file.category, file.status, file.household_income) == (
        HardshipFile.Category.DEEP,
        HardshipFile.Status.CLOSED,
        Decimal(6000),
    )
    assert HardshipFile.objects.search(number).count() == 0
    visit = file.visits.get()
    assert (visit.found, visit.money) == ("", Decimal(500))
    assert not file.members.exclude(name="").exists()
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM welfare_historicalhardshipfile")
        assert "Li Si" not in repr(cursor.fetchall())
    keep.refresh_from_db()
    assert keep.name
    assert AccessLog.objects.filter(action=AccessLog.Action.PURGE).exists()
