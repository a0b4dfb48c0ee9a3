import pytest
from django.urls import reverse

from contests import services
from contests.models import Ballot, Contest, Entry
from unionportal.core.testing import clear_caches, fake_image_upload, image_upload

pytestmark = pytest.mark.django_db


def test_detail_shows_accepted_entries_and_remaining_votes(client, make_contest, make_entry, make_voter):
    contest = make_contest("vote", votes_per_voter=2, vote_period=Contest.VotePeriod.CONTEST)
    shown = make_entry(contest, "Shown entry")
    make_entry(contest, "Hidden pending entry", accepted=False)
    client.force_login(make_voter())
    html = client.get(contest.get_absolute_url()).content.decode()
    assert "Shown entry" in html and "Hidden pending entry" not in html
    assert "Votes left: 2" in html
    response = client.post(reverse("contests:vote", args=[contest.slug]), {"entry": shown.pk}, follow=True)
    assert "Thank you, your vote counts. Votes left: 1." in response.content.decode()
    assert "Votes left: 1" in response.content.decode()


def test_vote_needs_sign_in_and_bad_input_gives_a_message(client, make_contest, make_entry, make_voter):
    contest = make_contest("vote")
    entry = make_entry(contest)
    url = reverse("contests:vote", args=[contest.slug])
    response = client.post(url, {"entry": entry.pk})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(url).status_code == 405
    client.force_login(make_voter())
    for bad in ({"entry": "x"}, {}, {"entry": "999999"}):
        response = client.post(url, bad, follow=True)
        assert response.status_code == 200
    assert not Ballot.objects.exists()
    assert client.post(reverse("contests:vote", args=["nope"]), {"entry": entry.pk}).status_code == 404


def test_vote_is_rate_limited_per_client(client, make_contest, make_entry, make_voter, monkeypatch):
    from contests import views

    monkeypatch.setattr(views, "VOTE_RATE_LIMIT", 2)
    contest = make_contest("vote", votes_per_voter=5, vote_period=Contest.VotePeriod.CONTEST)
    entries = [make_entry(contest, f"E{i}") for i in range(3)]
    client.force_login(make_voter())
    url = reverse("contests:vote", args=[contest.slug])
    for e in entries:
        response = client.post(url, {"entry": e.pk}, follow=True)
    assert "Too many votes from this address" in response.content.decode()
    assert Ballot.objects.count() == 2


def test_results_hidden_until_published(client, make_contest, make_entry, make_judge, officer_a, tree):
    contest = make_contest("results", vote_weight=0, jury_weight=100)
    entry = make_entry(contest, "Winning entry", union=tree.a1)
    judge = make_judge("j1", tree.a1g)
    services.judge_assign(contest=contest, judge=judge)
    novelty, use = contest.criteria.all()
    services.scores_set(entry=entry, judge=judge, scores={novelty.pk: 90, use.pk: 40}, now=contest.vote_closes)
    services.results_compute(contest=contest, by=officer_a)
    url = reverse("contests:results", args=[contest.slug])
    html = client.get(url).content.decode()
    assert "not yet published" in html and "Winning entry" not in html
    cert = reverse("contests:certificate", args=[contest.slug, entry.pk])
    assert client.get(cert).status_code == 404
    services.results_publish(contest=contest, by=officer_a)
    html = client.get(url).content.decode()
    assert "Winning entry" in html and "First prize" in html
    assert f"fingerprint {services.chain_fingerprint(contest=contest)[1]}" in html
    response = client.get(cert)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_entry_page_shows_screening_reason_to_the_team_only(client, make_contest, make_entry, officer_a, officer_b):
    contest = make_contest("entry")
    entry = make_entry(contest, accepted=False)
    services.entry_screen(entry=entry, accept=False, reason="Already in use elsewhere", by=officer_a)
    url = reverse("contests:entry", args=[contest.slug, entry.pk])
    assert client.get(url).status_code == 404
    client.force_login(officer_b)
    assert client.get(url).status_code == 404
    client.force_login(officer_a)
    assert "Already in use elsewhere" in client.get(url).content.decode()


def test_submit_entry_with_photo_and_bad_upload(client, make_contest, officer_a, tree):
    contest = make_contest("entry")
    url = reverse("contests:submit", args=[contest.slug])
    client.force_login(officer_a)
    data = {
        "category": contest.categories.first().pk,
        "title": "Quick belt fix",
        "description": "How it works",
        "member_0_name": "Li",
        "member_0_union": tree.a1g.pk,
    }
    response = client.post(url, data | {"photos": fake_image_upload()})
    assert response.status_code == 200 and "not a JPEG, PNG or WEBP image" in response.content.decode()
    assert not Entry.objects.exists()
    response = client.post(url, data | {"member_0_union": tree.bg.pk})
    assert response.status_code == 200 and not Entry.objects.exists()
    response = client.post(url, data | {"photos": image_upload()})
    entry = Entry.objects.get()
    assert response.status_code == 302 and entry.photos.count() == 1 and entry.members.get().union == tree.a1g


def test_submit_after_deadline_redirects_with_message(client, make_contest, officer_a):
    contest = make_contest("vote")
    client.force_login(officer_a)
    response = client.get(reverse("contests:submit", args=[contest.slug]), follow=True)
    assert "Entries are not being accepted" in response.content.decode()


def test_desk_is_scoped_and_export_works(client, make_contest, make_entry, officer_a, officer_b):
    contest = make_contest("vote")
    make_entry(contest, "Exported")
    client.force_login(officer_b)
    assert client.get(reverse("contests:desk_contest", args=[contest.slug])).status_code == 404
    assert client.get(reverse("contests:desk_export", args=[contest.slug])).status_code == 404
    assert client.get("/admin/contests/entry/").content.decode().count("Exported") == 0
    client.force_login(officer_a)
    assert client.get(reverse("contests:desk_contest", args=[contest.slug])).status_code == 200
    response = client.get(reverse("contests:desk_export", args=[contest.slug]))
    assert response.status_code == 200 and response.content[:2] == b"PK"
    assert "Exported" in client.get("/admin/contests/entry/").content.decode()


def test_ballot_admin_is_read_only(client, make_contest, make_entry, make_voter, officer_a):
    contest = make_contest("vote")
    entry = make_entry(contest)
    ballot = services.ballot_cast(contest=contest, user=make_voter(), entry_id=entry.pk)
    client.force_login(officer_a)
    assert client.get("/admin/contests/ballot/").status_code == 200
    assert client.get("/admin/contests/ballot/add/").status_code == 403
    assert client.post(f"/admin/contests/ballot/{ballot.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Ballot.objects.count() == 1


def test_admin_bulk_screening(client, make_contest, make_entry, officer_a):
    contest = make_contest("entry")
    entries = [make_entry(contest, f"E{i}", accepted=False) for i in range(2)]
    client.force_login(officer_a)
    client.post(
        "/admin/contests/entry/",
        {"action": "reject", "_selected_action": [e.pk for e in entries], "reason": "Out of scope"},
    )
    assert set(Entry.objects.values_list("status", "screening_reason")) == {("rejected", "Out of scope")}


def test_contest_page_in_chinese(client, make_contest):
    contest = make_contest("vote", rules="One vote per entry.")
    client.cookies["django_language"] = "zh-hans"
    html = client.get(contest.get_absolute_url()).content.decode()
    # Words other apps translate differently (the stations' checklist) carry a context here.
    assert "网络投票" in html and "评选结果" in html and "竞赛规则" in html


def test_detail_queries_flat(client, make_contest, make_entry, make_voter, django_assert_num_queries):
    contest = make_contest("vote")
    make_entry(contest)
    client.force_login(make_voter())
    # 1 session, 2 user, 3 contest+union, 4 entries+category, 5 photos, 6 vote tally,
    # 7 categories, 8 quota, 9 voted entries, 10 verified voter, 11 can-manage check,
    # 12 activities about the contest
    with django_assert_num_queries(12):
        client.get(contest.get_absolute_url())
    for i in range(4):
        make_entry(contest, f"More {i}", category=contest.categories.last())
    with django_assert_num_queries(12):
        client.get(contest.get_absolute_url())


def test_list_queries_flat(client, make_contest, django_assert_num_queries):
    make_contest("vote")
    # 1 contests JOIN union (the page cache's stamp is a time slot: no query)
    with django_assert_num_queries(1):
        client.get(reverse("contests:list"))
    make_contest("results", slug="c2")
    make_contest("entry", slug="c3")
    clear_caches()  # the page cache's copy; count the render
    with django_assert_num_queries(1):
        client.get(reverse("contests:list"))


def test_team_scores_in_the_admin_are_read_only_for_staff_and_checked_for_superusers(
    client, make_contest, officer_a, officer_b, superuser, tree
):
    import datetime as dt

    from contests.models import Period, Team, TeamScore

    contest = make_contest("results", kind=Contest.Kind.LABOUR)
    team = Team.objects.create(contest=contest, name="Alpha", union=tree.a1)
    period = Period.objects.create(
        contest=contest, name="Q1", starts_on=dt.date(2023, 1, 1), ends_on=dt.date(2023, 3, 31)
    )
    use = contest.criteria.get(name="Use")  # max 50
    data = {"team": team.pk, "period": period.pk, "criterion": use.pk, "note": ""}
    for staff in (officer_b, officer_a):  # scores have a desk page: the admin is read-only for staff
        client.force_login(staff)
        assert client.post("/admin/contests/teamscore/add/", data | {"score": "40"}).status_code == 403
    assert not TeamScore.objects.exists()
    client.force_login(superuser)
    response = client.post("/admin/contests/teamscore/add/", data | {"score": "51"})
    assert response.status_code == 200 and "between 0 and 50" in response.content.decode()
    response = client.post("/admin/contests/teamscore/add/", data | {"score": "40"})
    assert response.status_code == 302 and TeamScore.objects.get().score == 40
    assert client.get(reverse("contests:desk_contest", args=[contest.slug])).status_code == 200
    html = client.get(reverse("contests:results", args=[contest.slug])).content.decode()
    assert "leaderboard-data" in html and "Alpha" in html


def test_certificate_without_the_cjk_font_says_so(client, make_contest, make_entry, settings, tmp_path):
    contest = make_contest("results", results_published=True)
    entry = make_entry(contest)
    Entry.objects.filter(pk=entry.pk).update(prize=Entry.Prize.FIRST, rank=1)
    url = reverse("contests:certificate", args=[contest.slug, entry.pk])
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert b"STSong-Light" in response.content  # the searchable text layer
    settings.CONTESTS_CJK_FONT = str(tmp_path / "missing.ttc")
    response = client.get(url)
    assert response.status_code == 503 and "fonts-noto-cjk" in response.content.decode()


def test_entry_page_vote_button_for_verified_voters_only(client, make_contest, make_entry, make_voter):
    contest = make_contest("vote")
    entry = make_entry(contest)
    url = reverse("contests:entry", args=[contest.slug, entry.pk])
    client.force_login(make_voter("unverified", verified=False))
    html = client.get(url).content.decode()
    assert "Only accounts verified by a union may vote." in html and "vote-btn" not in html
    client.force_login(make_voter("verified"))
    html = client.get(url).content.decode()
    assert "vote-btn" in html and "Votes left: 3" in html


def test_home_figure_counts_entries_of_completed_contests(client, make_contest, make_entry):
    from unionportal.core import registry

    done = make_contest("results", results_published=True)
    make_entry(done)
    make_entry(done, "Second")
    make_entry(make_contest("vote", slug="c2"))
    figure = next(f for f in registry.FIGURES if f.key == "contests")
    assert figure.value() == 2


def test_results_queries_flat(client, make_contest, make_entry, django_assert_num_queries):
    contest = make_contest("results", results_published=True)

    def ranked(n):
        for i in range(n):
            entry = make_entry(contest, f"R{Entry.objects.count()}")
            Entry.objects.filter(pk=entry.pk).update(rank=Entry.objects.count(), final_score=50)

    ranked(1)
    url = reverse("contests:results", args=[contest.slug])
    # 1 the page cache's stamp (the contest's updated_at, then kept a few seconds), 2 contest
    # JOIN union, 3 ranked entries JOIN category, 4 chain heads (fingerprint)
    with django_assert_num_queries(4):
        client.get(url)
    ranked(5)
    clear_caches()  # the page cache's copy; count the render
    with django_assert_num_queries(4):
        client.get(url)


def test_judge_scores_on_the_desk_with_conflict_and_bad_input(client, make_contest, make_entry, make_judge, tree):
    contest = make_contest("jury")
    own = make_entry(contest, "Own union entry", union=tree.a1g)
    other = make_entry(contest, "Other entry", union=tree.a1)
    judge = make_judge("j1", tree.a1g)
    services.judge_assign(contest=contest, judge=judge)
    client.force_login(judge)
    html = client.get(reverse("contests:desk_contest", args=[contest.slug])).content.decode()
    assert "Conflict of interest" in html
    novelty, use = contest.criteria.all()
    url = reverse("contests:judge_score", args=[contest.slug, other.pk])
    response = client.post(url, {f"c{novelty.pk}": "95", f"c{use.pk}": "80"}, follow=True)
    assert "between 0 and 50" in response.content.decode()
    response = client.post(url, {f"c{novelty.pk}": "95", f"c{use.pk}": ""}, follow=True)
    assert "Score every criterion." in response.content.decode()
    response = client.post(url, {f"c{novelty.pk}": "95", f"c{use.pk}": "45"}, follow=True)
    assert "Scores saved." in response.content.decode()
    conflicted = reverse("contests:judge_score", args=[contest.slug, own.pk])
    response = client.post(conflicted, {f"c{novelty.pk}": "95", f"c{use.pk}": "45"}, follow=True)
    assert "same union as a team member" in response.content.decode()
    assert services.scores_missing(contest=contest) == []


def test_admin_judge_assignment_needs_the_judge_role(client, make_contest, make_judge, officer_a, tree):
    from contests.admin import JudgeAssignmentForm
    from unionportal.core.testing import make_user

    contest = make_contest("vote")
    client.force_login(officer_a)
    assert client.get(f"/admin/contests/contest/{contest.pk}/change/").status_code == 200
    bad = JudgeAssignmentForm({"judge": make_user("plain").pk, "home_union": tree.a1g.pk})
    assert not bad.is_valid() and "does not hold the judge role" in str(bad.errors)
    assert JudgeAssignmentForm({"judge": make_judge("j1", tree.a1g).pk, "home_union": tree.a1g.pk}).is_valid()


def test_desk_card_counts_contests_organised_or_judged(make_contest, make_judge, officer_a, officer_b, viewer_a, tree):
    from unionportal.core import registry

    contest = make_contest("jury")
    outsider_judge = make_judge("jb", tree.bg)  # a judge from the other subtree, on this jury
    services.judge_assign(contest=contest, judge=outsider_judge)
    card = next(c for c in registry.DESK_CARDS if c.url_name == "contests:desk_list")
    assert (card.count(officer_a), card.count(officer_b), card.count(outsider_judge)) == (1, 0, 1)
    assert card.count(viewer_a) is None


def test_desk_list_shows_judged_contests_outside_the_judges_subtree(client, make_contest, make_judge, tree):
    contest = make_contest("jury")
    judge = make_judge("jb", tree.bg)
    client.force_login(judge)
    assert contest.title not in client.get(reverse("contests:desk_list")).content.decode()
    services.judge_assign(contest=contest, judge=judge)
    assert contest.title in client.get(reverse("contests:desk_list")).content.decode()
    assert client.get(reverse("contests:desk_contest", args=[contest.slug])).status_code == 200


def test_desk_offers_screening_and_scoring_only_in_their_stages(
    client, make_contest, make_entry, make_judge, officer_a, tree
):
    judge = make_judge("j1", tree.bg)
    in_vote = make_contest("vote", slug="in-vote")
    in_jury = make_contest("jury", slug="in-jury")
    for contest in (in_vote, in_jury):
        make_entry(contest, union=tree.a1)
        services.judge_assign(contest=contest, judge=judge)
    client.force_login(judge)
    assert "/score/" not in client.get(reverse("contests:desk_contest", args=[in_vote.slug])).content.decode()
    assert "/score/" in client.get(reverse("contests:desk_contest", args=[in_jury.slug])).content.decode()
    client.force_login(officer_a)
    assert "/screen/" not in client.get(reverse("contests:desk_contest", args=[in_vote.slug])).content.decode()
    entry_stage = make_contest("entry", slug="in-entry")
    make_entry(entry_stage, accepted=False)
    assert "/screen/" in client.get(reverse("contests:desk_contest", args=[entry_stage.slug])).content.decode()


def test_vote_without_js_redirects_back_to_the_entry_anchor(client, make_contest, make_entry, make_voter):
    contest = make_contest("vote", votes_per_voter=2, vote_period=Contest.VotePeriod.CONTEST)
    entry = make_entry(contest)
    client.force_login(make_voter())
    url = reverse("contests:vote", args=[contest.slug])
    response = client.post(url, {"entry": entry.pk, "next": contest.get_absolute_url()})
    assert response.status_code == 302
    assert response["Location"] == f"{contest.get_absolute_url()}#entry-{entry.pk}"
    # A crafted "next" never leaves the contest's pages.
    response = client.post(url, {"entry": entry.pk, "next": "/contests/c1/#x?y"})
    assert response["Location"] == f"{contest.get_absolute_url()}#entry-{entry.pk}"


def test_vote_by_htmx_answers_the_entry_block_and_votes_left(client, make_contest, make_entry, make_voter):
    contest = make_contest("vote", votes_per_voter=2, vote_period=Contest.VotePeriod.CONTEST)
    first, second = make_entry(contest, "First"), make_entry(contest, "Second")
    client.force_login(make_voter())
    url = reverse("contests:vote", args=[contest.slug])
    response = client.post(url, {"entry": first.pk, "next": contest.get_absolute_url()}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="vote-{first.pk}"' in body and f'id="vote-{second.pk}"' not in body
    assert "<html" not in body
    assert "Thank you, your vote counts. Votes left: 1." in body
    assert 'id="votes-left" data-hx-swap-oob="innerHTML">Votes left: 1<' in body
    assert Ballot.objects.count() == 1
    # A refused vote answers in the same block, with the reason, and casts nothing.
    response = client.post(url, {"entry": first.pk}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'class="small text-danger vote-note"' in response.content.decode()
    assert Ballot.objects.count() == 1
