import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from contests.models import Category, Contest, Criterion, JudgeAssignment
from unionportal.core.models import Role
from unionportal.core.testing import make_user

pytestmark = pytest.mark.django_db


def _post_data(tree, **over):
    base = timezone.localtime().replace(second=0, microsecond=0) + dt.timedelta(days=1)
    days = {"entry_opens": 0, "entry_closes": 5, "screening_closes": 10, "vote_opens": 15, "vote_closes": 25}
    days["jury_closes"] = 35
    data = {f: (base + dt.timedelta(days=d)).strftime("%Y-%m-%dT%H:%M") for f, d in days.items()}
    data["results_on"] = (base + dt.timedelta(days=40)).strftime("%Y-%m-%dT%H:%M")
    data |= {
        "union": tree.a.pk,
        "kind": "innovation",
        "title": "Desk contest",
        "slug": "desk-contest",
        "votes_per_voter": 3,
        "vote_period": "day",
        "vote_weight": 30,
        "jury_weight": 70,
        "first_prizes": 1,
        "second_prizes": 1,
        "third_prizes": 1,
        "excellence_prizes": 0,
    }
    return data | over


def test_officer_creates_a_contest_on_the_desk_with_iso_dates(client, tree, officer_a):
    client.force_login(officer_a)
    data = _post_data(tree)
    response = client.post(reverse("contests:desk_new"), data)
    contest = Contest.objects.get(slug="desk-contest")
    assert response.status_code == 302 and response["Location"] == reverse("contests:desk_setup", args=[contest.slug])
    assert timezone.localtime(contest.vote_opens).strftime("%Y-%m-%dT%H:%M") == data["vote_opens"]
    page = client.get(reverse("contests:desk_setup", args=[contest.slug])).content.decode()
    assert f'type="datetime-local" name="vote_opens" value="{data["vote_opens"]}"' in page


def test_setup_form_renders_iso_dates_in_chinese(client, tree, officer_a, settings, make_contest):
    settings.LANGUAGE_CODE = "zh-hans"
    contest = make_contest("entry")
    client.force_login(officer_a)
    page = client.get(reverse("contests:desk_setup", args=[contest.slug]), HTTP_ACCEPT_LANGUAGE="zh-hans")
    value = timezone.localtime(contest.vote_opens).strftime("%Y-%m-%dT%H:%M")
    assert f'name="vote_opens" value="{value}"' in page.content.decode()


def test_stage_dates_out_of_order_are_refused_with_a_message(client, tree, officer_a):
    client.force_login(officer_a)
    data = _post_data(tree)
    data["vote_closes"], data["vote_opens"] = data["vote_opens"], data["vote_closes"]
    response = client.post(reverse("contests:desk_new"), data)
    assert response.status_code == 200
    assert "The stage dates must follow each other in order." in response.content.decode()
    assert not Contest.objects.exists()


def test_union_outside_scope_is_refused_and_sibling_contest_is_404(client, tree, officer_a, make_contest):
    client.force_login(officer_a)
    response = client.post(reverse("contests:desk_new"), _post_data(tree, union=tree.b.pk))
    assert response.status_code == 200 and not Contest.objects.exists()
    sibling = make_contest("entry", union=tree.b, slug="sib")
    assert client.get(reverse("contests:desk_setup", args=[sibling.slug])).status_code == 404
    url = reverse("contests:desk_part_add", args=[sibling.slug, "category"])
    assert client.post(url, {"category-name": "X", "category-order": 0}).status_code == 404
    assert not sibling.categories.filter(name="X").exists()


def test_editing_dates_goes_through_the_service_rules(client, tree, officer_a, make_contest, make_entry, make_voter):
    from contests import services

    contest = make_contest("vote", votes_per_voter=3)
    entry = make_entry(contest)
    services.ballot_cast(contest=contest, user=make_voter(), entry_id=entry.pk)
    client.force_login(officer_a)
    page = client.get(reverse("contests:desk_setup", args=[contest.slug]))
    form = page.context["form"]
    data = {k: form[k].value() for k in form.fields}
    data = {k: (v.strftime("%Y-%m-%dT%H:%M") if hasattr(v, "strftime") else v) for k, v in data.items()}
    data["union"] = contest.union_id
    data["votes_per_voter"] = 9
    response = client.post(reverse("contests:desk_setup", args=[contest.slug]), data)
    assert response.status_code == 200
    assert "Ballots have been cast" in response.content.decode()
    contest.refresh_from_db()
    assert contest.votes_per_voter == 3


def test_parts_add_and_remove_through_services(client, tree, officer_a, make_contest, make_entry):
    contest = make_contest("entry")
    client.force_login(officer_a)
    add = reverse("contests:desk_part_add", args=[contest.slug, "category"])
    assert client.post(add, {"category-name": "Quality", "category-order": 3}).status_code == 302
    assert contest.categories.filter(name="Quality").exists()
    # A duplicate name is a message, not a 500.
    response = client.post(add, {"category-name": "Quality", "category-order": 3})
    assert response.status_code == 400 and Category.objects.filter(contest=contest, name="Quality").count() == 1
    crit = reverse("contests:desk_part_add", args=[contest.slug, "criterion"])
    data = {"criterion-name": "Cost", "criterion-weight": 2, "criterion-max_score": 10, "criterion-order": 0}
    assert client.post(crit, data).status_code == 302
    assert Criterion.objects.filter(contest=contest, name="Cost").exists()
    # A category with entries is in use: removal refused with a message.
    used = contest.categories.first()
    make_entry(contest, category=used)
    delete = reverse("contests:desk_part_delete", args=[contest.slug, "category", used.pk])
    response = client.post(delete, follow=True)
    assert "is in use and cannot be removed" in response.content.decode()
    assert Category.objects.filter(pk=used.pk).exists()
    quality = contest.categories.get(name="Quality")
    client.post(reverse("contests:desk_part_delete", args=[contest.slug, "category", quality.pk]))
    assert not Category.objects.filter(pk=quality.pk).exists()
    assert client.post(reverse("contests:desk_part_add", args=[contest.slug, "nope"]), {}).status_code == 404


def test_jury_offers_only_judges_of_the_users_scope(client, tree, officer_a, make_contest):
    contest = make_contest("entry")
    mine = make_user("judge_mine", role=Role.Kind.JUDGE, union=tree.a1)
    theirs = make_user("judge_theirs", role=Role.Kind.JUDGE, union=tree.b)
    client.force_login(officer_a)
    page = client.get(reverse("contests:desk_setup", args=[contest.slug])).content.decode()
    assert "judge_mine" in page and "judge_theirs" not in page
    add = reverse("contests:desk_part_add", args=[contest.slug, "judge"])
    assert client.post(add, {"judge-judge": theirs.pk}).status_code == 400
    assert client.post(add, {"judge-judge": mine.pk}).status_code == 302
    assert list(JudgeAssignment.objects.filter(contest=contest).values_list("judge", flat=True)) == [mine.pk]


def test_setup_page_queries_do_not_grow_with_parts(client, tree, officer_a, make_contest):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    contest = make_contest("entry")
    client.force_login(officer_a)
    url = reverse("contests:desk_setup", args=[contest.slug])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for i in range(8):
        Category.objects.create(contest=contest, name=f"Extra {i}", order=5 + i)
        JudgeAssignment.objects.create(
            contest=contest, judge=make_user(f"jj{i}", role=Role.Kind.JUDGE, union=tree.a1), home_union=tree.a1
        )
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    assert len(many) == len(few)


def test_viewer_and_judge_cannot_open_setup(client, tree, viewer_a, judge_a, make_contest):
    contest = make_contest("entry")
    for user in (viewer_a, judge_a):
        client.force_login(user)
        assert client.get(reverse("contests:desk_new")).status_code in (403, 404)
        assert client.get(reverse("contests:desk_setup", args=[contest.slug])).status_code in (403, 404)


def test_contest_setup_is_read_only_for_staff_in_the_admin(client, officer_a, superuser, make_contest):
    contest = make_contest("entry")
    client.force_login(officer_a)
    url = f"/admin/contests/contest/{contest.pk}/change/"
    html = client.get(url).content.decode()
    assert contest.title in html and 'name="title"' not in html
    assert client.post(url, {"title": "Changed"}).status_code == 403
    assert client.get("/admin/contests/contest/add/").status_code == 403
    contest.refresh_from_db()
    assert contest.title == "Contest c1"
    client.force_login(superuser)
    assert 'name="title"' in client.get(url).content.decode()


def test_labour_setup_adds_teams_and_periods_with_iso_dates(client, tree, officer_a, make_contest):
    contest = make_contest("entry", kind=Contest.Kind.LABOUR, slug="lab")
    client.force_login(officer_a)
    add = reverse("contests:desk_part_add", args=[contest.slug, "period"])
    data = {"period-name": "Q1", "period-starts_on": "2026-01-01", "period-ends_on": "2026-03-31"}
    assert client.post(add, data).status_code == 302
    team = reverse("contests:desk_part_add", args=[contest.slug, "team"])
    assert client.post(team, {"team-name": "Alpha", "team-union": tree.a1.pk}).status_code == 302
    assert client.post(team, {"team-name": "Beta", "team-union": tree.b.pk}).status_code == 400
    page = client.get(reverse("contests:desk_setup", args=[contest.slug])).content.decode()
    assert "2026-01-01" in page and "Alpha" in page and 'id="category"' not in page


def test_reserved_slug_is_refused_beside_the_field(client, tree, officer_a):
    client.force_login(officer_a)
    response = client.post(reverse("contests:desk_new"), _post_data(tree, slug="new"))
    assert response.status_code == 200 and "This address is reserved" in response.content.decode()
    assert not Contest.objects.exists()
