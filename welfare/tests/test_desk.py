"""Issue #11 ("Desk first") without a browser: ISO date widgets, campaign desk pages, the desk's main button."""

import datetime as dt

import pytest
from django import forms as django_forms
from django.utils import translation

from welfare import forms

DAY = dt.date(2026, 11, 30)


@pytest.mark.parametrize(
    ("form_class", "names"),
    [
        (forms.AssistanceForm, ["date"]),
        (forms.VisitForm, ["date", "next_follow_up"]),
        (forms.PeriodForm, ["start", "end"]),
    ],
)
def test_date_widgets_render_iso_in_chinese(form_class, names):
    """`<input type=date>` drops 2026/11/30 (zh-hans's first input format): render ISO."""
    for name in names:
        field = form_class.base_fields[name]
        widget = field.widget
        assert isinstance(widget, django_forms.DateInput)
        with translation.override("zh-hans"):
            html = widget.render(name, DAY)
        assert 'value="2026-11-30"' in html, html
        with translation.override("zh-hans"):
            assert field.clean("2026-11-30") == DAY


SIGNATURE = "data:image/png;base64,iVBORw0KGgo="


def test_handout_error_page_keeps_the_signature_and_only_a_png_data_url(client, welfare_a, campaign):
    c, item, employees = campaign
    client.force_login(welfare_a)
    url = f"/desk/welfare/campaigns/{c.pk}/handout/{employees[0].pk}/"
    response = client.post(url, {f"item_{item.pk}": "0", "signature": SIGNATURE})
    assert response.status_code == 200
    assert f'value="{SIGNATURE}"' in response.content.decode()
    response = client.post(url, {f"item_{item.pk}": "0", "signature": '"><script>x</script>'})
    assert 'id="signature" value=""' in response.content.decode()


# --- Supply campaigns on the desk -----------------------------------------------------


def test_campaign_created_on_the_desk_in_own_subtree_only(client, tree, welfare_a):
    from welfare.models import Campaign

    client.force_login(welfare_a)
    response = client.post(
        "/desk/welfare/campaigns/new/", {"union": tree.a1.pk, "title": "Winter coats", "starts_on": "2026-11-30"}
    )
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response.url == campaign.get_absolute_url()
    assert (campaign.union, campaign.starts_on) == (tree.a1, DAY)
    response = client.post("/desk/welfare/campaigns/new/", {"union": tree.b.pk, "title": "Stolen", "starts_on": ""})
    assert response.status_code == 200
    assert Campaign.objects.count() == 1
    response = client.post(f"/desk/welfare/campaigns/{campaign.pk}/edit/", {"union": tree.b.pk, "title": "Moved"})
    campaign.refresh_from_db()
    assert (campaign.union, campaign.title) == (tree.a1, "Winter coats")


def test_campaign_items_and_stock_through_the_services(client, welfare_a, welfare_b, campaign):
    c, item, _employees = campaign
    client.force_login(welfare_a)
    url = f"/desk/welfare/campaigns/{c.pk}/"
    response = client.post(
        url + "items/",
        {
            "item-name": "Gloves",
            "item-unit": "pairs",
            "item-per_person": "1",
            "item-received": "30",
            "item-stock": "999",
        },
    )
    assert response.status_code == 302
    gloves = c.items.get(name="Gloves")
    assert (gloves.received, gloves.stock) == (30, 30)  # the stock is counted, not typed
    client.post(f"{url}items/{item.pk}/receive/", {"quantity": "10"})
    item.refresh_from_db()
    assert (item.received, item.stock) == (15, 15)
    for bad in ("²", "-3", "0", ""):
        response = client.post(f"{url}items/{item.pk}/receive/", {"quantity": bad}, follow=True)
        assert response.status_code == 200
        assert "quantity received" in response.content.decode()
    item.refresh_from_db()
    assert (item.received, item.stock) == (15, 15)
    client.force_login(welfare_b)
    assert client.post(f"{url}items/{item.pk}/receive/", {"quantity": "10"}).status_code == 404
    assert client.post(url + "items/", {"item-name": "X", "item-unit": "x", "item-received": "1"}).status_code == 404
    item.refresh_from_db()
    assert item.received == 15 and c.items.count() == 2


def test_roster_on_the_desk_only_within_the_campaign_union(client, tree, welfare_a, campaign):
    from welfare.models import Employee

    c, _item, employees = campaign
    client.force_login(welfare_a)
    url = f"/desk/welfare/campaigns/{c.pk}/roster/"
    client.post(url, {"employee-union": tree.a1.pk, "employee-name": "Li Na", "employee-staff_number": "A7"})
    assert Employee.objects.filter(union=tree.a1, name="Li Na").exists()
    response = client.post(url, {"employee-union": tree.b.pk, "employee-name": "Spy"}, follow=True)
    assert "Select a valid choice" in response.content.decode()
    assert not Employee.objects.filter(name="Spy").exists()
    # A duplicate staff number in the unit is refused by the model's rule, not a 500.
    response = client.post(
        url, {"employee-union": tree.a1.pk, "employee-name": "Li Two", "employee-staff_number": "A7"}
    )
    assert response.status_code == 302
    assert Employee.objects.filter(staff_number="A7").count() == 1
    page = client.get(c.get_absolute_url()).content.decode()
    assert "Li Na" in page and len(employees) == 4


def test_campaign_admin_is_read_only_for_welfare_staff(rf, welfare_a, superuser, campaign):
    from django.contrib import admin

    from welfare.models import Campaign

    model_admin = admin.site._registry[Campaign]
    request = rf.get("/admin/welfare/campaign/")
    request.user = welfare_a
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request, campaign[0])
    request.user = superuser
    assert model_admin.has_change_permission(request, campaign[0])


# --- The desk's main task for welfare staff ----------------------------------------------


@pytest.mark.parametrize(
    "url", ["/desk/welfare/files/", "/desk/welfare/visits/", "/desk/welfare/campaigns/", "/desk/welfare/plan/"]
)
def test_log_a_visit_is_the_one_primary_button(client, welfare_a, url):
    import re

    client.force_login(welfare_a)
    html = client.get(url).content.decode()
    primary = re.findall(r'<a class="btn btn-danger[^"]*"[^>]*href="([^"]+)"', html)
    assert primary == ["/desk/visits/new/"], primary
