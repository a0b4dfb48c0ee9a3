"""The public contest pages' freshness (their page cache: unionportal.core.pagecache)."""

from django.utils import timezone

from unionportal.core import pagecache

from ..models import Contest

# The contest pages (list, contest, entry, results) are cached per slot of this many seconds,
# so a ballot's vote count, a stage that begins and any other write show within it.
PAGE_SECONDS = 5


def page_name(slug: str) -> str:
    """The kept stamp of a contest's pages (its updated_at; pagecache.kept)."""
    return f"contest:{slug}"


def page_changed(*, pk: int) -> None:
    """What a contest's public pages show changed (results or a leaderboard period published, an
    entry screened or corrected, an activity linked to it published by unionportal.core.services):
    move its updated_at (their stamp) and forget the kept stamps of its pages and of the contest
    list, so the next visitor sees the change at once."""
    slugs = list(Contest.objects.filter(pk=pk).values_list("slug", flat=True))
    Contest.objects.filter(pk=pk).update(updated_at=timezone.now())
    pagecache.forget("contests", *(page_name(slug) for slug in slugs))
