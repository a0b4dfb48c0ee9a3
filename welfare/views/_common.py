"""Shared by the welfare desk pages."""

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils import timezone

from unionportal.core.scoping import union_scope

from .. import services
from ..models import (
    WELFARE,
    AccessLog,
)

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


def _errors(e: ValidationError) -> str:
    return " ".join(e.messages)


def _log_export(request: HttpRequest, what: str, action: str = AccessLog.Action.EXPORT) -> None:
    # One entry per top union of the user's welfare scope, so every chair concerned sees it.
    scope = union_scope(request.user, WELFARE)
    tops = list(scope.order_by("depth", "path")[:50])
    roots = []
    for u in tops:
        if not any(u.path.startswith(r.path) for r in roots):
            roots.append(u)
    for u in roots[:10]:
        services.access_log_write(user=request.user, union=u, action=action, what=what, request=request)
