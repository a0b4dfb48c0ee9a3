"""Admin scoping shared by every app: a non-superuser sees and edits only their subtree.

Permissions in the back office come from union roles, not from Django's per-model
permission table: one mechanism (`visible_to` / `editable_by`) answers for views, exports
and the admin alike.
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import ForeignKeyRawIdWidget
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.http import Http404
from simple_history.admin import SimpleHistoryAdmin

from .ids import parse_id
from .scoping import holds_any, union_scope


class ScopedRawIdWidget(ForeignKeyRawIdWidget):
    """A raw id box whose label (the object's name beside the box) comes from the scoped choices.

    Django's widget looks the label up in the model's whole table: a typed or posted id of
    another union's record would show that record's name on the page.
    """

    def __init__(self, rel, admin_site, queryset, **kwargs):
        super().__init__(rel, admin_site, **kwargs)
        self.queryset = queryset

    def label_and_url_for_value(self, value):
        key = self.rel.get_related_field().name
        try:
            if not self.queryset.filter(**{key: value}).exists():
                return "", ""
        except (ValueError, TypeError, ValidationError):
            return "", ""
        return super().label_and_url_for_value(value)


class ScopedAdminMixin:
    """For ModelAdmins whose model's default manager is a ScopedQuerySet.

    Staff roles do their daily work on the desk: for them the back office is read-only,
    unless an admin sets `staff_writable = True` because its records have no desk page yet.
    Superusers keep the whole back office, and its writes still go through the services.
    """

    staff_writable = False

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

    def _may_write(self, request) -> bool:
        if request.user.is_superuser:
            return True
        return self.staff_writable and holds_any(request.user, self._qs_class().edit_roles)

    def has_add_permission(self, request, *args):
        return self._may_write(request)

    def has_change_permission(self, request, obj=None):
        if not self._may_write(request):
            return False
        return obj is None or self.model._default_manager.editable_by(request.user).filter(pk=obj.pk).exists()

    def has_delete_permission(self, request, obj=None):
        return self.has_change_permission(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        qs_class = self._qs_class()
        if db_field.related_model is get_user_model() and "queryset" not in kwargs and not request.user.is_superuser:
            # An account field (e.g. an add page opened with ?user=<id>): only accounts of the
            # user's subtrees, so a typed id shows no other union's username.
            from .selectors import users_visible_to

            kwargs["queryset"] = users_visible_to(request.user, qs_class.view_roles)
        if db_field.related_model._meta.label == "core.Union":
            kwargs["queryset"] = union_scope(request.user, qs_class.edit_roles)
        elif db_field.name == qs_class.scope_field.split("__")[0] and "queryset" not in kwargs:
            # The key through which the record belongs to a union (an inspection's station, an
            # exchange visit's host): only records the user may edit, else an id typed in a raw id
            # field would attach the record to another union.
            manager = db_field.related_model._default_manager
            if hasattr(manager, "editable_by"):
                kwargs["queryset"] = manager.editable_by(request.user)
        if "queryset" in kwargs and "widget" not in kwargs and db_field.name in self.raw_id_fields:
            kwargs["widget"] = ScopedRawIdWidget(
                db_field.remote_field, self.admin_site, kwargs["queryset"], using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ScopedInlineMixin:
    """Inlines follow the permission of the parent object; read-only for staff roles unless
    `staff_writable` (as for ScopedAdminMixin)."""

    staff_writable = False

    def has_view_permission(self, request, obj=None):
        return obj is None or type(obj)._default_manager.visible_to(request.user).filter(pk=obj.pk).exists()

    def has_add_permission(self, request, obj=None):
        if not (request.user.is_superuser or self.staff_writable):
            return False
        return obj is None or type(obj)._default_manager.editable_by(request.user).filter(pk=obj.pk).exists()

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request, obj)


class TouchParentMixin:
    """For records shown on their parent's cached public page (a station's awards, a studio's
    achievements): after a save or delete, `touch(ids)` is called with the parent ids whose
    page changed, including the parent a record moved away from."""

    parent_field: str  # the foreign key to the parent, e.g. "station"

    def touch(self, ids: set) -> None:
        raise NotImplementedError

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        ids = {getattr(obj, f"{self.parent_field}_id")}
        if change and self.parent_field in form.changed_data:
            ids.add(form.initial.get(self.parent_field))  # the parent it moved away from changed too
        self.touch(ids - {None})

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        self.touch({getattr(obj, f"{self.parent_field}_id")})

    def delete_queryset(self, request, queryset):
        ids = set(queryset.values_list(f"{self.parent_field}_id", flat=True))
        super().delete_queryset(request, queryset)
        self.touch(ids)


class SafeHistoryMixin:
    """Before SimpleHistoryAdmin: its history pages 404 on a malformed id instead of a 500."""

    def _has_simple_history(self) -> bool:
        return hasattr(self.model._meta, "simple_history_manager_attribute")

    def _is_pk(self, value) -> bool:
        try:
            self.model._meta.pk.to_python(unquote(str(value)))
        except (ValidationError, ValueError, TypeError):
            return False
        return True

    def history_view(self, request, object_id, extra_context=None):
        # A model without HistoricalRecords gets Django's own history page (the admin log);
        # a malformed id is a 404, not a ValueError from the history table.
        if not self._has_simple_history():
            return admin.ModelAdmin.history_view(self, request, object_id, extra_context)
        if not self._is_pk(object_id):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # parse_id, not str.isdigit(): "²" is a digit that int() refuses.
        version = parse_id(version_id)
        if not self._has_simple_history() or not self._is_pk(object_id) or version is None:
            raise Http404
        return super().history_form_view(request, object_id, str(version), extra_context)


class ScopedAdmin(ScopedAdminMixin, SafeHistoryMixin, SimpleHistoryAdmin):
    """The default base for domain ModelAdmins: scoped, with history."""


class ScopedTabularInline(ScopedInlineMixin, admin.TabularInline):
    extra = 0


class ScopedStackedInline(ScopedInlineMixin, admin.StackedInline):
    extra = 0
