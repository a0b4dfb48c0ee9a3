from django.conf import settings

from . import registry
from .models import Role
from .scoping import holds_any


def portal(request) -> dict:
    user = getattr(request, "user", None)
    return {
        "nav_public": [n for n in registry.NAV if not n.desk],
        # Desk links only for those whose roles open them (one cached query per request).
        "nav_desk": lambda: [n for n in registry.NAV if n.desk and (n.roles is None or holds_any(user, n.roles))],
        # What the user's roles allow, for templates that show a button only to those it serves.
        "can": Can(user),
        "account_url": _account_url,
        "LANGUAGES": settings.LANGUAGES,
    }


def _account_url() -> str:
    from .views import account_url

    return account_url()


class Can:
    """`{% if can.edit %}`: lazily answers whether the user holds roles (one cached query)."""

    def __init__(self, user):
        self._user = user

    @property
    def desk(self) -> bool:  # any role: the desk opens
        return holds_any(self._user, None)

    @property
    def edit(self) -> bool:
        return holds_any(self._user, Role.EDIT_ROLES)

    @property
    def judge(self) -> bool:
        return holds_any(self._user, (*Role.EDIT_ROLES, Role.Kind.JUDGE))

    @property
    def welfare(self) -> bool:
        return holds_any(self._user, Role.WELFARE_ROLES)
