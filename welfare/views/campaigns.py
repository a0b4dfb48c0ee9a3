"""Supply distributions: campaigns, completeness per unit, the handout form."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.core.decorators import role_required
from unionportal.core.models import Union

from .. import selectors, services
from ..forms import CampaignForm, CampaignItemForm, EmployeeForm, ReceiveForm
from ..models import (
    WELFARE,
    Campaign,
    CampaignItem,
    Employee,
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
            "item_form": CampaignItemForm(prefix="item"),
            "employee_form": EmployeeForm(prefix="employee", user=request.user, campaign=campaign),
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


def _service_error(request: HttpRequest, error: Exception) -> None:
    if isinstance(error, ValidationError):
        messages.error(request, _errors(error))
    else:
        messages.error(request, str(error) or _("Not allowed."))


def _form_errors(request: HttpRequest, form) -> None:
    errors = []
    for name, problems in form.errors.items():
        label = form.fields[name].label if name in form.fields else ""
        errors.append(f"{label}: {' '.join(problems)}" if label else " ".join(problems))
    messages.error(request, " ".join(errors) or _("Please correct the errors below."))


@role_required(WELFARE)
def campaign_form(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    """Create a campaign, or edit its title, union, start date and note."""
    campaign = _campaign_or_404(request, pk) if pk is not None else None
    form = CampaignForm(request.POST or None, instance=campaign, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            campaign = services.campaign_save(campaign=form.instance, by=request.user)
        except (ValidationError, PermissionDenied) as e:
            _service_error(request, e)
        else:
            messages.success(request, _("Campaign saved."))
            return redirect(campaign)
    elif request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    return render(request, "welfare/campaign_form.html", {"form": form, "campaign": campaign})


@require_POST
@role_required(WELFARE)
def campaign_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk)
    form = CampaignItemForm(request.POST, prefix="item", instance=CampaignItem(campaign=campaign))
    if form.is_valid():
        try:
            item = services.item_save(item=form.instance, by=request.user)
        except (ValidationError, PermissionDenied) as e:
            _service_error(request, e)
        else:
            messages.success(request, _("{item} added.").format(item=item.name))
    else:
        _form_errors(request, form)
    return redirect(campaign)


@require_POST
@role_required(WELFARE)
def campaign_item_receive(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    """Stock received for an item: added to what was received and to what is left."""
    campaign = _campaign_or_404(request, pk)
    item = get_object_or_404(campaign.items.select_related("campaign__union"), pk=item_pk)
    form = ReceiveForm(request.POST)
    if form.is_valid():
        try:
            services.campaign_receive(item=item, quantity=form.cleaned_data["quantity"], by=request.user)
        except (ValidationError, PermissionDenied) as e:
            _service_error(request, e)
        else:
            messages.success(request, _("Stock of {item} updated.").format(item=item.name))
    else:
        _form_errors(request, form)
    return redirect(campaign)


@require_POST
@role_required(WELFARE)
def campaign_employee_add(request: HttpRequest, pk: int) -> HttpResponse:
    """An employee added to the roster of a unit within the campaign's union."""
    campaign = _campaign_or_404(request, pk)
    form = EmployeeForm(request.POST, prefix="employee", instance=Employee(), user=request.user, campaign=campaign)
    if form.is_valid():
        try:
            employee = services.employee_save(employee=form.instance, by=request.user)
        except (ValidationError, PermissionDenied) as e:
            _service_error(request, e)
        else:
            messages.success(request, _("{name} added to the roster.").format(name=employee.name))
    else:
        _form_errors(request, form)
    return redirect(campaign)


@role_required(WELFARE)
def campaign_employee_edit(request: HttpRequest, pk: int, employee_pk: int) -> HttpResponse:
    """Correct or remove an employee of a roster within the campaign's union (the back office
    is read-only for staff now that rosters are kept here)."""
    campaign = _campaign_or_404(request, pk)
    employee = get_object_or_404(
        selectors.employees_visible(user=request.user).select_related("union"),
        pk=employee_pk,
        union__path__startswith=campaign.union.path,
    )
    if request.method == "POST" and "delete" in request.POST:
        name = employee.name
        try:
            services.employee_delete(employee=employee, by=request.user)
        except (ValidationError, PermissionDenied) as e:
            _service_error(request, e)
            return redirect("welfare:campaign_employee_edit", pk=campaign.pk, employee_pk=employee.pk)
        messages.success(request, _("{name} removed from the roster.").format(name=name))
        return redirect(campaign)
    form = EmployeeForm(request.POST or None, instance=employee, user=request.user, campaign=campaign)
    if request.method == "POST" and form.is_valid():
        try:
            services.employee_save(employee=form.instance, by=request.user)
        except (ValidationError, PermissionDenied) as e:
            _service_error(request, e)
        else:
            messages.success(request, _("{name} saved.").format(name=employee.name))
            return redirect(campaign)
    elif request.method == "POST":
        messages.error(request, _("Please correct the errors below."))
    return render(request, "welfare/employee_form.html", {"form": form, "campaign": campaign, "employee": employee})
