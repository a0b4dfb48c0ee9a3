"""Yearly targets (set by the studio's union, assessed by the higher union) and support records."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.core.decorators import role_required

from .. import selectors, services
from ..forms import AssessForm, SupportForm, TargetForm
from ..models import Studio
from .desk import visible_studio


def _post(request: HttpRequest, studio: Studio, target_form: TargetForm, support_form: SupportForm) -> bool:
    """Handle one of the page's forms; True when saved. Bad input raises ValidationError or Http404."""
    action = request.POST.get("action")
    if action == "target" and target_form.is_valid():
        services.target_set(studio=studio, by=request.user, **target_form.cleaned_data)
        messages.success(request, _("Target saved."))
        return True
    if action in ("met", "behind"):
        target = selectors.target_in_studio(studio=studio, pk=request.POST.get("target"))
        if target is None:
            raise Http404
        form = AssessForm(request.POST)
        d = form.cleaned_data if form.is_valid() else {}
        services.target_assess(
            target=target,
            met=action == "met",
            evidence=d.get("evidence", ""),
            override_reason=d.get("override_reason", ""),
            by=request.user,
        )
        messages.success(request, _("Assessment saved."))
        return True
    if action == "support" and support_form.is_valid():
        services.support_add(studio=studio, by=request.user, **support_form.cleaned_data)
        messages.success(request, _("Support recorded."))
        return True
    messages.error(request, _("Please correct the errors below."))
    return False


@role_required()
def desk_targets(request: HttpRequest, pk: int) -> HttpResponse:
    studio = visible_studio(request, pk)
    today = timezone.localdate()
    data = request.POST if request.method == "POST" else None
    target_form = TargetForm(data if data and data.get("action") == "target" else None, initial={"year": today.year})
    support_form = SupportForm(
        data if data and data.get("action") == "support" else None,
        user=request.user,
        studio=studio,
        initial={"date": today},
    )
    if data is not None:
        try:
            if _post(request, studio, target_form, support_form):
                return redirect("studios:desk_targets", pk=studio.pk)
        except ValidationError as e:
            messages.error(request, " ".join(e.messages))
    return render(
        request,
        "studios/desk_targets.html",
        {
            "studio": studio,
            "targets": selectors.targets_with_results(studio=studio),
            "can_edit": selectors.can_edit(request.user, studio),
            "can_review": selectors.can_review(request.user, studio),
            "target_form": target_form,
            "support_form": support_form,
            "assess_form": AssessForm(),
            "support": selectors.support_totals(studios=Studio.objects.filter(pk=studio.pk)),
            "records": list(studio.support.select_related("union")[:50]),
            "can_support": support_form.fields["union"].queryset.exists(),
        },
    )
