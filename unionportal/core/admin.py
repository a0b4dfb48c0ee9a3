from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from . import services
from .adminmixins import SafeHistoryMixin, ScopedAdmin, ScopedTabularInline
from .forms import AdminSignInForm
from .models import Activity, ActivityPhoto, Role, Union
from .resources import ActivityResource
from .scoping import holds_any, union_scope

admin.site.site_header = _("UnionPortal back office")
admin.site.site_title = _("UnionPortal")
admin.site.index_title = _("Daily work")
# The back office's sign-in page has the same username check and sign-in throttle.
admin.site.login_form = AdminSignInForm


@admin.register(Union)
class UnionAdmin(TreeAdmin, SafeHistoryMixin, SimpleHistoryAdmin):
    """Officers see their subtree and keep its contacts; only superusers reshape the tree."""

    form = movenodeform_factory(Union)
    list_display = ["name", "kind", "region", "contact_name", "contact_phone"]
    list_filter = ["kind"]
    search_fields = ["name", "region", "address"]

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def get_form(self, request, obj=None, **kwargs):
        if not request.user.is_superuser:
            kwargs["form"] = admin.ModelAdmin.form  # no tree-move fields
            kwargs["fields"] = ["name", "region", "address", "contact_name", "contact_phone"]
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request, obj=None):
        if not request.user.is_superuser:
            return [(None, {"fields": ["name", "region", "address", "contact_name", "contact_phone"]})]
        return super().get_fieldsets(request, obj)

    def has_module_permission(self, request):
        return holds_any(request.user, None)

    def has_view_permission(self, request, obj=None):
        if obj is None:
            return holds_any(request.user, None)
        return union_scope(request.user).filter(pk=obj.pk).exists()

    def has_change_permission(self, request, obj=None):
        if obj is None:
            return holds_any(request.user, Role.EDIT_ROLES)
        return union_scope(request.user, Role.EDIT_ROLES).filter(pk=obj.pk).exists()

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(Role)
class RoleAdmin(ScopedAdmin):
    """Chairs hand out roles within their own subtree."""

    list_display = ["user", "kind", "union", "created_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__first_name", "union__name"]
    list_select_related = ["user", "union"]
    autocomplete_fields = ["union"]
    raw_id_fields = ["user"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            services.role_grant(user=obj.user, union=obj.union, kind=obj.kind)


class ActivityPhotoInline(ScopedTabularInline):
    model = ActivityPhoto
    fields = ["thumbnail", "caption"]
    readonly_fields = ["thumbnail"]

    def has_add_permission(self, request, obj=None):
        return False  # photos go through the checked upload of the activity form


@admin.register(Activity)
class ActivityAdmin(ExportMixin, ScopedAdmin):
    resource_classes = [ActivityResource]
    list_display = ["title", "kind", "union", "starts_at", "participants", "status"]
    list_filter = ["status", "kind", "starts_at"]
    search_fields = ["title", "place", "organiser", "union__name"]
    list_select_related = ["union"]
    autocomplete_fields = ["union"]
    date_hierarchy = "starts_at"
    readonly_fields = ["published_at", "created_by", "source", "created_at", "updated_at"]
    inlines = [ActivityPhotoInline]
    actions = ["publish"]

    @admin.action(description=_("Publish selected activities"))
    def publish(self, request, queryset):
        for activity in queryset.editable_by(request.user):
            services.activity_set_published(activity=activity, published=True)
