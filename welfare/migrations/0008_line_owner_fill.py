"""Give every minimum living line its owning union.

A line belongs to the level that sets it: the shallowest union whose region is the line's
region (a city's federation for the city's line), else the top of the tree (the root union
with the smallest path). A database with lines and no union cannot be migrated: create the
root union first.
"""

from django.db import migrations


def fill(apps, schema_editor):
    Line = apps.get_model("welfare", "MinimumLivingLine")
    Union = apps.get_model("core", "Union")
    lines = Line.objects.filter(union__isnull=True)
    if not lines.exists():
        return
    root = Union.objects.order_by("depth", "path").first()
    if root is None:
        raise RuntimeError("Minimum living lines exist but no union does: create the root union, then migrate.")
    for line in lines:
        owner = Union.objects.filter(region=line.region).order_by("depth", "path").first() or root
        line.union_id = owner.pk
        line.save(update_fields=["union"])


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("welfare", "0007_line_owner_nullable"),
    ]

    operations = [migrations.RunPython(fill, migrations.RunPython.noop)]
