"""Each role is shown only what it may do, with its main task as the desk's primary button."""

import pytest
from django.urls import reverse

from unionportal.core import registry, selectors
from unionportal.core.models import Role
from unionportal.core.testing import make_user


def _desk(client, user):
    client.force_login(user)
    response = client.get("/desk/")
    assert response.status_code == 200
    return response


def test_welfare_staff_see_their_visit_as_the_main_task_and_no_refused_buttons(client, welfare_a):
    response = _desk(client, welfare_a)
    assert response.context["main_action"].url_name == "welfare:visit_create"
    html = response.content.decode()
    assert reverse("core:activity_create") not in html
    assert reverse("contests:desk_list") not in html
    assert f'data-main-action href="{reverse("welfare:visit_create")}"' in html


def test_officer_main_task_is_logging_an_activity(client, officer_a):
    response = _desk(client, officer_a)
    assert response.context["main_action"].url_name == "core:activity_create"
    assert reverse("contests:desk_list") in response.content.decode()


@pytest.mark.parametrize("fixture", ["viewer_a", "judge_a"])
def test_readers_get_no_activity_button(client, request, fixture):
    user = request.getfixturevalue(fixture)
    response = _desk(client, user)
    assert reverse("core:activity_create") not in response.content.decode()
    client.get(reverse("core:activity_list"))
    assert reverse("core:activity_create") not in client.get(reverse("core:activity_list")).content.decode()


def test_viewer_has_no_contests_desk_and_no_studio_application(client, viewer_a):
    response = _desk(client, viewer_a)
    assert reverse("contests:desk_list") not in response.content.decode()
    studios = client.get(reverse("studios:desk_list"))
    assert reverse("studios:desk_apply") not in studios.content.decode()


def test_judge_main_task_is_the_contests_desk(client, judge_a):
    response = _desk(client, judge_a)
    assert response.context["main_action"].url_name == "contests:desk_list"


def test_viewer_has_no_main_button(client, viewer_a):
    assert _desk(client, viewer_a).context["main_action"] is None


def test_welfare_staffs_marked_main_task_is_log_a_visit(welfare_a, monkeypatch):
    """Welfare marks "Log a visit" as its roles' primary task; a later link limited to the same
    roles (the fallback's pick, were nothing marked) does not displace it."""
    (visit,) = [n for n in registry.NAV if n.url_name == "welfare:visit_create"]
    assert set(Role.WELFARE_ROLES) <= set(visit.primary or ())
    monkeypatch.setattr(registry, "NAV", list(registry.NAV))
    registry.nav("Welfare report", "welfare:report", desk=True, roles=Role.WELFARE_ROLES, order=1)
    main, others = selectors.desk_actions(user=welfare_a)
    assert main.url_name == "welfare:visit_create"
    assert "welfare:report" in [n.url_name for n in others]


def test_a_member_with_no_role_is_sent_to_their_account_not_refused(client, db):
    member = make_user("plain")
    client.force_login(member)
    response = client.get("/desk/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/"
    home = client.get("/").content.decode()
    assert 'href="/desk/"' not in home
    assert 'href="/accounts/"' in home


def _sign_in(client, username, next_url=None):
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": username, "password": "pw-for-tests"})


def test_sign_in_sends_staff_to_the_desk_and_members_to_their_account(client, officer_a, db):
    make_user("plain")
    assert _sign_in(client, "officer_a")["Location"] == "/desk/"
    client.logout()
    assert _sign_in(client, "plain")["Location"] == "/accounts/"


def test_sign_in_follows_a_safe_next_only(client, db):
    make_user("plain")
    assert _sign_in(client, "plain", "/stations/")["Location"] == "/stations/"
    client.logout()
    assert _sign_in(client, "plain", "https://evil.example/")["Location"] == "/accounts/"


def test_home_sign_in_link_has_no_next_back_to_home(client, db):
    html = client.get("/").content.decode()
    assert f'href="{reverse("login")}"' in html
