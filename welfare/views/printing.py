"""Printable documents (print views, A4): the visit record, the masked public notice, the
sign-off sheet of a supply campaign. Each is scoped like the desk page it is printed from."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.core.decorators import role_required
from unionportal.core.ids import parse_id

from .. import selectors, services
from ..models import WELFARE, AccessLog
from .campaigns import _campaign_or_404


@role_required(WELFARE)
def visit_print(request: HttpRequest, pk: int) -> HttpResponse:
    """The hardship visit record (走访记录): one visit with the summary of its file."""
    visit = get_object_or_404(
        selectors.visits_visible(user=request.user).select_related("union", "file__union").prefetch_related("photos"),
        pk=pk,
    )
    services.access_log_view(
        user=request.user,
        union=visit.union_id,
        file=visit.file,
        what=_("Visit #{pk} printed").format(pk=visit.pk),
        request=request,
    )
    return render(request, "welfare/print/visit.html", {"visit": visit, "file": visit.file, "today": _today()})


@role_required(selectors.NOTICE_ROLES)
def notice_print(request: HttpRequest) -> HttpResponse:
    """The public notice (公示) of hardship files, masked, for the union's notice board.

    Chairs may print it as well as welfare staff (see selectors.NOTICE_ROLES): it shows masked
    names, the union, the category and the notice period only. `?union=` narrows it to one
    union's subtree; a union outside the user's is a 404.
    """
    union = None
    if "union" in request.GET:
        union_id = parse_id(request.GET.get("union"))
        if union_id is None:
            raise Http404
        union = get_object_or_404(selectors.notice_unions(user=request.user), pk=union_id)
    rows = selectors.notice_rows(user=request.user, union=union)
    # A look at (masked) personal data: one entry per owning union, as for a search.
    for union_id in sorted({r["union_id"] for r in rows})[:10]:
        services.access_log_write(
            user=request.user,
            union=union_id,
            action=AccessLog.Action.VIEW,
            what=_("Public notice printed"),
            request=request,
        )
    return render(
        request,
        "welfare/print/notice.html",
        {
            "rows": rows,
            "union": union,
            "unions": selectors.notice_unions(user=request.user).order_by("path")[:200],
            "today": _today(),
        },
    )


@role_required(WELFARE)
def campaign_signoff(request: HttpRequest, pk: int) -> HttpResponse:
    """The sign-off sheet (签收表) of a campaign: every recipient of its subtree, what they
    received and their captured signature; blank rows for those still to sign on paper."""
    campaign = _campaign_or_404(request, pk)
    rows = selectors.signoff_rows(user=request.user, campaign=campaign)
    return render(
        request,
        "welfare/print/signoff.html",
        {"campaign": campaign, "rows": rows, "items": list(campaign.items.all()), "today": _today()},
    )


def _today():
    return timezone.localdate()
