import re

import pytest

from accounts.sms import file_messages
from members.models import Member

PASSWORD = "Lantern-River-42"


@pytest.fixture(autouse=True)
def _sms_to_files(settings, tmp_path):
    settings.SMS_BACKEND = "accounts.sms.FileBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"


@pytest.fixture
def last_sms(settings):
    """The code of the newest text message (optionally to one phone)."""

    def read(phone: str | None = None) -> str:
        sent = [m for m in file_messages(settings.SMS_FILE_PATH) if phone is None or m["phone"] == phone]
        assert sent, "no SMS was sent"
        return re.search(r"\b(\d{6})\b", sent[-1]["text"]).group(1)

    return read


@pytest.fixture
def roster_member(tree):
    def make(phone: str = "13800138000", union=None, name: str = "Wang Fang", **fields) -> Member:
        return Member.objects.create(union=union or tree.a1g, name=name, phone=phone, **fields)

    return make


@pytest.fixture
def vote_contest(tree):
    """A contest of district A whose public vote is open, with two accepted entries."""
    import datetime as dt

    from django.utils import timezone

    from contests.models import Category, Contest, Entry

    now = timezone.now()
    contest = Contest.objects.create(
        union=tree.a,
        slug="vote-now",
        title="Five-type innovation contest",
        entry_opens=now - dt.timedelta(days=30),
        entry_closes=now - dt.timedelta(days=25),
        screening_closes=now - dt.timedelta(days=20),
        vote_opens=now - dt.timedelta(days=1),
        vote_closes=now + dt.timedelta(days=5),
        jury_closes=now + dt.timedelta(days=10),
        results_on=now + dt.timedelta(days=15),
        votes_per_voter=3,
    )
    category = Category.objects.create(contest=contest, name="Efficiency")
    for title in ("Better welding", "Safer crane"):
        entry = Entry.objects.create(
            contest=contest, category=category, title=title, description="d", status=Entry.Status.ACCEPTED
        )
        entry.members.create(name="Li", union=tree.a1g, is_leader=True)
    return contest
