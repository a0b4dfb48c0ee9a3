"""Minimum living lines: city-wide figures that drive every union's suggested category.

Only their owning level changes them: welfare staff of the line's union or a union above it
(or a superuser). Every change is kept in the line's history.
"""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from unionportal.core.scoping import has_role

from ..eligibility import enclosing
from ..models import WELFARE, MinimumLivingLine


def _require_owner(by, line: MinimumLivingLine) -> None:
    if by is not None and not has_role(by, line.union, WELFARE):
        raise PermissionDenied


@transaction.atomic
def line_save(*, line: MinimumLivingLine, by: AbstractUser | None, reason: str = "") -> MinimumLivingLine:
    """Create or change a line (the owning level only); the history keeps who and why."""
    _require_owner(by, line)
    if line.pk:
        before = MinimumLivingLine.objects.select_related("union").get(pk=line.pk)
        _require_owner(by, before)
    if line.union.region and enclosing(line.region, [line.union.region]) is None:
        # A district's officers cannot set the line of the city that contains them.
        raise ValidationError(
            _("A union sets the lines of its own region only ({region}).").format(region=line.union.region)
        )
    line.full_clean()
    line._change_reason = reason[:100] if reason else None
    if by is not None:
        line._history_user = by
    line.save()
    return line


@transaction.atomic
def line_delete(*, line: MinimumLivingLine, by: AbstractUser | None) -> None:
    """Delete a line (the owning level only); the history keeps the deleted row."""
    _require_owner(by, line)
    if by is not None:
        line._history_user = by
    line.delete()
