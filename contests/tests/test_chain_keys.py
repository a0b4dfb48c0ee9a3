"""The ballot-chain key is versioned: each contest records its key id, new contests take the
newest key, old contests keep verifying under theirs, and nothing rewrites a chain."""

import io

import pytest
from django.core.management import CommandError, call_command

from contests import chain, services
from contests.models import Ballot, Contest

OLD = "old-ballot-chain-key-0123456789abcdefghijklmnop"
NEW = "new-ballot-chain-key-0123456789abcdefghijklmnop"


@pytest.fixture
def old_key(settings):
    settings.BALLOT_CHAIN_KEY, settings.BALLOT_CHAIN_KEYS = OLD, [OLD]


def rotate(settings, *keys):
    settings.BALLOT_CHAIN_KEY, settings.BALLOT_CHAIN_KEYS = keys[0], list(keys)


def _vote(contest, entries, voters):
    for voter in voters:
        for entry in entries:
            services.ballot_cast(contest=contest, user=voter, entry_id=entry.pk)


def test_key_ids_are_stable_short_and_do_not_reveal_the_key():
    assert chain.key_id(OLD) == chain.key_id(OLD) != chain.key_id(NEW)
    assert len(chain.key_id(OLD)) == 12 and OLD not in chain.key_id(OLD)


def test_new_contests_use_the_newest_key_and_old_chains_still_verify(
    settings, old_key, make_contest, make_entry, make_voter
):
    old = make_contest("vote", slug="old", votes_per_voter=3, vote_period=Contest.VotePeriod.CONTEST)
    old_entries = [make_entry(old, f"O{i}") for i in range(2)]
    voters = [make_voter(f"v{i}") for i in range(2)]
    _vote(old, old_entries, voters[:1])
    assert old.chain_key_id == chain.key_id(OLD)
    hashes = list(Ballot.objects.filter(contest=old).order_by("pk").values_list("hash", flat=True))

    rotate(settings, NEW, OLD)
    new = make_contest("vote", slug="new", votes_per_voter=3, vote_period=Contest.VotePeriod.CONTEST)
    new_entries = [make_entry(new, f"N{i}") for i in range(2)]
    assert new.chain_key_id == chain.key_id(NEW)
    _vote(new, new_entries, voters)
    _vote(old, old_entries, voters[1:])  # the old contest keeps extending its chain under its own key

    old.refresh_from_db()
    assert old.chain_key_id == chain.key_id(OLD)  # nothing moved the old contest to the new key
    # Its first ballots were not rewritten.
    assert list(Ballot.objects.filter(contest=old).order_by("pk").values_list("hash", flat=True))[:2] == hashes
    for contest in (old, new):
        report = services.ballots_verify(contest=contest)
        assert report.ok, report.problem
        assert report.ballots == 4
        call_command("verify_votes", contest.slug, stdout=io.StringIO())
    # The new contest's ballots are keyed with the new key: the old one does not reproduce them.
    ballot = Ballot.objects.filter(contest=new).first()
    assert ballot.expected_hash(chain.key_id(NEW)) == ballot.hash
    assert ballot.expected_hash(chain.key_id(OLD)) != ballot.hash


def test_dropping_an_old_key_too_early_is_reported_not_a_crash(settings, old_key, make_contest, make_entry, make_voter):
    contest = make_contest("vote", votes_per_voter=3, vote_period=Contest.VotePeriod.CONTEST)
    _vote(contest, [make_entry(contest, "E")], [make_voter()])
    rotate(settings, NEW)
    report = services.ballots_verify(contest=contest)
    assert not report.ok and f"(id {chain.key_id(OLD)}) is not configured" in report.problem
    with pytest.raises(CommandError, match="is not configured"):
        call_command("verify_votes", contest.slug, stdout=io.StringIO())
    rotate(settings, NEW, OLD)  # listed again: it verifies
    assert services.ballots_verify(contest=contest).ok


def test_seals_are_keyed_with_the_contest_key(settings, old_key, make_contest, make_entry, make_voter):
    contest = make_contest("vote", votes_per_voter=3, vote_period=Contest.VotePeriod.CONTEST)
    _vote(contest, [make_entry(contest, "E")], [make_voter()])
    seal = services.chain_seal(contest=contest, kind="vote_closed", now=contest.vote_closes)
    rotate(settings, NEW, OLD)
    assert services.ballots_verify(contest=contest).ok
    assert seal.mac == chain.seal_mac(
        contest_id=contest.pk, kind=seal.kind, ballots=seal.ballots, heads=seal.heads, kid=chain.key_id(OLD)
    )


def test_a_lone_ballot_chain_key_setting_wins_over_a_stale_list(settings):
    settings.BALLOT_CHAIN_KEYS = [OLD]
    settings.BALLOT_CHAIN_KEY = NEW
    assert chain.newest_key_id() == chain.key_id(NEW)
    with pytest.raises(chain.UnknownChainKey):
        chain.chain_key(chain.key_id(OLD))
