"""Supply campaigns, their items, handouts and rosters in the back office."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from unionportal.core.adminmixins import ScopedAdmin, ScopedTabularInline

from .. import services
from ..models import (
    Campaign,
    CampaignItem,
    Employee,
    Handout,
    HandoutLine,
)
from .mixins import (
    LoggedLooksMixin,
    NoIdInUrlMixin,
    ServicedAdminMixin,
    WelfareAdminMixin,
)


class CampaignItemInline(WelfareAdminMixin, ScopedTabularInline):
    # Read-only for staff: the campaign's desk page adds items and their stock.
    model = CampaignItem
    fields = ["name", "unit", "per_person", "received", "stock"]
    readonly_fields = ["stock"]  # counted by the services (received minus handed out)


@admin.register(Campaign)
class CampaignAdmin(ServicedAdminMixin, WelfareAdminMixin, ScopedAdmin):
    # Read-only for staff: campaigns are created and edited on the desk (welfare:campaign_create).
    list_display = ["title", "union", "starts_on"]
    list_select_related = ["union"]
    inlines = [CampaignItemInline]

    def save_model(self, request, obj, form, change):
        services.campaign_save(campaign=obj, by=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not CampaignItem:
            return super().save_formset(request, form, formset, change)
        self._saved_by_service(formset)
        for item_form in formset.forms:
            item = item_form.instance
            if item_form in formset.deleted_forms:
                if item.pk:
                    services.item_delete(item=item, by=request.user)
            elif item_form.has_changed():
                item.campaign = form.instance
                services.item_save(item=item, by=request.user)

    def delete_model(self, request, obj):
        services.campaign_delete(campaign=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for campaign in queryset.select_related("union"):
            services.campaign_delete(campaign=campaign, by=request.user)


class HandoutLineInline(WelfareAdminMixin, ScopedTabularInline):
    model = HandoutLine
    fields = ["item", "quantity"]
    readonly_fields = ["item", "quantity"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Handout)
class HandoutAdmin(ServicedAdminMixin, LoggedLooksMixin, WelfareAdminMixin, ScopedAdmin):
    """Handouts are recorded on the phone with a signature; the back office reads them, and a
    superuser may undo one recorded by mistake (its units go back to stock)."""

    list_display = ["at", "campaign", "employee", "union", "confirmation"]
    list_select_related = ["campaign", "employee", "union"]
    readonly_fields = [
        "union",
        "campaign",
        "employee",
        "confirmation",
        "signature_image",
        "over_share_reason",
        "at",
        "by",
    ]
    exclude = ["signature"]
    inlines = [HandoutLineInline]

    @admin.display(description=_("signature"))
    def signature_image(self, obj):
        if not obj.signature:
            return "—"
        return format_html('<img src="{}" alt="" height="90">', reverse("welfare:handout_signature", args=[obj.pk]))

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.handout_delete(handout=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for handout in queryset.select_related("union"):
            services.handout_delete(handout=handout, by=request.user)


@admin.register(Employee)
class EmployeeAdmin(ServicedAdminMixin, LoggedLooksMixin, NoIdInUrlMixin, WelfareAdminMixin, ScopedAdmin):
    # Rosters are kept on the desk (a campaign's roster: add, correct, remove), so for staff
    # roles this admin is read-only (ScopedAdminMixin); superusers keep it whole.
    list_display = ["name", "staff_number", "union"]
    list_select_related = ["union"]
    search_fields = ["name", "staff_number"]

    def save_model(self, request, obj, form, change):
        services.employee_save(employee=obj, by=request.user)

    def delete_model(self, request, obj):
        services.employee_delete(employee=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for employee in queryset.select_related("union"):
            services.employee_delete(employee=employee, by=request.user)
