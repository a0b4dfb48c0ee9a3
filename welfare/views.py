"""Staff pages of welfare, all under /desk/: a welfare role is required and every queryset scoped."""

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.core.decorators import role_required
from unionportal.core.models import Union
from unionportal.core.scoping import union_scope

from . import reports, services
from .forms import (
    AdvanceForm,
    AssistanceForm,
    CategoryForm,
    FileForm,
    ImportForm,
    MemberFormSet,
    PeriodForm,
    ReviewForm,
    VisitForm,
)
from .models import (
    WELFARE,
    AccessLog,
    Assistance,
    Campaign,
    Employee,
    FileEvent,
    Handout,
    HandoutLine,
    HardshipFile,
    Visit,
    VisitPhoto,
    YearlyCap,
)

PAGE_SIZE = 25
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


def _errors(e: ValidationError) -> str:
    return " ".join(e.messages)


# --- Files --------------------------------------------------------------------------------


def _params(request: HttpRequest):
    # Searches are posted, so that a full ID number never lands in a URL, a server log,
    # the browser history or a Referer header.
    return request.POST if request.method == "POST" else request.GET


def _is_full_id(q: str) -> bool:
    return len(q.replace(" ", "")) == 18


def _filtered_files(request: HttpRequest):
    params = _params(request)
    files = HardshipFile.objects.visible_to(request.user)
    q = params.get("q", "").strip()
    if q:
        files = files.search(q)
    status = params.get("status")
    if status in HardshipFile.Status.values:
        files = files.filter(status=status)
    category = params.get("category")
    if category in HardshipFile.Category.values:
        files = files.filter(category=category)
    if params.get("overdue"):
        files = files.overdue_for_review()
    return files, q


@role_required(WELFARE)
def file_list(request: HttpRequest) -> HttpResponse:
    files, q = _filtered_files(request)
    if request.method == "POST" and not _is_full_id(q):
        # Names and phone fragments may sit in the URL, where paging and sharing work.
        keep = {k: request.POST[k] for k in ("q", "status", "category", "overdue") if request.POST.get(k)}
        return redirect(f"{reverse('welfare:file_list')}?{urlencode(keep)}")
    if q and _is_full_id(q):
        _log_id_search(request, files)
    page = Paginator(files.select_related("union").order_by("-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "welfare/file_list.html",
        {
            "page": page,
            "q": q,
            "status": _params(request).get("status", ""),
            "category": _params(request).get("category", ""),
            "statuses": HardshipFile.Status.choices,
            "categories": HardshipFile.Category.choices,
        },
    )


def _log_id_search(request: HttpRequest, files) -> None:
    services.access_log_id_search(user=request.user, files=files, what=_("Search by a full ID number"), request=request)


@role_required(WELFARE)
def file_create(request: HttpRequest) -> HttpResponse:
    form = FileForm(request.POST or None, user=request.user)
    members = MemberFormSet(request.POST or None, prefix="m")
    if request.method == "POST":
        if form.is_valid() and members.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k not in ("union", "id_number")}
            try:
                file = services.file_create(
                    union=form.cleaned_data["union"],
                    by=request.user,
                    id_number=form.cleaned_data["id_number"],
                    members=[m for m in members.cleaned_data if m],
                    **data,
                )
            except ValidationError as e:
                messages.error(request, _errors(e))
            else:
                messages.success(request, _("Hardship file opened."))
                return redirect(file)
        else:
            messages.error(request, _("Please correct the errors below."))
    return render(request, "welfare/file_form.html", {"form": form, "members": members})


def _file_or_404(request: HttpRequest, pk: int) -> HardshipFile:
    return get_object_or_404(HardshipFile.objects.visible_to(request.user).select_related("union"), pk=pk)


@role_required(WELFARE)
def file_edit(request: HttpRequest, pk: int) -> HttpResponse:
    file = _file_or_404(request, pk)
    form = FileForm(request.POST or None, instance=file, user=request.user)
    initial = [{"name": m.name, "relation": m.relation, "yearly_income": m.yearly_income} for m in file.members.all()]
    members = MemberFormSet(request.POST or None, prefix="m", initial=initial)
    if request.method == "POST":
        if form.is_valid() and members.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k != "id_number"}
            try:
                services.file_update(file=file, by=request.user, id_number=form.cleaned_data["id_number"], **data)
                services.household_set(file=file, members=[m for m in members.cleaned_data if m])
            except ValidationError as e:
                messages.error(request, _errors(e))
            else:
                messages.success(request, _("Hardship file saved."))
                return redirect(file)
        else:
            messages.error(request, _("Please correct the errors below."))
    return render(request, "welfare/file_form.html", {"form": form, "members": members, "file": file})


@role_required(WELFARE)
def file_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _file_page(request, _file_or_404(request, pk))


def _file_page(request: HttpRequest, file: HardshipFile, revealed: str = "") -> HttpResponse:
    services.access_log_write(
        user=request.user,
        union=file.union_id,
        action=AccessLog.Action.VIEW,
        file=file,
        what=_("File #{pk}").format(pk=file.pk),
        request=request,
    )
    visits = file.visits.select_related("union").prefetch_related("photos")
    events = FileEvent.objects.filter(file=file).select_related("by")
    assistance = list(file.assistance.all())
    return render(
        request,
        "welfare/file_detail.html",
        {
            "file": file,
            "members": file.members.all(),
            "visits": visits,
            "events": events,
            "assistance": assistance,
            "assistance_total": sum((a.amount for a in assistance), Decimal(0)),
            "revealed": revealed,
            "can_reveal": services.can_reveal(request.user),
            "category_form": CategoryForm(initial={"category": file.category or file.suggested_category}),
            "advance_form": AdvanceForm(),
            "review_form": ReviewForm(initial={"status": file.status}),
            "assistance_form": AssistanceForm(),
        },
    )


@require_POST
@role_required(WELFARE)
def file_reveal(request: HttpRequest, pk: int) -> HttpResponse:
    file = _file_or_404(request, pk)
    if not services.can_reveal(request.user):
        raise PermissionDenied
    number = services.id_reveal(file=file, user=request.user, request=request)
    return _file_page(request, file, revealed=number)


@require_POST
@role_required(WELFARE)
def file_category(request: HttpRequest, pk: int) -> HttpResponse:
    file = _file_or_404(request, pk)
    form = CategoryForm(request.POST)
    if form.is_valid():
        try:
            services.file_set_category(file=file, by=request.user, **form.cleaned_data)
            messages.success(request, _("Category saved."))
        except ValidationError as e:
            messages.error(request, _errors(e))
    else:
        messages.error(request, _("Choose a category."))
    return redirect(file)


@require_POST
@role_required(WELFARE)
def file_advance(request: HttpRequest, pk: int) -> HttpResponse:
    file = _file_or_404(request, pk)
    form = AdvanceForm(request.POST)
    if form.is_valid():
        try:
            services.file_advance(file=file, by=request.user, reject="reject" in request.POST, **form.cleaned_data)
            messages.success(request, _("Workflow step recorded."))
        except ValidationError as e:
            messages.error(request, _errors(e))
    return redirect(file)


@require_POST
@role_required(WELFARE)
def file_review(request: HttpRequest, pk: int) -> HttpResponse:
    file = _file_or_404(request, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        services.file_review(file=file, by=request.user, **form.cleaned_data)
        messages.success(request, _("Review recorded."))
    else:
        messages.error(request, _("Choose a status."))
    return redirect(file)


@require_POST
@role_required(WELFARE)
def file_assistance(request: HttpRequest, pk: int) -> HttpResponse:
    file = _file_or_404(request, pk)
    form = AssistanceForm(request.POST)
    if form.is_valid():
        try:
            services.assistance_add(file=file, by=request.user, **form.cleaned_data)
            messages.success(request, _("Assistance measure recorded."))
        except ValidationError as e:
            messages.error(request, _errors(e))
    else:
        messages.error(request, " ".join(str(m) for errs in form.errors.values() for m in errs))
    return redirect(file)


@role_required(WELFARE)
def review_list(request: HttpRequest) -> HttpResponse:
    files = HardshipFile.objects.visible_to(request.user).overdue_for_review().select_related("union")
    page = Paginator(files.order_by("review_due", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "welfare/review_list.html", {"page": page})


@role_required(WELFARE)
def notice_list(request: HttpRequest) -> HttpResponse:
    """The public-notice list (公示) to print and post: names and ID numbers masked."""
    files = HardshipFile.objects.visible_to(request.user).filter(stage=HardshipFile.Stage.NOTICE)
    files = files.select_related("union").order_by("union__path", "pk")
    return render(request, "welfare/notice_list.html", {"files": files})


@role_required(WELFARE)
def file_export(request: HttpRequest) -> HttpResponse:
    files, _q = _filtered_files(request)
    reveal = request.GET.get("reveal") == "1"
    if reveal and not services.can_reveal(request.user):
        raise PermissionDenied
    start, end = reports.default_period()
    data = _report(request.user, None, start, end)
    content = reports.report_workbook(data=data, union=None, files=files, reveal=reveal)
    _log_export(request, _("Excel export of hardship files") + (" " + _("(ID numbers revealed)") if reveal else ""))
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="welfare-files-{_stamp()}.xlsx"'
    return response


def _log_export(request: HttpRequest, what: str) -> None:
    # One entry per top union of the user's welfare scope, so every chair concerned sees it.
    scope = union_scope(request.user, WELFARE)
    tops = list(scope.order_by("depth", "path")[:50])
    roots = []
    for u in tops:
        if not any(u.path.startswith(r.path) for r in roots):
            roots.append(u)
    for u in roots[:10]:
        services.access_log_write(
            user=request.user, union=u, action=AccessLog.Action.EXPORT, what=what, request=request
        )


@role_required(WELFARE)
def file_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list = []
    if request.method == "POST" and form.is_valid():
        from openpyxl import load_workbook

        try:
            wb = load_workbook(form.cleaned_data["spreadsheet"], read_only=True, data_only=True)
            rows = list(wb.worksheets[0].iter_rows(min_row=2, max_row=5001, values_only=True))
        except Exception:  # noqa: BLE001 - any unreadable workbook is the user's input, not a crash
            messages.error(request, _("This Excel file could not be read."))
        else:
            result = services.files_import(rows=rows, by=request.user)
            if result.errors:
                errors = result.errors
                messages.error(request, _("Nothing was imported: correct the rows below and try again."))
            else:
                _log_export(request, _("Imported {n} hardship files").format(n=result.created))
                messages.success(request, _("{n} hardship files imported.").format(n=result.created))
                return redirect("welfare:file_list")
    return render(request, "welfare/file_import.html", {"form": form, "errors": errors})


@role_required(WELFARE)
def worker_search(request: HttpRequest) -> HttpResponse:
    """The htmx fragment of the visit form: workers by name or phone fragment, scoped."""
    q = _params(request).get("q", "").strip()
    files = HardshipFile.objects.visible_to(request.user).search(q) if q else HardshipFile.objects.none()
    if q and _is_full_id(q):
        _log_id_search(request, files)
    files = files.select_related("union")[:10]
    return render(request, "welfare/_worker_results.html", {"files": files, "q": q})


# --- Visits -------------------------------------------------------------------------------


@role_required(WELFARE)
def visit_create(request: HttpRequest) -> HttpResponse:
    files_qs = HardshipFile.objects.visible_to(request.user)
    initial = {"date": timezone.localdate()}
    picked = None
    if request.GET.get("file", "").isdigit():
        picked = files_qs.select_related("union").filter(pk=request.GET["file"]).first()
        if picked:
            initial["file"] = picked.pk
    form = VisitForm(request.POST or None, request.FILES or None, user=request.user, files_qs=files_qs, initial=initial)
    if request.method == "POST":
        if form.is_valid():
            data = {k: v for k, v in form.cleaned_data.items() if k not in ("union", "photos", "file")}
            try:
                visit = services.visit_create(
                    union=form.cleaned_data["union"],
                    file=form.cleaned_data["file"],
                    by=request.user,
                    photos=form.cleaned_data["photos"],
                    **data,
                )
            except (ValidationError, PermissionDenied) as e:
                messages.error(request, _errors(e) if isinstance(e, ValidationError) else _("Not allowed."))
            else:
                messages.success(request, _("Visit logged."))
                return redirect(visit.file or visit)
        else:
            messages.error(request, _("Please correct the errors below."))
        picked = form.cleaned_data.get("file") if hasattr(form, "cleaned_data") else None
    return render(request, "welfare/visit_form.html", {"form": form, "picked": picked})


@role_required(WELFARE)
def visit_list(request: HttpRequest) -> HttpResponse:
    visits = Visit.objects.visible_to(request.user).select_related("union", "file")
    occasion = request.GET.get("occasion")
    if occasion in Visit.Occasion.values:
        visits = visits.filter(occasion=occasion)
    page = Paginator(visits, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "welfare/visit_list.html",
        {
            "page": page,
            "occasions": Visit.Occasion.choices,
            "occasion": occasion,
        },
    )


@role_required(WELFARE)
def visit_detail(request: HttpRequest, pk: int) -> HttpResponse:
    visit = get_object_or_404(
        Visit.objects.visible_to(request.user).select_related("union", "file").prefetch_related("photos"), pk=pk
    )
    services.access_log_write(
        user=request.user,
        union=visit.union_id,
        action=AccessLog.Action.VIEW,
        file=visit.file,
        what=_("Visit #{pk}").format(pk=visit.pk),
        request=request,
    )
    return render(request, "welfare/visit_detail.html", {"visit": visit})


@role_required(WELFARE)
def visit_export(request: HttpRequest) -> StreamingHttpResponse:
    visits = Visit.objects.visible_to(request.user)
    _log_export(request, _("CSV export of visits"))
    response = StreamingHttpResponse(reports.visits_csv(visits), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="welfare-visits-{_stamp()}.csv"'
    return response


@role_required(WELFARE)
def visit_photo(request: HttpRequest, pk: int, size: str) -> FileResponse:
    """A visit photo, for those who may see the visit only."""
    photo = get_object_or_404(VisitPhoto.objects.filter(visit__in=Visit.objects.visible_to(request.user)), pk=pk)
    field = photo.thumbnail if size == "thumb" else photo.image
    return _private_file(field)


@role_required(WELFARE)
def handout_signature(request: HttpRequest, pk: int) -> FileResponse:
    handout = get_object_or_404(Handout.objects.visible_to(request.user).exclude(signature=""), pk=pk)
    return _private_file(handout.signature)


def _private_file(field) -> FileResponse:
    try:
        response = FileResponse(field.open("rb"), content_type="image/jpeg")
    except FileNotFoundError:
        raise Http404 from None
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response


# --- Supplies -----------------------------------------------------------------------------


@role_required(WELFARE)
def campaign_list(request: HttpRequest) -> HttpResponse:
    campaigns = (
        Campaign.objects.visible_to(request.user)
        .select_related("union")
        .annotate(handed=Count("handouts", distinct=True))
    )
    return render(request, "welfare/campaign_list.html", {"campaigns": campaigns})


def _campaign_or_404(request: HttpRequest, pk: int) -> Campaign:
    return get_object_or_404(Campaign.objects.visible_to(request.user).select_related("union"), pk=pk)


@role_required(WELFARE)
def campaign_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Stock per item and completeness per unit: who has not received their share yet."""
    campaign = _campaign_or_404(request, pk)
    employees = Employee.objects.visible_to(request.user).filter(union__path__startswith=campaign.union.path)
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


@role_required(WELFARE)
def handout_create(request: HttpRequest, pk: int, employee_pk: int) -> HttpResponse:
    campaign = _campaign_or_404(request, pk)
    employee = get_object_or_404(
        Employee.objects.visible_to(request.user).select_related("union"),
        pk=employee_pk,
        union__path__startswith=campaign.union.path,
    )
    items = list(campaign.items.all())
    code = ""
    if request.method == "POST" and "issue_code" in request.POST:
        code = services.handout_code_issue(campaign=campaign, employee=employee)
    elif request.method == "POST":
        quantities = {}
        try:
            for item in items:
                raw = request.POST.get(f"item_{item.pk}", "0").strip() or "0"
                if not raw.isdigit() or len(raw) > 6:
                    raise ValidationError(_("Quantities must be whole numbers, not negative."))
                quantities[item.pk] = int(raw)
            services.handout_record(
                campaign=campaign,
                employee=employee,
                quantities=quantities,
                by=request.user,
                signature=request.POST.get("signature", ""),
                code=request.POST.get("code", ""),
            )
        except ValidationError as e:
            messages.error(request, _errors(e))
        else:
            messages.success(request, _("Handout to {name} confirmed.").format(name=employee.name))
            return redirect(campaign)
    return render(
        request,
        "welfare/handout_form.html",
        {
            "campaign": campaign,
            "employee": employee,
            "items": items,
            "code": code,
        },
    )


@role_required(WELFARE)
def festival_plan(request: HttpRequest) -> HttpResponse:
    """Households due a Spring Festival visit this season, by subsidiary, against the yearly cap."""
    today = timezone.localdate()
    start, end = reports.due_this_season(today)
    files = HardshipFile.objects.visible_to(request.user)
    due = list(
        reports.files_needing_visit(files, start, end).select_related("union").order_by("union__path", "pk")[:2000]
    )
    year = end.year if today.month <= 2 else today.year
    given = reports.yearly_given([f.pk for f in due], year)
    caps = list(YearlyCap.objects.filter(year=year).select_related("union"))
    groups: dict[int, dict] = defaultdict(lambda: {"union": None, "rows": []})
    for f in due:
        cap = services.cap_for(f.union, caps)
        total = given.get(f.pk, Decimal(0))
        g = groups[f.union_id]
        g["union"] = f.union
        g["rows"].append(
            {
                "file": f,
                "given": total,
                "cap": cap,
                "room": (cap - total) if cap is not None else None,
                "over": cap is not None and total >= cap,
            }
        )
    return render(
        request,
        "welfare/festival_plan.html",
        {
            "groups": list(groups.values()),
            "start": start,
            "end": end,
            "year": year,
            "count": len(due),
        },
    )


# --- Reports and the access log ----------------------------------------------------------


def _report(user, union: Union | None, start: dt.date, end: dt.date) -> dict:
    files = HardshipFile.objects.visible_to(user)
    visits = Visit.objects.visible_to(user)
    assistance = Assistance.objects.visible_to(user)
    lines = HandoutLine.objects.filter(handout__in=_handouts(user))
    if union is not None:
        files = files.filter(union__path__startswith=union.path)
        visits = visits.filter(union__path__startswith=union.path)
        assistance = assistance.filter(union__path__startswith=union.path)
        lines = lines.filter(handout__union__path__startswith=union.path)
    return reports.report_data(files=files, visits=visits, assistance=assistance, lines=lines, start=start, end=end)


def _handouts(user):
    return Handout.objects.visible_to(user).values("pk")


@role_required(WELFARE)
def report(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.GET or None, user=request.user)
    start, end = reports.default_period()
    union = None
    if form.is_bound and form.is_valid():
        union = form.cleaned_data["union"]
        start = form.cleaned_data["start"] or start
        end = form.cleaned_data["end"] or end
    data = _report(request.user, union, start, end)
    if request.GET.get("format") == "xlsx":
        reveal = request.GET.get("reveal") == "1"
        if reveal and not services.can_reveal(request.user):
            raise PermissionDenied
        files = HardshipFile.objects.visible_to(request.user)
        if union is not None:
            files = files.filter(union__path__startswith=union.path)
        content = reports.report_workbook(data=data, union=union, files=files, reveal=reveal)
        _log_export(request, _("Excel welfare report") + (" " + _("(ID numbers revealed)") if reveal else ""))
        response = HttpResponse(content, content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="welfare-report-{_stamp()}.xlsx"'
        return response
    return render(
        request,
        "welfare/report.html",
        {
            "form": form,
            "data": data,
            "chart": reports.chart_data(data),
            "union": union,
            "can_reveal": services.can_reveal(request.user),
        },
    )


@role_required(("chair",))
def access_log(request: HttpRequest) -> HttpResponse:
    entries = AccessLog.objects.visible_to(request.user).select_related("union")
    action = request.GET.get("action")
    if action in AccessLog.Action.values:
        entries = entries.filter(action=action)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "welfare/access_log.html", {"page": page, "actions": AccessLog.Action.choices})
