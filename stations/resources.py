"""Excel export of stations and demand points (django-import-export), scoped to the user.

These resources only export (with the id column, to tell rows apart). Imports go through
the core pipeline and the services (services.station_import / demand_point_import): a
file never addresses or creates a record by id.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.results import Error

from .models import DemandPoint, Station


class ChoiceWidget(widgets.Widget):
    """Exports the stored code of a choice."""

    def render(self, value, obj=None, **kwargs):
        return value


class ExportOnlyResource(resources.ModelResource):
    def __init__(self, user=None, **kwargs):
        super().__init__(**kwargs)
        self.user = user

    def import_data(self, dataset, **kwargs):
        # Never a second import path: nothing is read, the result carries one error.
        result = self.get_result_class()()
        result.append_base_error(Error(ValidationError(_("Import through the stations import page."))))
        return result

    def get_queryset(self):
        qs = self._meta.model.objects.all()
        return qs.visible_to(self.user) if self.user is not None else qs


class StationResource(ExportOnlyResource):
    union = fields.Field(attribute="union__name", column_name="union")
    kind = fields.Field(attribute="kind", column_name="kind", widget=ChoiceWidget())
    host_type = fields.Field(attribute="host_type", column_name="host_type", widget=ChoiceWidget())
    status = fields.Field(attribute="status", column_name="status", widget=ChoiceWidget())
    amenities = fields.Field(column_name="amenities", dehydrate_method="dehydrate_amenity_codes")

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

    def dehydrate_amenity_codes(self, station):
        # Export prefetches station_amenities with their amenity.
        return ",".join(sa.amenity.code for sa in station.station_amenities.all())


class DemandPointResource(ExportOnlyResource):
    union = fields.Field(attribute="union__name", column_name="union")
    kind = fields.Field(attribute="kind", column_name="kind", widget=ChoiceWidget())

    class Meta:
        model = DemandPoint
        fields = ["id", "union", "name", "kind", "lat", "lng", "workers"]
        export_order = fields
