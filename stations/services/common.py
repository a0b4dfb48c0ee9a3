"""Checks shared by the stations services."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied

from unionportal.core.models import Role
from unionportal.core.scoping import has_role

from ..models import Station


def check_may_edit(by: AbstractUser | None, station: Station) -> None:
    """Raise PermissionDenied unless `by` (None: the system, e.g. a seeder) may edit the station's union."""
    if by is not None and not has_role(by, station.union, Role.EDIT_ROLES):
        raise PermissionDenied


def is_public(station: Station) -> bool:
    """Whether the public may see the station (the finder's rule: Station.objects.public())."""
    return station.is_public and station.status in Station.PUBLIC_STATUSES
