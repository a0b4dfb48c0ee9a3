"""The roster's back office: read-only for staff roles, superusers write through the services."""

import pytest
from django.urls import reverse

from members.models import Member

pytestmark = pytest.mark.django_db


def test_superuser_adds_through_the_service(client, tree, superuser):
    client.force_login(superuser)
    url = reverse("admin:members_member_add")
    bad = client.post(url, {"union": tree.a1g.pk, "name": "Li", "phone": "123"})
    assert bad.status_code == 200 and "not a mainland mobile" in bad.content.decode()
    ok = client.post(url, {"union": tree.a1g.pk, "name": "Li", "phone": "+86 13812345678"})
    assert ok.status_code == 302
    member = Member.objects.get()
    assert member.phone == "13812345678" and member.history.get().history_user == superuser


def test_officers_read_only_with_masked_phones(client, tree, officer_a, make_member):
    member = make_member(phone="13812345678")
    client.force_login(officer_a)
    page = client.get(reverse("admin:members_member_changelist")).content.decode()
    assert "138****5678" in page and "13812345678" not in page
    assert client.get(reverse("admin:members_member_add")).status_code == 403
    response = client.post(reverse("admin:members_member_change", args=[member.pk]), {"name": "X"})
    member.refresh_from_db()
    assert response.status_code in (302, 403) and member.name != "X"
