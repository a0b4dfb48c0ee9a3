"""Hardship files in the back office: edited through the desk's services, workflow fields read-only."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from unionportal.core.adminmixins import ScopedAdmin, ScopedTabularInline

from .. import services
from ..models import (
    HardshipFile,
    HouseholdMember,
)
from .mixins import (
    IdSearchMixin,
    LoggedLooksMixin,
    ServicedAdminMixin,
    WelfareAdminMixin,
    looks_like_full_id,
)

# --- Hardship files -----------------------------------------------------------------------


class HouseholdMemberInline(WelfareAdminMixin, ScopedTabularInline):
    model = HouseholdMember
    fields = ["relation", "name", "yearly_income"]


class HardshipFileAdminForm(forms.ModelForm):
    id_number = forms.CharField(
        label=_("ID number"),
        required=False,
        max_length=22,
        help_text=_("Stored encrypted. Leave empty to keep the current number."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    acting_user = None  # set by HardshipFileAdmin.get_form

    class Meta:
        model = HardshipFile
        fields = [
            "union",
            "name",
            "gender",
            "phone",
            "address",
            "region",
            "causes",
            "rigid_expenses",
            "accident_loss",
            "notice_days",
        ]

    def clean_id_number(self) -> str:
        value = self.cleaned_data.get("id_number", "")
        if not value:
            if not self.instance.pk:
                raise forms.ValidationError(_("An ID number is required for a new file."))
            return ""
        # The desk's check (format, and duplicates among the files the user may see, logged).
        return services.file_id_check(id_number=value, by=self.acting_user, file=self.instance)


WORKFLOW_FIELDS = [
    "category",
    "override_reason",
    "status",
    "stage",
    "notice_starts",
    "objections",
    "filed_on",
    "review_due",
    "closed_on",
]


@admin.register(HardshipFile)
class HardshipFileAdmin(ServicedAdminMixin, LoggedLooksMixin, IdSearchMixin, WelfareAdminMixin, ScopedAdmin):
    form = HardshipFileAdminForm
    list_display = ["name", "id_number_masked", "union", "category", "status", "review_due"]
    list_filter = ["status", "category", "stage"]
    list_select_related = ["union"]
    search_fields = ["name"]
    # Stage, status and category change only through the workflow (desk), which keeps history.
    readonly_fields = [
        "id_number_masked",
        *WORKFLOW_FIELDS,
        "household_size",
        "household_income",
        "per_capita_monthly",
        "suggested_category",
        "line_amount",
        "anonymised_at",
        "created_by",
    ]
    inlines = [HouseholdMemberInline]
    show_full_result_count = False

    def person_file(self, obj):
        return obj

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.acting_user = request.user
        return form

    def get_search_results(self, request, queryset, search_term):
        """By name or phone fragment (a full ID number goes through the posted ID search)."""
        if looks_like_full_id(search_term):
            return queryset.none(), False
        return queryset.search(search_term), False

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in services.EDITABLE_FIELDS if f in form.cleaned_data}
        number = form.cleaned_data.get("id_number") or ""
        if change:
            # The service checks the user against the file's union as stored, not as edited.
            saved = services.file_update(
                file=HardshipFile.objects.get(pk=obj.pk), by=request.user, id_number=number, **data
            )
        else:
            saved = services.file_create(union=data.pop("union"), by=request.user, id_number=number, **data)
        self._sync(obj, saved)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self._saved_by_service(formset)
            if formset.model is HouseholdMember:
                rows = [
                    {k: row.get(k) for k in ("name", "relation", "yearly_income")}
                    for row in formset.cleaned_data
                    if row and not row.get("DELETE")
                ]
                services.household_set(file=form.instance, members=rows, by=request.user)

    def delete_model(self, request, obj):
        services.file_delete(file=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for file in queryset.select_related("union"):
            services.file_delete(file=file, by=request.user)
