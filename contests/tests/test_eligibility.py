"""Voter eligibility (#12): members of the contest union's subtree vote without a hand-made
list, the verified public votes in contests open to the public, the Voter list stays for exceptions."""

import pytest
from django.urls import reverse
from django.utils import timezone

from contests import services
from contests.eligibility import may_vote, voter_eligible
from contests.models import Ballot
from members.models import Member
from unionportal.core.testing import make_user


def test_the_rule_over_plain_values():
    base = {"listed": False, "member_union_path": None, "contest_union_path": "00010002", "open_to_public": False}
    assert not may_vote(**base, verified_public=True)
    assert may_vote(**(base | {"listed": True}), verified_public=False)
    assert may_vote(**(base | {"member_union_path": "000100020003"}), verified_public=False)
    assert may_vote(**(base | {"member_union_path": "00010002"}), verified_public=False)
    assert not may_vote(**(base | {"member_union_path": "00010003"}), verified_public=False)
    assert not may_vote(**(base | {"member_union_path": "0001"}), verified_public=False)  # above is not within
    assert may_vote(**(base | {"open_to_public": True}), verified_public=True)
    assert not may_vote(**(base | {"open_to_public": True}), verified_public=False)


def _member(user, union, **fields):
    return Member.objects.create(union=union, name=user.username, user=user, verified_at=timezone.now(), **fields)


def _verified_public(user):
    from accounts.models import Profile

    Profile.objects.create(user=user, verified_at=timezone.now())


@pytest.mark.django_db
def test_a_linked_member_of_the_subtree_votes_without_a_voter_row(tree, make_contest, make_entry):
    contest = make_contest(union=tree.a)
    entry = make_entry(contest)
    user = make_user("member")
    _member(user, tree.a1g)
    assert voter_eligible(contest=contest, user=user)
    ballot = services.ballot_cast(contest=contest, user=user, entry_id=entry.pk)
    assert Ballot.objects.filter(pk=ballot.pk, voter=user).exists()
    assert services.ballots_verify(contest=contest).ok


@pytest.mark.django_db
def test_a_member_of_a_sibling_union_or_a_former_member_may_not(tree, make_contest, make_entry):
    contest = make_contest(union=tree.a)
    entry = make_entry(contest)
    sibling, former, unverified = make_user("sibling"), make_user("former"), make_user("unverified")
    _member(sibling, tree.bg)
    _member(former, tree.a1g, status=Member.Status.LEFT)
    Member.objects.create(union=tree.a1g, name="u", user=unverified)  # linked but never verified
    for user in (sibling, former, unverified):
        assert not voter_eligible(contest=contest, user=user)
        with pytest.raises(services.VoteRejected) as e:
            services.ballot_cast(contest=contest, user=user, entry_id=entry.pk)
        assert e.value.code == "not_voter"
    assert not Ballot.objects.exists()


@pytest.mark.django_db
def test_the_verified_public_votes_only_when_the_contest_is_open_to_it(tree, make_contest, make_entry):
    closed = make_contest(union=tree.a, slug="members-only")
    public = make_contest(union=tree.a, slug="public", open_to_public=True)
    user = make_user("public")
    _verified_public(user)
    assert not voter_eligible(contest=closed, user=user)
    assert voter_eligible(contest=public, user=user)
    services.ballot_cast(contest=public, user=user, entry_id=make_entry(public).pk)
    with pytest.raises(services.VoteRejected):
        services.ballot_cast(contest=closed, user=user, entry_id=make_entry(closed).pk)
    assert not voter_eligible(contest=public, user=make_user("unverified"))


@pytest.mark.django_db
def test_the_voter_list_stays_for_exceptions(tree, make_contest, make_voter):
    contest = make_contest(union=tree.b)
    assert voter_eligible(contest=contest, user=make_voter("listed"))
    assert not voter_eligible(contest=contest, user=make_voter("unlisted", verified=False))


@pytest.mark.django_db
def test_a_deactivated_account_may_not_vote(tree, make_contest):
    contest = make_contest(union=tree.a)
    user = make_user("closed", is_active=False)
    _member(user, tree.a1g)
    assert not voter_eligible(contest=contest, user=user)


@pytest.mark.django_db
def test_the_contest_page_offers_the_vote_to_a_member(client, tree, make_contest, make_entry):
    contest = make_contest(union=tree.a)
    make_entry(contest)
    user = make_user("member")
    _member(user, tree.a1g)
    client.force_login(user)
    html = client.get(reverse("contests:detail", args=[contest.slug])).content.decode()
    assert "vote-btn" in html and "Only accounts verified by a union may vote." not in html
