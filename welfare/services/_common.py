"""What the welfare services share: the role check."""

from django.core.exceptions import PermissionDenied

from unionportal.core.models import Union
from unionportal.core.scoping import has_role

from ..models import WELFARE

CHAIR = ("chair",)


def require_welfare(user, union: Union) -> None:
    """Welfare staff of the union or above (None: a trusted caller such as a command or seeder)."""
    if user is not None and not has_role(user, union, WELFARE):
        raise PermissionDenied
