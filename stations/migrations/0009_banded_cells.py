import math

from django.db import migrations

# Frozen copy of models.cell_of as of this migration (cells numbered in bands of 16 rows).
CELL_DEG = 0.01
BAND_ROWS = 16
BAND_SPAN = 1_000_000


def recompute(apps, schema_editor):
    Station = apps.get_model("stations", "Station")
    batch = []
    for s in Station.objects.only("pk", "lat", "lng").iterator(chunk_size=5000):
        x, y = math.floor((s.lng + 180.0) / CELL_DEG), math.floor((s.lat + 90.0) / CELL_DEG)
        s.cell = (y // BAND_ROWS) * BAND_SPAN + x * BAND_ROWS + y % BAND_ROWS
        batch.append(s)
        if len(batch) >= 5000:
            Station.objects.bulk_update(batch, ["cell"])
            batch = []
    Station.objects.bulk_update(batch, ["cell"])


class Migration(migrations.Migration):
    dependencies = [("stations", "0008_search_grams")]
    operations = [migrations.RunPython(recompute, migrations.RunPython.noop, elidable=True)]
