from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin, ImportExportMixin

from unionportal.core.adminmixins import ScopedAdmin, ScopedRawIdWidget, ScopedTabularInline, TouchParentMixin
from unionportal.core.images import MultipleImageUploadField
from unionportal.core.scoping import union_scope

from . import services
from .maps import tile_config
from .models import (
    Amenity,
    AmenityDelivery,
    Award,
    DemandPoint,
    ExchangeVisit,
    Feedback,
    HoursException,
    Inspection,
    InspectionItem,
    OpeningHours,
    PublicAccessChange,
    Station,
    StationAmenity,
    StationPhoto,
)
from .resources import DemandPointResource, StationResource


@admin.register(Amenity)
class AmenityAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "icon", "order"]
    search_fields = ["code", "name"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff


class OpeningHoursInline(ScopedTabularInline):
    model = OpeningHours


class HoursExceptionInline(ScopedTabularInline):
    model = HoursException


class StationAmenityInline(ScopedTabularInline):
    model = StationAmenity


class AwardInline(ScopedTabularInline):
    model = Award


class StationPhotoInline(ScopedTabularInline):
    model = StationPhoto
    fields = ["thumbnail", "caption"]
    readonly_fields = ["thumbnail"]

    def has_add_permission(self, request, obj=None):
        return False  # photos go through the checked upload (unionportal.core.images)


class InspectionInline(ScopedTabularInline):
    model = Inspection
    fields = ["inspected_on", "inspector_name", "passed_all"]
    readonly_fields = fields
    show_change_link = True

    def has_add_permission(self, request, obj=None):
        return False  # recorded through the inspection form (all seven items at once)


class PublicAccessChangeInline(ScopedTabularInline):
    model = PublicAccessChange
    fields = ["changed_at", "is_public", "changed_by", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class ComplianceFilter(admin.SimpleListFilter):
    title = _("compliance")
    parameter_name = "compliance"

    def lookups(self, request, model_admin):
        return [("never", _("Never inspected")), ("failing", _("Failing an item"))] + [
            (f"fail_{code}", _("Failing: %(item)s") % {"item": label}) for code, label in Inspection.Item.choices
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "never":
            return queryset.never_inspected()
        if value == "failing":
            return queryset.failing()
        if value and value.startswith("fail_"):
            return queryset.failing(value.removeprefix("fail_"))
        return queryset


class StationAdminForm(forms.ModelForm):
    new_photos = MultipleImageUploadField(label=_("Add photos"), required=False)

    class Meta:
        model = Station
        fields = [
            "union",
            "name",
            "kind",
            "host_type",
            "status",
            "phone",
            "description",
            "town",
            "address",
            "lat",
            "lng",
            "is_public",
            "open_24h",
            "signage",
            "founded_on",
        ]


@admin.register(Station)
class StationAdmin(ImportExportMixin, ScopedAdmin):
    resource_classes = [StationResource]
    form = StationAdminForm
    list_display = ["name", "kind", "host_type", "town", "union", "status", "is_public", "signage"]
    list_filter = ["kind", "status", "host_type", "is_public", "signage", "open_24h", ComplianceFilter, "town"]
    search_fields = ["name", "address", "town", "initials"]
    list_select_related = ["union"]
    autocomplete_fields = ["union"]
    readonly_fields = ["public_since", "created_at", "updated_at"]
    inlines = [
        OpeningHoursInline,
        HoursExceptionInline,
        StationAmenityInline,
        StationPhotoInline,
        InspectionInline,
        AwardInline,
        PublicAccessChangeInline,
    ]
    fieldsets = [
        (None, {"fields": ["union", "name", "kind", "host_type", "status", "phone", "description", "new_photos"]}),
        (
            _("Place"),
            {
                "fields": ["town", "address", "lat", "lng"],
                "description": _("WGS-84 coordinates; pick them on the map below."),
            },
        ),
        (_("Access"), {"fields": ["is_public", "public_since", "open_24h", "signage", "founded_on"]}),
        (_("Record"), {"fields": ["created_at", "updated_at"]}),
    ]
    change_form_template = "admin/stations/station/change_form.html"
    show_full_result_count = False

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, {**(extra_context or {}), "tiles": tile_config()})

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).prefetch_related("station_amenities__amenity")

    def save_model(self, request, obj, form, change):
        services.station_save(station=obj, by=request.user)
        services.station_add_photos(station=obj, photos=form.cleaned_data.get("new_photos") or [])


class InspectionItemInline(ScopedTabularInline):
    model = InspectionItem
    extra = 0


@admin.register(Inspection)
class InspectionAdmin(ExportMixin, ScopedAdmin):
    list_display = ["station", "inspected_on", "inspector_name", "passed_all"]
    list_filter = ["passed_all", "inspected_on"]
    search_fields = ["station__name", "inspector_name"]
    list_select_related = ["station"]
    raw_id_fields = ["station", "inspector"]
    inlines = [InspectionItemInline]
    readonly_fields = ["passed_all"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "inspector":
            # Colleagues: users holding a role in a union the user may edit (a typed id of
            # anyone else shows no username).
            user = request.user
            qs = get_user_model().objects.all()
            if not user.is_superuser:
                unions = union_scope(user, self._qs_class().edit_roles)
                qs = qs.filter(Q(union_roles__union__in=unions) | Q(pk=user.pk)).distinct()
            kwargs["queryset"] = qs
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        services.inspection_refresh_latest(station=form.instance.station, inspection=form.instance)


@admin.register(AmenityDelivery)
class AmenityDeliveryAdmin(ExportMixin, ScopedAdmin):
    list_display = ["station", "amenity", "quantity", "delivered_on"]
    list_filter = ["amenity", "delivered_on"]
    search_fields = ["station__name"]
    list_select_related = ["station", "amenity"]
    raw_id_fields = ["station"]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            delivery = services.amenity_delivery_record(
                station=obj.station,
                amenity=obj.amenity,
                quantity=obj.quantity,
                delivered_on=obj.delivered_on,
                note=obj.note,
            )
            obj.pk = delivery.pk


@admin.register(Award)
class AwardAdmin(TouchParentMixin, ScopedAdmin):
    list_display = ["title", "station", "level", "year"]
    list_filter = ["level", "year"]
    search_fields = ["title", "station__name"]
    list_select_related = ["station"]
    raw_id_fields = ["station"]

    parent_field = "station"  # awards show on the station's public page (page cache)

    def touch(self, ids):
        services.station_touch(station_ids=ids)


@admin.register(ExchangeVisit)
class ExchangeVisitAdmin(ScopedAdmin):
    list_display = ["host", "guest", "visited_on", "participants"]
    search_fields = ["host__name", "guest__name"]
    list_select_related = ["host", "guest"]
    raw_id_fields = ["host", "guest"]
    readonly_fields = ["activity"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "guest":
            # The visiting station may be any union's, but a typed id shows its name beside the
            # box only when the user may see it: a public station or one of the user's own.
            seen = Station.objects.public() | Station.objects.visible_to(request.user)
            kwargs["widget"] = ScopedRawIdWidget(db_field.remote_field, self.admin_site, seen)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        visit = services.exchange_visit_log(
            host=obj.host,
            guest=obj.guest,
            visited_on=obj.visited_on,
            summary=obj.summary,
            participants=obj.participants,
            by=request.user,
        )
        obj.pk = visit.pk


@admin.register(Feedback)
class FeedbackAdmin(ExportMixin, ScopedAdmin):
    list_display = ["station", "rating", "problem", "status", "created_at"]
    list_filter = ["status", "problem", "rating"]
    search_fields = ["station__name", "message"]
    list_select_related = ["station"]
    raw_id_fields = ["station"]
    readonly_fields = ["station", "rating", "problem", "message", "contact", "answered_by", "answered_at"]


@admin.register(DemandPoint)
class DemandPointAdmin(ImportExportMixin, ScopedAdmin):
    resource_classes = [DemandPointResource]
    list_display = ["name", "kind", "union", "workers", "lat", "lng"]
    list_filter = ["kind"]
    search_fields = ["name"]
    list_select_related = ["union"]
    autocomplete_fields = ["union"]

    def get_import_resource_kwargs(self, request, **kwargs):
        return {**super().get_import_resource_kwargs(request, **kwargs), "user": request.user}
