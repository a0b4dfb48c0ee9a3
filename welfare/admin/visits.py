"""Visits and assistance in the back office; what they give counts against the yearly cap."""

from django import forms
from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from unionportal.core.adminmixins import ScopedAdmin, ScopedTabularInline

from .. import identity, selectors, services
from ..models import (
    Assistance,
    Visit,
    VisitPhoto,
)
from .mixins import (
    EstimatedCountMixin,
    IdSearchMixin,
    LoggedLooksMixin,
    ServicedAdminMixin,
    WelfareAdminMixin,
    looks_like_full_id,
)


class VisitPhotoInline(WelfareAdminMixin, ScopedTabularInline):
    """Photos are taken on the desk's visit form; here they are shown, or deleted (superusers)."""

    model = VisitPhoto
    fields = ["preview"]
    readonly_fields = ["preview"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("photo"))
    def preview(self, obj):
        if not obj.pk:
            return ""
        return format_html(
            '<a href="{}"><img src="{}" alt="" height="72"></a>',
            reverse("welfare:visit_photo", args=[obj.pk, "full"]),
            reverse("welfare:visit_photo", args=[obj.pk, "thumb"]),
        )


VISIT_FIELDS = [
    "kind",
    "site",
    "group_size",
    "occasion",
    "date",
    "visitors",
    "found",
    "money",
    "goods",
    "goods_value",
    "needs",
    "measure",
    "next_follow_up",
]


class OverrideForm(forms.ModelForm):
    override_reason = forms.CharField(
        label=_("chair's reason to go over the yearly cap"), required=False, max_length=300
    )


@admin.register(Visit)
class VisitAdmin(
    ServicedAdminMixin, LoggedLooksMixin, IdSearchMixin, WelfareAdminMixin, EstimatedCountMixin, ScopedAdmin
):
    form = OverrideForm
    list_display = ["date", "occasion", "kind", "union", "file", "money", "goods_value"]
    list_filter = ["occasion", "kind"]
    list_select_related = ["union", "file"]
    # Searched through the file (name or phone fragment): a LIKE on the visits table itself
    # would scan a million rows. A full ID number goes through the posted ID search.
    search_fields = ["file__name"]
    raw_id_fields = ["file"]
    date_hierarchy = None
    inlines = [VisitPhotoInline]
    readonly_fields = ["created_by"]
    id_search_lookup = "file__in"

    def person_file(self, obj):
        return obj.file

    def get_search_results(self, request, queryset, search_term):
        term = identity.normalise(search_term)
        if not term or looks_like_full_id(search_term):
            return (queryset.none() if term else queryset), False
        files = selectors.files_search(user=request.user, q=search_term)
        return queryset.filter(file__in=files.values("pk")), False

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in VISIT_FIELDS if f in form.cleaned_data}
        reason = form.cleaned_data.get("override_reason", "")
        if change:
            visit = Visit.objects.select_related("union", "file").get(pk=obj.pk)
            data |= {"union": form.cleaned_data["union"], "file": form.cleaned_data.get("file")}
            saved = services.visit_update(visit=visit, by=request.user, override_reason=reason, **data)
        else:
            saved = services.visit_create(
                union=form.cleaned_data["union"],
                file=form.cleaned_data.get("file"),
                by=request.user,
                override_reason=reason,
                **data,
            )
        self._sync(obj, saved)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self._saved_by_service(formset)
            gone = [f.instance.pk for f in formset.deleted_forms if f.instance.pk]
            if formset.model is VisitPhoto and gone:
                services.photo_delete(
                    photos=VisitPhoto.objects.filter(visit=form.instance, pk__in=gone), by=request.user
                )

    def delete_model(self, request, obj):
        services.visit_delete(visit=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for visit in queryset.select_related("union"):
            services.visit_delete(visit=visit, by=request.user)


@admin.register(Assistance)
class AssistanceAdmin(ServicedAdminMixin, LoggedLooksMixin, WelfareAdminMixin, ScopedAdmin):
    form = OverrideForm
    list_display = ["date", "kind", "amount", "union", "file", "funding_source"]
    list_filter = ["kind"]
    list_select_related = ["union", "file"]
    raw_id_fields = ["file"]
    readonly_fields = ["union"]

    def person_file(self, obj):
        return obj.file

    def get_readonly_fields(self, request, obj=None):
        # A measure stays on its file; the union is the file's.
        return ["union", "file"] if obj is not None else ["union"]

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in ("kind", "amount", "date", "funding_source", "note")}
        reason = form.cleaned_data.get("override_reason", "")
        if change:
            measure = Assistance.objects.select_related("file__union").get(pk=obj.pk)
            saved = services.assistance_update(measure=measure, by=request.user, override_reason=reason, **data)
        else:
            saved = services.assistance_add(
                file=form.cleaned_data["file"], by=request.user, override_reason=reason, **data
            )
        self._sync(obj, saved)

    def delete_model(self, request, obj):
        services.assistance_delete(measure=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for measure in queryset.select_related("file__union"):
            services.assistance_delete(measure=measure, by=request.user)
