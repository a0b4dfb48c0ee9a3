from collections.abc import Callable, Iterable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

from .scoping import holds_any


def role_required(roles: Iterable[str] | None = None) -> Callable:
    """Signed in and holding one of `roles` somewhere (any role when None)."""
    roles = tuple(roles) if roles is not None else None

    def decorator(view):
        @wraps(view)
        @login_required
        def wrapped(request, *args, **kwargs):
            if not holds_any(request.user, roles):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
