"""Back office of welfare: scoped like the desk, ID numbers masked, the access log read-only."""

from django import forms
from django.contrib import admin
from django.core.paginator import Paginator
from django.db import connection
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from unionportal.core.adminmixins import ScopedAdmin, ScopedAdminMixin, ScopedTabularInline
from unionportal.core.scoping import holds_any

from . import identity, services
from .models import (
    AccessLog,
    Assistance,
    Campaign,
    CampaignItem,
    Employee,
    Handout,
    HandoutLine,
    HardshipFile,
    HouseholdMember,
    MinimumLivingLine,
    Visit,
    VisitPhoto,
    YearlyCap,
)

# Unfiltered changelists of big tables estimate their count beyond this many rows.
ESTIMATE_ABOVE = 10_000


class EstimatedCountPaginator(Paginator):
    """Uses PostgreSQL's planner estimate (pg_class.reltuples) instead of an exact COUNT(*)."""

    @cached_property
    def count(self) -> int:
        table = self.object_list.model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
            row = cursor.fetchone()
        estimate = int(row[0]) if row and row[0] is not None else -1
        if estimate < ESTIMATE_ABOVE:
            return super().count
        return estimate


class WelfareAdminMixin:
    """Every foreign key choice (raw id or select) is limited to what the user may see."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        manager = db_field.related_model._default_manager
        if db_field.related_model._meta.label != "core.Union" and hasattr(manager, "visible_to"):
            kwargs["queryset"] = manager.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class EstimatedCountMixin:
    """Estimate the count of an unfiltered, unsearched changelist of the whole table."""

    show_full_result_count = False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        params = {k for k in request.GET if k not in ("p", "o")}
        if connection.vendor == "postgresql" and request.user.is_superuser and not params:
            return EstimatedCountPaginator(queryset, per_page, orphans, allow_empty_first_page)
        return super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)


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

    class Meta:
        model = HardshipFile
        fields = [
            "union",
            "name",
            "gender",
            "phone",
            "address",
            "region",
            "category",
            "override_reason",
            "causes",
            "status",
            "stage",
            "rigid_expenses",
            "accident_loss",
            "notice_starts",
            "notice_days",
            "objections",
            "filed_on",
            "review_due",
            "closed_on",
        ]

    def clean_id_number(self) -> str:
        value = self.cleaned_data.get("id_number", "")
        if not value:
            if not self.instance.pk:
                raise forms.ValidationError(_("An ID number is required for a new file."))
            return ""
        number = identity.validate_id_number(value)
        duplicate = HardshipFile.objects.filter(id_number_hash=identity.lookup_hash(number))
        if self.instance.pk:
            duplicate = duplicate.exclude(pk=self.instance.pk)
        if duplicate.exists():
            raise forms.ValidationError(_("A hardship file with this ID number already exists."))
        return number


@admin.register(HardshipFile)
class HardshipFileAdmin(WelfareAdminMixin, ScopedAdmin):
    form = HardshipFileAdminForm
    list_display = ["name", "id_number_masked", "union", "category", "status", "review_due"]
    list_filter = ["status", "category", "stage"]
    list_select_related = ["union"]
    search_fields = ["name"]
    readonly_fields = [
        "id_number_masked",
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

    def get_search_results(self, request, queryset, search_term):
        """A full ID number is looked up through its keyed hash; anything else by name or phone."""
        found = queryset.search(search_term)
        if len(identity.normalise(search_term)) == 18:
            # A look-up by a full ID number is a look at personal data: logged as on the desk.
            services.access_log_id_search(
                user=request.user, files=found, what=_("Search by a full ID number in the back office"), request=request
            )
        return found, False

    def save_model(self, request, obj, form, change):
        number = form.cleaned_data.get("id_number")
        if number:
            obj.id_number_encrypted = identity.encrypt(number)
            obj.id_number_hash = identity.lookup_hash(number)
            obj.id_number_masked = identity.mask(number)
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.household_recompute(file=form.instance)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        file = self.get_queryset(request).filter(pk=object_id).first() if str(object_id).isdigit() else None
        if file is not None and request.method == "GET":
            services.access_log_write(
                user=request.user,
                union=file.union_id,
                action=AccessLog.Action.VIEW,
                file=file,
                what=_("File #{pk} in the back office").format(pk=file.pk),
                request=request,
            )
        return super().change_view(request, object_id, form_url, extra_context)


class VisitPhotoInline(WelfareAdminMixin, ScopedTabularInline):
    model = VisitPhoto
    fields = ["preview"]
    readonly_fields = ["preview"]

    @admin.display(description=_("photo"))
    def preview(self, obj):
        if not obj.pk:
            return ""
        return format_html(
            '<a href="{}"><img src="{}" alt="" height="72"></a>',
            reverse("welfare:visit_photo", args=[obj.pk, "full"]),
            reverse("welfare:visit_photo", args=[obj.pk, "thumb"]),
        )


@admin.register(Visit)
class VisitAdmin(WelfareAdminMixin, EstimatedCountMixin, ScopedAdmin):
    list_display = ["date", "occasion", "kind", "union", "file", "money", "goods_value"]
    list_filter = ["occasion", "kind"]
    list_select_related = ["union", "file"]
    # Searched through the file (name, phone fragment or full ID number): a LIKE on the visits
    # table itself would scan a million rows.
    search_fields = ["file__name"]
    raw_id_fields = ["file"]
    date_hierarchy = None
    inlines = [VisitPhotoInline]
    readonly_fields = ["created_by"]

    def get_search_results(self, request, queryset, search_term):
        term = identity.normalise(search_term)
        if not term:
            return queryset, False
        files = HardshipFile.objects.visible_to(request.user).search(search_term)
        return queryset.filter(file__in=files.values("pk")), False


@admin.register(Assistance)
class AssistanceAdmin(WelfareAdminMixin, ScopedAdmin):
    list_display = ["date", "kind", "amount", "union", "file", "funding_source"]
    list_filter = ["kind"]
    list_select_related = ["union", "file"]
    raw_id_fields = ["file"]


class CampaignItemInline(WelfareAdminMixin, ScopedTabularInline):
    model = CampaignItem
    fields = ["name", "unit", "per_person", "received", "stock"]


@admin.register(Campaign)
class CampaignAdmin(WelfareAdminMixin, ScopedAdmin):
    list_display = ["title", "union", "starts_on"]
    list_select_related = ["union"]
    inlines = [CampaignItemInline]


class HandoutLineInline(WelfareAdminMixin, ScopedTabularInline):
    model = HandoutLine
    fields = ["item", "quantity"]
    readonly_fields = ["item", "quantity"]


@admin.register(Handout)
class HandoutAdmin(WelfareAdminMixin, ScopedAdmin):
    """Handouts are recorded on the phone with a signature; the back office only reads them."""

    list_display = ["at", "campaign", "employee", "union", "confirmation"]
    list_select_related = ["campaign", "employee", "union"]
    readonly_fields = ["union", "campaign", "employee", "confirmation", "signature_image", "at", "by"]
    exclude = ["signature"]

    @admin.display(description=_("signature"))
    def signature_image(self, obj):
        if not obj.signature:
            return "—"
        return format_html('<img src="{}" alt="" height="90">', reverse("welfare:handout_signature", args=[obj.pk]))

    inlines = [HandoutLineInline]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Employee)
class EmployeeAdmin(WelfareAdminMixin, ScopedAdmin):
    list_display = ["name", "staff_number", "union"]
    list_select_related = ["union"]
    search_fields = ["name", "staff_number"]


@admin.register(YearlyCap)
class YearlyCapAdmin(WelfareAdminMixin, ScopedAdmin):
    list_display = ["union", "year", "per_household"]
    list_select_related = ["union"]


@admin.register(MinimumLivingLine)
class MinimumLivingLineAdmin(admin.ModelAdmin):
    """Public reference figures, kept by welfare staff."""

    list_display = ["region", "year", "monthly_amount"]

    def has_module_permission(self, request):
        return holds_any(request.user, ("welfare",))

    def has_view_permission(self, request, obj=None):
        return holds_any(request.user, ("welfare",))

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


@admin.register(AccessLog)
class AccessLogAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Append-only: chairs of the subtree read it; nobody adds, changes or deletes through here."""

    list_display = ["at", "username", "action", "what", "union", "ip"]
    list_filter = ["action"]
    list_select_related = ["union"]
    search_fields = ["username", "what"]
    readonly_fields = [f.name for f in AccessLog._meta.fields]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
