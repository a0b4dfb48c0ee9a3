import math

from django.db import migrations

CELL_DEG = 0.01
CELL_ROW = 100_000


def recompute(apps, schema_editor):
    Station = apps.get_model("stations", "Station")
    batch = []
    for s in Station.objects.only("pk", "lat", "lng").iterator(chunk_size=5000):
        s.cell = math.floor((s.lat + 90.0) / CELL_DEG) * CELL_ROW + math.floor((s.lng + 180.0) / CELL_DEG)
        batch.append(s)
        if len(batch) >= 5000:
            Station.objects.bulk_update(batch, ["cell"])
            batch = []
    Station.objects.bulk_update(batch, ["cell"])


class Migration(migrations.Migration):
    dependencies = [("stations", "0004_search_index")]
    operations = [migrations.RunPython(recompute, migrations.RunPython.noop)]
