"""The one answer to "what may this user see and change".

A role in a union covers the union's whole subtree (materialised paths: a union is in the
subtree of U when its path starts with U's path). Every queryset a user reaches in a view,
an export, a search or an admin changelist goes through `visible_to` / `editable_by`.

Both build a single subquery: no extra query per request, whatever the depth of the tree.
"""

from collections.abc import Iterable

from django.apps import apps
from django.db import connection, models
from django.db.models.expressions import RawSQL


def union_scope(user, roles: Iterable[str] | None = None) -> models.QuerySet:
    """The unions in which `user` holds one of `roles` (any role when None), with their subtrees."""
    Union = apps.get_model("core", "Union")
    if user is None or not user.is_authenticated or not user.is_active:
        return Union.objects.none()
    if user.is_superuser:
        return Union.objects.all()
    kinds = None if roles is None else list(roles)
    if kinds == []:
        return Union.objects.none()
    return Union.objects.filter(pk__in=RawSQL(*_scope_sql(user.pk, kinds)))  # noqa: S611 - values are params


def _scope_sql(user_id: int, kinds: list[str] | None) -> tuple[str, list]:
    """The ids of the unions under the user's grants, as one subquery that reads the union tree
    by its path index: a union is under a grant's union G when its path lies between G's path
    and G's path followed by DEL (paths are ASCII letters and digits, so exactly the paths that
    start with G's). For each of the user's few grants that is one range scan of the index,
    whatever the size of the tree; a prefix test per union read every union of the tree.

    PostgreSQL compares byte-wise with the pattern operators (~>=~, ~<~), which the path's
    varchar_pattern_ops index (Django makes one for every indexed CharField) serves whatever
    the database's collation; SQLite compares byte-wise by default."""
    Union = apps.get_model("core", "Union")
    Role = apps.get_model("core", "Role")
    if connection.vendor == "postgresql":
        below = "u.path ~>=~ g.path AND u.path ~<~ (g.path || chr(127))"
    else:
        below = "u.path >= g.path AND u.path < (g.path || char(127))"
    params: list = [user_id]
    kind_sql = ""
    if kinds is not None:
        kind_sql = f" AND r.kind IN ({', '.join(['%s'] * len(kinds))})"
        params += kinds
    sql = (
        f"SELECT u.id FROM {Role._meta.db_table} r "  # noqa: S608 - table names from the models
        f"JOIN {Union._meta.db_table} g ON g.id = r.union_id "
        f"JOIN {Union._meta.db_table} u ON {below} "
        f"WHERE r.user_id = %s{kind_sql}"
    )
    return sql, params


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
