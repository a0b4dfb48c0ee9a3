"""What the contests contribute to the core: figure, desk card, links, demo data, bench."""

from django.utils.translation import gettext_lazy as _

from unionportal.core import registry
from unionportal.core.models import Role
from unionportal.core.scoping import holds_any

from . import bench, demo
from .models import (
    Ballot,
    BallotChain,
    Category,
    ChainSeal,
    Contest,
    Criterion,
    Entry,
    EntryAttachment,
    EntryPhoto,
    JudgeAssignment,
    JudgeScore,
    Period,
    Team,
    TeamMember,
    TeamScore,
    Voter,
    VoterQuota,
)


def _desk_count(user):
    if not holds_any(user, (*Role.EDIT_ROLES, Role.Kind.JUDGE)):
        return None
    return Contest.objects.on_desk_of(user).count()


registry.figure(
    "contests",
    _("Entries in completed contests"),
    lambda: Entry.objects.accepted().filter(contest__results_published=True).count(),
    url="contests:list",
    order=60,
)
registry.desk_card(_("Contests"), _desk_count, url_name="contests:desk_list", order=60)
registry.nav(_("Contests"), "contests:list", order=60)
registry.nav(_("Contests desk"), "contests:desk_list", desk=True, roles=(*Role.EDIT_ROLES, Role.Kind.JUDGE), order=60)
registry.demo("contests", demo.seed, order=60)


def _bench_pages() -> list[tuple[str, str]]:
    contest = Contest.objects.filter(slug="xingshan-five-type-2022").first() or Contest.objects.first()
    rows = [("contest list", "/contests/")]
    if contest is not None:
        url = contest.get_absolute_url()
        rows += [("contest page", url), ("contest results", f"{url}results/")]
        entry = contest.entries.accepted().order_by("pk").first()
        if entry is not None:
            rows.append(("contest entry", entry.get_absolute_url()))
        rows.append(("contests desk", "/contests/desk/", "xingshan_officer"))
    return rows


registry.bench_pages(_bench_pages)
registry.bench("contests ballots", bench.run)
# Written only through contests.services (desk, back office, commands and the demo seeder alike).
registry.serviced(
    Contest,
    Category,
    Criterion,
    JudgeAssignment,
    Team,
    Period,
    Entry,
    TeamMember,
    EntryPhoto,
    EntryAttachment,
    Voter,
    VoterQuota,
    Ballot,
    BallotChain,
    ChainSeal,
    JudgeScore,
    TeamScore,
)
