"""The access log: every look at personal data leaves an entry (append-only)."""

from django.utils.translation import gettext as _

from unionportal.core.http import client_ip
from unionportal.core.models import Union

from .. import identity
from ..models import AccessLog, HardshipFile


def access_log_write(
    *, user, union: Union | int, action: str, what: str, file: HardshipFile | None = None, request=None
) -> AccessLog:
    """Append one entry to the access log (the log is never changed afterwards)."""
    return AccessLog.objects.create(
        union_id=union if isinstance(union, int) else union.pk,
        user=user if user is not None and user.is_authenticated else None,
        username=getattr(user, "username", "") or "",
        action=action,
        file=file,
        what=what[:200],
        ip=(client_ip(request) or None) if request is not None else None,
    )


def access_log_id_search(*, user, files, what: str, request=None) -> None:
    """A search by a full ID number is a look at personal data: one entry per owning union of
    the files found (at most ten)."""
    for union_id in files.order_by().values_list("union_id", flat=True).distinct()[:10]:
        access_log_write(user=user, union=union_id, action=AccessLog.Action.SEARCH, what=what, request=request)


def access_log_view(*, user, file: HardshipFile | None, union: Union | int, what: str, request=None) -> AccessLog:
    """A page showing personal data was opened (desk or back office)."""
    return access_log_write(user=user, union=union, action=AccessLog.Action.VIEW, file=file, what=what, request=request)


def can_reveal(user) -> bool:
    """Revealing a clear ID number needs the explicit permission, on top of the welfare role."""
    return bool(user and user.is_authenticated and user.has_perm("welfare.reveal_id_number"))


def id_reveal(*, file: HardshipFile, user, request=None) -> str:
    """The clear ID number of a file the user may see, for a user allowed to reveal; logged."""
    from django.core.exceptions import PermissionDenied

    if not can_reveal(user) or not HardshipFile.objects.visible_to(user).filter(pk=file.pk).exists():
        raise PermissionDenied
    access_log_write(
        user=user,
        union=file.union_id,
        action=AccessLog.Action.REVEAL,
        file=file,
        what=_("ID number of file #{pk}").format(pk=file.pk),
        request=request,
    )
    return identity.decrypt(file.id_number_encrypted)
