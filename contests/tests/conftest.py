import datetime as dt

import pytest
from django.utils import timezone

from contests import services
from contests.models import Category, Contest, Criterion, Entry
from unionportal.core.models import Role
from unionportal.core.testing import make_user

NOW = timezone.now()


def stages(anchor: dt.datetime, stage: str) -> dict:
    """Stage dates that put `anchor` inside `stage`."""
    offsets = {"entry": 0, "vote": -20, "jury": -30, "results": -50}[stage]
    base = anchor + dt.timedelta(days=offsets)
    return {
        "entry_opens": base - dt.timedelta(days=1),
        "entry_closes": base + dt.timedelta(days=5),
        "screening_closes": base + dt.timedelta(days=10),
        "vote_opens": base + dt.timedelta(days=15),
        "vote_closes": base + dt.timedelta(days=25),
        "jury_closes": base + dt.timedelta(days=35),
        "results_on": base + dt.timedelta(days=40),
    }


@pytest.fixture
def make_contest(tree):
    def make(stage: str = "vote", union=None, slug: str = "c1", **fields) -> Contest:
        contest = Contest.objects.create(
            union=union or tree.a, slug=slug, title=f"Contest {slug}", **(stages(timezone.now(), stage) | fields)
        )
        Category.objects.create(contest=contest, name="Efficiency", order=0)
        Category.objects.create(contest=contest, name="Safety", order=1)
        Criterion.objects.create(contest=contest, name="Novelty", weight=60, max_score=100)
        Criterion.objects.create(contest=contest, name="Use", weight=40, max_score=50)
        return contest

    return make


@pytest.fixture
def make_entry(tree):
    def make(contest: Contest, title: str = "Entry", union=None, category=None, accepted: bool = True) -> Entry:
        entry = Entry.objects.create(
            contest=contest,
            category=category or contest.categories.first(),
            title=title,
            description="d",
            status=Entry.Status.ACCEPTED if accepted else Entry.Status.SUBMITTED,
        )
        entry.members.create(name="Li", union=union or tree.a1g, is_leader=True)
        return entry

    return make


@pytest.fixture
def make_voter(tree):
    def make(username: str = "v1", verified: bool = True):
        user = make_user(username)
        services.voter_verify(user=user, union=tree.a1g, by=None)
        if not verified:
            user.contest_voter.verified = False
            user.contest_voter.save()
        return user

    return make


@pytest.fixture
def make_judge(tree):
    def make(username: str, home):
        return make_user(username, role=Role.Kind.JUDGE, union=home)

    return make
