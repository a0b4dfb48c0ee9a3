from import_export import fields, resources

from .models import Achievement


class AchievementResource(resources.ModelResource):
    """Exports achievements with the same columns the desk import reads back (never the id: the
    import refuses id columns, so an export can be imported into another studio as it is)."""

    studio = fields.Field(attribute="studio__name", column_name="studio")
    members = fields.Field(column_name="members")

    class Meta:
        model = Achievement
        fields = [
            "studio",
            "type",
            "title",
            "number",
            "date",
            "level",
            "members",
            "benefit_amount",
            "benefit_note",
        ]
        export_order = fields

    def dehydrate_type(self, achievement):
        return achievement.get_type_display()

    def dehydrate_level(self, achievement):
        return achievement.get_level_display()

    def dehydrate_members(self, achievement):
        return ", ".join(m.name for m in achievement.members.all())
