from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin
from treebeard.admin import TreeAdmin
from treebeard.exceptions import InvalidMoveToDescendant, InvalidPosition, PathOverflow
from treebeard.forms import movenodeform_factory

from . import selectors, services
from .adminmixins import SafeHistoryMixin, ScopedAdmin, ScopedTabularInline
from .forms import AdminSignInForm
from .ids import parse_id
from .models import Activity, ActivityPhoto, AuditEntry, Role, Union
from .resources import ActivityResource
from .scoping import holds_any, union_scope

admin.site.site_header = _("UnionPortal back office")
admin.site.site_title = _("UnionPortal")
admin.site.index_title = _("Daily work")
# The back office's sign-in page has the same username check and sign-in throttle.
admin.site.login_form = AdminSignInForm


def _adopt(obj, saved) -> None:
    """Give the admin's unsaved `obj` the state of the row a service `saved` (its pk above all),
    so the admin's log entry and redirect name the new record."""
    for name, value in vars(saved).items():
        if name != "_state":
            setattr(obj, name, value)
    obj._state.adding = False
    obj._state.db = saved._state.db


@admin.register(Union)
class UnionAdmin(TreeAdmin, SafeHistoryMixin, SimpleHistoryAdmin):
    """Officers see their subtree and keep its contacts; only superusers reshape the tree
    (add, move, delete), through the core's services, which log every change."""

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

    def changelist_view(self, request, extra_context=None):
        # Treebeard sets the shown parent on GET only: the page redrawn after a POST (an action
        # refused or without a selection) would fail on the missing attribute (a 500).
        request._treebeard_parent = None
        return super().changelist_view(request, extra_context)

    # --- Writes: the services, never treebeard's form or views directly ---

    def save_form(self, request, form, change):
        # MoveNodeForm.save() writes the tree even with commit=False: the services do it instead.
        form.save_m2m = lambda: None  # a union has no many-to-many fields
        return form.instance

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.UNION_FIELDS if name in form.cleaned_data}
        target = form.cleaned_data.get("treebeard_ref_node")
        pos = form.cleaned_data.get("treebeard_position")
        if not change:
            _adopt(obj, services.union_create(by=request.user, target=target, pos=pos or "first-child", **fields))
            return
        services.union_update(union=obj, by=request.user, **fields)
        if {"treebeard_ref_node", "treebeard_position"} & set(form.changed_data):
            if target is None:  # "-- root --": the first of the roots
                target, pos = Union.objects.get_first_root_node(), "first-sibling"
            if target.pk != obj.pk:
                services.union_move(union=obj, target=target, pos=pos, by=request.user)
        obj.refresh_from_db()

    def delete_model(self, request, obj):
        services.union_delete(union=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        # Deepest first: deleting a union deletes its subtree, so a child may be gone already.
        for union in sorted(queryset, key=lambda u: -u.depth):
            if Union.objects.filter(pk=union.pk).exists():
                services.union_delete(union=union, by=request.user)

    def move_node(self, request):
        """Treebeard's drag-and-drop move, for superusers only, through `union_move`."""
        if not request.user.is_superuser:
            raise PermissionDenied
        node_id, target_id = parse_id(request.POST.get("node")), parse_id(request.POST.get("target"))
        relation = request.POST.get("relation")
        node = Union.objects.filter(pk=node_id).first() if node_id else None
        target = Union.objects.filter(pk=target_id).first() if target_id else None
        if node is None or target is None or relation not in ("child", "sibling"):
            messages.error(request, gettext("Invalid form data provided"))
            return HttpResponseBadRequest("Invalid form data provided")
        pos = "last-child" if relation == "child" else "left"
        try:
            services.union_move(union=node, target=target, pos=pos, by=request.user)
        except (ValidationError, InvalidMoveToDescendant, InvalidPosition, PathOverflow) as exc:
            messages.error(request, "; ".join(getattr(exc, "messages", [str(exc)])))
            return HttpResponseBadRequest("Exception raised during move")
        msg = (
            gettext('Moved node "%(node)s" as child of "%(other)s"')
            if relation == "child"
            else gettext('Moved node "%(node)s" as sibling of "%(other)s"')
        )
        messages.info(request, msg % {"node": node, "other": target})
        return HttpResponse("OK")

    def children_view(self, request, parent_id):
        """Treebeard's children of a node: 404 for a malformed id or a union outside the user's scope."""
        pk = parse_id(parent_id)
        if pk is None or not Union.objects.visible_to(request.user).filter(pk=pk).exists():
            raise Http404
        return super().children_view(request, str(pk))


class RoleAdminForm(forms.ModelForm):
    """Asks the services whether the acting user may grant the role, so a refused grant is an
    error on the form (e.g. granting oneself a role), not a server error on save."""

    acting_user = None  # set per request by RoleAdmin.get_form

    class Meta:
        model = Role
        fields = ["user", "union", "kind"]

    def clean(self):
        cleaned = super().clean()
        user, union, kind = cleaned.get("user"), cleaned.get("union"), cleaned.get("kind")
        if self.instance.pk is None and user and union and kind:
            try:
                services.role_grant_check(user=user, union=union, kind=kind, by=self.acting_user)
            except ValidationError as exc:
                self.add_error(None, exc)
            except PermissionDenied as exc:
                self.add_error(None, str(exc))
        return cleaned


@admin.register(Role)
class RoleAdmin(ScopedAdmin):
    """Chairs hand out roles within their own subtree, through `role_grant` / `role_revoke`:
    never to themselves, and every grant and removal is logged."""

    staff_writable = True  # no desk page for roles yet: chairs grant them here
    form = RoleAdminForm
    list_display = ["user", "kind", "union", "created_at"]
    list_filter = ["kind"]
    search_fields = ["user__username", "user__first_name", "union__name"]
    list_select_related = ["user", "union"]
    autocomplete_fields = ["union"]
    raw_id_fields = ["user"]

    def get_readonly_fields(self, request, obj=None):
        # A role is granted or revoked, never edited into another one.
        return ["user", "union", "kind", "created_at"] if obj is not None else []

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.acting_user = request.user  # a fresh class per call: safe to set
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "user":
            # Only accounts within the subtrees the user chairs, never the user's own.
            kwargs["queryset"] = selectors.users_visible_to(request.user, (Role.Kind.CHAIR,)).exclude(
                pk=request.user.pk
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if not change:
            _adopt(obj, services.role_grant(user=obj.user, union=obj.union, kind=obj.kind, by=request.user))
        # A change has nothing to save: every field of a role is read-only once granted.

    def delete_model(self, request, obj):
        services.role_revoke(role=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for role in queryset.select_related("user", "union"):
            services.role_revoke(role=role, by=request.user)


class ActivityPhotoInline(ScopedTabularInline):
    model = ActivityPhoto
    fields = ["thumbnail", "caption"]
    readonly_fields = ["thumbnail", "caption"]

    def has_add_permission(self, request, obj=None):
        return False  # photos go through the checked upload of the activity form


@admin.register(Activity)
class ActivityAdmin(ExportMixin, ScopedAdmin):
    """Read-only for staff (activities have desk pages); superusers write through the services."""

    resource_classes = [ActivityResource]
    list_display = ["title", "kind", "union", "starts_at", "participants", "status"]
    list_filter = ["status", "kind", "starts_at"]
    search_fields = ["title", "place", "organiser", "union__name"]
    list_select_related = ["union"]
    autocomplete_fields = ["union"]
    date_hierarchy = "starts_at"
    readonly_fields = ["status", "published_at", "created_by", "source", "created_at", "updated_at"]
    raw_id_fields = services.LINK_FIELDS
    inlines = [ActivityPhotoInline]
    actions = ["publish", "unpublish"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name in services.LINK_FIELDS:
            # Only records of the unions the user may edit; the service checks the subtree too.
            kwargs["queryset"] = db_field.related_model._default_manager.editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        acting_user = request.user

        class CheckedForm(form):
            def _post_clean(self):
                super()._post_clean()
                if not self.errors and self.instance.union_id:
                    try:
                        services.activity_check_link(activity=self.instance, by=acting_user)
                    except ValidationError as e:
                        self.add_error(None, e)

        return CheckedForm

    def save_model(self, request, obj, form, change):
        if change:
            services.activity_update(activity=obj, by=request.user)
        else:
            fields = {name: getattr(obj, name) for name in (*services.ACTIVITY_FIELDS, *services.LINK_FIELDS)}
            _adopt(obj, services.activity_create(union=obj.union, by=request.user, **fields))

    def save_formset(self, request, form, formset, change):
        formset.save(commit=False)  # fills deleted_objects; captions and files are read-only here
        for photo in formset.deleted_objects:
            services.activity_photo_delete(photo=photo, by=request.user)

    def delete_model(self, request, obj):
        services.activity_delete(activity=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for activity in queryset.select_related("union"):
            services.activity_delete(activity=activity, by=request.user)

    @admin.action(description=_("Publish selected activities"))
    def publish(self, request, queryset):
        for activity in queryset.editable_by(request.user):
            services.activity_set_published(activity=activity, published=True, by=request.user)

    @admin.action(description=_("Move selected activities back to drafts"))
    def unpublish(self, request, queryset):
        for activity in queryset.editable_by(request.user):
            services.activity_set_published(activity=activity, published=False, by=request.user)


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The readable log of tree moves and role grants: superusers read it, nobody edits it."""

    list_display = ["at", "action", "subject", "detail", "by"]
    list_filter = ["action"]
    search_fields = ["subject", "detail", "by__username"]
    list_select_related = ["by"]
    date_hierarchy = "at"

    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
