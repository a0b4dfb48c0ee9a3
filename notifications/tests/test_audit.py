"""The chair's audit trail: scoped to the chair's subtree, filtered, personal fields masked."""

import pytest
from django.urls import reverse

from unionportal.core.models import Role
from unionportal.core.testing import make_user
from welfare.models import HardshipFile

pytestmark = pytest.mark.django_db
URL = reverse("notifications:audit")


def test_only_chairs(client, officer_a):
    client.force_login(officer_a)
    assert client.get(URL).status_code == 403


def test_role_changes_of_the_subtree_only(client, tree, chair_a):
    make_user("in_a1", role=Role.Kind.OFFICER, union=tree.a1)
    make_user("in_b", role=Role.Kind.OFFICER, union=tree.b)
    client.force_login(chair_a)
    page = client.get(URL, {"model": "core.role"}).content.decode()
    assert page.count('class="list-group-item audit-row"') == 2  # chair_a's own role and in_a1's
    filtered = client.get(URL, {"model": "core.role", "union": tree.a1.pk}).content.decode()
    assert filtered.count("audit-row") == 1


def test_unions_and_user_and_date_filters(client, tree, chair_a, superuser):
    tree.a1.name = "Street A1 renamed"
    tree.a1.save()
    tree.b.name = "District B renamed"
    tree.b.save()
    client.force_login(chair_a)
    page = client.get(URL, {"model": "core.union"}).content.decode()
    assert "Street A1 renamed" in page and "District B" not in page
    assert "Street A1 → Street A1 renamed" in page
    assert client.get(URL, {"model": "core.union", "user": "nobody"}).content.decode().count("audit-row") == 0
    assert client.get(URL, {"model": "core.union", "since": "2999-01-01"}).content.decode().count("audit-row") == 0
    assert client.get(URL, {"model": "core.union", "since": "not a date"}).status_code == 200


def test_personal_fields_masked(client, tree, chair_a, make_file):
    f = make_file(union=tree.a1g, name="Zhang Secret")
    f.name = "Zhang Other"
    f.phone = "13912345678"
    f.save()
    other = make_file(union=tree.bg, name="Wang B")
    assert HardshipFile.history.filter(id=other.pk).exists()
    client.force_login(chair_a)
    page = client.get(URL, {"model": "welfare.hardshipfile"}).content.decode()
    assert "Zhang" not in page and "13912345678" not in page and "Wang" not in page
    assert f"#{f.pk}" in page and "***" in page
    assert page.count("audit-row") >= 2


def test_union_filter_offers_two_levels_and_reaches_deeper_ones_by_id(client, tree, chair_a):
    """The filter lists the chair's union and two levels below; a deeper union of the subtree is
    still reached by its id, a sibling's id is refused (the form says so and nothing of B shows)."""
    deep = tree.a1g.add_child(name="Team A1g-1", kind=tree.a1g.kind)
    deep.name = "Team A1g-1 renamed"
    deep.save()
    tree.b.name = "District B renamed"
    tree.b.save()
    client.force_login(chair_a)
    page = client.get(URL, {"model": "core.union"}).content.decode()
    assert f'value="{tree.a1g.pk}"' in page and f'value="{deep.pk}"' not in page
    deeper = client.get(URL, {"model": "core.union", "union": deep.pk}).content.decode()
    assert f'value="{deep.pk}" selected' in deeper and deeper.count("audit-row") == 2  # created, renamed
    sibling = client.get(URL, {"model": "core.union", "union": tree.b.pk})
    assert sibling.status_code == 200
    assert "District B" not in sibling.content.decode() and "is-invalid" in sibling.content.decode()


def test_pages_without_a_count(client, tree, chair_a):
    for n in range(30):  # 30 changes of a union of the subtree (cheaper than 30 accounts)
        tree.a1.name = f"Street A1 ({n})"
        tree.a1.save()
    client.force_login(chair_a)
    first = client.get(URL, {"model": "core.union"}).content.decode()
    assert first.count("audit-row") == 25 and "page=2" in first and "page=0" not in first
    second = client.get(URL, {"model": "core.union", "page": 2}).content.decode()
    assert second.count("audit-row") == 8 and "page=1" in second and "page=3" not in second  # 30 + A, A1, A1g made
    for bad in ("0", "-1", "abc", "９", "99999999999"):
        assert client.get(URL, {"model": "core.union", "page": bad}).content.decode().count("audit-row") == 25


def test_first_page_queries_flat(client, tree, chair_a, django_assert_max_num_queries):
    """Session, user, roles, the union choices, the page's rows and their previous versions."""
    for n in range(8):
        make_user(f"officer{n}", role=Role.Kind.OFFICER, union=tree.a1 if n % 2 else tree.a1g)
    client.force_login(chair_a)
    client.get(URL)
    with django_assert_max_num_queries(6):
        assert client.get(URL).status_code == 200
