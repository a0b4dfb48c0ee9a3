"""The welfare access log, for chairs (who looked at personal data, when and from where)."""

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from unionportal.core.decorators import role_required

from .. import selectors
from ..models import (
    AccessLog,
)


@role_required(("chair",))
def access_log(request: HttpRequest) -> HttpResponse:
    entries = selectors.access_log_visible(user=request.user).select_related("union")
    action = request.GET.get("action")
    if action in AccessLog.Action.values:
        entries = entries.filter(action=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "welfare/access_log.html", {"page": page, "actions": AccessLog.Action.choices})
