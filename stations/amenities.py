"""The amenity codes are stable (API, filters, imports); labels and icons live here."""

from django.utils.translation import gettext_lazy as _

# code, label, Bootstrap icon
AMENITIES = [
    ("water", _("Drinking water"), "bi-cup-straw"),
    ("microwave", _("Microwave"), "bi-fire"),
    ("first_aid", _("First-aid kit"), "bi-bandaid"),
    ("air_pump", _("Air pump"), "bi-wind"),
    ("phone_charger", _("Phone charger"), "bi-phone"),
    ("ebike_charger", _("E-bike charging"), "bi-ev-station"),
    ("seats", _("Seats"), "bi-person-workspace"),
    ("toilet", _("Toilet"), "bi-badge-wc"),
    ("climate", _("Heating/cooling"), "bi-thermometer-half"),
    ("wifi", _("Wi-Fi"), "bi-wifi"),
    ("reading", _("Reading corner"), "bi-book"),
]
CODES = [code for code, _label, _icon in AMENITIES]
LABELS = {code: label for code, label, _icon in AMENITIES}
ICONS = {code: icon for code, _label, icon in AMENITIES}


def ensure_amenities() -> None:
    """Create the standard amenities (idempotent)."""
    from .models import Amenity

    for order, (code, label, icon) in enumerate(AMENITIES):
        Amenity.objects.get_or_create(code=code, defaults={"name": str(label), "icon": icon, "order": order})
