"""The desk's notifications: the list, open (mark read and follow), mark all read, preferences."""

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from unionportal.core.ids import parse_id
from unionportal.core.scoping import holds_any

from . import audit, selectors, services
from .models import Event, Notification


@login_required
def bell(request: HttpRequest) -> HttpResponse:
    """The menu's bell with its unread count (htmx swaps it in after the page has loaded)."""
    return render(
        request, "notifications/_bell.html", {"show": True, "unread": selectors.unread_count(user=request.user)}
    )


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    items = selectors.desk_notifications(user=request.user)
    if request.GET.get("show") == "unread":
        items = items.unread()
    page = Paginator(items, 30).get_page(request.GET.get("page"))
    unread = selectors.unread_count(user=request.user)
    return render(
        request, "notifications/list.html", {"page": page, "unread": unread, "show": request.GET.get("show", "")}
    )


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    n = get_object_or_404(Notification.objects.filter(recipient=request.user), pk=pk)
    services.notification_mark_read(notification=n, by=request.user)
    if request.POST.get("follow") and n.link and url_has_allowed_host_and_scheme(n.link, allowed_hosts=None):
        return redirect(n.link)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    n = services.notifications_mark_all_read(by=request.user)
    messages.success(request, _("%(n)d notifications marked as read.") % {"n": n})
    return redirect("notifications:list")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        choices = {
            event: {channel: request.POST.get(f"{event}-{channel}") == "on" for channel in ("desk", "email", "sms")}
            for event in Event.values
        }
        services.preferences_save(user=request.user, choices=choices, by=request.user)
        messages.success(request, _("Your choices are saved."))
        return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {"rows": selectors.preference_rows(user=request.user)})


class AuditFilter(forms.Form):
    model = forms.ChoiceField(label=gettext_lazy("Kind of record"), required=False)
    union = forms.TypedChoiceField(label=gettext_lazy("Union"), coerce=int, required=False, empty_value=None)
    user = forms.CharField(label=gettext_lazy("User name"), required=False, max_length=150)
    since = forms.DateField(
        label=gettext_lazy("Changed since"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    until = forms.DateField(
        label=gettext_lazy("Changed until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


AUDIT_PAGE_SIZE = 25
AUDIT_MAX_PAGE = 400


@login_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    """Chairs: who changed what in their subtree (personal fields masked)."""
    if not holds_any(request.user, ["chair"]):
        raise PermissionDenied
    models = audit.audited_models()
    form = AuditFilter(request.GET or None)
    form.fields["model"].choices = [(k, m._meta.verbose_name_plural) for k, m in models.items()]
    unions = selectors.audit_union_choices(user=request.user)
    union = None
    asked = parse_id(request.GET.get("union"))
    if asked is not None and all(u.pk != asked for u in unions):
        # A union of the subtree beyond the offered levels (reached by its id) is offered too;
        # one outside the subtree is not, and the form refuses it.
        union = selectors.audit_union(user=request.user, pk=asked)
        if union is not None:
            unions = [union, *unions]
    form.fields["union"].choices = [("", "---------")] + [(u.pk, u.name) for u in unions]
    data = form.cleaned_data if form.is_valid() else {}
    if data.get("union"):
        union = next(u for u in unions if u.pk == data["union"])
    model = models.get(data.get("model") or "core.role") or next(iter(models.values()))
    by_user = None
    if data.get("user"):
        by_user = get_user_model().objects.filter(username=data["user"]).first()
    rows = audit.audit_changes(
        user=request.user, model=model, union=union if data.get("union") else None, since=data.get("since"),
        until=data.get("until"), by_user=by_user,
    )  # fmt: skip
    if data.get("user") and by_user is None:
        rows = rows.none()
    # Newer/older pages without counting the whole trail (a city's history has millions of rows).
    number = parse_id(request.GET.get("page"), maximum=AUDIT_MAX_PAGE) or 1
    start = (number - 1) * AUDIT_PAGE_SIZE
    found = list(rows[start : start + AUDIT_PAGE_SIZE + 1])
    page = {"number": number, "has_previous": number > 1, "has_next": len(found) > AUDIT_PAGE_SIZE}
    changes = audit.describe(model=model, rows=found[:AUDIT_PAGE_SIZE])
    return render(request, "notifications/audit.html", {"form": form, "page": page, "changes": changes, "model": model})
