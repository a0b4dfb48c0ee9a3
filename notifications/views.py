"""The desk's notifications: the list, open (mark read and follow), mark all read, preferences."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import selectors, services
from .models import Event, Notification


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
