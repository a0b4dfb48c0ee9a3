"""The desk's workflow: the list, applications, their review, the plaque and later status changes."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.core.decorators import role_required
from unionportal.core.models import Role

from .. import selectors, services
from ..forms import PlaqueForm, ReviewForm, StudioApplyForm
from ..models import Studio

PAGE_SIZE = 20


def visible_studio(request: HttpRequest, pk) -> Studio:
    """A studio of the user's subtrees (any status), else 404: other unions' applications do not exist here."""
    studio = selectors.visible_studio(user=request.user, pk=pk)
    if studio is None:
        raise Http404
    return studio


def editable_studio(request: HttpRequest, pk) -> Studio:
    studio = selectors.editable_studio(user=request.user, pk=pk)
    if studio is None:
        raise Http404
    return studio


@role_required()
def desk_list(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status")
    q = request.GET.get("q", "").strip()
    studios = selectors.desk_studios(user=request.user, status=status, q=q)
    return render(
        request,
        "studios/desk_list.html",
        {
            "page": Paginator(studios, PAGE_SIZE).get_page(request.GET.get("page")),
            "pending": list(selectors.reviewable(user=request.user).select_related("union")[:50]),
            "statuses": Studio.Status.choices,
            "status": status,
            "q": q,
            "support": selectors.support_totals(studios=Studio.objects.visible_to(request.user)),
        },
    )


@role_required(Role.EDIT_ROLES)
def desk_apply(request: HttpRequest) -> HttpResponse:
    form = StudioApplyForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            studio = services.studio_apply(
                union=d["union"],
                by=request.user,
                leader=form.leader_fields(),
                fields_of_work=d["fields_of_work"],
                name=d["name"],
                kind=d["kind"],
                level=d["level"],
                founded_on=d["founded_on"],
                description=d["description"],
            )
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
        else:
            messages.success(request, _("Application submitted. A higher union will review it."))
            return redirect(studio.get_desk_url())
    elif request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    return render(request, "studios/desk_form.html", {"form": form, "heading": _("Apply for a new studio")})


@role_required()
def desk_detail(request: HttpRequest, pk: int) -> HttpResponse:
    studio = visible_studio(request, pk)
    can_edit, can_review = selectors.can_edit(request.user, studio), selectors.can_review(request.user, studio)
    context = {
        "studio": studio,
        "members": list(studio.members.all()),
        "counts": selectors.studio_counts(studio=studio),
        "reviews": list(studio.reviews.select_related("by", "union")),
        "recent": list(studio.achievements.all()[:20]),
        "targets": list(studio.targets.all()),
        "support": selectors.support_totals(studios=Studio.objects.filter(pk=studio.pk)),
        "can_edit": can_edit,
        "can_review": studio.status == Studio.Status.APPLYING and can_review,
        "can_oversee": studio.status in Studio.PUBLIC_STATUSES and can_review,
        "can_plaque": studio.status == Studio.Status.APPROVED and (can_edit or can_review),
        "eligibility": services.studio_eligibility_errors(studio=studio)
        if studio.status in (Studio.Status.APPLYING, Studio.Status.RETURNED)
        else [],
        "review_form": ReviewForm(),
        "plaque_form": PlaqueForm(initial={"on": timezone.localdate()}),
    }
    return render(request, "studios/desk_detail.html", context)


@require_POST
@role_required(Role.EDIT_ROLES)
def desk_review(request: HttpRequest, pk: int) -> HttpResponse:
    studio = visible_studio(request, pk)
    form = ReviewForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        services.studio_review(studio=studio, approve="approve" in request.POST, by=request.user, comment=comment)
    except ValidationError as e:
        for m in e.messages:
            messages.error(request, m)
    else:
        messages.success(
            request, _("Application approved.") if "approve" in request.POST else _("Application returned.")
        )
    return redirect(studio.get_desk_url())


@require_POST
@role_required(Role.EDIT_ROLES)
def desk_resubmit(request: HttpRequest, pk: int) -> HttpResponse:
    studio = editable_studio(request, pk)
    try:
        services.studio_resubmit(studio=studio, by=request.user)
    except ValidationError as e:
        messages.error(request, e.messages[0])
    else:
        messages.success(request, _("Application submitted again."))
    return redirect(studio.get_desk_url())


@require_POST
@role_required(Role.EDIT_ROLES)
def desk_plaque(request: HttpRequest, pk: int) -> HttpResponse:
    studio = visible_studio(request, pk)
    form = PlaqueForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the date of the plaque ceremony."))
        return redirect(studio.get_desk_url())
    d = form.cleaned_data
    try:
        services.studio_plaque(
            studio=studio,
            on=d["on"],
            by=request.user,
            place=d["place"],
            summary=d["summary"],
            participants=d["participants"] or 0,
        )
    except ValidationError as e:
        messages.error(request, e.messages[0])
    else:
        messages.success(request, _("Plaque ceremony recorded: the studio is active."))
    return redirect(studio.get_desk_url())


@require_POST
@role_required(Role.EDIT_ROLES)
def desk_status(request: HttpRequest, pk: int) -> HttpResponse:
    studio = visible_studio(request, pk)
    form = ReviewForm(request.POST)
    comment = form.cleaned_data["comment"] if form.is_valid() else ""
    try:
        services.studio_set_status(
            studio=studio, status=request.POST.get("status", ""), by=request.user, comment=comment
        )
    except ValidationError as e:
        messages.error(request, e.messages[0])
    else:
        messages.success(request, _("Status changed."))
    return redirect(studio.get_desk_url())
