"""Reference figures: yearly caps and minimum living lines (owned by a level, with history)."""

from django.contrib import admin

from unionportal.core.adminmixins import ScopedAdmin

from .. import services
from ..models import (
    MinimumLivingLine,
    YearlyCap,
)
from .mixins import (
    ServicedAdminMixin,
    WelfareAdminMixin,
)


@admin.register(YearlyCap)
class YearlyCapAdmin(ServicedAdminMixin, WelfareAdminMixin, ScopedAdmin):
    # No desk page sets the caps yet (issue "Desk first").
    staff_writable = True
    list_display = ["union", "year", "per_household"]
    list_select_related = ["union"]

    def save_model(self, request, obj, form, change):
        services.cap_save(cap=obj, by=request.user)

    def delete_model(self, request, obj):
        services.cap_delete(cap=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for cap in queryset.select_related("union"):
            services.cap_delete(cap=cap, by=request.user)


@admin.register(MinimumLivingLine)
class MinimumLivingLineAdmin(ServicedAdminMixin, ScopedAdmin):
    """Public reference figures: every welfare officer reads them; the owning level (welfare
    staff of the line's union or above) changes them, with history."""

    # No desk page keeps the lines yet (issue "Desk first").
    staff_writable = True
    list_display = ["region", "year", "monthly_amount", "union"]
    list_select_related = ["union"]

    def save_model(self, request, obj, form, change):
        services.line_save(line=obj, by=request.user)

    def delete_model(self, request, obj):
        services.line_delete(line=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for line in queryset.select_related("union"):
            services.line_delete(line=line, by=request.user)
