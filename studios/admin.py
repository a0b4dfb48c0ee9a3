from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin

from unionportal.core.adminmixins import SafeHistoryMixin, ScopedAdmin, ScopedTabularInline
from unionportal.core.images import ImageUploadField
from unionportal.core.models import Role
from unionportal.core.scoping import holds_any, union_scope

from . import services
from .forms import AttachmentField, MemberForm
from .models import Achievement, FieldOfWork, Member, Review, Studio, StudioPhoto, SupportRecord, YearTarget
from .resources import AchievementResource


class MemberAdminForm(MemberForm):
    """The desk's member form; in the admin, services.member_add/member_update store the checked photo."""


class PhotoAdminForm(forms.ModelForm):
    upload = ImageUploadField(label=_("Image"), required=False)

    class Meta:
        model = StudioPhoto
        fields = ["caption"]

    def clean(self):
        data = super().clean()
        if not self.instance.pk and not data.get("upload") and self.has_changed():
            raise ValidationError(_("Choose an image."))
        return data


class AchievementAdminForm(forms.ModelForm):
    attachment = AttachmentField(label=_("Attachment"))

    class Meta:
        model = Achievement
        fields = [
            "studio",
            "type",
            "title",
            "number",
            "date",
            "level",
            "members",
            "attachment",
            "benefit_amount",
            "benefit_note",
        ]

    def clean(self):
        data = super().clean()
        studio, members = data.get("studio") or getattr(self.instance, "studio", None), data.get("members")
        if studio and members and any(m.studio_id != studio.pk for m in members):
            raise ValidationError(_("Only members of this studio can be named on its achievement."))
        return data


class ServiceErrorsMixin:
    """A rule a service refuses (after the form's own checks) comes back as a message on the same
    page, with nothing saved: the admin's change and delete views run in one transaction."""

    def _refused(self, request, error: ValidationError) -> HttpResponseRedirect:
        self.message_user(request, " ".join(error.messages), messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as e:
            return self._refused(request, e)

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as e:
            return self._refused(request, e)

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except ValidationError as e:
            return self._refused(request, e)


def _model_fields(form, names) -> dict:
    """The cleaned values of `names` that are fields of the form's model (not extras such as uploads)."""
    model_fields = {f.name for f in form._meta.model._meta.get_fields()} - {"id"}
    # An inline's key to its parent is added by the formset, outside the form's own fields.
    own = set(form._meta.fields or ())
    return {n: form.cleaned_data[n] for n in names if n in model_fields and n in own and n in form.cleaned_data}


def _row_fields(form, names) -> dict:
    """As _model_fields, for an inline's row: its parent is given apart."""
    return {k: v for k, v in _model_fields(form, names).items() if k != "studio"}


def _adopt(obj, saved) -> None:
    """Give the admin's in-memory object what the service saved (its id for the redirect and log)."""
    for field in obj._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding, obj._state.db = False, saved._state.db


class MemberInline(ScopedTabularInline):
    model = Member
    form = MemberAdminForm
    readonly_fields = ["photo_thumbnail"]

    @staticmethod
    def add(request, studio, form):
        fields = _row_fields(form, form.cleaned_data)
        return services.member_add(
            studio=studio, by=request.user, photo=form.cleaned_data.get("photo_upload"), **fields
        )

    @staticmethod
    def change(request, obj, form):
        fields = _row_fields(form, form.changed_data)
        return services.member_update(
            member=obj, by=request.user, photo=form.cleaned_data.get("photo_upload"), **fields
        )

    @staticmethod
    def delete(request, obj):
        services.member_delete(member=obj, by=request.user)


class AchievementInline(ScopedTabularInline):
    LATEST = 20
    model = Achievement
    fields = ["type", "title", "number", "date", "level"]
    show_change_link = True
    verbose_name_plural = _("latest achievements (all of them under Achievements)")

    @staticmethod
    def add(request, studio, form):
        return services.achievement_add(studio=studio, by=request.user, **_row_fields(form, form.cleaned_data))

    @staticmethod
    def change(request, obj, form):
        return services.achievement_update(achievement=obj, by=request.user, **_row_fields(form, form.changed_data))

    @staticmethod
    def delete(request, obj):
        services.achievement_delete(achievement=obj, by=request.user)


class PhotoInline(ScopedTabularInline):
    model = StudioPhoto
    form = PhotoAdminForm
    readonly_fields = ["thumbnail"]

    @staticmethod
    def add(request, studio, form):
        photos = [form.cleaned_data["upload"]]
        return services.studio_add_photos(
            studio=studio, by=request.user, photos=photos, caption=form.cleaned_data["caption"]
        )[0]

    @staticmethod
    def change(request, obj, form):
        return services.photo_update(
            photo=obj, by=request.user, image=form.cleaned_data.get("upload"), caption=form.cleaned_data["caption"]
        )

    @staticmethod
    def delete(request, obj):
        services.photo_delete(photo=obj, by=request.user)


class TargetInline(ScopedTabularInline):
    model = YearTarget
    fields = ["year", "target", "target_count", "assessment", "evidence"]
    # The higher union assesses on the desk (services.target_assess), not the studio's own union here.
    readonly_fields = ["assessment", "evidence"]

    @staticmethod
    def add(request, studio, form):
        return services.target_set(studio=studio, by=request.user, **_row_fields(form, TargetInline.fields))

    @staticmethod
    def change(request, obj, form):
        return services.target_update(target=obj, by=request.user, changes=_row_fields(form, form.changed_data))

    @staticmethod
    def delete(request, obj):
        services.target_delete(target=obj, by=request.user)


class SupportInline(ScopedTabularInline):
    model = SupportRecord
    fields = ["union", "kind", "date", "amount", "description"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "union":
            kwargs["queryset"] = union_scope(request.user, Role.EDIT_ROLES)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @staticmethod
    def add(request, studio, form):
        return services.support_add(studio=studio, by=request.user, **_row_fields(form, SupportInline.fields))

    @staticmethod
    def change(request, obj, form):
        return services.support_update(record=obj, by=request.user, **_row_fields(form, form.changed_data))

    @staticmethod
    def delete(request, obj):
        services.support_delete(record=obj, by=request.user)


class ReviewInline(ScopedTabularInline):
    """The workflow's log: written by the services of the desk's workflow only."""

    model = Review
    fields = ["at", "action", "comment", "union", "by"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class StudioAdminForm(forms.ModelForm):
    class Meta:
        model = Studio
        fields = [
            "name",
            "slug",
            "kind",
            "level",
            "union",
            "fields_of_work",
            "founded_on",
            "description",
            "published",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "slug" in self.fields:
            self.fields["slug"].required = False
            self.fields["slug"].help_text = _("Left empty, it is made from the name's pinyin.")

    def clean_slug(self):
        slug = self.cleaned_data.get("slug")
        if not slug and self.cleaned_data.get("name"):
            slug = services.studio_unique_slug(name=self.cleaned_data["name"])
        if slug in services.RESERVED_SLUGS:
            raise ValidationError(_("This address is reserved."))
        return slug


@admin.register(Studio)
class StudioAdmin(ServiceErrorsMixin, ExportMixin, ScopedAdmin):
    """Read-only for staff (the desk applies, reviews and records); superusers write through services."""

    form = StudioAdminForm
    list_display = ["name", "kind", "level", "union", "status", "published"]
    list_filter = ["kind", "level", "status", "published"]
    search_fields = ["name", "search_text"]
    list_select_related = ["union"]
    filter_horizontal = ["fields_of_work"]
    # The workflow (approval, plaque) goes through the desk and its services, never a typed status.
    readonly_fields = ["status", "plaque_on", "created_by", "created_at", "updated_at"]
    inlines = [MemberInline, PhotoInline, TargetInline, SupportInline, AchievementInline, ReviewInline]

    def save_model(self, request, obj, form, change):
        cleaned = form.cleaned_data
        fields_of_work = cleaned.get("fields_of_work", ())
        if change:
            fields = _model_fields(form, [n for n in form.changed_data if n != "fields_of_work"])
            saved = services.studio_update(studio=obj, by=request.user, fields_of_work=fields_of_work, **fields)
        else:
            # A studio added here is an application like one from the desk (reviewed by the higher union).
            fields = _model_fields(form, [n for n in cleaned if n not in ("union", "fields_of_work")])
            saved = services.studio_apply(
                union=cleaned["union"], by=request.user, leader=None, fields_of_work=fields_of_work, **fields
            )
        _adopt(obj, saved)

    def save_related(self, request, form, formsets, change):
        # The fields of work were set by the service in save_model; each inline row goes through
        # its own service below (no form.save_m2m(), no formset.save()).
        for formset in formsets:
            self.save_formset(request, form, formset, change)
        services.studio_reindex(studio=form.instance)

    def save_formset(self, request, form, formset, change):
        """Each row of an inline is added, changed or deleted by the services of its model."""
        inline = next(i for i in self.inlines if i.model is formset.model)
        # What the admin's change message reads (formset.save() would have set them).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        if not hasattr(inline, "add"):
            return  # a read-only inline (the review log): nothing of it is saved from a form
        studio = form.instance
        deleted = formset.deleted_forms if formset.can_delete else []
        for row in formset.initial_forms:
            if row in deleted:
                inline.delete(request, row.instance)
                formset.deleted_objects.append(row.instance)
            elif row.has_changed():
                inline.change(request, row.instance, row)
                formset.changed_objects.append((row.instance, row.changed_data))
        for row in formset.extra_forms:
            if row.has_changed() and row not in deleted:
                formset.new_objects.append(inline.add(request, studio, row))

    def delete_model(self, request, obj):
        services.studio_delete(studio=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # a bulk delete is all or nothing
            for studio in queryset:
                services.studio_delete(studio=studio, by=request.user)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, AchievementInline) and obj is not None and obj.pk:
            # A studio may have a thousand results: the inline shows the latest ones; the
            # achievement changelist (paginated, filtered, exportable) has them all.
            latest = list(obj.achievements.values_list("pk", flat=True)[: AchievementInline.LATEST])
            kwargs["queryset"] = kwargs["queryset"].filter(pk__in=latest)
        return kwargs


@admin.register(Achievement)
class AchievementAdmin(ServiceErrorsMixin, ExportMixin, ScopedAdmin):
    """Read-only for staff (the desk adds and imports); the services keep the profile's page stamp."""

    form = AchievementAdminForm
    resource_classes = [AchievementResource]
    list_display = ["title", "studio", "type", "date", "level", "number"]
    list_filter = ["type", "level"]
    search_fields = ["title", "number", "studio__name"]
    list_select_related = ["studio"]
    date_hierarchy = "date"
    autocomplete_fields = ["studio"]
    filter_horizontal = ["members"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "studio":
            kwargs["queryset"] = Studio.objects.editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "members":
            kwargs["queryset"] = Member.objects.editable_by(request.user).select_related("studio")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        cleaned = form.cleaned_data
        attachment = cleaned.get("attachment")
        if change:
            fields = _model_fields(form, [n for n in form.changed_data if n not in ("members", "attachment")])
            saved = services.achievement_update(
                achievement=obj, by=request.user, members=cleaned.get("members"), attachment=attachment, **fields
            )
        else:
            fields = _model_fields(form, [n for n in cleaned if n not in ("members", "attachment")])
            saved = services.achievement_add(
                by=request.user, members=cleaned.get("members") or (), attachment=attachment, **fields
            )
        _adopt(obj, saved)

    def save_related(self, request, form, formsets, change):
        pass  # the members were set by the service in save_model

    def delete_model(self, request, obj):
        services.achievement_delete(achievement=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # a bulk delete is all or nothing
            for achievement in queryset:
                services.achievement_delete(achievement=achievement, by=request.user)


@admin.register(Member)
class MemberAdmin(ServiceErrorsMixin, ScopedAdmin):
    """Read-only for staff (the desk adds members); the services keep the leader's search text."""

    form = MemberAdminForm
    list_display = ["name", "studio", "role", "education", "political_status"]
    list_filter = ["role", "education", "political_status"]
    search_fields = ["name", "studio__name"]
    list_select_related = ["studio"]

    def get_fields(self, request, obj=None):
        return ["studio", *MemberAdminForm.Meta.fields, "photo_upload"]

    def get_readonly_fields(self, request, obj=None):
        return ["studio"] if obj is not None else []  # a person stays with their studio

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "studio":
            kwargs["queryset"] = Studio.objects.editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        photo = form.cleaned_data.get("photo_upload")
        if change:
            fields = _model_fields(form, form.changed_data)
            saved = services.member_update(member=obj, by=request.user, photo=photo, **fields)
        else:
            fields = _model_fields(form, form.cleaned_data)
            saved = services.member_add(by=request.user, photo=photo, **fields)
        _adopt(obj, saved)

    def delete_model(self, request, obj):
        services.member_delete(member=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # a bulk delete is all or nothing
            for member in queryset:
                services.member_delete(member=member, by=request.user)


@admin.register(FieldOfWork)
class FieldOfWorkAdmin(ServiceErrorsMixin, SafeHistoryMixin, SimpleHistoryAdmin):
    """A shared vocabulary, not a union's record: any role holder reads it, officers add to it.

    Officers keep writing here because fields of work have no desk page yet (the staff-writable
    exception of the admin rule); the writes go through services.field_of_work_save. The
    history mixins only make a version URL a 404 (fields of work keep no versions).
    """

    list_display = ["name", "slug"]
    search_fields = ["name"]

    def has_module_permission(self, request):
        return holds_any(request.user, None)

    def has_view_permission(self, request, obj=None):
        return holds_any(request.user, None)

    def has_add_permission(self, request):
        return holds_any(request.user, Role.EDIT_ROLES)

    def has_change_permission(self, request, obj=None):
        return holds_any(request.user, Role.EDIT_ROLES)

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    def save_model(self, request, obj, form, change):
        saved = services.field_of_work_save(
            by=request.user,
            name=form.cleaned_data["name"],
            slug=form.cleaned_data["slug"],
            field=obj if change else None,
        )
        _adopt(obj, saved)

    def delete_model(self, request, obj):
        services.field_of_work_delete(field=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # a bulk delete is all or nothing
            for field in queryset:
                services.field_of_work_delete(field=field, by=request.user)
