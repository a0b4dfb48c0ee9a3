"""Reads of the core that aggregate or decide who sees what; views and admins call these."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import models
from django.urls import NoReverseMatch, reverse

from . import registry
from .models import Activity, Role
from .scoping import holds_any, role_kinds, union_scope

FIGURES_CACHE_SECONDS = 60


def _figure_href(url: str | None) -> str | None:
    if not url:
        return None
    name, _, query = url.partition("?")
    try:
        return reverse(name) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return None


def home_figures() -> list[tuple[str, object, int, str | None]]:
    """The public figures of the home page as (key, label, value, link to the public page).

    Computed from the records, but not on every view: counting a national table for each
    visitor would make the front page the slowest page of the portal."""
    values = cache.get_or_set(
        "home:figures", lambda: {f.key: f.value() for f in registry.FIGURES}, FIGURES_CACHE_SECONDS
    )
    return [
        (f.key, f.label, values[f.key] if f.key in values else f.value(), _figure_href(f.url)) for f in registry.FIGURES
    ]


def latest_activities(*, limit: int = 6) -> models.QuerySet:
    return Activity.objects.published().select_related("union")[:limit]


def activity_feed(*, kind: str | None) -> models.QuerySet:
    """Published activities, newest first, of one kind when `kind` is a known kind."""
    activities = Activity.objects.published().select_related("union").prefetch_related("photos")
    if kind in Activity.Kind.values:
        activities = activities.filter(kind=kind)
    return activities


def activity_for_page(*, pk: int, user) -> tuple[Activity | None, bool]:
    """The activity a visitor may read (published, or within their scope) and whether they may edit it."""
    activity = Activity.objects.select_related("union").prefetch_related("photos").filter(pk=pk).first()
    if activity is None:
        return None, False
    if not activity.is_published and not Activity.objects.visible_to(user).filter(pk=pk).exists():
        return None, False
    return activity, Activity.objects.editable_by(user).filter(pk=pk).exists()


def desk_cards(*, user) -> list[tuple[object, int, str]]:
    """(label, count, url name) of the desk's cards; a card for other roles, or counting None,
    is not for this user."""
    return [
        (c.label, n, c.url_name)
        for c in registry.DESK_CARDS
        if (c.roles is None or holds_any(user, c.roles)) and (n := c.count(user)) is not None
    ]


def desk_links(*, user) -> list[registry.NavLink]:
    """The desk links this user's roles open (never one that would answer "no access")."""
    if not holds_any(user, None):
        return []
    return [n for n in registry.NAV if n.desk and (n.roles is None or holds_any(user, n.roles))]


def desk_actions(*, user) -> tuple[registry.NavLink | None, list[registry.NavLink]]:
    """The desk's buttons as (main task, the others).

    The main task is the first link marked `primary` for one of the user's roles; failing that,
    the first link limited to roles the user holds (the task that is theirs alone), so that a
    welfare worker sees "Log a visit" first and a viewer, who only reads, sees no main button."""
    links = desk_links(user=user)
    kinds = set(role_kinds(user))
    if user.is_superuser:
        kinds |= set(Role.Kind.values)
    main = next((n for n in links if kinds & set(n.primary)), None)
    if main is None:
        main = next((n for n in links if n.roles is not None and kinds & set(n.roles)), None)
    return main, [n for n in links if n is not main]


def recent_activities(*, user, limit: int = 8) -> models.QuerySet:
    return Activity.objects.visible_to(user).select_related("union")[:limit]


def users_visible_to(user, roles: Iterable[str] | None = None) -> models.QuerySet:
    """Accounts `user` may see by name: holders of a role in a union of the user's subtrees
    (where the user holds one of `roles`; any role when None). Superusers see every account."""
    User = get_user_model()
    if user is None or not user.is_authenticated or not user.is_active:
        return User.objects.none()
    if user.is_superuser:
        return User.objects.all()
    holders = Role.objects.filter(union__in=union_scope(user, roles)).values("user_id")
    return User.objects.filter(pk__in=holders)
