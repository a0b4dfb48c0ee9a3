"""Activities logged for exchange visits before issue #10 may name a station the public may
not see (a hidden guest of another union, or one that became non-public later): write it as
"a station", as services.visits does now."""

from django.conf import settings
from django.db import migrations
from django.utils import translation
from django.utils.translation import gettext

PUBLIC_STATUSES = ("open", "suspended")  # Station.PUBLIC_STATUSES when this was written


def unname(apps, schema_editor):
    ExchangeVisit = apps.get_model("stations", "ExchangeVisit")
    with translation.override(settings.LANGUAGE_CODE):
        placeholder = gettext("a station")
    visits = ExchangeVisit.objects.filter(activity__isnull=False).select_related("host", "guest", "activity")
    for visit in visits.iterator():
        activity = visit.activity
        before = (activity.title, activity.place)
        for station in (visit.guest, visit.host):
            if station.is_public and station.status in PUBLIC_STATUSES or not station.name:
                continue
            activity.title = activity.title.replace(station.name, placeholder)[:120]
            if station.name in activity.place:
                activity.place = ""
        if (activity.title, activity.place) != before:
            activity.save(update_fields=["title", "place"])


class Migration(migrations.Migration):
    dependencies = [("stations", "0009_banded_cells"), ("core", "0001_initial")]
    operations = [migrations.RunPython(unname, migrations.RunPython.noop, elidable=True)]
