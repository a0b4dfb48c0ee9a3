"""Excel import and export of stations and demand points (django-import-export).

Imports are scoped: the union column names a union the importing officer may edit, and an
id column may only address stations the officer may edit. Any bad row fails the whole file.
"""

from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from unionportal.core.models import Role, Union
from unionportal.core.scoping import union_scope

from . import services
from .models import Amenity, DemandPoint, Station, StationAmenity


class ScopedUnionWidget(widgets.ForeignKeyWidget):
    def __init__(self, user=None):
        super().__init__(Union, field="name")
        self.user = user

    def get_queryset(self, value, row, *args, **kwargs):
        if self.user is None:
            return Union.objects.all()
        return union_scope(self.user, Role.EDIT_ROLES)

    def clean(self, value, row=None, **kwargs):
        if not value:
            raise ValueError(_("The union is required."))
        try:
            return super().clean(value, row, **kwargs)
        except Union.DoesNotExist:
            raise ValueError(_("Unknown union, or one you may not edit: %(name)s") % {"name": value}) from None


class ChoiceWidget(widgets.Widget):
    """Accepts the stored code or the label (English or Chinese) of a choice."""

    def __init__(self, choices):
        self.choices = choices
        super().__init__()

    def clean(self, value, row=None, **kwargs):
        value = (str(value) if value is not None else "").strip()
        from django.utils import translation

        for code, label in self.choices:
            names = {str(code).lower(), str(label).lower()}
            with translation.override("zh-hans"):
                names.add(str(label).lower())
            if value.lower() in names:
                return code
        raise ValueError(_("Unknown value: %(value)s") % {"value": value})

    def render(self, value, obj=None, **kwargs):
        return value


class AmenityCodesWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        codes = [c.strip() for c in str(value or "").replace(";", ",").split(",") if c.strip()]
        known = set(Amenity.objects.filter(code__in=codes).values_list("code", flat=True))
        unknown = [c for c in codes if c not in known]
        if unknown:
            raise ValueError(_("Unknown amenity codes: %(codes)s") % {"codes": ", ".join(unknown)})
        return codes

    def render(self, value, obj=None, **kwargs):
        return ",".join(value or [])


class StationResource(resources.ModelResource):
    union = fields.Field(attribute="union", column_name="union", widget=ScopedUnionWidget())
    kind = fields.Field(attribute="kind", column_name="kind", widget=ChoiceWidget(Station.Kind.choices))
    host_type = fields.Field(
        attribute="host_type", column_name="host_type", widget=ChoiceWidget(Station.HostType.choices)
    )
    status = fields.Field(attribute="status", column_name="status", widget=ChoiceWidget(Station.Status.choices))
    amenities = fields.Field(
        column_name="amenities", widget=AmenityCodesWidget(), dehydrate_method="dehydrate_amenity_codes"
    )

    class Meta:
        model = Station
        fields = [
            "id",
            "union",
            "name",
            "kind",
            "host_type",
            "town",
            "address",
            "lat",
            "lng",
            "phone",
            "status",
            "founded_on",
            "signage",
            "is_public",
            "open_24h",
            "amenities",
        ]
        export_order = fields
        clean_model_instances = True
        skip_unchanged = False
        use_transactions = True

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.fields["union"].widget.user = user

    def import_data(self, dataset, **kwargs):
        # All or nothing: one bad row and no row of the file is saved.
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, **kwargs)

    def get_queryset(self):
        qs = Station.objects.all()
        return qs.editable_by(self.user) if self.user is not None else qs

    def dehydrate_amenity_codes(self, station):
        # Export prefetches station_amenities with their amenity.
        return ",".join(sa.amenity.code for sa in station.station_amenities.all())

    def import_field(self, field, instance, row, is_m2m=False, **kwargs):
        if field.column_name == "amenities":
            if "amenities" in row:
                instance._amenity_codes = field.clean(row, **kwargs)
            return
        super().import_field(field, instance, row, is_m2m, **kwargs)

    def before_save_instance(self, instance, row, **kwargs):
        services.station_fill_derived(station=instance)

    def after_save_instance(self, instance, row, **kwargs):
        services.station_index_text(stations=[instance])
        services.station_touch(station_ids=[instance.pk])
        codes = getattr(instance, "_amenity_codes", None)
        if codes is None:
            return
        wanted = {a.code: a for a in Amenity.objects.filter(code__in=codes)}
        instance.station_amenities.exclude(amenity__code__in=list(wanted)).delete()
        have = set(instance.station_amenities.values_list("amenity__code", flat=True))
        StationAmenity.objects.bulk_create(
            [StationAmenity(station=instance, amenity=a) for code, a in wanted.items() if code not in have]
        )


class DemandPointResource(resources.ModelResource):
    union = fields.Field(attribute="union", column_name="union", widget=ScopedUnionWidget())
    kind = fields.Field(attribute="kind", column_name="kind", widget=ChoiceWidget(DemandPoint.Kind.choices))

    class Meta:
        model = DemandPoint
        fields = ["id", "union", "name", "kind", "lat", "lng", "workers"]
        export_order = fields
        clean_model_instances = True
        use_transactions = True

    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user
        self.fields["union"].widget.user = user

    def import_data(self, dataset, **kwargs):
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, **kwargs)

    def get_queryset(self):
        qs = DemandPoint.objects.all()
        return qs.editable_by(self.user) if self.user is not None else qs
