from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from unionportal.core.adminmixins import ScopedAdmin, ScopedTabularInline, TouchParentMixin
from unionportal.core.images import ImageUploadField
from unionportal.core.models import Role
from unionportal.core.scoping import holds_any, union_scope

from . import services
from .forms import AttachmentField, MemberForm
from .models import Achievement, FieldOfWork, Member, Review, Studio, StudioPhoto, SupportRecord, YearTarget
from .resources import AchievementResource


class MemberAdminForm(MemberForm):
    """The desk's member form; in the admin the checked photo is set on save."""

    def save(self, commit=True):
        # The photo goes through the core image pipeline (re-encoded, EXIF dropped).
        photo = self.cleaned_data.get("photo_upload")
        if photo is not None:
            self.instance.photo, self.instance.photo_thumbnail = photo.image, photo.thumbnail
        return super().save(commit)


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

    def save(self, commit=True):
        photo = self.cleaned_data.get("upload")
        if photo is not None:
            self.instance.image, self.instance.thumbnail = photo.image, photo.thumbnail
        return super().save(commit)


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


class MemberInline(ScopedTabularInline):
    model = Member
    form = MemberAdminForm
    readonly_fields = ["photo_thumbnail"]


class AchievementInline(ScopedTabularInline):
    LATEST = 20
    model = Achievement
    fields = ["type", "title", "number", "date", "level"]
    show_change_link = True
    verbose_name_plural = _("latest achievements (all of them under Achievements)")


class PhotoInline(ScopedTabularInline):
    model = StudioPhoto
    form = PhotoAdminForm
    readonly_fields = ["thumbnail"]


class TargetInline(ScopedTabularInline):
    model = YearTarget
    fields = ["year", "target", "target_count", "assessment", "evidence"]
    # The higher union assesses on the desk (services.target_assess), not the studio's own union here.
    readonly_fields = ["assessment", "evidence"]


class SupportInline(ScopedTabularInline):
    model = SupportRecord
    fields = ["union", "kind", "date", "amount", "description"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "union":
            kwargs["queryset"] = union_scope(request.user, Role.EDIT_ROLES)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class ReviewInline(ScopedTabularInline):
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
class StudioAdmin(ExportMixin, ScopedAdmin):
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
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.studio_reindex(studio=form.instance)

    def get_formset_kwargs(self, request, obj, inline, prefix):
        kwargs = super().get_formset_kwargs(request, obj, inline, prefix)
        if isinstance(inline, AchievementInline) and obj is not None and obj.pk:
            # A studio may have a thousand results: the inline shows the latest ones; the
            # achievement changelist (paginated, filtered, exportable) has them all.
            latest = list(obj.achievements.values_list("pk", flat=True)[: AchievementInline.LATEST])
            kwargs["queryset"] = kwargs["queryset"].filter(pk__in=latest)
        return kwargs


@admin.register(Achievement)
class AchievementAdmin(ExportMixin, TouchParentMixin, ScopedAdmin):
    form = AchievementAdminForm
    resource_classes = [AchievementResource]
    list_display = ["title", "studio", "type", "date", "level", "number"]
    list_filter = ["type", "level"]
    search_fields = ["title", "number", "studio__name"]
    list_select_related = ["studio"]
    date_hierarchy = "date"
    autocomplete_fields = ["studio"]
    filter_horizontal = ["members"]
    parent_field = "studio"  # achievements show on the studio's public profile (page cache)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "studio":
            kwargs["queryset"] = Studio.objects.editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "members":
            kwargs["queryset"] = Member.objects.editable_by(request.user).select_related("studio")
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def touch(self, ids):
        services.studio_touch(studio_ids=list(ids))

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(Member)
class MemberAdmin(ScopedAdmin):
    form = MemberAdminForm
    list_display = ["name", "studio", "role", "education", "political_status"]
    list_filter = ["role", "education", "political_status"]
    search_fields = ["name", "studio__name"]
    list_select_related = ["studio"]

    def get_fields(self, request, obj=None):
        return ["studio", *MemberAdminForm.Meta.fields, "photo_upload"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "studio":
            kwargs["queryset"] = Studio.objects.editable_by(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        # The leader's name is searchable; either way the public page must show the change.
        services.studio_reindex(studio=obj.studio)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        services.studio_reindex(studio=obj.studio)

    def delete_queryset(self, request, queryset):
        ids = set(queryset.values_list("studio_id", flat=True))
        super().delete_queryset(request, queryset)
        for studio in Studio.objects.filter(pk__in=ids):
            services.studio_reindex(studio=studio)


@admin.register(FieldOfWork)
class FieldOfWorkAdmin(admin.ModelAdmin):
    """A shared vocabulary, not a union's record: any role holder reads it, officers add to it."""

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
