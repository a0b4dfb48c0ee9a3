"""Issue #11, admin: welfare records with a desk page are read-only in the back office for staff
roles; rosters get their desk page (correct or remove an employee), scoped like the campaign."""

import pytest
from django.contrib import admin
from django.urls import reverse

from welfare import services
from welfare.models import (
    AccessLog,
    Assistance,
    Campaign,
    Employee,
    Handout,
    HardshipFile,
    MinimumLivingLine,
    Visit,
    YearlyCap,
)

from .test_print import _signature

# Every welfare model registered in the admin with a desk page: read-only for staff (welfare
# staff see their records; the access log is the chairs' to read).
WITH_DESK_PAGE = [HardshipFile, Visit, Assistance, Campaign, Handout, Employee, AccessLog]
# No desk page yet: the back office stays the place where welfare staff change them.
WITHOUT_DESK_PAGE = [YearlyCap, MinimumLivingLine]


@pytest.mark.parametrize("model", WITH_DESK_PAGE, ids=lambda m: m.__name__)
def test_admin_read_only_for_staff_where_the_desk_has_a_page(rf, welfare_a, chair_a, superuser, model):
    model_admin = admin.site._registry[model]
    request = rf.get("/admin/")
    for user in (welfare_a, chair_a):
        request.user = user
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request)
        assert not model_admin.has_delete_permission(request)
        assert model_admin.has_view_permission(request) == ((user is welfare_a) != (model is AccessLog))
    request.user = superuser
    # Superusers keep the back office (handouts and the access log are never changed there).
    assert model_admin.has_change_permission(request) == (model not in (Handout, AccessLog))


@pytest.mark.parametrize("model", WITHOUT_DESK_PAGE, ids=lambda m: m.__name__)
def test_admin_writable_for_welfare_staff_where_no_desk_page(rf, welfare_a, model):
    request = rf.get("/admin/")
    request.user = welfare_a
    assert admin.site._registry[model].has_add_permission(request)


def test_employee_corrected_on_the_desk(client, welfare_a, campaign):
    c, _item, employees = campaign
    client.force_login(welfare_a)
    url = reverse("welfare:campaign_employee_edit", args=[c.pk, employees[0].pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"union": employees[0].union_id, "name": "Emp Zero", "staff_number": "E0", "phone": "13900000000"},
    )
    assert response.status_code == 302
    employees[0].refresh_from_db()
    assert (employees[0].name, employees[0].phone) == ("Emp Zero", "13900000000")


def test_employee_duplicate_staff_number_is_a_message_not_a_500(client, welfare_a, campaign):
    c, _item, employees = campaign
    client.force_login(welfare_a)
    url = reverse("welfare:campaign_employee_edit", args=[c.pk, employees[0].pk])
    response = client.post(url, {"union": employees[0].union_id, "name": "Emp 0", "staff_number": "E1"})
    assert response.status_code == 200
    employees[0].refresh_from_db()
    assert employees[0].staff_number == "E0"


def test_employee_removed_unless_they_received_supplies(client, welfare_a, campaign):
    c, item, employees = campaign
    services.handout_record(
        campaign=c, employee=employees[1], quantities={item.pk: 1}, by=welfare_a, signature=_signature()
    )
    client.force_login(welfare_a)
    client.post(reverse("welfare:campaign_employee_edit", args=[c.pk, employees[0].pk]), {"delete": "1"})
    assert not Employee.objects.filter(pk=employees[0].pk).exists()
    response = client.post(
        reverse("welfare:campaign_employee_edit", args=[c.pk, employees[1].pk]), {"delete": "1"}, follow=True
    )
    assert Employee.objects.filter(pk=employees[1].pk).exists()
    assert "cannot be deleted" in response.content.decode()


def test_employee_of_a_sibling_union_is_404(client, welfare_b, tree, campaign):
    c, _item, employees = campaign
    client.force_login(welfare_b)
    url = reverse("welfare:campaign_employee_edit", args=[c.pk, employees[0].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"delete": "1"}).status_code == 404
    assert Employee.objects.filter(pk=employees[0].pk).exists()


def test_employee_outside_the_campaign_subtree_is_404(client, welfare_a, tree):
    lower = Campaign.objects.create(union=tree.a1, title="Street only")
    clerk = Employee.objects.create(union=tree.a, name="District Clerk")
    client.force_login(welfare_a)
    assert client.get(reverse("welfare:campaign_employee_edit", args=[lower.pk, clerk.pk])).status_code == 404
