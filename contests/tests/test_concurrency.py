"""The vote rule under real concurrency: PostgreSQL only (SQLite serialises writers anyway)."""

import threading

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from contests.models import Ballot, Contest, VoterQuota

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


def _run(n: int, target) -> list:
    barrier = threading.Barrier(n)
    out: list = [None] * n

    def wrapped(i):
        try:
            barrier.wait()
            out[i] = target(i)
        except Exception as e:  # the test asserts no thread failed
            out[i] = e
        finally:
            connection.close()

    threads = [threading.Thread(target=wrapped, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return out


def test_fifty_threads_same_ballot_leave_one_row_and_no_error(make_contest, make_entry, make_voter):
    contest = make_contest("vote", votes_per_voter=3, vote_period=Contest.VotePeriod.CONTEST)
    entry = make_entry(contest)
    voter = make_voter()
    url = reverse("contests:vote", args=[contest.slug])

    def post(i):
        client = Client(REMOTE_ADDR=f"10.0.0.{i + 1}")
        client.force_login(voter)
        return client.post(url, {"entry": entry.pk}).status_code

    codes = _run(50, post)
    assert codes == [302] * 50
    assert Ballot.objects.count() == 1
    assert VoterQuota.objects.get().used == 1
    call_command("verify_votes", contest.slug)


def test_fifty_threads_cast_a_thousand_ballots_against_the_limit(make_contest, make_entry, make_voter):
    limit, voters, entries = 7, 50, 20
    contest = make_contest("vote", votes_per_voter=limit, vote_period=Contest.VotePeriod.CONTEST)
    entry_ids = [make_entry(contest, f"E{i}").pk for i in range(entries)]
    users = [make_voter(f"v{i}") for i in range(voters)]
    url = reverse("contests:vote", args=[contest.slug])

    def cast(i):
        client = Client(REMOTE_ADDR=f"10.0.1.{i + 1}")
        client.force_login(users[i])
        codes = set()
        for entry_id in entry_ids:  # 50 x 20 = 1,000 ballots cast at once
            codes.add(client.post(url, {"entry": entry_id}).status_code)
        return codes

    assert _run(voters, cast) == [{302}] * voters
    kept = Ballot.objects.filter(contest=contest)
    assert kept.count() == voters * limit
    per_voter = {q.voter_id: q.used for q in VoterQuota.objects.filter(contest=contest)}
    assert set(per_voter.values()) == {limit}
    for user in users:
        assert kept.filter(voter=user).count() == per_voter[user.pk] == limit
    call_command("verify_votes", contest.slug)
    victim = kept.order_by("seq")[voters * limit // 2]
    with connection.cursor() as cur:
        cur.execute("UPDATE contests_ballot SET cast_at = cast_at + interval '1 second' WHERE id = %s", [victim.pk])
    with pytest.raises(CommandError, match=f"ballot id {victim.pk}"):
        call_command("verify_votes", contest.slug)
