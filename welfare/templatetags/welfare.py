from django import template

from welfare import identity

register = template.Library()


@register.filter
def mask_name(value: str) -> str:
    return identity.mask_name(value)
