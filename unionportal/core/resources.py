from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from .models import Activity


class ActivityResource(resources.ModelResource):
    union = fields.Field(attribute="union__name", column_name=_("union"))

    class Meta:
        model = Activity
        fields = ["id", "union", "kind", "title", "starts_at", "place", "participants", "organiser", "status"]
        export_order = fields

    def dehydrate_kind(self, activity):
        return activity.get_kind_display()

    def dehydrate_status(self, activity):
        return activity.get_status_display()
