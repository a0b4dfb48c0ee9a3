from django.utils.translation import gettext_lazy as _
from import_export import fields, resources

from .models import Entry


class ResultResource(resources.ModelResource):
    """The ranking of a contest, one row per entry, for the organiser's Excel export."""

    contest = fields.Field(attribute="contest__title", column_name=_("contest"))
    category = fields.Field(attribute="category__name", column_name=_("category"))
    team = fields.Field(column_name=_("team members"))

    class Meta:
        model = Entry
        fields = [
            "id",
            "contest",
            "category",
            "rank",
            "prize",
            "title",
            "team",
            "status",
            "vote_count",
            "vote_score",
            "jury_score",
            "final_score",
        ]
        export_order = fields

    def dehydrate_team(self, entry):
        return ", ".join(f"{m.name} ({m.union.name})" for m in entry.members.all())

    def dehydrate_prize(self, entry):
        return entry.get_prize_display()

    def dehydrate_status(self, entry):
        return entry.get_status_display()
