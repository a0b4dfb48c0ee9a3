import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from unionportal.core.models import Activity, Role, Union
from unionportal.core.scoping import has_role, union_scope
from unionportal.core.testing import make_user

ROLE_KINDS = list(Role.Kind.values)


def _activity(union, title, **kw):
    return Activity.objects.create(union=union, kind=Activity.Kind.STUDY, title=title, starts_at=timezone.now(), **kw)


def test_role_covers_the_whole_subtree_and_nothing_beside(tree, officer_a):
    names = set(union_scope(officer_a).values_list("name", flat=True))
    assert names == {"District A", "Street A1", "Grassroots A1g"}


def test_union_scope_costs_one_query_whatever_the_depth(tree, officer_a, django_assert_num_queries):
    deep = tree.a1g
    for i in range(6):
        deep = Union.objects.add_child(deep, {"name": f"Level {i}", "kind": Union.Kind.GRASSROOTS})
    # 1: the user's roles joined with the unions whose path lies under theirs
    with django_assert_num_queries(1):
        names = list(union_scope(officer_a).values_list("name", flat=True))
    assert "Level 5" in names and "District B" not in names


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    parents=st.lists(st.integers(min_value=0, max_value=1000), min_size=1, max_size=30),
    grants=st.lists(st.tuples(st.integers(min_value=0, max_value=1000), st.sampled_from(ROLE_KINDS)), max_size=4),
    wanted=st.none() | st.sets(st.sampled_from(ROLE_KINDS)),
)
def test_union_scope_is_exactly_the_subtrees_of_the_grants(parents, grants, wanted):
    """Against a plain prefix test in Python, on random trees (two roots, many siblings, deep
    chains) and random grants: the path-range query finds every union under a grant of the
    wanted kinds and nothing else (no sibling whose path sorts between, no parent)."""
    from unionportal.core.services import role_grant

    with transaction.atomic():
        rollback = transaction.savepoint()
        nodes = [
            Union.objects.add_root({"name": "Root 1", "kind": Union.Kind.CITY}),
            Union.objects.add_root({"name": "Root 2", "kind": Union.Kind.CITY}),
        ]
        for i, parent in enumerate(parents):
            nodes.append(
                Union.objects.add_child(nodes[parent % len(nodes)], {"name": f"U{i}", "kind": Union.Kind.STREET})
            )
        nodes = list(Union.objects.filter(pk__in=[n.pk for n in nodes]))
        user = make_user("scoped")
        held = {(nodes[at % len(nodes)], kind) for at, kind in grants}
        for union, kind in held:
            role_grant(user=user, union=union, kind=kind)
        paths = [u.path for u, kind in held if wanted is None or kind in wanted]
        expected = {u.pk for u in nodes if any(u.path.startswith(p) for p in paths)}
        assert set(union_scope(user, wanted).values_list("pk", flat=True)) == expected
        transaction.savepoint_rollback(rollback)


def test_role_filter_and_superuser(tree, welfare_a, superuser):
    assert not union_scope(welfare_a, roles=Role.EDIT_ROLES).exists()
    assert union_scope(welfare_a, roles=Role.WELFARE_ROLES).count() == 3
    assert union_scope(superuser).count() == Union.objects.count()


def test_has_role_checks_ancestors(tree, officer_a):
    assert has_role(officer_a, tree.a1g, Role.EDIT_ROLES)
    assert not has_role(officer_a, tree.b, Role.EDIT_ROLES)
    assert not has_role(officer_a, tree.city, Role.EDIT_ROLES)


def test_anonymous_and_inactive_see_nothing(tree, officer_a):
    from django.contrib.auth.models import AnonymousUser

    assert not union_scope(AnonymousUser()).exists()
    officer_a.is_active = False
    assert not union_scope(officer_a).exists()


ROLES = [Role.Kind.CHAIR, Role.Kind.OFFICER, Role.Kind.VIEWER, Role.Kind.JUDGE, Role.Kind.WELFARE]


@pytest.mark.parametrize("kind", ROLES)
def test_sibling_unions_see_nothing_of_each_other(client, tree, kind):
    """For each role: a user of district A sees nothing of district B anywhere."""
    user = make_user(f"a_{kind}", role=kind, union=tree.a)
    mine = _activity(tree.a1, "Alpha draft of A")
    theirs = _activity(tree.bg, "Bravo draft of B")
    client.force_login(user)

    listing = client.get(reverse("core:activity_list")).content.decode()
    assert mine.title in listing and theirs.title not in listing

    search = client.get(reverse("core:activity_list"), {"q": "Bravo"}).content.decode()
    assert theirs.title not in search

    assert client.get(reverse("core:activity_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("core:activity_detail", args=[mine.pk])).status_code == 200
    assert client.get(reverse("core:activity_edit", args=[theirs.pk])).status_code in (403, 404)

    export = client.get(reverse("core:activity_export"))
    assert export.status_code == 200
    import io

    from openpyxl import load_workbook

    cells = {c.value for row in load_workbook(io.BytesIO(export.content)).active.iter_rows() for c in row}
    assert mine.title in cells and theirs.title not in cells

    admin_list = client.get(reverse("admin:core_activity_changelist"), {"q": "draft"}).content.decode()
    assert theirs.title not in admin_list
    assert client.get(reverse("admin:core_activity_change", args=[theirs.pk])).status_code in (302, 403, 404)
    assert theirs.title not in client.get(reverse("admin:core_activity_history", args=[theirs.pk])).content.decode()
    assert "District B" not in client.get(reverse("admin:core_union_changelist")).content.decode()
    autocomplete = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "core", "model_name": "activity", "field_name": "union", "term": "B"},
    )
    assert "Grassroots Bg" not in autocomplete.content.decode()


def test_unknown_id_is_404(client, officer_a):
    client.force_login(officer_a)
    assert client.get(reverse("core:activity_detail", args=[999999])).status_code == 404
    assert client.get(reverse("core:activity_edit", args=[999999])).status_code == 404


def test_officer_reads_the_activity_admin_and_writes_on_the_desk(client, tree, officer_a):
    # Activities have desk pages: the back office is read-only for staff roles.
    mine = _activity(tree.a1, "Mine")
    client.force_login(officer_a)
    assert client.get(reverse("admin:core_activity_change", args=[mine.pk])).status_code == 200
    assert client.get(reverse("admin:core_activity_add")).status_code == 403
    response = client.post(
        reverse("admin:core_activity_change", args=[mine.pk]),
        {"union": tree.bg.pk, "kind": "study", "title": "Moved", "starts_at_0": "2024-01-01", "starts_at_1": "10:00"},
    )
    assert response.status_code == 403
    mine.refresh_from_db()
    assert (mine.union, mine.title) == (tree.a1, "Mine")


def test_viewer_cannot_edit(client, tree, viewer_a):
    mine = _activity(tree.a1, "Mine")
    client.force_login(viewer_a)
    assert client.get(reverse("core:activity_edit", args=[mine.pk])).status_code == 403
    assert client.get(reverse("core:activity_create")).status_code == 403
    assert client.get(reverse("admin:core_activity_change", args=[mine.pk])).status_code == 200  # read-only view
    response = client.post(reverse("admin:core_activity_change", args=[mine.pk]), {"title": "Changed"})
    assert response.status_code == 403
    mine.refresh_from_db()
    assert mine.title == "Mine"


def test_default_edit_roles_are_the_core_edit_roles():
    from unionportal.core.scoping import ScopedQuerySet

    assert ScopedQuerySet.edit_roles == tuple(Role.EDIT_ROLES)
