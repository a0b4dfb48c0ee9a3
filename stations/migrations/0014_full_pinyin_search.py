"""Full pinyin in the stations' search pinyin (`liangxiang` finds 良乡…), and their n-grams rebuilt."""

from django.db import migrations

from stations import grams


def search_pinyin(*texts):
    # A copy of stations.services.stations.search_pinyin as of this migration.
    from pypinyin import Style, lazy_pinyin

    initials = " ".join(
        "".join(lazy_pinyin(t, style=Style.FIRST_LETTER)).replace(" ", "").lower() for t in texts if t
    )
    full = ["".join(lazy_pinyin(t)).lower().replace(" ", "") for t in texts if t]
    return " ".join([initials, *full])[:400]


def rebuild(apps, schema_editor):
    """Refill the pinyin column and rewrite the n-grams, in chunks (memory stays flat)."""
    Station = apps.get_model("stations", "Station")
    StationGram = apps.get_model("stations", "StationGram")
    batch = []

    def flush():
        Station.objects.bulk_update(batch, ["initials"])
        StationGram.objects.filter(station_id__in=[s.pk for s in batch]).delete()
        StationGram.objects.bulk_create(
            [StationGram(station_id=s.pk, code=c) for s in batch for c in grams.text_codes(s.search_text, s.initials)],
            batch_size=5000,
        )
        batch.clear()

    for station in Station.objects.order_by("pk").only("pk", "name", "town", "address", "search_text").iterator(2000):
        station.initials = search_pinyin(station.name, station.town, station.address)
        batch.append(station)
        if len(batch) >= 2000:
            flush()
    if batch:
        flush()


class Migration(migrations.Migration):
    dependencies = [
        ("stations", "0013_photo_order"),
    ]

    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop, elidable=True)]
