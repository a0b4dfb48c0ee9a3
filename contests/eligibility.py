"""Who may vote in a contest's public vote (#12).

- Members of the organising union's subtree: an active roster entry linked to the account
  (members.selectors.verified_union), so a member votes without any hand-made list.
- The verified public, when the contest is open to the public: an account that proved its
  phone or email with a one-time code (accounts.selectors.is_verified_public).
- The contests' own list of verified voters (Voter) stays for exceptions: someone the union
  vouches for who is not on a roster.

`may_vote` is the rule over plain values; `voter_eligible` gathers the facts for one user.
"""


def may_vote(
    *,
    listed: bool,
    member_union_path: str | None,
    contest_union_path: str,
    open_to_public: bool,
    verified_public: bool,
) -> bool:
    """The rule: listed voters, members of the contest union's subtree, or the verified public
    when the contest is open to it. Paths are the union tree's materialised paths."""
    if listed:
        return True
    if member_union_path is not None and member_union_path.startswith(contest_union_path):
        return True
    return open_to_public and verified_public


def voter_eligible(*, contest, user) -> bool:
    """Whether `user` may cast ballots in `contest` (a few indexed queries)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    from accounts.selectors import is_verified_public
    from members.selectors import verified_union

    from .models import Voter

    if Voter.objects.filter(user_id=user.pk, verified=True).exists():
        return True
    union = verified_union(user)
    contest_path = contest.union.path
    return may_vote(
        listed=False,
        member_union_path=union.path if union is not None else None,
        contest_union_path=contest_path,
        open_to_public=contest.open_to_public,
        verified_public=contest.open_to_public and is_verified_public(user),
    )
