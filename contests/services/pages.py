"""The contest's public page: what moves its freshness stamp."""

from django.utils import timezone

from ..models import Contest


def page_changed(*, pk: int) -> None:
    """What a contest's page shows from elsewhere changed (e.g. an activity linked to it was
    published, edited or withdrawn by unionportal.core.services): move its updated_at."""
    Contest.objects.filter(pk=pk).update(updated_at=timezone.now())
