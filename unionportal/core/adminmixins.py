"""Admin scoping shared by every app: a non-superuser sees and edits only their subtree.

Permissions in the back office come from union roles, not from Django's per-model
permission table: one mechanism (`visible_to` / `editable_by`) answers for views, exports
and the admin alike.
"""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .scoping import holds_any, union_scope


class ScopedAdminMixin:
    """For ModelAdmins whose model's default manager is a ScopedQuerySet."""

    def _qs_class(self):
        return self.model._default_manager.get_queryset()

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def has_module_permission(self, request):
        return holds_any(request.user, self._qs_class().view_roles)

    def has_view_permission(self, request, obj=None):
        if not holds_any(request.user, self._qs_class().view_roles):
            return False
        return obj is None or self.model._default_manager.visible_to(request.user).filter(pk=obj.pk).exists()

    def has_add_permission(self, request, *args):
        return holds_any(request.user, self._qs_class().edit_roles)

    def has_change_permission(self, request, obj=None):
        if not holds_any(request.user, self._qs_class().edit_roles):
            return False
        return obj is None or self.model._default_manager.editable_by(request.user).filter(pk=obj.pk).exists()

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model._meta.label == "core.Union":
            kwargs["queryset"] = union_scope(request.user, self._qs_class().edit_roles)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScopedInlineMixin:
    """Inlines follow the permission of the parent object."""

    def has_view_permission(self, request, obj=None):
        return obj is None or type(obj)._default_manager.visible_to(request.user).filter(pk=obj.pk).exists()

    def has_add_permission(self, request, obj=None):
        return obj is None or type(obj)._default_manager.editable_by(request.user).filter(pk=obj.pk).exists()

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)


class ScopedAdmin(ScopedAdminMixin, SimpleHistoryAdmin):
    """The default base for domain ModelAdmins: scoped, with history."""


class ScopedTabularInline(ScopedInlineMixin, admin.TabularInline):
    extra = 0


class ScopedStackedInline(ScopedInlineMixin, admin.StackedInline):
    extra = 0
