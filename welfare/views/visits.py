"""Visits on the desk, their photos, and the private files (photos, signatures)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.core.decorators import role_required
from unionportal.core.ids import parse_id

from .. import reports, selectors, services
from ..forms import (
    VisitForm,
)
from ..models import (
    WELFARE,
    Visit,
)
from ._common import PAGE_SIZE, _errors, _log_export, _stamp


@role_required(WELFARE)
def visit_create(request: HttpRequest) -> HttpResponse:
    files_qs = selectors.files_visible(user=request.user)
    initial = {"date": timezone.localdate()}
    picked = None
    file_id = parse_id(request.GET.get("file"))
    if file_id is not None:
        picked = files_qs.select_related("union").filter(pk=file_id).first()
        if picked:
            initial["file"] = picked.pk
    form = VisitForm(request.POST or None, request.FILES or None, user=request.user, files_qs=files_qs, initial=initial)
    # A draft kept on the device while offline, sent by visit_offline.js: answered in JSON.
    offline = request.method == "POST" and request.headers.get("X-Offline-Draft") == "1"
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
                error = _errors(e) if isinstance(e, ValidationError) else _("Not allowed.")
                if offline:
                    return JsonResponse({"ok": False, "errors": [error]}, status=400)
                messages.error(request, error)
            else:
                replayed = getattr(visit, "replayed", False)
                if offline:
                    # A draft synced from the device: its script shows the result in the queue.
                    url = visit.get_absolute_url()
                    return JsonResponse({"ok": True, "url": url, "replayed": replayed}, status=200 if replayed else 201)
                messages.success(request, _("This visit was already saved.") if replayed else _("Visit logged."))
                return redirect(visit.file or visit)
        else:
            if offline:
                errors = [
                    f"{form.fields[k].label if k in form.fields else ''}: {' '.join(v)}".lstrip(": ")
                    for k, v in form.errors.items()
                ]
                return JsonResponse({"ok": False, "errors": errors}, status=400)
            messages.error(request, _("Please correct the errors below."))
        picked = form.cleaned_data.get("file") if hasattr(form, "cleaned_data") else None
    return render(request, "welfare/visit_form.html", {"form": form, "picked": picked})


@role_required(WELFARE)
def visit_list(request: HttpRequest) -> HttpResponse:
    visits = selectors.visits_visible(user=request.user).select_related("union", "file")
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
        selectors.visits_visible(user=request.user).select_related("union", "file").prefetch_related("photos"), pk=pk
    )
    services.access_log_view(
        user=request.user,
        union=visit.union_id,
        file=visit.file,
        what=_("Visit #{pk}").format(pk=visit.pk),
        request=request,
    )
    return render(request, "welfare/visit_detail.html", {"visit": visit})


@role_required(WELFARE)
def visit_export(request: HttpRequest) -> StreamingHttpResponse:
    visits = selectors.visits_visible(user=request.user)
    _log_export(request, _("CSV export of visits"))
    response = StreamingHttpResponse(reports.visits_csv(visits), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="welfare-visits-{_stamp()}.csv"'
    return response


@role_required(WELFARE)
def visit_photo(request: HttpRequest, pk: int, size: str) -> FileResponse:
    """A visit photo, for those who may see the visit only."""
    photo = get_object_or_404(selectors.photos_visible(user=request.user), pk=pk)
    field = photo.thumbnail if size == "thumb" else photo.image
    return _private_file(field)


@role_required(WELFARE)
def handout_signature(request: HttpRequest, pk: int) -> FileResponse:
    handout = get_object_or_404(selectors.handouts_visible(user=request.user).exclude(signature=""), pk=pk)
    return _private_file(handout.signature)


def _private_file(field) -> FileResponse:
    try:
        response = FileResponse(field.open("rb"), content_type="image/jpeg")
    except FileNotFoundError:
        raise Http404 from None
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
