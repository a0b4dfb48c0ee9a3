"""The stations back office. Every write goes through stations.services (a test walks the
admin for it). Every stations record has a desk page, so the admin is read-only for staff roles
(superusers keep it whole): stations (details, status, amenities, hours, exceptions, photos,
awards, deliveries, exchange visits) and 七有 inspections are edited from the desk's station
page (stations:desk_station), feedback is answered in the inbox (stations:inbox), demand points
and imports have their own desk pages (stations:demand_points, stations:station_import)."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from unionportal.core.adminmixins import ScopedAdmin, ScopedRawIdWidget, ScopedTabularInline
from unionportal.core.images import MultipleFileInput, MultipleImageUploadField
from unionportal.core.imports import ImportFailed
from unionportal.core.models import Role
from unionportal.core.scoping import holds_any, union_scope

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
    OpeningHours,
    PublicAccessChange,
    Station,
    StationAmenity,
    StationPhoto,
)
from .resources import DemandPointResource, StationResource


class ImportUploadForm(forms.Form):
    import_file = forms.FileField(label=_("File to import (.xlsx or .csv)"))


class PipelineImportMixin:
    """An "Import" page that reads the upload through the core import pipeline and saves every
    row through a service (`import_service(upload=, by=)`); ids are never read from a file.
    Exports (ExportMixin) keep their id column."""

    import_export_change_list_template = "admin/stations/change_list_import_export.html"
    import_service = None  # e.g. services.station_import
    import_columns: tuple[str, ...] = ()

    # Staff roles import on the desk (stations:station_import); an admin may still open its
    # import page to them (the service checks each row's union).
    staff_importable = False

    def has_import_permission(self, request) -> bool:
        if self.staff_importable and holds_any(request.user, Role.EDIT_ROLES):
            return True
        return self.has_add_permission(request)

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_import"
        return [
            path("import/", self.admin_site.admin_view(self.import_view), name=name),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra = {"has_import_permission": self.has_import_permission(request)}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    def import_view(self, request):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = ImportUploadForm(request.POST or None, request.FILES or None)
        errors = []
        if request.method == "POST" and form.is_valid():
            try:
                saved = type(self).import_service(upload=form.cleaned_data["import_file"], by=request.user)
            except ImportFailed as e:
                errors = e.row_errors
            else:
                messages.success(request, gettext("Imported {n} rows.").format(n=len(saved)))
                return HttpResponseRedirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist"))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": gettext("Import"),
            "form": form,
            "row_errors": errors,
            "columns": self.import_columns,
        }
        return TemplateResponse(request, "admin/stations/import.html", context)


@admin.register(Amenity)
class AmenityAdmin(admin.ModelAdmin):
    list_display = ["code", "label", "name", "icon", "order"]
    search_fields = ["code", "name"]

    @admin.display(description=_("label"))
    def label(self, obj):
        return obj.label  # translated (amenities.LABELS); `name` is the stored fallback

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def save_model(self, request, obj, form, change):
        services.amenity_save(amenity=obj)

    def delete_model(self, request, obj):
        services.amenity_delete(amenity=obj)

    def delete_queryset(self, request, queryset):
        for amenity in queryset:
            services.amenity_delete(amenity=amenity)


# Hours, exceptions and amenities have desk pages (stations:station_hours, stations:station_edit):
# read-only here for staff; superusers' edits go through services.station_parts_save.
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
    fields = ["thumbnail", "caption", "order"]
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
        if value and value.startswith("fail_") and value.removeprefix("fail_") in Inspection.Item.values:
            return queryset.failing(value.removeprefix("fail_"))
        return queryset


class StationAdminForm(forms.ModelForm):
    # Camera or gallery: no `capture` attribute.
    new_photos = MultipleImageUploadField(
        label=_("Add photos"),
        required=False,
        widget=MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )

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
class StationAdmin(PipelineImportMixin, ExportMixin, ScopedAdmin):
    resource_classes = [StationResource]
    import_service = services.station_import
    import_columns = services.imports.STATION_COLUMNS
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

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        return super().changeform_view(request, object_id, form_url, {**(extra_context or {}), "tiles": tile_config()})

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).prefetch_related("station_amenities__amenity")

    def save_model(self, request, obj, form, change):
        services.station_save(station=obj, by=request.user)
        services.station_add_photos(station=obj, photos=form.cleaned_data.get("new_photos") or [])

    def save_formset(self, request, form, formset, change):
        saved = formset.save(commit=False)
        services.station_parts_save(
            station=form.instance, saved=saved, deleted=formset.deleted_objects, by=request.user
        )

    def delete_model(self, request, obj):
        services.station_delete(station=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for station in queryset.select_related("union"):
            services.station_delete(station=station, by=request.user)


RESULT_CHOICES = [("pass", _("Passed")), ("fail", _("Failed"))]


class _InspectionFormBase(forms.ModelForm):
    """The seven items, each passed or failed (both required), with a note."""

    class Meta:
        model = Inspection
        fields = ["station", "inspected_on", "inspector", "inspector_name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            for item in self.instance.items.all():
                self.initial[f"item_{item.item}"] = "pass" if item.passed else "fail"
                self.initial[f"note_{item.item}"] = item.note

    def results(self) -> dict[str, tuple[bool, str]]:
        return {
            code: (self.cleaned_data[f"item_{code}"] == "pass", self.cleaned_data.get(f"note_{code}", ""))
            for code in Inspection.Item.values
        }


def _item_fields() -> dict:
    fields = {}
    for code, label in Inspection.Item.choices:
        fields[f"item_{code}"] = forms.ChoiceField(label=label, choices=RESULT_CHOICES, widget=forms.RadioSelect)
        fields[f"note_{code}"] = forms.CharField(label=_("note"), max_length=300, required=False)
    return fields


InspectionAdminForm = type("InspectionAdminForm", (_InspectionFormBase,), _item_fields())


@admin.register(Inspection)
class InspectionAdmin(ExportMixin, ScopedAdmin):
    form = InspectionAdminForm
    list_display = ["station", "inspected_on", "inspector_name", "passed_all"]
    list_filter = ["passed_all", "inspected_on"]
    search_fields = ["station__name", "inspector_name"]
    list_select_related = ["station"]
    raw_id_fields = ["station", "inspector"]
    readonly_fields = ["passed_all"]
    fieldsets = [
        (None, {"fields": ["station", "inspected_on", "inspector", "inspector_name", "passed_all"]}),
        (
            _("The seven items"),
            {"fields": [(f"item_{code}", f"note_{code}") for code in Inspection.Item.values]},
        ),
    ]

    def get_readonly_fields(self, request, obj=None):
        # An inspection stays with its station; a wrong one is deleted and recorded again.
        return [*super().get_readonly_fields(request, obj), *(["station"] if obj else [])]

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

    def save_model(self, request, obj, form, change):
        fields = {
            "inspected_on": obj.inspected_on,
            "results": form.results(),
            "by": request.user,
            "inspector": obj.inspector,
            "inspector_name": obj.inspector_name,
        }
        if change:
            services.inspection_update(inspection=obj, **fields)
        else:
            obj.pk = services.inspection_record(station=obj.station, **fields).pk

    def save_related(self, request, form, formsets, change):
        pass  # the items were saved with the inspection by the service (save_model)

    def delete_model(self, request, obj):
        services.inspection_delete(inspection=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for inspection in queryset.select_related("station__union"):
            services.inspection_delete(inspection=inspection, by=request.user)


@admin.register(AmenityDelivery)
class AmenityDeliveryAdmin(ExportMixin, ScopedAdmin):
    list_display = ["station", "amenity", "quantity", "delivered_on"]
    list_filter = ["amenity", "delivered_on"]
    search_fields = ["station__name"]
    list_select_related = ["station", "amenity"]
    raw_id_fields = ["station"]

    def has_change_permission(self, request, obj=None):
        # A delivery is kept as recorded: a wrong one is deleted (which takes its quantity back).
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return ScopedAdmin.has_change_permission(self, request, obj)

    def save_model(self, request, obj, form, change):
        delivery = services.amenity_delivery_record(
            station=obj.station,
            amenity=obj.amenity,
            quantity=obj.quantity,
            delivered_on=obj.delivered_on,
            note=obj.note,
            by=request.user,
        )
        obj.pk = delivery.pk

    def delete_model(self, request, obj):
        services.amenity_delivery_delete(delivery=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for delivery in queryset.select_related("station__union"):
            services.amenity_delivery_delete(delivery=delivery, by=request.user)


@admin.register(Award)
class AwardAdmin(ScopedAdmin):
    list_display = ["title", "station", "level", "year"]
    list_filter = ["level", "year"]
    search_fields = ["title", "station__name"]
    list_select_related = ["station"]
    raw_id_fields = ["station"]

    def save_model(self, request, obj, form, change):
        services.award_save(award=obj, by=request.user)  # moves the station page's stamp

    def delete_model(self, request, obj):
        services.award_delete(award=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for award in queryset.select_related("station__union"):
            services.award_delete(award=award, by=request.user)


@admin.register(ExchangeVisit)
class ExchangeVisitAdmin(ScopedAdmin):
    list_display = ["host", "guest", "visited_on", "participants"]
    search_fields = ["host__name", "guest__name"]
    list_select_related = ["host", "guest"]
    raw_id_fields = ["host", "guest"]
    readonly_fields = ["activity"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "guest":
            # The visiting station: a public one or one the user may see (the service's rule);
            # any other id is "not one of the available choices", its name shown nowhere.
            seen = Station.objects.public() | Station.objects.visible_to(request.user)
            kwargs["queryset"] = seen
            kwargs["widget"] = ScopedRawIdWidget(db_field.remote_field, self.admin_site, seen)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_form(self, request, obj=None, **kwargs):
        base = super().get_form(request, obj, **kwargs)
        user = request.user

        class CheckedForm(base):
            def clean(self):
                data = super().clean()
                host, guest = data.get("host"), data.get("guest")
                if host is not None and guest is not None:
                    try:
                        services.exchange_visit_check(host=host, guest=guest, by=user)
                    except ValidationError as e:
                        self.add_error(None, e)
                    except PermissionDenied:
                        self.add_error("host", gettext("Choose one of your own stations."))
                return data

        return CheckedForm

    def save_model(self, request, obj, form, change):
        services.exchange_visit_save(visit=obj, by=request.user)

    def delete_model(self, request, obj):
        services.exchange_visit_delete(visit=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for visit in queryset.select_related("host__union", "activity"):
            services.exchange_visit_delete(visit=visit, by=request.user)


class FeedbackAdminForm(forms.ModelForm):
    close = forms.BooleanField(label=_("Close the report"), required=False)

    class Meta:
        model = Feedback
        fields = ["answer"]


@admin.register(Feedback)
class FeedbackAdmin(ExportMixin, ScopedAdmin):
    # Read-only for staff: reports are answered on the desk (stations:inbox).
    form = FeedbackAdminForm
    list_display = ["station", "rating", "problem", "status", "created_at"]
    list_filter = ["status", "problem", "rating"]
    search_fields = ["station__name", "message"]
    list_select_related = ["station"]
    raw_id_fields = ["station"]
    fields = ["station", "rating", "problem", "message", "contact", "status", "answer", "close"]
    readonly_fields = ["station", "rating", "problem", "message", "contact", "status", "answered_by", "answered_at"]

    def has_add_permission(self, request, *args):
        return False  # workers send reports from the station page

    def save_model(self, request, obj, form, change):
        if {"answer", "close"} & set(form.changed_data):
            answer = obj.answer if "answer" in form.changed_data else ""
            services.feedback_answer(feedback=obj, answer=answer, close=form.cleaned_data["close"], by=request.user)

    def delete_model(self, request, obj):
        services.feedback_delete(feedback=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for feedback in queryset.select_related("station__union"):
            services.feedback_delete(feedback=feedback, by=request.user)


@admin.register(DemandPoint)
class DemandPointAdmin(PipelineImportMixin, ExportMixin, ScopedAdmin):
    resource_classes = [DemandPointResource]
    import_service = services.demand_point_import
    import_columns = services.imports.DEMAND_POINT_COLUMNS
    list_display = ["name", "kind", "union", "workers", "lat", "lng"]
    list_filter = ["kind"]
    search_fields = ["name"]
    list_select_related = ["union"]
    autocomplete_fields = ["union"]

    def get_export_resource_kwargs(self, request, **kwargs):
        return {**super().get_export_resource_kwargs(request, **kwargs), "user": request.user}

    def save_model(self, request, obj, form, change):
        services.demand_point_save(point=obj, by=request.user)

    def delete_model(self, request, obj):
        services.demand_point_delete(point=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for point in queryset.select_related("union"):
            services.demand_point_delete(point=point, by=request.user)
