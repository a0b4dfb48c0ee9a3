"""The grant rules (#12): within one's subtree, never above one's own role, never to oneself,
only a chair grants the welfare role, never to an account of another union; all logged."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from unionportal.core import services
from unionportal.core.models import AuditEntry, Role
from unionportal.core.testing import make_user


@pytest.fixture
def plain(db):
    return make_user("plain")


def test_a_chair_cannot_grant_themself_the_welfare_role(tree, chair_a):
    with pytest.raises(ValidationError, match="Nobody may grant a role to themself"):
        services.role_grant(user=chair_a, union=tree.a, kind=Role.Kind.WELFARE, by=chair_a)
    assert not Role.objects.filter(user=chair_a, kind=Role.Kind.WELFARE).exists()


def test_an_officer_cannot_grant_chair_officer_or_welfare(tree, officer_a, plain):
    for kind in (Role.Kind.CHAIR, Role.Kind.OFFICER):
        with pytest.raises(PermissionDenied, match="as high as your own"):
            services.role_grant(user=plain, union=tree.a1, kind=kind, by=officer_a)
    with pytest.raises(PermissionDenied, match="Only a chair may grant the welfare role"):
        services.role_grant(user=plain, union=tree.a1, kind=Role.Kind.WELFARE, by=officer_a)
    assert not Role.objects.filter(user=plain).exists()


def test_an_officer_grants_judges_and_viewers_in_the_subtree(tree, officer_a, plain):
    role = services.role_grant(user=plain, union=tree.a1, kind=Role.Kind.VIEWER, by=officer_a)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ROLE_GRANT, by=officer_a, subject=str(role)).exists()
    services.role_grant(user=plain, union=tree.a1g, kind=Role.Kind.JUDGE, by=officer_a)
    assert services.grantable_kinds(by=officer_a, union=tree.a1) == [Role.Kind.JUDGE, Role.Kind.VIEWER]


def test_a_chair_grants_any_role_below_and_welfare(tree, chair_a, plain):
    services.role_grant(user=plain, union=tree.a1, kind=Role.Kind.WELFARE, by=chair_a)
    services.role_grant(user=plain, union=tree.a1, kind=Role.Kind.CHAIR, by=chair_a)
    assert set(Role.objects.filter(user=plain).values_list("kind", flat=True)) == {"welfare", "chair"}


def test_a_sibling_officer_cannot_touch_the_user(tree, officer_a, officer_b, viewer_a):
    with pytest.raises(PermissionDenied):
        services.role_grant(user=viewer_a, union=tree.a, kind=Role.Kind.JUDGE, by=officer_b)
    with pytest.raises(PermissionDenied, match="belongs to another union"):
        services.role_grant(user=viewer_a, union=tree.b, kind=Role.Kind.JUDGE, by=officer_b)
    with pytest.raises(PermissionDenied):
        services.role_revoke(role=Role.objects.get(user=viewer_a), by=officer_b)
    assert Role.objects.filter(user=viewer_a).count() == 1


def test_a_roster_member_of_another_union_is_out_of_reach(tree, officer_b, plain):
    from members.models import Member

    Member.objects.create(union=tree.a1g, name="Plain", user=plain)
    with pytest.raises(PermissionDenied, match="belongs to another union"):
        services.role_grant(user=plain, union=tree.b, kind=Role.Kind.VIEWER, by=officer_b)


def test_viewers_judges_and_welfare_grant_nothing(tree, viewer_a, judge_a, welfare_a, plain):
    for actor in (viewer_a, judge_a, welfare_a):
        with pytest.raises(PermissionDenied):
            services.role_grant(user=plain, union=tree.a, kind=Role.Kind.VIEWER, by=actor)


def test_removal_follows_the_grant_rules(tree, officer_a, chair_a, plain):
    viewer = services.role_grant(user=plain, union=tree.a1, kind=Role.Kind.VIEWER, by=officer_a)
    welfare = services.role_grant(user=plain, union=tree.a1, kind=Role.Kind.WELFARE, by=chair_a)
    with pytest.raises(PermissionDenied):
        services.role_revoke(role=welfare, by=officer_a)
    services.role_revoke(role=viewer, by=officer_a)
    assert AuditEntry.objects.filter(action=AuditEntry.Action.ROLE_REVOKE, by=officer_a).count() == 1
