"""Demand points: where outdoor workers gather, for the coverage page."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied
from django.db import transaction

from unionportal.core.models import Role
from unionportal.core.scoping import has_role

from ..models import DemandPoint


def _check(by: AbstractUser | None, point: DemandPoint) -> None:
    if by is not None and not has_role(by, point.union, Role.EDIT_ROLES):
        raise PermissionDenied


@transaction.atomic
def demand_point_save(*, point: DemandPoint, by: AbstractUser | None = None) -> DemandPoint:
    """Validate and save a demand point of a union the user may edit."""
    if point.pk:
        before = DemandPoint.objects.select_related("union").filter(pk=point.pk).first()
        if before is not None:
            _check(by, before)
    _check(by, point)
    point.full_clean()
    point.save()
    return point


@transaction.atomic
def demand_point_delete(*, point: DemandPoint, by: AbstractUser | None = None) -> None:
    _check(by, point)
    point.delete()
