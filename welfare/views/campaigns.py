"""Supply distributions: campaigns, completeness per unit, the handout form."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from unionportal.core.decorators import role_required
from unionportal.core.models import Union

from .. import selectors, services
from ..models import (
    WELFARE,
    Campaign,
)
from ..services.campaigns import SIGNATURE_MAX_BYTES
from ._common import _errors


@role_required(WELFARE)
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = (
        selectors.campaigns_visible(user=request.user)
        .select_related("union")
        .annotate(handed=Count("handouts", distinct=True))
    )
    return render(request, "welfare/campaign_list.html", {"campaigns": campaigns})


def _campaign_or_404(request: HttpRequest, pk: int) -> Campaign:
    return get_object_or_404(selectors.campaigns_visible(user=request.user).select_related("union"), pk=pk)


@role_required(WELFARE)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Stock per item and completeness per unit: who has not received their share yet."""
    campaign = _campaign_or_404(request, pk)
    employees = selectors.employees_visible(user=request.user).filter(union__path__startswith=campaign.union.path)
    done = set(campaign.handouts.values_list("employee_id", flat=True))
    per_unit: dict[int, dict] = {}
    units = dict(Union.objects.filter(path__startswith=campaign.union.path).values_list("pk", "name"))
    for emp in employees.order_by("union_id", "staff_number", "pk").only("pk", "name", "staff_number", "union_id"):
        unit = per_unit.setdefault(emp.union_id, {"name": units.get(emp.union_id, ""), "total": 0, "missing": []})
        unit["total"] += 1
        if emp.pk not in done:
            unit["missing"].append(emp)
    rows = [dict(u, done=u["total"] - len(u["missing"])) for u in per_unit.values()]
    return render(
        request,
        "welfare/campaign_detail.html",
        {
            "campaign": campaign,
            "items": campaign.items.all(),
            "units": rows,
            "all_done": all(not r["missing"] for r in rows),
        },
    )


def _signature_echo(value: str) -> str:
    """A drawn signature posted back to the page, if it looks like one (the service checks it)."""
    prefix = "data:image/png;base64,"
    limit = len(prefix) + SIGNATURE_MAX_BYTES * 4 // 3 + 4
    return value if value.startswith(prefix) and len(value) <= limit else ""


@role_required(WELFARE)
def handout_create(request: HttpRequest, pk: int, employee_pk: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk)
    employee = get_object_or_404(
        selectors.employees_visible(user=request.user).select_related("union"),
        pk=employee_pk,
        union__path__startswith=campaign.union.path,
    )
    items = list(campaign.items.all())
    code = signature = ""
    if request.method == "POST" and "issue_code" in request.POST:
        code = services.handout_code_issue(campaign=campaign, employee=employee)
    elif request.method == "POST":
        quantities = {item.pk: request.POST.get(f"item_{item.pk}", "") for item in items}
        try:
            services.handout_record(
                campaign=campaign,
                employee=employee,
                quantities=quantities,
                by=request.user,
                signature=request.POST.get("signature", ""),
                code=request.POST.get("code", ""),
                override_reason=request.POST.get("override_reason", ""),
            )
        except PermissionDenied as e:
            messages.error(request, str(e) or _("Not allowed."))
        except ValidationError as e:
            messages.error(request, _errors(e))
        else:
            messages.success(request, _("Handout to {name} confirmed.").format(name=employee.name))
            return redirect(campaign)
        # Another mistake (a quantity, the share) must not cost the recipient their signature.
        signature = _signature_echo(request.POST.get("signature", ""))
    return render(
        request,
        "welfare/handout_form.html",
        {
            "campaign": campaign,
            "employee": employee,
            "items": items,
            "code": code,
            "signature": signature,
        },
    )
