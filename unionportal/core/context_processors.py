from django.conf import settings

from . import registry
from .scoping import holds_any


def portal(request) -> dict:
    user = getattr(request, "user", None)
    return {
        "nav_public": [n for n in registry.NAV if not n.desk],
        # Desk links only for those whose roles open them (one cached query per request).
        "nav_desk": lambda: [n for n in registry.NAV if n.desk and (n.roles is None or holds_any(user, n.roles))],
        "LANGUAGES": settings.LANGUAGES,
    }
