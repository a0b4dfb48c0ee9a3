"""Issue #10 for the contests: admin scoping, private attachments, stage rules, subtree recusal,
the keyed ballot chain with recorded fingerprints, and the one write path."""

import datetime as dt
import hashlib
import io
import os

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from contests import certificates, services
from contests.models import Ballot, BallotChain, ChainSeal, Contest, Entry, EntryAttachment, Voter
from unionportal.core.testing import make_user

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


# --- Hole 10: no cross-union names on the contests' admin pages ------------------------------


def test_entry_admin_never_lists_accounts_as_submitter(client, make_contest, make_entry, superuser, officer_b):
    contest = make_contest("entry")
    entry = make_entry(contest, accepted=False)
    client.force_login(superuser)
    html = client.get(f"/admin/contests/entry/{entry.pk}/change/").content.decode()
    assert 'name="submitted_by"' not in html and "officer_b" not in html


def test_voter_add_with_a_user_id_shows_no_foreign_username(client, officer_a, officer_b, tree):
    client.force_login(officer_a)
    response = client.get(f"/admin/contests/voter/add/?user={officer_b.pk}")
    assert response.status_code == 200 and "officer_b" not in response.content.decode()
    worker = make_user("worker_of_a")
    response = client.post("/admin/contests/voter/add/", {"username": "worker_of_a", "union": tree.a1g.pk})
    assert response.status_code == 302
    voter = Voter.objects.get(user=worker)
    assert (voter.verified, voter.verified_by, voter.union) == (True, officer_a, tree.a1g)
    # A worker verified by the other subtree is not taken over, and a foreign union is no choice.
    services.voter_verify(user=make_user("worker_of_b"), union=tree.bg, by=officer_b)
    response = client.post("/admin/contests/voter/add/", {"username": "worker_of_b", "union": tree.a1g.pk})
    assert response.status_code == 200 and "verified by another union" in response.content.decode()
    response = client.post("/admin/contests/voter/add/", {"username": "worker_of_a", "union": tree.bg.pk})
    assert response.status_code == 200 and Voter.objects.get(user=worker).union == tree.a1g


def test_contest_setup_offers_only_the_users_unions_and_judges(client, make_contest, make_judge, officer_a, tree):
    # Contest setup moved to the desk (the admin is read-only for staff): the same scoping there.
    contest = make_contest("entry", kind=Contest.Kind.LABOUR)
    make_judge("judge_of_b", tree.bg)
    make_judge("judge_of_a1", tree.a1)
    client.force_login(officer_a)
    html = client.get(reverse("contests:desk_setup", args=[contest.slug])).content.decode()
    assert "Grassroots A1g" in html and "judge_of_a1" in html
    assert "Grassroots Bg" not in html and "District B" not in html and "Test City Federation" not in html
    assert "judge_of_b" not in html


def test_contest_setup_in_the_admin_goes_through_the_services(client, make_contest, superuser, tree):
    contest = make_contest("entry")
    client.force_login(superuser)
    url = f"/admin/contests/contest/{contest.pk}/change/"
    data = {
        "union": tree.a.pk,
        "kind": "innovation",
        "title": "Renamed",
        "slug": contest.slug,
        "summary": "",
        "rules": "",
        "votes_per_voter": 3,
        "vote_period": "day",
        "vote_weight": 30,
        "jury_weight": 70,
        "first_prizes": 1,
        "second_prizes": 1,
        "third_prizes": 1,
        "excellence_prizes": 0,
    }
    for field in services.setup.STAGE_FIELDS:
        value = timezone.localtime(getattr(contest, field))
        data[f"{field}_0"], data[f"{field}_1"] = value.strftime("%Y-%m-%d"), value.strftime("%H:%M:%S")
    for prefix in ("categories", "criteria", "judges", "teams", "periods"):
        data |= {f"{prefix}-TOTAL_FORMS": 0, f"{prefix}-INITIAL_FORMS": 0}
    categories = list(contest.categories.all())
    data |= {"categories-TOTAL_FORMS": len(categories), "categories-INITIAL_FORMS": len(categories)}
    for i, c in enumerate(categories):
        data |= {f"categories-{i}-id": c.pk, f"categories-{i}-contest": contest.pk, f"categories-{i}-name": c.name}
        data |= {f"categories-{i}-order": c.order, f"categories-{i}-description": ""}
    criteria = list(contest.criteria.all())
    data |= {"criteria-TOTAL_FORMS": len(criteria), "criteria-INITIAL_FORMS": len(criteria)}
    for i, c in enumerate(criteria):
        data |= {f"criteria-{i}-id": c.pk, f"criteria-{i}-contest": contest.pk, f"criteria-{i}-name": c.name}
        data |= {f"criteria-{i}-weight": c.weight, f"criteria-{i}-max_score": c.max_score, f"criteria-{i}-order": 0}
    # Out of order: the vote closes before it opens.
    bad = data | {"vote_closes_0": (contest.vote_opens - dt.timedelta(days=1)).strftime("%Y-%m-%d")}
    response = client.post(url, bad)
    assert response.status_code == 200 and "stage dates must follow each other in order" in response.content.decode()
    # A team of another subtree is refused beside its row.
    teams = data | {
        "teams-TOTAL_FORMS": 1,
        "teams-0-name": "Foreign",
        "teams-0-union": tree.bg.pk,
        "teams-0-leader": "",
    }
    response = client.post(url, teams)
    assert response.status_code == 200 and not contest.teams.exists()
    response = client.post(url, data | {"teams-TOTAL_FORMS": 1, "teams-0-name": "Ours", "teams-0-union": tree.a1.pk})
    assert response.status_code == 302
    contest.refresh_from_db()
    assert contest.title == "Renamed" and list(contest.teams.values_list("name", flat=True)) == ["Ours"]


# --- Hole 15: attachments are shown only as their entry is -----------------------------------


def _entry_with_file(contest, by, tree):
    return services.entry_submit(
        contest=contest,
        by=by,
        category=contest.categories.first(),
        title="With a file",
        description="d",
        members=[services.MemberInput("Li", tree.a1g)],
        attachments=[ContentFile(PDF, name="plan.pdf")],
    )


def test_attachment_of_an_unscreened_or_rejected_entry_is_not_public(
    client, settings, make_contest, make_voter, officer_a, officer_b, tree
):
    contest = make_contest("entry")
    worker = make_voter("worker")
    entry = _entry_with_file(contest, worker, tree)
    attachment = entry.attachments.get()
    public = [f for _root, _dirs, files in os.walk(settings.MEDIA_ROOT) for f in files]
    assert public == []  # nothing under MEDIA_ROOT, so nothing under /media/
    assert client.get(f"/media/{attachment.file.name}").status_code == 404
    url = reverse("contests:attachment", args=[contest.slug, entry.pk, attachment.pk])
    assert client.get(url).status_code == 404
    client.force_login(officer_b)
    assert client.get(url).status_code == 404
    for who in (officer_a, worker):  # the organiser's staff and the team see it
        client.force_login(who)
        response = client.get(url)
        assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
    services.entry_screen(entry=entry, accept=False, reason="Out of scope", by=officer_a)
    client.logout()
    assert client.get(url).status_code == 404
    services.entry_screen(entry=entry, accept=True, by=officer_a)
    assert client.get(url).status_code == 200
    html = client.get(entry.get_absolute_url()).content.decode()
    assert url in html and "/media/" not in html.split("plan.pdf")[0][-200:]


def test_existing_public_attachments_move_to_private_storage(settings, make_contest, make_entry, tree):
    import importlib

    from django.apps import apps
    from django.core.files.storage import default_storage

    migration = importlib.import_module("contests.migrations.0004_ballot_chain_hmac_private_files")
    entry = make_entry(make_contest("entry"), accepted=False)
    name = default_storage.save("contests/files/2022/10/old.pdf", ContentFile(PDF))
    EntryAttachment.objects.bulk_create([EntryAttachment(entry=entry, file=name, title="old")])
    migration.move_attachments(apps, None)
    assert not default_storage.exists(name)
    assert EntryAttachment.objects.get().file.read() == PDF


# --- Stage rules -----------------------------------------------------------------------------


def test_screening_ends_when_screening_closes(make_contest, make_entry, officer_a):
    contest = make_contest("entry")
    entry = make_entry(contest, accepted=False)
    assert contest.screening_closes < contest.vote_opens
    with pytest.raises(ValidationError, match="Screening is closed"):
        services.entry_screen(entry=entry, accept=True, by=officer_a, now=contest.screening_closes)
    services.entry_screen(entry=entry, accept=True, by=officer_a, now=contest.screening_closes - dt.timedelta(1))


def test_judges_score_during_the_jury_stage_only(make_contest, make_entry, make_judge, tree):
    contest = make_contest("vote")
    entry = make_entry(contest, union=tree.a1)
    judge = make_judge("j1", tree.bg)
    services.judge_assign(contest=contest, judge=judge)
    novelty, _use = contest.criteria.all()
    with pytest.raises(ValidationError, match="jury review begins when the public vote closes"):
        services.scores_set(entry=entry, judge=judge, scores={novelty.pk: 50}, now=contest.vote_opens)
    with pytest.raises(ValidationError, match="jury review is closed"):
        services.scores_set(entry=entry, judge=judge, scores={novelty.pk: 50}, now=contest.jury_closes)
    services.scores_set(entry=entry, judge=judge, scores={novelty.pk: 50}, now=contest.vote_closes)


def test_results_wait_for_the_closed_vote_and_the_jury(make_contest, make_entry, make_judge, officer_a, tree):
    contest = make_contest("vote", vote_weight=0, jury_weight=100)
    with pytest.raises(ValidationError, match="once the public vote has closed"):
        services.results_compute(contest=contest, by=officer_a)
    entry = make_entry(contest, union=tree.a1)
    judge = make_judge("j1", tree.bg)
    services.judge_assign(contest=contest, judge=judge)
    novelty, use = contest.criteria.all()
    in_jury = contest.vote_closes + dt.timedelta(days=1)
    services.scores_set(entry=entry, judge=judge, scores={novelty.pk: 80, use.pk: 40}, now=in_jury)
    services.results_compute(contest=contest, by=officer_a, now=in_jury)
    with pytest.raises(ValidationError, match="once the jury review has ended"):
        services.results_publish(contest=contest, by=officer_a, now=in_jury)
    assert not Contest.objects.get(pk=contest.pk).results_published
    services.results_publish(contest=contest, by=officer_a, now=contest.jury_closes)
    assert Contest.objects.get(pk=contest.pk).results_published


def test_no_ballot_once_results_are_published(make_contest, make_entry, make_voter):
    contest = make_contest("vote")
    entry = make_entry(contest)
    voter = make_voter()
    Contest.objects.filter(pk=contest.pk).update(results_published=True)  # e.g. dates moved after publishing
    with pytest.raises(ValidationError, match="results are published"):
        services.ballot_cast(contest=contest, user=voter, entry_id=entry.pk)  # a stale contest object
    contest.refresh_from_db()
    with pytest.raises(ValidationError, match="results are published"):
        services.ballot_cast(contest=contest, user=voter, entry_id=entry.pk)
    assert not Ballot.objects.exists()


def test_contest_dates_in_order_and_vote_rule_fixed_once_voted(
    make_contest, make_entry, make_voter, officer_a, officer_b
):
    contest = make_contest("vote")
    contest.jury_closes = contest.vote_closes - dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="stage dates must follow each other in order"):
        services.contest_save(contest=contest, by=officer_a)
    contest.refresh_from_db()
    with pytest.raises(PermissionDenied):
        services.contest_save(contest=contest, by=officer_b)
    services.ballot_cast(contest=contest, user=make_voter(), entry_id=make_entry(contest).pk)
    contest.vote_closes += dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="Ballots have been cast"):
        services.contest_save(contest=contest, by=officer_a)
    contest.refresh_from_db()
    contest.title = "New title"
    services.contest_save(contest=contest, by=officer_a)


def test_certificate_carries_the_award_date(make_contest, make_entry, monkeypatch):
    from PIL import Image

    contest = make_contest("results", results_published=True, results_published_at=timezone.now())
    entry = make_entry(contest)
    Entry.objects.filter(pk=entry.pk).update(prize=Entry.Prize.FIRST, rank=1)
    drawn = []

    def line(text, pt, color, font_path):
        drawn.append(text)
        return Image.new("RGB", (10, 10), "white"), 10, 10

    monkeypatch.setattr(certificates, "_line", line)
    certificates.certificate_pdf(Entry.objects.select_related("contest__union", "category").get(pk=entry.pk))
    award = timezone.localtime(contest.results_on).date().isoformat()
    assert award in drawn and timezone.localdate().isoformat() not in drawn


# --- Jury recusal across the subtree ---------------------------------------------------------


def test_judge_is_recused_from_entries_of_unions_below_their_own(make_contest, make_entry, make_judge, tree):
    contest = make_contest("jury")
    below = make_entry(contest, "From below", union=tree.a1g)
    above = make_entry(contest, "From above", union=tree.a)
    judge = make_judge("j_street", tree.a1)
    services.judge_assign(contest=contest, judge=judge)
    novelty, use = contest.criteria.all()
    with pytest.raises(ValidationError, match="same union as a team member"):
        services.scores_set(entry=below, judge=judge, scores={novelty.pk: 90, use.pk: 40})
    services.scores_set(entry=above, judge=judge, scores={novelty.pk: 90, use.pk: 40})
    assert services.scores_missing(contest=contest) == []


# --- The keyed ballot chain and its recorded fingerprints -------------------------------------


def _voted(make_contest, make_entry, make_voter, n_voters=3):
    contest = make_contest("vote", votes_per_voter=3, vote_period=Contest.VotePeriod.CONTEST)
    entries = [make_entry(contest, f"E{i}") for i in range(3)]
    for n in range(n_voters):
        voter = make_voter(f"v{n}")
        for e in entries:
            services.ballot_cast(contest=contest, user=voter, entry_id=e.pk)
    return contest, entries


def test_rewriting_a_ballot_and_recomputing_the_plain_chain_is_detected(make_contest, make_entry, make_voter):
    contest = make_contest("vote", votes_per_voter=3, vote_period=Contest.VotePeriod.CONTEST)
    entries = [make_entry(contest, f"E{i}") for i in range(3)]
    voter = make_voter()
    for e in entries[:2]:
        services.ballot_cast(contest=contest, user=voter, entry_id=e.pk)
    call_command("verify_votes", contest.slug, stdout=io.StringIO())
    ballots = list(Ballot.objects.filter(contest=contest).order_by("seq"))
    ballots[0].entry_id = entries[2].pk  # the first vote moved to another entry
    prev = "0" * 64
    for b in ballots:  # what an attacker with the database but not the key can do
        stamp = b.cast_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
        text = f"{prev}|{b.contest_id}|{b.shard}|{b.seq}|{b.voter_id}|{b.entry_id}|{b.period}|{stamp}"
        b.prev_hash, b.hash = prev, hashlib.sha256(text.encode()).hexdigest()
        prev = b.hash
    Ballot.objects.bulk_update(ballots, ["entry_id", "prev_hash", "hash"])
    BallotChain.objects.filter(contest=contest, shard=ballots[0].shard).update(head=prev)
    with pytest.raises(CommandError, match="TAMPERED: ballot #.*1 was changed"):
        call_command("verify_votes", contest.slug)


def test_dropping_the_last_ballot_and_moving_the_head_back_is_detected(make_contest, make_entry, make_voter):
    contest, _entries = _voted(make_contest, make_entry, make_voter)
    seal = services.vote_seal(contest=contest, now=contest.vote_closes)  # the vote has closed
    assert seal.kind == ChainSeal.Kind.VOTE_CLOSED and seal.ballots == 9
    out = io.StringIO()
    call_command("verify_votes", contest.slug, stdout=out)
    assert "matches the fingerprint recorded when voting closed (9 ballots)" in out.getvalue()
    last = Ballot.objects.filter(contest=contest).order_by("-shard", "-seq").first()
    before = Ballot.objects.get(contest=contest, shard=last.shard, seq=last.seq - 1)
    last.delete()
    BallotChain.objects.filter(contest=contest, shard=last.shard).update(length=before.seq, head=before.hash)
    assert services.ballots_verify(contest=contest, check_results=False).problem.startswith("the ballot log differs")
    with pytest.raises(CommandError, match="recorded when vote closed: 9 ballots then, 8 now"):
        call_command("verify_votes", contest.slug)
    # Nor can the recorded fingerprint be moved to match without the key.
    ChainSeal.objects.filter(pk=seal.pk).update(ballots=8, heads=services.chain_fingerprint(contest=contest)[1])
    with pytest.raises(CommandError, match="fingerprint recorded when vote closed was altered"):
        call_command("verify_votes", contest.slug)


def test_the_chain_needs_the_key(settings, make_contest, make_entry, make_voter):
    contest, _entries = _voted(make_contest, make_entry, make_voter, n_voters=1)
    assert services.ballots_verify(contest=contest).ok
    settings.BALLOT_CHAIN_KEY = "another-key"
    assert "is not configured" in services.ballots_verify(contest=contest).problem


def test_publishing_records_the_fingerprint_and_verify_votes_checks_it(
    make_contest, make_entry, make_voter, make_judge, officer_a, tree
):
    contest, entries = _voted(make_contest, make_entry, make_voter, n_voters=2)
    judge = make_judge("j1", tree.bg)
    services.judge_assign(contest=contest, judge=judge)
    novelty, use = contest.criteria.all()
    for e in entries:
        services.scores_set(entry=e, judge=judge, scores={novelty.pk: 50, use.pk: 20}, now=contest.vote_closes)
    services.results_compute(contest=contest, by=officer_a, now=contest.vote_closes)
    services.results_publish(contest=contest, by=officer_a, now=contest.jury_closes)
    kinds = set(ChainSeal.objects.filter(contest=contest).values_list("kind", "ballots"))
    assert kinds == {("vote_closed", 6), ("results_published", 6)}
    call_command("verify_votes", contest.slug, stdout=io.StringIO())


def test_demo_seeder_produces_chains_that_verify():
    from contests import demo
    from unionportal.core import demo as core_demo

    core_demo.seed_users(core_demo.seed_unions())
    demo.seed(io.StringIO())
    demo.seed(io.StringIO())  # idempotent
    done = Contest.objects.get(slug="xingshan-five-type-2022")
    assert done.results_published and done.ballots.count() > 100
    assert set(done.seals.values_list("kind", flat=True)) == {"vote_closed", "results_published"}
    for slug in ("xingshan-five-type-2022", "xingshan-small-innovations"):
        out = io.StringIO()
        call_command("verify_votes", slug, stdout=out)
        assert out.getvalue().startswith("OK:")
    # Only outside experts and the other workshops judged each entry (recusal across the subtree).
    assert done.entries.filter(prize=Entry.Prize.FIRST).count() == 5


# --- Ids from input --------------------------------------------------------------------------


def test_odd_digits_in_ids_are_refused_cleanly(client, make_contest, make_entry, make_voter, make_judge, tree):
    contest = make_contest("vote")
    entry = make_entry(contest)
    voter = make_voter()
    with pytest.raises(ValidationError, match="not in the public vote"):
        services.ballot_cast(contest=contest, user=voter, entry_id="²")
    client.force_login(voter)
    response = client.post(reverse("contests:vote", args=[contest.slug]), {"entry": "²"}, follow=True)
    assert response.status_code == 200 and "Choose an entry to vote for." in response.content.decode()
    judge = make_judge("j1", tree.bg)
    services.judge_assign(contest=contest, judge=judge)
    with pytest.raises(ValidationError, match="Unknown criterion"):
        services.scores_set(entry=entry, judge=judge, scores={"²": 5}, now=contest.vote_closes)
    assert not Ballot.objects.exists()


def test_existing_plain_chains_are_rehashed_only_when_they_verify(make_contest, make_entry, make_voter):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("contests.migrations.0004_ballot_chain_hmac_private_files")
    honest, _entries = _voted(make_contest, make_entry, make_voter, n_voters=2)
    altered = make_contest("vote", slug="c2", votes_per_voter=3, vote_period=Contest.VotePeriod.CONTEST)
    services.ballot_cast(contest=altered, user=make_voter("v9"), entry_id=make_entry(altered, "X").pk)
    # Both logs as the old code wrote them: plain SHA-256; the second then altered.
    for ballot in Ballot.objects.order_by("contest", "shard", "seq"):
        if ballot.seq == 1:
            prev = "0" * 64
        else:
            prev = Ballot.objects.get(contest=ballot.contest, shard=ballot.shard, seq=ballot.seq - 1).hash
        stamp = ballot.cast_at.astimezone(dt.UTC).isoformat(timespec="microseconds")
        text = f"{prev}|{ballot.contest_id}|{ballot.shard}|{ballot.seq}|{ballot.voter_id}|{ballot.entry_id}|"
        digest = hashlib.sha256(f"{text}{ballot.period}|{stamp}".encode()).hexdigest()
        Ballot.objects.filter(pk=ballot.pk).update(prev_hash=prev, hash=digest)
        BallotChain.objects.filter(contest=ballot.contest, shard=ballot.shard).update(head=digest)
    Ballot.objects.filter(contest=altered).update(period="other")
    assert not services.ballots_verify(contest=honest).ok
    Contest.objects.filter(pk=honest.pk).update(vote_closes=timezone.now(), jury_closes=timezone.now())
    honest.refresh_from_db()
    migration.rehash_chains(apps, None)
    assert services.ballots_verify(contest=honest).ok
    assert honest.seals.get().ballots == 6  # the vote had closed: its fingerprint is recorded
    assert "was changed" in services.ballots_verify(contest=altered).problem


def test_entries_with_a_desk_page_are_read_only_for_staff_in_the_admin(client, make_contest, make_entry, officer_a):
    contest = make_contest("entry")
    entry = make_entry(contest, "Original", accepted=False)
    client.force_login(officer_a)
    url = f"/admin/contests/entry/{entry.pk}/change/"
    html = client.get(url).content.decode()
    assert "Original" in html and 'name="title"' not in html
    response = client.post(url, {"title": "Changed", "category": entry.category_id, "description": "d"})
    assert response.status_code == 403 and Entry.objects.get(pk=entry.pk).title == "Original"
    assert client.get("/admin/contests/entry/add/").status_code == 403


def test_admin_list_filters_name_only_the_users_records(client, make_contest, officer_a, officer_b, tree):
    from contests.models import Period, Team, TeamScore

    contest = make_contest("results", kind=Contest.Kind.LABOUR, slug="qzx-competition")
    team = Team.objects.create(contest=contest, name="Alpha", union=tree.a1)
    period = Period.objects.create(
        contest=contest, name="Qzx Quarter", starts_on=dt.date(2023, 1, 1), ends_on=dt.date(2023, 3, 31)
    )
    services.team_score_set(team=team, period=period, criterion=contest.criteria.first(), score=50, by=officer_a)
    client.force_login(officer_b)
    html = client.get("/admin/contests/teamscore/").content.decode()
    assert "Qzx Quarter" not in html and "Contest qzx-competition" not in html
    client.force_login(officer_a)
    html = client.get(f"/admin/contests/teamscore/?team__contest__id__exact={contest.pk}").content.decode()
    assert "Qzx Quarter" in html and TeamScore.objects.count() == 1
