"""Hardship files on the desk: list and search (posted), open, edit, the workflow, reviews, notice."""

from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.core.decorators import role_required

from .. import selectors, services
from ..forms import (
    AdvanceForm,
    AssistanceForm,
    CategoryForm,
    FileForm,
    MemberFormSet,
    ReviewForm,
)
from ..models import (
    WELFARE,
    FileEvent,
    HardshipFile,
)
from ._common import PAGE_SIZE, _errors


def _params(request: HttpRequest):
    # Searches are posted, so that a full ID number never lands in a URL, a server log,
    # the browser history or a Referer header.
    return request.POST if request.method == "POST" else request.GET


def _is_full_id(q: str) -> bool:
    return len(q.replace(" ", "")) == 18


def _filtered_files(request: HttpRequest):
    params = _params(request)
    q = params.get("q", "").strip()
    files = selectors.files_filtered(
        user=request.user,
        q=q,
        status=params.get("status", ""),
        category=params.get("category", ""),
        overdue=bool(params.get("overdue")),
    )
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
    # The page of files first, then its unions: joined before the LIMIT, PostgreSQL would read the
    # union of every file in scope (100k files: 150 ms against 5).
    page = Paginator(files.prefetch_related("union").order_by("-pk"), PAGE_SIZE).get_page(request.GET.get("page"))
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
    return get_object_or_404(selectors.files_visible(user=request.user).select_related("union"), pk=pk)


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
                services.file_update(
                    file=file,
                    by=request.user,
                    id_number=form.cleaned_data["id_number"],
                    members=[m for m in members.cleaned_data if m],
                    **data,
                )
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
    services.access_log_view(
        user=request.user, union=file.union_id, file=file, what=_("File #{pk}").format(pk=file.pk), request=request
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
        except PermissionDenied as e:
            messages.error(request, str(e) or _("Not allowed."))
    else:
        messages.error(request, " ".join(str(m) for errs in form.errors.values() for m in errs))
    return redirect(file)


@role_required(WELFARE)
def review_list(request: HttpRequest) -> HttpResponse:
    files = selectors.files_visible(user=request.user).overdue_for_review().select_related("union")
    page = Paginator(files.order_by("review_due", "pk"), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "welfare/review_list.html", {"page": page})


@role_required(WELFARE)
def notice_list(request: HttpRequest) -> HttpResponse:
    """The public-notice list (公示) to print and post: names and ID numbers masked."""
    files = selectors.files_visible(user=request.user).filter(stage=HardshipFile.Stage.NOTICE)
    files = files.select_related("union").order_by("union__path", "pk")
    return render(request, "welfare/notice_list.html", {"files": files})


@role_required(WELFARE)
def worker_search(request: HttpRequest) -> HttpResponse:
    """The htmx fragment of the visit form: workers by name or phone fragment, scoped."""
    q = _params(request).get("q", "").strip()
    files = selectors.files_search(user=request.user, q=q) if q else HardshipFile.objects.none()
    if q and _is_full_id(q):
        _log_id_search(request, files)
    files = files.select_related("union")[:10]
    return render(request, "welfare/_worker_results.html", {"files": files, "q": q})
