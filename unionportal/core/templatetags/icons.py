"""`{% icon "name" %}`: a bootstrap icon as inline SVG from the sprite of the icons we use.

The sprite (static/build/icons.svg, one `<symbol id="name">` per icon) is built at install time
by scripts/build-assets.mjs from the names the templates use, so only those icons are sent, in
one cached file, instead of the whole icon font.

    {% load icons %}
    {% icon "geo-alt" %}                               decorative: hidden from screen readers
    {% icon "printer" class="me-1" %}                  extra classes
    {% icon "person-check" label=_("Activated") %}     meaningful on its own: role="img" + label
"""

from django import template
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.safestring import mark_safe

register = template.Library()

SPRITE = "build/icons.svg"


class SpriteMissing(RuntimeError):
    pass


def sprite_url() -> str:
    """The sprite's URL (its hashed name when the manifest storage is on)."""
    try:
        return static(SPRITE)
    except ValueError as exc:  # the manifest does not know it: collectstatic ran before the build
        raise SpriteMissing(
            f"{SPRITE} is not in the static files manifest: run `make install` (node scripts/build-assets.mjs), "
            "then collectstatic."
        ) from exc


@register.simple_tag
def icon(name: str, label: str = "", **kwargs) -> str:
    """The icon `name` ("geo-alt"; a "bi-geo-alt" as kept in Python lists is taken too)."""
    name = name.removeprefix("bi-")
    classes = " ".join(filter(None, ["bi", kwargs.get("class", "")]))
    a11y = format_html('role="img" aria-label="{}"', label) if label else mark_safe('aria-hidden="true"')
    title = format_html("<title>{}</title>", label) if label else ""
    return format_html(
        '<svg class="{}" width="1em" height="1em" fill="currentColor" {}>{}<use href="{}#{}"></use></svg>',
        classes,
        a11y,
        title,
        sprite_url(),
        name,
    )
