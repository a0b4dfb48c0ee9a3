"""The bell with the unread count.

`{% notification_bell %}` renders it with its count (one query). Every page's menu uses
`{% notification_bell_lazy %}` instead: a plain link that htmx swaps for the counted bell once the
page has loaded, so no page pays a query for it (the desk pages' query budgets hold)."""

from django import template

from ..selectors import unread_count

register = template.Library()


@register.inclusion_tag("notifications/_bell.html", takes_context=True)
def notification_bell(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"show": bool(user and user.is_authenticated), "unread": unread_count(user=user) if user else 0}


@register.inclusion_tag("notifications/_bell_lazy.html", takes_context=True)
def notification_bell_lazy(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    return {"show": bool(user and user.is_authenticated)}
