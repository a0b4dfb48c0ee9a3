"""Issue #11: a studio's members and its leader are kept on the desk (no admin), under the rules of
an application, scoped to the user's unions."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from studios import services
from studios.models import Member, Studio


def member_data(**overrides) -> dict:
    return {
        "name": "Wang Fang",
        "role": "member",
        "title": "Engineer",
        "education": "master",
        "political_status": "masses",
        "order": 1,
    } | overrides


@pytest.fixture
def phd_studio(make_studio):
    """An active Party-member PhD studio: its leader must be a CPC member with a doctorate."""
    studio = make_studio(kind=Studio.Kind.PARTY_PHD, leader={"name": "Qi He"})
    services.member_add(studio=studio, name="Wang Fang", education="master")
    return studio


def leader_of(studio: Studio) -> Member:
    return studio.members.get(role=Member.Role.LEADER)


# --- Pages ---------------------------------------------------------------------------------


def test_desk_detail_links_the_members_page(client, phd_studio, officer_a):
    client.force_login(officer_a)
    body = client.get(phd_studio.get_desk_url()).content.decode()
    assert reverse("studios:desk_members", args=[phd_studio.pk]) in body


def test_officer_edits_a_member(client, phd_studio, officer_a):
    wang = phd_studio.members.get(name="Wang Fang")
    client.force_login(officer_a)
    url = reverse("studios:desk_member_edit", args=[phd_studio.pk, wang.pk])
    assert 'value="Wang Fang"' in client.get(url).content.decode()
    response = client.post(url, member_data(title="Chief engineer", education="doctorate"))
    assert response.status_code == 302
    assert response.url == reverse("studios:desk_members", args=[phd_studio.pk])
    wang.refresh_from_db()
    assert (wang.title, wang.education) == ("Chief engineer", "doctorate")


def test_member_add_returns_to_the_members_page(client, phd_studio, officer_a):
    client.force_login(officer_a)
    response = client.post(reverse("studios:desk_member_add", args=[phd_studio.pk]), member_data(name="Li Lei"))
    assert response.url == reverse("studios:desk_members", args=[phd_studio.pk])
    assert phd_studio.members.filter(name="Li Lei").exists()


def test_officer_removes_a_member_after_confirming(client, phd_studio, officer_a):
    wang = phd_studio.members.get(name="Wang Fang")
    client.force_login(officer_a)
    url = reverse("studios:desk_member_remove", args=[phd_studio.pk, wang.pk])
    assert "Remove Wang Fang" in client.get(url).content.decode()
    assert phd_studio.members.filter(pk=wang.pk).exists()  # a GET only asks
    assert client.post(url).status_code == 302
    assert not phd_studio.members.filter(pk=wang.pk).exists()


def test_officer_changes_the_leader(client, phd_studio, officer_a):
    old = leader_of(phd_studio)
    wang = phd_studio.members.get(name="Wang Fang")
    services.member_update(member=wang, education="doctorate", political_status="party")
    client.force_login(officer_a)
    response = client.post(reverse("studios:desk_leader", args=[phd_studio.pk]), {"member": wang.pk}, follow=True)
    assert "Wang Fang now leads the studio." in response.content.decode()
    assert leader_of(phd_studio) == wang
    old.refresh_from_db()
    assert old.role == Member.Role.MEMBER  # stays on as a member
    phd_studio.refresh_from_db()
    assert "wang fang" in phd_studio.search_text and "qi he" not in phd_studio.search_text
    assert wang.history.first().role == Member.Role.LEADER and old.history.first().role == Member.Role.MEMBER


def test_leader_change_refused_under_the_rules_of_the_kind(client, phd_studio, officer_a):
    wang = phd_studio.members.get(name="Wang Fang")  # a master's degree, not a CPC member
    client.force_login(officer_a)
    response = client.post(reverse("studios:desk_leader", args=[phd_studio.pk]), {"member": wang.pk})
    assert response.status_code == 200
    body = response.content.decode()
    assert "must be a CPC member" in body and "must hold a doctorate" in body
    assert leader_of(phd_studio).name == "Qi He"


@pytest.mark.parametrize("value", ["", "abc", "²", "99999999999999999999"])
def test_leader_change_with_a_bad_id_is_a_message(client, phd_studio, officer_a, value):
    client.force_login(officer_a)
    response = client.post(reverse("studios:desk_leader", args=[phd_studio.pk]), {"member": value})
    assert response.status_code == 200
    assert "Choose a member of this studio as its leader." in response.content.decode()
    assert leader_of(phd_studio).name == "Qi He"


def test_leader_of_an_approved_studio_is_not_removed_or_demoted_on_the_desk(client, phd_studio, officer_a):
    qi = leader_of(phd_studio)
    client.force_login(officer_a)
    response = client.post(reverse("studios:desk_member_remove", args=[phd_studio.pk, qi.pk]), follow=True)
    assert "name the new leader before removing them" in response.content.decode()
    edit = reverse("studios:desk_member_edit", args=[phd_studio.pk, qi.pk])
    response = client.post(edit, member_data(name="Qi He", education="doctorate", political_status="party"))
    assert response.status_code == 200
    assert "A studio keeps its leader: name the new leader instead." in response.content.decode()
    assert leader_of(phd_studio) == qi


def test_sibling_union_and_foreign_members_are_404(client, tree, make_studio, phd_studio, officer_a, officer_b):
    wang = phd_studio.members.get(name="Wang Fang")
    urls = [
        reverse("studios:desk_members", args=[phd_studio.pk]),
        reverse("studios:desk_member_add", args=[phd_studio.pk]),
        reverse("studios:desk_member_edit", args=[phd_studio.pk, wang.pk]),
        reverse("studios:desk_member_remove", args=[phd_studio.pk, wang.pk]),
    ]
    client.force_login(officer_b)
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, member_data(name="Intruder")).status_code == 404, url
    leader_url = reverse("studios:desk_leader", args=[phd_studio.pk])
    assert client.post(leader_url, {"member": wang.pk}).status_code == 404
    assert leader_of(phd_studio).name == "Qi He" and phd_studio.members.filter(pk=wang.pk).exists()
    # A member of another studio through this studio's address: 404 as well.
    other = make_studio(union=tree.b)
    client.force_login(officer_a)
    foreign = other.members.get()
    assert client.get(reverse("studios:desk_member_edit", args=[phd_studio.pk, foreign.pk])).status_code == 404
    assert client.post(reverse("studios:desk_member_remove", args=[phd_studio.pk, foreign.pk])).status_code == 404
    assert client.post(leader_url, {"member": foreign.pk}).status_code == 200
    assert leader_of(other) == foreign and leader_of(phd_studio).name == "Qi He"


def test_viewer_cannot_reach_the_member_pages(client, phd_studio, viewer_a):
    client.force_login(viewer_a)
    assert client.get(reverse("studios:desk_members", args=[phd_studio.pk])).status_code == 403


# --- The rules hold whoever calls (services) -----------------------------------------------


def test_services_keep_an_approved_studio_s_leader_eligible(phd_studio):
    qi, wang = leader_of(phd_studio), phd_studio.members.get(name="Wang Fang")
    with pytest.raises(ValidationError):
        services.member_update(member=qi, political_status="masses")  # would no longer qualify
    with pytest.raises(ValidationError):
        services.member_update(member=qi, role="member")  # leaderless
    with pytest.raises(ValidationError):
        services.member_delete(member=qi)
    with pytest.raises(ValidationError):
        services.studio_change_leader(studio=phd_studio, member=wang)
    with pytest.raises(ValidationError):
        services.studio_change_leader(studio=phd_studio, member=qi)  # already the leader
    assert leader_of(phd_studio) == qi


def test_change_of_leader_refuses_a_member_of_another_studio(make_studio, phd_studio):
    other = make_studio()
    with pytest.raises(ValidationError):
        services.studio_change_leader(studio=phd_studio, member=other.members.get())


def test_under_application_the_review_checks_the_leader(make_studio):
    studio = make_studio(kind=Studio.Kind.PARTY_PHD, status=Studio.Status.APPLYING, published=False)
    wang = services.member_add(studio=studio, name="Wang Fang", education="master")
    services.studio_change_leader(studio=studio, member=wang)  # the review will say what is missing
    assert leader_of(studio) == wang
    assert services.studio_eligibility_errors(studio=studio)


def test_change_of_leader_checks_the_user(phd_studio, officer_b):
    from django.core.exceptions import PermissionDenied

    wang = phd_studio.members.get(name="Wang Fang")
    with pytest.raises(PermissionDenied):
        services.studio_change_leader(studio=phd_studio, member=wang, by=officer_b)


# --- Query counts --------------------------------------------------------------------------


def test_members_page_queries_flat(client, phd_studio, officer_a, django_assert_num_queries):
    client.force_login(officer_a)
    url = reverse("studios:desk_members", args=[phd_studio.pk])
    # 1 session, 2 user, 3 the user's role kinds (role_required), 4 studio JOIN union where the
    # user may edit, 5 members (the list and the leader choices alike)
    with django_assert_num_queries(5):
        assert client.get(url).status_code == 200
    Member.objects.bulk_create(Member(studio=phd_studio, name=f"Member {i}") for i in range(40))
    with django_assert_num_queries(5):
        body = client.get(url).content.decode()
    assert "Member 39" in body
    assert body.count('<option value="') == 41  # everyone but the leader may be chosen


# --- Dates in Chinese ----------------------------------------------------------------------


def test_every_date_input_of_the_studio_forms_is_iso_in_chinese(client, make_studio, officer_a):
    """In zh-hans Django would render 2026/11/30, which a type=date input drops (issue #11)."""
    import inspect
    import re

    from django import forms as django_forms

    from studios import forms

    for name, form_class in inspect.getmembers(forms, inspect.isclass):
        for field_name, field in getattr(form_class, "base_fields", {}).items():
            if isinstance(field, django_forms.DateField):
                widget = field.widget
                assert widget.input_type == "date" and widget.format == "%Y-%m-%d", f"{name}.{field_name}"
    studio = make_studio(status=Studio.Status.APPROVED)
    client.cookies["django_language"] = "zh-hans"
    client.force_login(officer_a)
    for url in (studio.get_desk_url(), reverse("studios:desk_targets", args=[studio.pk])):
        body = client.get(url).content.decode()
        values = [re.search(r'value="([^"]*)"', tag) for tag in re.findall(r'<input type="date"[^>]*>', body)]
        assert [v for v in values if v], url  # today's date is filled in
        for value in filter(None, values):
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", value[1]), value[0]
