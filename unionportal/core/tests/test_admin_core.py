"""The core's back office: only superusers shape the union tree, roles are granted and revoked
through the services (never to oneself), and no admin page names what the user may not see."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from unionportal.core import services
from unionportal.core.models import Activity, AuditEntry, Role, Union
from unionportal.core.selectors import users_visible_to
from unionportal.core.testing import image_upload, make_user

MOVE_URL = "/admin/core/union/move/"


def _activity(union, title, **fields):
    return Activity.objects.create(
        union=union, kind=Activity.Kind.STUDY, title=title, starts_at=timezone.now(), **fields
    )


def _parent(union):
    return Union.objects.get_parent(Union.objects.get(pk=union.pk))


# --- Hole 1: the union tree --------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("actor", ["officer_a", "chair_a"])
def test_officers_and_chairs_cannot_move_unions(client, tree, actor, request):
    client.force_login(request.getfixturevalue(actor))
    response = client.post(MOVE_URL, {"node": tree.a.pk, "target": tree.b.pk, "relation": "child"})
    assert response.status_code == 403
    assert _parent(tree.a) == tree.city  # A's files stay out of B's reach
    assert not AuditEntry.objects.filter(action=AuditEntry.Action.UNION_MOVE).exists()


@pytest.mark.django_db
def test_a_superuser_move_goes_through_the_service_and_is_logged(client, tree, superuser):
    client.force_login(superuser)
    response = client.post(MOVE_URL, {"node": tree.a1.pk, "target": tree.b.pk, "relation": "child"})
    assert response.status_code == 200
    assert _parent(tree.a1) == tree.b
    assert _parent(Union.objects.get(name="Grassroots A1g")).name == "Street A1"  # the subtree came along
    entry = AuditEntry.objects.get(action=AuditEntry.Action.UNION_MOVE)
    assert entry.by == superuser and entry.union_id == tree.a1.pk
    assert "Test City Federation › District A › Street A1 → Test City Federation › District B › Street A1" in (
        entry.detail
    )
    assert Union.history.filter(id=tree.a1.pk).latest("history_date").history_user == superuser
    # The log is the superusers' to read.
    assert "Street A1" in client.get(reverse("admin:core_auditentry_changelist")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("data", [{"node": "abc", "target": "1", "relation": "child"}, {"node": "²", "relation": "x"}])
def test_a_malformed_move_is_a_400(client, tree, superuser, data):
    client.force_login(superuser)
    assert client.post(MOVE_URL, data).status_code == 400


@pytest.mark.django_db
def test_a_union_cannot_move_into_its_own_subtree(client, tree, superuser):
    client.force_login(superuser)
    response = client.post(MOVE_URL, {"node": tree.a.pk, "target": tree.a1g.pk, "relation": "child"})
    assert response.status_code == 400
    assert _parent(tree.a) == tree.city


def test_union_services_are_for_superusers(tree, chair_a, superuser):
    with pytest.raises(PermissionDenied):
        services.union_move(union=tree.a1, target=tree.b, pos="last-child", by=chair_a)
    with pytest.raises(PermissionDenied):
        services.union_create(by=chair_a, target=tree.a, name="Mine", kind=Union.Kind.GRASSROOTS)
    with pytest.raises(PermissionDenied):
        services.union_delete(union=tree.a1g, by=chair_a)
    with pytest.raises(ValidationError):
        services.union_move(union=tree.a, target=tree.a1, pos="last-child", by=superuser)
    assert _parent(tree.a1) == tree.a and Union.objects.filter(pk=tree.a1g.pk).exists()


@pytest.mark.django_db
def test_superuser_adds_moves_and_deletes_unions_in_the_admin_through_the_services(client, tree, superuser):
    client.force_login(superuser)
    add = client.post(
        reverse("admin:core_union_add"),
        {
            "name": "New grassroots",
            "kind": "grassroots",
            "treebeard_position": "first-child",
            "treebeard_ref_node": tree.a1.pk,
        },
    )
    assert add.status_code == 302, add.content.decode()[:2000]
    new = Union.objects.get(name="New grassroots")
    assert _parent(new) == tree.a1
    change = client.post(
        reverse("admin:core_union_change", args=[new.pk]),
        {
            "name": "Renamed",
            "kind": "grassroots",
            "treebeard_position": "first-child",
            "treebeard_ref_node": tree.bg.pk,
        },
    )
    assert change.status_code == 302
    new.refresh_from_db()
    assert new.name == "Renamed" and _parent(new) == tree.bg
    delete = client.post(reverse("admin:core_union_delete", args=[new.pk]), {"post": "yes"})
    assert delete.status_code == 302 and not Union.objects.filter(pk=new.pk).exists()
    actions = list(AuditEntry.objects.order_by("pk").values_list("action", "by"))
    assert actions == [
        (AuditEntry.Action.UNION_CREATE, superuser.pk),
        (AuditEntry.Action.UNION_MOVE, superuser.pk),
        (AuditEntry.Action.UNION_DELETE, superuser.pk),
    ]


@pytest.mark.django_db
def test_officer_keeps_contacts_of_own_union_but_not_its_shape(client, tree, officer_a):
    client.force_login(officer_a)
    assert client.get(reverse("admin:core_union_add")).status_code == 403
    assert client.post(reverse("admin:core_union_delete", args=[tree.a1.pk]), {"post": "yes"}).status_code == 403
    response = client.post(
        reverse("admin:core_union_change", args=[tree.a1.pk]),
        {"name": "Street A1", "region": "", "address": "", "contact_name": "Wang", "contact_phone": "123"},
    )
    assert response.status_code == 302
    a1 = Union.objects.get(pk=tree.a1.pk)
    assert a1.contact_name == "Wang" and _parent(a1) == tree.a
    assert Union.history.filter(id=a1.pk).latest("history_date").history_user == officer_a


# --- Hole 10: no foreign names ------------------------------------------------------------


@pytest.mark.django_db
def test_tree_children_are_404_for_foreign_and_malformed_ids(client, tree, officer_a):
    client.force_login(officer_a)
    assert client.get(f"/admin/core/union/children/{tree.a.pk}/").status_code == 200
    assert client.get(f"/admin/core/union/children/{tree.b.pk}/").status_code == 404
    for bad in ["abc", "²", "99999999999999999999999", "-1"]:
        assert client.get(f"/admin/core/union/children/{bad}/").status_code == 404


@pytest.mark.django_db
def test_view_on_site_redirects_only_to_objects_the_user_may_view(client, tree, officer_a):
    mine, theirs = _activity(tree.a1, "Mine"), _activity(tree.bg, "Theirs")
    ct = ContentType.objects.get_for_model(Activity).pk
    client.force_login(officer_a)
    assert client.get(f"/admin/r/{ct}/{mine.pk}/").status_code == 302
    assert client.get(f"/admin/r/{ct}/{theirs.pk}/").status_code == 404
    assert client.get(f"/admin/r/{ct}/abc/").status_code == 404
    assert client.get(f"/admin/r/{ct}/99999999999999999999999/").status_code == 404
    assert client.get("/admin/r/999999/1/").status_code == 404
    # A model without an admin (the sessions) is nobody's to look up this way.
    session_ct = ContentType.objects.get(app_label="sessions", model="session").pk
    assert client.get(f"/admin/r/{session_ct}/x/").status_code == 404


@pytest.mark.django_db
def test_role_add_page_names_only_accounts_of_the_chairs_subtree(client, tree, chair_a, officer_a, officer_b):
    client.force_login(chair_a)
    url = reverse("admin:core_role_add")
    foreign = client.get(url, {"user": officer_b.pk})
    assert foreign.status_code == 200
    assert "officer_b" not in foreign.content.decode()
    assert "officer_a" in client.get(url, {"user": officer_a.pk}).content.decode()
    response = client.post(url, {"user": officer_b.pk, "union": tree.a.pk, "kind": "viewer"})
    assert response.status_code == 200  # "Select a valid choice"
    assert not Role.objects.filter(user=officer_b, union=tree.a).exists()


def test_users_visible_to_is_the_subtree(tree, chair_a, officer_a, officer_b, superuser):
    assert set(users_visible_to(chair_a).values_list("username", flat=True)) == {"chair_a", "officer_a"}
    assert "officer_b" in users_visible_to(superuser).values_list("username", flat=True)


# --- Hole 14: roles ----------------------------------------------------------------------


def test_nobody_grants_a_role_to_themself(tree, chair_a, superuser):
    for actor, union in [(chair_a, tree.a), (superuser, tree.city)]:
        with pytest.raises(ValidationError, match="Nobody may grant a role to themself"):
            services.role_grant(user=actor, union=union, kind=Role.Kind.WELFARE, by=actor)
    assert not Role.objects.filter(kind=Role.Kind.WELFARE).exists()


def test_chairs_grant_only_within_their_subtree(tree, chair_a, officer_b):
    with pytest.raises(PermissionDenied):
        services.role_grant(user=officer_b, union=tree.b, kind=Role.Kind.WELFARE, by=chair_a)
    with pytest.raises(PermissionDenied):
        services.role_revoke(role=Role.objects.get(user=officer_b), by=chair_a)


def test_officers_grant_nothing(tree, officer_a, viewer_a):
    with pytest.raises(PermissionDenied):
        services.role_grant(user=viewer_a, union=tree.a1, kind=Role.Kind.OFFICER, by=officer_a)


@pytest.mark.django_db
def test_a_chair_cannot_give_themself_the_welfare_role_in_the_admin(client, tree, chair_a):
    client.force_login(chair_a)
    response = client.post(reverse("admin:core_role_add"), {"user": chair_a.pk, "union": tree.a.pk, "kind": "welfare"})
    assert response.status_code == 200  # the form again, with an error
    assert not Role.objects.filter(user=chair_a, kind=Role.Kind.WELFARE).exists()


def test_the_grant_form_check_explains_a_self_grant(tree, chair_a):
    from unionportal.core.admin import RoleAdminForm

    form_class = type("F", (RoleAdminForm,), {"acting_user": chair_a})
    form_class.base_fields["user"].queryset = chair_a.__class__.objects.all()
    form = form_class({"user": chair_a.pk, "union": tree.a.pk, "kind": "welfare"})
    assert not form.is_valid()
    assert "Nobody may grant a role to themself" in str(form.non_field_errors())


@pytest.mark.django_db
def test_grants_and_removals_in_the_admin_are_logged_with_the_acting_chair(client, tree, chair_a, officer_a):
    client.force_login(chair_a)
    response = client.post(
        reverse("admin:core_role_add"), {"user": officer_a.pk, "union": tree.a1.pk, "kind": "welfare"}
    )
    assert response.status_code == 302
    role = Role.objects.get(user=officer_a, kind=Role.Kind.WELFARE)
    assert role.history.get().history_user == chair_a
    response = client.post(reverse("admin:core_role_delete", args=[role.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Role.objects.filter(pk=role.pk).exists()
    assert Role.history.filter(id=role.pk, history_type="-").get().history_user == chair_a
    officer_role = Role.objects.get(user=officer_a, kind=Role.Kind.OFFICER)
    response = client.post(
        reverse("admin:core_role_changelist"),
        {"action": "delete_selected", "_selected_action": [officer_role.pk], "post": "yes"},
    )
    assert response.status_code == 302 and not Role.objects.filter(user=officer_a).exists()
    officer_a.refresh_from_db()
    assert not officer_a.is_staff  # no role left
    log = list(AuditEntry.objects.order_by("pk").values_list("action", "by", "subject"))
    assert [(a, b) for a, b, _s in log if b == chair_a.pk] == [
        (AuditEntry.Action.ROLE_GRANT, chair_a.pk),
        (AuditEntry.Action.ROLE_REVOKE, chair_a.pk),
        (AuditEntry.Action.ROLE_REVOKE, chair_a.pk),
    ]
    assert "officer_a · Welfare staff · Street A1" in log[-3][2]


@pytest.mark.django_db
def test_the_log_is_for_superusers_only(client, tree, chair_a):
    client.force_login(chair_a)
    assert client.get(reverse("admin:core_auditentry_changelist")).status_code == 403


def test_the_seeders_grant_as_the_system(tree):
    user = make_user("seeded", role=Role.Kind.VIEWER, union=tree.a)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.ROLE_GRANT, subject__startswith="seeded")
    assert entry.by is None and user.is_staff


# --- Activities in the admin: superusers, through the services ------------------------------


@pytest.mark.django_db
def test_superuser_activity_admin_writes_through_the_services(
    client, tree, superuser, settings, django_capture_on_commit_callbacks
):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:core_activity_add"),
        {
            "union": tree.a1.pk,
            "kind": "study",
            "title": "Admin study",
            "starts_at_0": "2024-01-01",
            "starts_at_1": "10:00",
            "participants": 3,
            "status": "published",  # read-only here: ignored
            "photos-TOTAL_FORMS": 0,
            "photos-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get(title="Admin study")
    assert activity.created_by == superuser and activity.status == Activity.Status.DRAFT
    client.post(
        reverse("admin:core_activity_changelist"),
        {"action": "publish", "_selected_action": [activity.pk]},
    )
    activity.refresh_from_db()
    assert activity.is_published
    # Deleting removes the photos' files too.
    from unionportal.core.images import clean_image

    services.activity_add_photos(activity=activity, photos=[clean_image(image_upload())])
    photo = activity.photos.get()
    paths = [settings.MEDIA_ROOT / photo.image.name, settings.MEDIA_ROOT / photo.thumbnail.name]
    assert all(p.exists() for p in paths)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:core_activity_delete", args=[activity.pk]), {"post": "yes"})
    assert response.status_code == 302 and not Activity.objects.filter(pk=activity.pk).exists()
    assert not any(p.exists() for p in paths)


@pytest.mark.django_db
@pytest.mark.parametrize("version", ["²", "٣", "99999999999999999999999", "abc"])
def test_a_malformed_history_version_id_is_a_404(client, tree, superuser, version):
    client.force_login(superuser)
    response = client.get(f"/admin/core/union/{tree.a.pk}/history/{version}/")
    assert response.status_code == 404


@pytest.mark.django_db
def test_an_action_posted_to_the_union_list_by_an_officer_is_no_server_error(client, tree, officer_a):
    client.force_login(officer_a)
    response = client.post(
        reverse("admin:core_union_changelist"), {"action": "delete_selected", "_selected_action": [tree.a1.pk]}
    )
    assert response.status_code in (200, 302, 403)
    assert Union.objects.filter(pk=tree.a1.pk).exists()


@pytest.mark.django_db
def test_superuser_bulk_deletes_unions_through_the_service(client, tree, superuser):
    client.force_login(superuser)
    response = client.post(
        reverse("admin:core_union_changelist"),
        {"action": "delete_selected", "_selected_action": [tree.a1.pk, tree.a1g.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Union.objects.filter(pk__in=[tree.a1.pk, tree.a1g.pk]).exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.UNION_DELETE, by=superuser).exists()
