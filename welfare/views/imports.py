"""Spreadsheets in and out: the Excel export of files and the import (through the core pipeline)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from unionportal.core.decorators import role_required
from unionportal.core.imports import ImportFailed

from .. import reports, services
from ..forms import (
    ImportForm,
)
from ..models import (
    WELFARE,
    AccessLog,
)
from ._common import XLSX, _log_export, _stamp
from .files import _filtered_files
from .report import _report


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


@role_required(WELFARE)
def file_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None)
    errors: list = []
    if request.method == "POST" and form.is_valid():
        try:
            # The core pipeline: size, unpacked size and rows are capped before anything is parsed.
            table = services.files_table(upload=form.cleaned_data["spreadsheet"])
            created = services.files_import(table=table, by=request.user)
        except ImportFailed as e:
            file_errors = [m for n, m in e.row_errors if n == 0]
            if file_errors:
                messages.error(request, " ".join(file_errors))
            else:
                errors = e.row_errors
                messages.error(request, _("Nothing was imported: correct the rows below and try again."))
        else:
            _log_export(
                request, _("Imported {n} hardship files").format(n=len(created)), action=AccessLog.Action.IMPORT
            )
            messages.success(request, _("{n} hardship files imported.").format(n=len(created)))
            return redirect("welfare:file_list")
    return render(request, "welfare/file_import.html", {"form": form, "errors": errors})
