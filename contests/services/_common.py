"""Helpers shared by the contests services."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied

from ..models import Contest


def require_editor(contest: Contest, by: AbstractUser | None) -> None:
    """`by` organises the contest (edit role in its union's subtree); None is the system (seeder, command)."""
    if by is not None and not Contest.objects.editable_by(by).filter(pk=contest.pk).exists():
        raise PermissionDenied
