"""Stock never goes below zero when handouts race on PostgreSQL."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from unionportal.core.models import Role
from unionportal.core.testing import build_tree, make_user
from welfare import services
from welfare.models import Campaign, CampaignItem, Employee, Handout, HandoutLine

pytestmark = [pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgres_only(transactional_db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


def test_concurrent_handouts_never_take_stock_below_zero():
    tree = build_tree()
    staff = make_user("welfare_a", role=Role.Kind.WELFARE, union=tree.a)
    campaign = Campaign.objects.create(union=tree.a, title="Masks")
    item = CampaignItem.objects.create(campaign=campaign, name="N95", unit="pcs", per_person=3, received=25, stock=25)
    employees = [Employee.objects.create(union=tree.a1g, name=f"E{i}", staff_number=f"E{i}") for i in range(16)]
    codes = {e.pk: services.handout_code_issue(campaign=campaign, employee=e) for e in employees}
    barrier = threading.Barrier(len(employees))
    outcomes: list[str] = []
    lock = threading.Lock()

    def hand(employee):
        try:
            barrier.wait()
            services.handout_record(
                campaign=campaign, employee=employee, quantities={item.pk: 3}, by=staff, code=codes[employee.pk]
            )
            result = "ok"
        except ValidationError as e:
            result = e.messages[0]
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=hand, args=(e,)) for e in employees]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    item.refresh_from_db()
    assert outcomes.count("ok") == 8  # 8 × 3 = 24 of 25
    assert all(o == "Not enough N95 left for this handout." for o in outcomes if o != "ok")
    assert item.stock == 1
    assert Handout.objects.count() == 8
    assert sum(HandoutLine.objects.values_list("quantity", flat=True)) == 24


def test_same_recipient_twice_at_once_gets_one_handout():
    tree = build_tree()
    staff = make_user("welfare_a", role=Role.Kind.WELFARE, union=tree.a)
    campaign = Campaign.objects.create(union=tree.a, title="Alcohol")
    item = CampaignItem.objects.create(campaign=campaign, name="Alcohol", unit="bottle", received=10, stock=10)
    employee = Employee.objects.create(union=tree.a1g, name="Twice", staff_number="T1")
    code_a = services.handout_code_issue(campaign=campaign, employee=employee)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def hand(code):
        try:
            barrier.wait()
            services.handout_record(campaign=campaign, employee=employee, quantities={item.pk: 1}, by=staff, code=code)
            outcomes.append("ok")
        except ValidationError as e:
            outcomes.append(e.messages[0])
        finally:
            connections.close_all()

    threads = [threading.Thread(target=hand, args=(code_a,)) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert outcomes.count("ok") == 1
    item.refresh_from_db()
    assert item.stock == 9


def test_access_log_is_append_only_in_the_database():
    from django.db import DatabaseError, transaction

    from welfare.models import AccessLog

    tree = build_tree()
    user = make_user("welfare_a", role=Role.Kind.WELFARE, union=tree.a)
    entry = services.access_log_write(user=user, union=tree.a, action=AccessLog.Action.VIEW, what="File #1")
    for attempt in (
        lambda: AccessLog.objects.filter(pk=entry.pk).update(what="nothing to see"),
        lambda: AccessLog.objects.filter(pk=entry.pk).delete(),
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            attempt()
    # Removing the user account keeps the entry (and its user name), only the link goes.
    user.delete()
    entry.refresh_from_db()
    assert (entry.user_id, entry.username, entry.what) == (None, "welfare_a", "File #1")
