from django.db import migrations

AMENITIES = [
    ("water", "Drinking water", "bi-cup-straw"),
    ("microwave", "Microwave", "bi-fire"),
    ("first_aid", "First-aid kit", "bi-bandaid"),
    ("air_pump", "Air pump", "bi-wind"),
    ("phone_charger", "Phone charger", "bi-phone"),
    ("ebike_charger", "E-bike charging", "bi-ev-station"),
    ("seats", "Seats", "bi-person-workspace"),
    ("toilet", "Toilet", "bi-badge-wc"),
    ("climate", "Heating/cooling", "bi-thermometer-half"),
    ("wifi", "Wi-Fi", "bi-wifi"),
    ("reading", "Reading corner", "bi-book"),
]


def add(apps, schema_editor):
    Amenity = apps.get_model("stations", "Amenity")
    for order, (code, name, icon) in enumerate(AMENITIES):
        Amenity.objects.get_or_create(code=code, defaults={"name": name, "icon": icon, "order": order})


class Migration(migrations.Migration):
    dependencies = [("stations", "0001_initial")]
    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
