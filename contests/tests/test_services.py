import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from contests import services
from contests.models import Ballot, Contest, Entry, VoterQuota
from unionportal.core.models import Activity
from unionportal.core.testing import make_user

pytestmark = pytest.mark.django_db


# --- Stage dates -------------------------------------------------------------------------


def test_entry_after_deadline_is_refused(make_contest, officer_a, tree):
    contest = make_contest("vote")
    with pytest.raises(ValidationError, match="Entries are accepted from"):
        services.entry_submit(
            contest=contest,
            by=officer_a,
            category=contest.categories.first(),
            title="Late",
            description="d",
            members=[services.MemberInput("Li", tree.a1g)],
        )
    assert not Entry.objects.exists()


def test_entry_during_entry_stage_is_saved_with_team(make_contest, officer_a, tree):
    contest = make_contest("entry")
    entry = services.entry_submit(
        contest=contest,
        by=officer_a,
        category=contest.categories.first(),
        title="Belt fix",
        description="d",
        members=[services.MemberInput("Li", tree.a1g, True), services.MemberInput("Wang", tree.a1)],
    )
    assert entry.status == Entry.Status.SUBMITTED
    assert list(entry.members.values_list("name", flat=True)) == ["Li", "Wang"]


def test_entry_from_outside_the_organisers_subtree_is_refused(make_contest, officer_b, tree):
    contest = make_contest("entry")
    with pytest.raises(PermissionDenied):
        services.entry_submit(
            contest=contest,
            by=officer_b,
            category=contest.categories.first(),
            title="x",
            description="d",
            members=[services.MemberInput("Li", tree.bg)],
        )


def test_team_member_of_a_foreign_union_is_refused(make_contest, officer_a, tree):
    contest = make_contest("entry")
    with pytest.raises(ValidationError, match="not one of the organiser's unions"):
        services.entry_submit(
            contest=contest,
            by=officer_a,
            category=contest.categories.first(),
            title="x",
            description="d",
            members=[services.MemberInput("Zhao", tree.bg)],
        )
    assert not Entry.objects.exists()


def test_no_vote_before_or_after_the_vote_stage(make_contest, make_entry, make_voter):
    contest = make_contest("vote")
    entry = make_entry(contest)
    voter = make_voter()
    with pytest.raises(ValidationError, match="not open"):
        services.ballot_cast(contest=contest, user=voter, entry_id=entry.pk, now=contest.vote_opens - dt.timedelta(1))
    with pytest.raises(ValidationError, match="not open"):
        services.ballot_cast(contest=contest, user=voter, entry_id=entry.pk, now=contest.vote_closes)
    assert not Ballot.objects.exists()
    services.ballot_cast(contest=contest, user=voter, entry_id=entry.pk)
    assert Ballot.objects.count() == 1


def test_screening_rejection_needs_a_reason_and_closes_with_the_vote(make_contest, make_entry, officer_a):
    contest = make_contest("entry")
    entry = make_entry(contest, accepted=False)
    with pytest.raises(ValidationError, match="reason"):
        services.entry_screen(entry=entry, accept=False, reason=" ", by=officer_a)
    services.entry_screen(entry=entry, accept=False, reason="Not new", by=officer_a)
    entry.refresh_from_db()
    assert (entry.status, entry.screening_reason) == (Entry.Status.REJECTED, "Not new")
    with pytest.raises(ValidationError, match="Screening is closed"):
        services.entry_screen(entry=entry, accept=True, by=officer_a, now=contest.vote_opens)


def test_screening_by_an_officer_of_another_subtree_is_refused(make_contest, make_entry, officer_b):
    entry = make_entry(make_contest("entry"), accepted=False)
    with pytest.raises(PermissionDenied):
        services.entry_screen(entry=entry, accept=True, by=officer_b)


# --- The vote rule ---------------------------------------------------------------------------


def test_vote_rule_once_per_entry_and_limit(make_contest, make_entry, make_voter):
    contest = make_contest("vote", votes_per_voter=2, vote_period=Contest.VotePeriod.CONTEST)
    e1, e2, e3 = (make_entry(contest, f"E{i}") for i in range(3))
    voter = make_voter()
    services.ballot_cast(contest=contest, user=voter, entry_id=e1.pk)
    with pytest.raises(ValidationError, match="already voted") as err:
        services.ballot_cast(contest=contest, user=voter, entry_id=e1.pk)
    assert err.value.code == "already"
    services.ballot_cast(contest=contest, user=voter, entry_id=e2.pk)
    with pytest.raises(ValidationError, match="used all your votes"):
        services.ballot_cast(contest=contest, user=voter, entry_id=e3.pk)
    state = services.vote_state(contest=contest, user=voter)
    assert (state.remaining, state.voted) == (0, {e1.pk, e2.pk})
    assert VoterQuota.objects.get().used == 2


def test_daily_rule_resets_each_day(make_contest, make_entry, make_voter):
    contest = make_contest("vote", votes_per_voter=1, vote_period=Contest.VotePeriod.DAY)
    entry = make_entry(contest)
    voter = make_voter()
    day1 = contest.vote_opens + dt.timedelta(hours=2)
    services.ballot_cast(contest=contest, user=voter, entry_id=entry.pk, now=day1)
    with pytest.raises(ValidationError):
        services.ballot_cast(contest=contest, user=voter, entry_id=entry.pk, now=day1 + dt.timedelta(minutes=5))
    services.ballot_cast(contest=contest, user=voter, entry_id=entry.pk, now=day1 + dt.timedelta(days=1))
    assert Ballot.objects.count() == 2


def test_unverified_account_and_unaccepted_entry_cannot_be_voted(make_contest, make_entry, make_voter):
    contest = make_contest("vote")
    entry = make_entry(contest)
    pending = make_entry(contest, "Pending", accepted=False)
    with pytest.raises(ValidationError, match="verified"):
        services.ballot_cast(contest=contest, user=make_voter("nv", verified=False), entry_id=entry.pk)
    with pytest.raises(ValidationError, match="not in the public vote"):
        services.ballot_cast(contest=contest, user=make_voter("v2"), entry_id=pending.pk)
    other = make_contest("vote", slug="c2")
    with pytest.raises(ValidationError, match="not in the public vote"):
        services.ballot_cast(contest=other, user=make_voter("v3"), entry_id=entry.pk)
    assert not Ballot.objects.exists() and not VoterQuota.objects.filter(used__gt=0).exists()


def test_chain_links_ballots_and_verify_votes_detects_tampering(make_contest, make_entry, make_voter):
    contest = make_contest("vote", votes_per_voter=3, vote_period=Contest.VotePeriod.CONTEST)
    entries = [make_entry(contest, f"E{i}") for i in range(3)]
    for n in range(3):
        voter = make_voter(f"v{n}")
        for e in entries[: n + 1]:
            services.ballot_cast(contest=contest, user=voter, entry_id=e.pk)
    ballots = list(Ballot.objects.order_by("shard", "seq"))
    by_shard = {}
    for b in ballots:
        by_shard.setdefault(b.shard, []).append(b)
    # One chain per voter here (the voter's id picks the chain); each links its ballots.
    assert sorted(len(chain) for chain in by_shard.values()) == [1, 2, 3]
    for chain in by_shard.values():
        assert [b.seq for b in chain] == list(range(1, len(chain) + 1))
        assert chain[0].prev_hash == "0" * 64
        assert all(b.prev_hash == a.hash for a, b in zip(chain, chain[1:], strict=False))
    call_command("verify_votes", contest.slug)
    count, fingerprint = services.chain_fingerprint(contest=contest)
    assert count == 6 and len(fingerprint) == 64
    victim = next(chain for chain in by_shard.values() if len(chain) == 2)[1]
    with connection.cursor() as cur:
        cur.execute("UPDATE contests_ballot SET entry_id = %s WHERE id = %s", [entries[2].pk, victim.pk])
    with pytest.raises(CommandError, match=f"ballot #{victim.shard}.2 was changed \\(ballot id {victim.pk}\\)"):
        call_command("verify_votes", contest.slug)


def test_verify_votes_detects_a_deleted_ballot(make_contest, make_entry, make_voter):
    contest = make_contest("vote", votes_per_voter=3, vote_period=Contest.VotePeriod.CONTEST)
    entries = [make_entry(contest, f"E{i}") for i in range(3)]
    voter = make_voter()
    for e in entries:
        services.ballot_cast(contest=contest, user=voter, entry_id=e.pk)
    with connection.cursor() as cur:
        cur.execute("DELETE FROM contests_ballot WHERE seq = 3")
    with pytest.raises(CommandError, match="TAMPERED: chain .*: the head says 3 ballots, the log holds 2"):
        call_command("verify_votes", contest.slug)
    with connection.cursor() as cur:
        cur.execute("DELETE FROM contests_ballot WHERE seq = 1")
    with pytest.raises(CommandError, match="TAMPERED: ballot #.*1 is missing"):
        call_command("verify_votes", contest.slug)
    with pytest.raises(CommandError, match="No contest"):
        call_command("verify_votes", "nope")


# --- Jury, weighting, ties, results ---------------------------------------------------------


def test_trimmed_mean_drops_extremes_only_from_five_judges():
    assert services.trimmed_mean([Decimal(x) for x in (10, 50, 60, 70)]) == Decimal("47.5")
    assert services.trimmed_mean([Decimal(x) for x in (10, 50, 60, 70, 100)]) == Decimal(60)
    assert services.trimmed_mean([]) == 0


def test_weighted_total_normalises_each_criterion_by_its_maximum(make_contest):
    contest = make_contest()
    novelty, use = contest.criteria.all()
    # 80/100 * 60 + 25/50 * 40 = 48 + 20 = 68 out of 100
    assert services.weighted_total({novelty.pk: Decimal(80), use.pk: Decimal(25)}, [novelty, use]) == Decimal(68)


def test_final_score_weights_vote_and_jury():
    assert services.final_score(
        vote_score=Decimal(100), jury_score=Decimal(50), vote_weight=30, jury_weight=70
    ) == Decimal("65.000")


def test_conflict_of_interest_excludes_judge_from_entry(make_contest, make_entry, make_judge, tree):
    contest = make_contest("jury")
    own = make_entry(contest, "Own union", union=tree.a1g)
    other = make_entry(contest, "Other union", union=tree.a1)
    judge = make_judge("j1", tree.a1g)
    services.judge_assign(contest=contest, judge=judge)
    novelty, use = contest.criteria.all()
    with pytest.raises(ValidationError, match="same union"):
        services.scores_set(entry=own, judge=judge, scores={novelty.pk: 90, use.pk: 40})
    services.scores_set(entry=other, judge=judge, scores={novelty.pk: 90, use.pk: 40})
    assert services.scores_missing(contest=contest) == []


def test_judging_needs_assignment_range_and_judge_role(make_contest, make_entry, make_judge, tree):
    contest = make_contest("jury")
    entry = make_entry(contest)
    stranger = make_judge("j9", tree.b)
    novelty, use = contest.criteria.all()
    with pytest.raises(PermissionDenied):
        services.scores_set(entry=entry, judge=stranger, scores={novelty.pk: 1})
    services.judge_assign(contest=contest, judge=stranger)
    with pytest.raises(ValidationError, match="between 0 and 50"):
        services.scores_set(entry=entry, judge=stranger, scores={use.pk: 51})
    with pytest.raises(ValidationError, match="numbers"):
        services.scores_set(entry=entry, judge=stranger, scores={use.pk: "abc"})
    with pytest.raises(ValidationError, match="between 0 and 100"):
        services.scores_set(entry=entry, judge=stranger, scores={novelty.pk: "NaN"})
    with pytest.raises(ValidationError, match="judge role"):
        services.judge_assign(contest=contest, judge=make_user("plain"))


def _score_all(contest, judges, table):
    """table: {entry: [total per judge]} — every criterion gets the same fraction."""
    novelty, use = contest.criteria.all()
    for entry, totals in table.items():
        for judge, total in zip(judges, totals, strict=True):
            services.scores_set(
                entry=entry,
                judge=judge,
                scores={novelty.pk: total, use.pk: Decimal(total) / 2},
                now=contest.vote_closes,
            )


def test_results_wait_for_missing_scores_then_rank_with_prizes(
    make_contest, make_entry, make_judge, make_voter, officer_a, tree
):
    contest = make_contest(
        "vote",
        vote_period=Contest.VotePeriod.CONTEST,
        votes_per_voter=3,
        first_prizes=1,
        second_prizes=1,
        third_prizes=0,
        excellence_prizes=1,
    )
    a, b, c, d = (make_entry(contest, t, union=tree.a1) for t in "ABCD")
    for n, picks in enumerate([[a, b], [a], [a, c]]):
        voter = make_voter(f"v{n}")
        for e in picks:
            services.ballot_cast(contest=contest, user=voter, entry_id=e.pk)
    judges = [make_judge(f"j{i}", tree.a1g) for i in range(5)]
    for j in judges:
        services.judge_assign(contest=contest, judge=j)
    _score_all(contest, judges[:4], {a: [50] * 4, b: [80] * 4, c: [60] * 4, d: [10] * 4})
    missing = services.scores_missing(contest=contest)
    assert {m.judge.username for m in missing} == {"j4"} and len(missing) == 4
    closed = contest.vote_closes  # results are computed once the vote has closed
    with pytest.raises(ValidationError, match="4 judge scores are missing"):
        services.results_compute(contest=contest, by=officer_a, now=closed)
    # j4 is an outlier on B: with five judges the highest and lowest totals are dropped.
    _score_all(contest, judges[4:], {a: [50], b: [0], c: [60], d: [10]})
    services.results_compute(contest=contest, by=officer_a, now=closed)
    got = {e.title: e for e in Entry.objects.filter(contest=contest)}
    # votes A=3, B=1, C=1, D=0 → vote score 100, 33.333, 33.333, 0
    assert got["A"].vote_count == 3 and got["B"].vote_score == Decimal("33.333")
    assert got["B"].jury_score == Decimal("80.000")  # 0 and one 80 dropped
    assert got["A"].final_score == Decimal("65.000")  # 0.3*100 + 0.7*50
    assert got["B"].final_score == Decimal("66.000")  # 0.3*33.333 + 0.7*80
    assert [(e.title, e.rank, e.prize) for e in sorted(got.values(), key=lambda e: e.rank)] == [
        ("B", 1, "first"),
        ("A", 2, "second"),
        ("C", 3, "excellence"),
        ("D", 4, ""),
    ]


def test_ties_break_on_jury_then_votes_then_earlier_entry(make_contest, make_entry, make_judge, officer_a, tree):
    contest = make_contest("jury", vote_weight=0, jury_weight=100)
    first, second, third = (make_entry(contest, t, union=tree.a1) for t in ("first", "second", "third"))
    judge = make_judge("j1", tree.a1g)
    services.judge_assign(contest=contest, judge=judge)
    _score_all(contest, [judge], {third: [70], second: [70], first: [70]})
    services.results_compute(contest=contest, by=officer_a)
    ranks = dict(Entry.objects.values_list("title", "rank"))
    assert ranks == {"first": 1, "second": 2, "third": 3}
    services.results_compute(contest=contest, by=officer_a)  # same input, same ranking
    assert dict(Entry.objects.values_list("title", "rank")) == ranks


def test_publishing_needs_computed_results_and_logs_the_ceremony(
    make_contest, make_entry, make_judge, officer_a, officer_b, tree
):
    contest = make_contest("results", vote_weight=0, jury_weight=100)
    entry = make_entry(contest, union=tree.a1)
    judge = make_judge("j1", tree.a1g)
    services.judge_assign(contest=contest, judge=judge)
    with pytest.raises(ValidationError, match="Compute the results"):
        services.results_publish(contest=contest, by=officer_a)
    _score_all(contest, [judge], {entry: [90]})
    with pytest.raises(PermissionDenied):
        services.results_compute(contest=contest, by=officer_b)
    services.results_compute(contest=contest, by=officer_a)
    services.results_publish(contest=contest, by=officer_a)
    services.results_publish(contest=contest, by=officer_a)  # idempotent ceremony log
    activity = Activity.objects.get(source=f"contests.contest:{contest.pk}:awards")
    assert activity.kind == "ceremony" and activity.union == tree.a and activity.participants == 1
    with pytest.raises(ValidationError, match="already published"):
        services.results_compute(contest=contest, by=officer_a)


def test_leaderboard_per_period_and_overall(make_contest, officer_a, tree):
    from contests.models import Period, Team

    contest = make_contest("results", kind=Contest.Kind.LABOUR)
    novelty, use = contest.criteria.all()
    t1 = Team.objects.create(contest=contest, name="Alpha", union=tree.a1)
    t2 = Team.objects.create(contest=contest, name="Beta", union=tree.a1)
    q1 = Period.objects.create(contest=contest, name="Q1", starts_on=dt.date(2023, 1, 1), ends_on=dt.date(2023, 3, 31))
    q2 = Period.objects.create(contest=contest, name="Q2", starts_on=dt.date(2023, 4, 1), ends_on=dt.date(2023, 6, 30))
    for team, period, n, u in [(t1, q1, 100, 50), (t2, q1, 50, 25), (t1, q2, 0, 0), (t2, q2, 100, 25)]:
        services.team_score_set(team=team, period=period, criterion=novelty, score=n, by=officer_a)
        services.team_score_set(team=team, period=period, criterion=use, score=u, by=officer_a)
    with pytest.raises(ValidationError):
        services.team_score_set(team=t1, period=q1, criterion=use, score=Decimal(60), by=officer_a)
    per_period, overall = services.leaderboard(contest=contest, published_only=False)
    assert [(s.team.name, s.total) for s in per_period[0][1]] == [
        ("Alpha", Decimal("100.000")),
        ("Beta", Decimal("50.000")),
    ]
    # Beta: 50 + (60 + 20) = 130; Alpha: 100 + 0
    assert [(s.rank, s.team.name, s.total) for s in overall] == [
        (1, "Beta", Decimal("130.000")),
        (2, "Alpha", Decimal("100.000")),
    ]


def test_scoping_of_contests_entries_and_ballots(make_contest, make_entry, make_voter, officer_a, officer_b, tree):
    contest = make_contest("vote")
    entry = make_entry(contest)
    services.ballot_cast(contest=contest, user=make_voter(), entry_id=entry.pk)
    assert Contest.objects.visible_to(officer_a).count() == 1
    assert Contest.objects.visible_to(officer_b).count() == 0
    assert Entry.objects.editable_by(officer_b).count() == 0
    assert Ballot.objects.visible_to(officer_b).count() == 0
    assert Ballot.objects.visible_to(officer_a).count() == 1


def test_stage_helpers():
    now = timezone.now()
    from contests.tests.conftest import stages

    contest = Contest(**stages(now, "vote"))
    assert contest.stage_at(now) == Contest.Stage.VOTE
    assert contest.stage_at(contest.entry_opens) == Contest.Stage.ENTRY
    assert contest.stage_at(contest.entry_opens - dt.timedelta(1)) == Contest.Stage.UPCOMING
    assert contest.stage_at(contest.vote_closes) == Contest.Stage.JURY
    contest.vote_weight, contest.jury_weight = 40, 70
    with pytest.raises(ValidationError, match="add up to 100"):
        contest.clean()
