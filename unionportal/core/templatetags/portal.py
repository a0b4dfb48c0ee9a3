from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html

register = template.Library()


@register.simple_tag(takes_context=True)
def query_replace(context, **kwargs) -> str:
    """The current query string with some parameters replaced (for pagination links)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return query.urlencode()


@register.simple_tag
def demo_mode() -> bool:
    return settings.DEBUG


@register.simple_tag(takes_context=True)
def csrf_on_submit(context) -> str:
    """The CSRF field of a form on a cached public page: empty, filled in on submit from /csrf/
    (static/js/formtokens.js, which the page loads), unless the page is one visitor's own and
    never cached: a signed-in user's, or the answer to a form sent (see
    unionportal.core.formtokens)."""
    request = context["request"]
    own = request.method == "POST" or request.user.is_authenticated
    value = context.get("csrf_token", "") if own else ""
    return format_html(
        '<input type="hidden" name="csrfmiddlewaretoken" value="{}" data-csrf-from="{}">', value, reverse("csrf_token")
    )
