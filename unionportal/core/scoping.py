"""The one answer to "what may this user see and change".

A role in a union covers the union's whole subtree (materialised paths: a union is in the
subtree of U when its path starts with U's path). Every queryset a user reaches in a view,
an export, a search or an admin changelist goes through `visible_to` / `editable_by`.

Both build a single subquery: no extra query per request, whatever the depth of the tree.
"""

from collections.abc import Iterable

from django.apps import apps
from django.db import models
from django.db.models import Exists, F, OuterRef
from django.db.models.functions import Length, Substr


def union_scope(user, roles: Iterable[str] | None = None) -> models.QuerySet:
    """The unions in which `user` holds one of `roles` (any role when None), with their subtrees."""
    Union = apps.get_model("core", "Union")
    Role = apps.get_model("core", "Role")
    if user is None or not user.is_authenticated or not user.is_active:
        return Union.objects.none()
    if user.is_superuser:
        return Union.objects.all()
    grants = Role.objects.filter(user_id=user.pk)
    if roles is not None:
        grants = grants.filter(kind__in=list(roles))
    # The role's union is an ancestor-or-self of the outer union when its path is a prefix
    # of the outer union's path.
    grants = grants.annotate(prefix=Substr(OuterRef("path"), 1, Length("union__path"))).filter(union__path=F("prefix"))
    return Union.objects.filter(Exists(grants))


def has_role(user, union, roles: Iterable[str] | None = None) -> bool:
    """Whether `user` holds one of `roles` in `union` or one of its ancestors (one query)."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    return union_scope(user, roles).filter(pk=union.pk).exists()


class ScopedQuerySet(models.QuerySet):
    """Base for querysets of records owned by a union.

    Subclasses say where the owning union is (`scope_field`) and which roles may see
    (`view_roles`) and change (`edit_roles`) the records.
    """

    scope_field = "union"
    view_roles: tuple[str, ...] | None = None  # None: any role
    # Role.EDIT_ROLES, spelled out because the models import this module (a test keeps them equal).
    edit_roles: tuple[str, ...] = ("chair", "officer")

    def _within(self, user, roles) -> "ScopedQuerySet":
        if user is not None and user.is_authenticated and user.is_superuser:
            return self
        return self.filter(**{f"{self.scope_field}__in": union_scope(user, roles)})

    def visible_to(self, user) -> "ScopedQuerySet":
        return self._within(user, self.view_roles)

    def editable_by(self, user) -> "ScopedQuerySet":
        return self._within(user, self.edit_roles)


def role_kinds(user) -> frozenset[str]:
    """The kinds of role the user holds anywhere (one query, remembered on the user object)."""
    if user is None or not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_portal_role_kinds", None)
    if cached is None:
        Role = apps.get_model("core", "Role")
        cached = frozenset(Role.objects.filter(user_id=user.pk).values_list("kind", flat=True).distinct())
        user._portal_role_kinds = cached
    return cached


def holds_any(user, roles: Iterable[str] | None) -> bool:
    """Whether the user holds one of `roles` somewhere (any role when None); superusers do."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    kinds = role_kinds(user)
    return bool(kinds) if roles is None else bool(kinds & set(roles))
