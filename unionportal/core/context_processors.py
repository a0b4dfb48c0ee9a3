from django.conf import settings

from . import registry


def portal(request) -> dict:
    return {
        "nav_public": [n for n in registry.NAV if not n.desk],
        "nav_desk": [n for n in registry.NAV if n.desk],
        "LANGUAGES": settings.LANGUAGES,
    }
