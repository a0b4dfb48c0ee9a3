from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from import_export import fields, resources

from .models import Activity


class ActivityResource(resources.ModelResource):
    union = fields.Field(attribute="union__name", column_name=_("union"))
    about = fields.Field(column_name=pgettext_lazy("activity", "About"))

    class Meta:
        model = Activity
        fields = ["id", "union", "kind", "title", "starts_at", "place", "participants", "organiser", "status", "about"]
        export_order = fields

    def filter_export(self, queryset, **kwargs):
        # The link's name is read with the rows, not one query per row.
        return super().filter_export(queryset, **kwargs).select_related("station", "studio", "contest")

    def dehydrate_kind(self, activity):
        return activity.get_kind_display()

    def dehydrate_status(self, activity):
        return activity.get_status_display()

    def dehydrate_about(self, activity):
        about = activity.about
        return f"{about._meta.verbose_name}: {about}" if about is not None else ""
