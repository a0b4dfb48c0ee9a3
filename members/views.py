"""The roster desk: members, transfers, and the accounts and roles of the user's subtree."""

import io

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from unionportal.core.decorators import role_required
from unionportal.core.imports import ImportFailed, read_table
from unionportal.core.models import Role
from unionportal.core.services import grantable_kinds, role_revoke

from . import selectors, services
from .forms import (
    GrantForm,
    ImportForm,
    InviteForm,
    MemberForm,
    MemberNewForm,
    SearchForm,
    StatusForm,
    TransferForm,
    UserForm,
    column_labels,
)
from .models import Member, Transfer

EDIT = Role.EDIT_ROLES
PAGE_SIZE = 25
# The list counts at most this many rows: a federation's roster of a million members is not
# counted on every page (the count would grow with the roster); a search narrows it down.
COUNT_CAP = 1000


class CappedPaginator(Paginator):
    @cached_property
    def count(self) -> int:
        # Unordered: counting in name order would walk the name index of the whole roster.
        n = self.object_list.order_by()[: COUNT_CAP + 1].count()
        self.capped = n > COUNT_CAP
        return min(n, COUNT_CAP)

    capped = False

    def page(self, number):
        # Two steps in one statement: the page's ids from the indexes alone (union, name, id),
        # then those rows with their union. Sorting a large subtree's rows whole would read
        # every one of them from the table.
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        ids = self.object_list.values("pk")[bottom : bottom + self.per_page]
        rows = Member.objects.filter(pk__in=ids).select_related("union")
        return self._get_page(rows, number, self)


EXPORT_MAX_ROWS = 50_000
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _message(e: Exception) -> str:
    if isinstance(e, ValidationError):
        return " ".join(e.messages)
    return str(e) or _("You may not do this here.")


def _member(request: HttpRequest, pk: int) -> Member:
    # Another union's entry is a 404: the desk does not say it exists.
    return get_object_or_404(Member.objects.editable_by(request.user).select_related("union", "user"), pk=pk)


@role_required(EDIT)
def member_list(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    q = status = ""
    if form.is_valid():
        q, status = form.cleaned_data["q"], form.cleaned_data["status"]
    members = selectors.desk_roster(user=request.user, q=q, status=status)
    page = CappedPaginator(members, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "members/member_list.html",
        {"page": page, "form": form, "query": query.urlencode(), "capped": page.paginator.capped, "cap": COUNT_CAP},
    )


@role_required(EDIT)
def member_new(request: HttpRequest) -> HttpResponse:
    form = MemberNewForm(request.POST or None, unions=selectors.editable_unions(request.user))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = dict(form.cleaned_data)
            union = data.pop("union")
            try:
                member = services.member_create(union=union, by=request.user, **data)
            except (ValidationError, PermissionDenied) as e:
                form.add_error(None, _message(e))
            else:
                messages.success(request, _("{name} is on the roster.").format(name=member.name))
                return redirect(member)
        status = 400
    return render(request, "members/member_form.html", {"form": form, "title": _("New member")}, status=status)


@role_required(EDIT)
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    transfers = member.transfers.select_related("from_union", "to_union")
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "transfers": transfers,
            "status_form": StatusForm(initial={"status": member.status}),
            "transfer_form": TransferForm(),
        },
    )


@role_required(EDIT)
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    form = MemberForm(request.POST or None, instance=Member.objects.get(pk=member.pk))
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.member_update(member=member, by=request.user, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as e:
                form.add_error(None, _message(e))
            else:
                messages.success(request, _("Saved."))
                return redirect(member)
        status = 400
    return render(
        request, "members/member_form.html", {"form": form, "title": member.name, "member": member}, status=status
    )


@require_POST
@role_required(EDIT)
def member_status(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status."))
        return redirect(member)
    try:
        services.member_set_status(member=member, status=form.cleaned_data["status"], by=request.user)
    except (ValidationError, PermissionDenied) as e:
        messages.error(request, _message(e))
    else:
        messages.success(request, _("Saved."))
    return redirect(member)


@require_POST
@role_required(EDIT)
def transfer_release(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member(request, pk)
    form = TransferForm(request.POST)
    if form.is_valid():
        try:
            services.transfer_release(
                member=member, to_union=form.cleaned_data["to_union"], note=form.cleaned_data["note"], by=request.user
            )
        except (ValidationError, PermissionDenied) as e:
            form.add_error(None, _message(e))
        else:
            messages.success(request, _("Released: the new union is asked to accept."))
            return redirect(member)
    return render(
        request,
        "members/member_detail.html",
        {
            "member": member,
            "transfers": member.transfers.select_related("from_union", "to_union"),
            "status_form": StatusForm(initial={"status": member.status}),
            "transfer_form": form,
        },
        status=400,
    )


@role_required(EDIT)
def transfer_list(request: HttpRequest) -> HttpResponse:
    incoming, outgoing = selectors.desk_transfers(user=request.user)
    return render(request, "members/transfer_list.html", {"incoming": incoming, "outgoing": outgoing})


@require_POST
@role_required(EDIT)
def transfer_decide(request: HttpRequest, pk: int, decision: str) -> HttpResponse:
    transfer = get_object_or_404(Transfer.objects.editable_by(request.user), pk=pk)
    action = {
        "accept": services.transfer_accept,
        "refuse": services.transfer_refuse,
        "cancel": services.transfer_cancel,
    }.get(decision)
    if action is None:
        raise Http404
    try:
        action(transfer=transfer, by=request.user)
    except PermissionDenied:
        # The other side's step: this user sees the transfer but may not take that step.
        messages.error(request, _("Only the other union may do this."))
    except ValidationError as e:
        messages.error(request, _message(e))
    else:
        messages.success(request, _("Saved."))
    return redirect("members:transfer_list")


# --- Spreadsheets --------------------------------------------------------------------------


def _workbook(header: list[str], rows) -> bytes:
    import openpyxl

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _stamp() -> str:
    return timezone.localtime().strftime("%Y%m%d-%H%M")


@role_required(EDIT)
def member_export(request: HttpRequest) -> HttpResponse:
    """The searched roster as Excel, with full phone numbers: logged in the audit log."""
    form = SearchForm(request.GET or None)
    q = status = ""
    if form.is_valid():
        q, status = form.cleaned_data["q"], form.cleaned_data["status"]
    members = selectors.desk_roster(user=request.user, q=q, status=status)
    rows = [
        [m.name, m.phone, m.email, m.card_number, m.joined_on, m.get_status_display(), m.union.name]
        for m in members[:EXPORT_MAX_ROWS]
    ]
    labels = column_labels()
    header = [str(labels[k]) for k in ("name", "phone", "email", "card_number", "joined_on")]
    content = _workbook([*header, _("Status"), _("Union")], rows)
    services.members_export_log(
        by=request.user, union=None, what=_("Excel export of the roster") + (f" ({q})" if q else ""), rows=len(rows)
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="members-{_stamp()}.xlsx"'
    return response


@role_required(EDIT)
def import_template(request: HttpRequest) -> HttpResponse:
    labels = column_labels()
    content = _workbook([str(v) for v in labels.values()], [])
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="members-template.xlsx"'
    return response


@role_required(EDIT)
def member_import(request: HttpRequest) -> HttpResponse:
    form = ImportForm(request.POST or None, request.FILES or None, unions=selectors.editable_unions(request.user))
    errors: list = []
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                table = read_table(form.cleaned_data["spreadsheet"])
                created = services.members_import(table=table, union=form.cleaned_data["union"], by=request.user)
            except ImportFailed as e:
                file_errors = [m for n, m in e.row_errors if n == 0]
                if file_errors:
                    form.add_error("spreadsheet", " ".join(file_errors))
                else:
                    errors = e.row_errors
                    messages.error(request, _("Nothing was imported: correct the rows below and try again."))
            except PermissionDenied as e:
                form.add_error(None, _message(e))
            else:
                messages.success(request, _("{n} members imported.").format(n=len(created)))
                return redirect("members:member_list")
    return render(
        request,
        "members/member_import.html",
        {"form": form, "errors": errors, "columns": column_labels().values()},
        status=status,
    )


# --- Accounts and roles --------------------------------------------------------------------


@role_required(EDIT)
def member_invite(request: HttpRequest) -> HttpResponse:
    form = InviteForm(request.POST or None, unions=selectors.editable_unions(request.user))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                member = services.member_invite(by=request.user, **data)
            except (ValidationError, PermissionDenied) as e:
                form.add_error(None, _message(e))
            else:
                messages.success(
                    request,
                    _("{name} is invited: they activate their account with a one-time code.").format(name=member.name),
                )
                return redirect(member)
    return render(request, "members/simple_form.html", {"form": form, "title": _("Invite a member")}, status=status)


@role_required(EDIT)
def user_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:50]
    users = selectors.desk_users(user=request.user, q=q)
    page = Paginator(users, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "members/user_list.html", {"page": page, "q": q})


@role_required(EDIT)
def user_new(request: HttpRequest) -> HttpResponse:
    form = UserForm(request.POST or None, unions=selectors.editable_unions(request.user))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                user = services.user_create(by=request.user, **form.cleaned_data)
            except (ValidationError, PermissionDenied) as e:
                form.add_error(None, _message(e))
            else:
                messages.success(
                    request,
                    _("Account {username} opened: its owner sets a password with a code sent to them.").format(
                        username=user.username
                    ),
                )
                return redirect("members:user_detail", pk=user.pk)
    return render(request, "members/simple_form.html", {"form": form, "title": _("New account")}, status=status)


def _subtree_user(request: HttpRequest, pk: int):
    return get_object_or_404(selectors.users_of_subtree(request.user).distinct(), pk=pk)


@role_required(EDIT)
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = _subtree_user(request, pk)
    form = GrantForm(request.POST or None, unions=selectors.editable_unions(request.user))
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.user_role_grant(
                    user=account, union=form.cleaned_data["union"], kind=form.cleaned_data["kind"], by=request.user
                )
            except (ValidationError, PermissionDenied) as e:
                form.add_error(None, _message(e))
            else:
                messages.success(request, _("Role granted."))
                return redirect("members:user_detail", pk=account.pk)
    roles = account.union_roles.select_related("union")
    revocable = {r.pk for r in roles if r.kind in grantable_kinds(by=request.user, union=r.union)}
    member = Member.objects.filter(user=account).select_related("union").first()
    return render(
        request,
        "members/user_detail.html",
        {"account": account, "roles": roles, "revocable": revocable, "form": form, "member": member},
        status=status,
    )


@require_POST
@role_required(EDIT)
def user_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    account = _subtree_user(request, pk)
    try:
        services.user_deactivate(user=account, by=request.user)
    except (ValidationError, PermissionDenied) as e:
        messages.error(request, _message(e))
    else:
        messages.success(request, _("The account is closed."))
    return redirect("members:user_detail", pk=account.pk)


@require_POST
@role_required(EDIT)
def role_remove(request: HttpRequest, pk: int) -> HttpResponse:
    role = get_object_or_404(Role.objects.filter(union__in=selectors.editable_unions(request.user)), pk=pk)
    user_pk = role.user_id
    try:
        role_revoke(role=role, by=request.user)
    except (ValidationError, PermissionDenied) as e:
        messages.error(request, _message(e))
    else:
        messages.success(request, _("Role removed."))
    return redirect("members:user_detail", pk=user_pk)
