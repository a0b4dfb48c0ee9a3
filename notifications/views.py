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

from unionportal.core.models import Union
from unionportal.core.scoping import holds_any, union_scope

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
    union = forms.ModelChoiceField(label=gettext_lazy("Union"), queryset=Union.objects.none(), required=False)
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


@login_required
def audit_trail(request: HttpRequest) -> HttpResponse:
    """Chairs: who changed what in their subtree (personal fields masked)."""
    if not holds_any(request.user, ["chair"]):
        raise PermissionDenied
    models = audit.audited_models()
    form = AuditFilter(request.GET or None)
    form.fields["model"].choices = [(k, m._meta.verbose_name_plural) for k, m in models.items()]
    form.fields["union"].queryset = Union.objects.filter(pk__in=union_scope(request.user, ["chair"]).values("pk"))
    data = form.cleaned_data if form.is_valid() else {}
    model = models.get(data.get("model") or "core.role") or next(iter(models.values()))
    by_user = None
    if data.get("user"):
        by_user = get_user_model().objects.filter(username=data["user"]).first()
    rows = audit.audit_changes(
        user=request.user, model=model, union=data.get("union"), since=data.get("since"), until=data.get("until"),
        by_user=by_user,
    )  # fmt: skip
    if data.get("user") and by_user is None:
        rows = rows.none()
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    changes = audit.describe(model=model, rows=page.object_list)
    return render(request, "notifications/audit.html", {"form": form, "page": page, "changes": changes, "model": model})
