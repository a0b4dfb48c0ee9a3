"""Activities on the pages of what they are about: `{% load activity_links %}`.

`{% linked_activities station=station %}` (or studio=, contest=) lists the latest published
activities about it; `{% activity_about activity as about %}` gives (kind, record, url) of what
a published activity is about, or None when that is not public."""

from django import template

from .. import selectors

register = template.Library()


@register.inclusion_tag("includes/linked_activities.html")
def linked_activities(*, station=None, studio=None, contest=None, limit: int = 5) -> dict:
    return {"activities": selectors.linked_activities(station=station, studio=studio, contest=contest, limit=limit)}


@register.simple_tag
def activity_about(activity):
    return selectors.activity_about(activity)
