"""What the stations app contributes to the portal."""

from django.utils.translation import gettext_lazy as _

from unionportal.core import registry
from unionportal.core.models import Role
from unionportal.core.scoping import holds_any

from . import bench, demo, scale
from .models import (
    Amenity,
    AmenityDelivery,
    Award,
    DemandPoint,
    ExchangeVisit,
    Feedback,
    HoursException,
    Inspection,
    InspectionItem,
    OpeningHours,
    PublicAccessChange,
    Station,
    StationAmenity,
    StationPhoto,
)

# Each home-page number links to the finder listing what it counts.
registry.figure(
    "warm_stations", _("Warm stations"), lambda: Station.objects.warm().count(), url="stations:finder", order=10
)
registry.figure(
    "worker_homes",
    _("Worker homes"),
    lambda: Station.objects.worker_homes().count(),
    url="stations:finder",
    order=11,
)
registry.figure(
    "outdoor_stations",
    _("Outdoor-worker stations"),
    lambda: Station.objects.filter(kind=Station.Kind.OUTDOOR).count(),
    url="stations:finder?kind=outdoor",
    order=12,
)
registry.desk_card(
    _("Stations"),
    lambda user: Station.objects.visible_to(user).count() if holds_any(user, None) else None,
    url_name="stations:desk_list",
    order=10,
)
registry.desk_card(
    _("Open station reports"),
    lambda user: Feedback.objects.visible_to(user).open().count() if holds_any(user, None) else None,
    url_name="stations:inbox",
    order=11,
)
registry.nav(_("Station finder"), "stations:finder", order=10)
registry.nav(_("Station statistics"), "stations:stats", order=11)
registry.nav(_("Stations"), "stations:desk_list", desk=True, order=10)
registry.nav(_("Station reports"), "stations:inbox", desk=True, order=11)
registry.nav(_("Station coverage"), "stations:coverage", desk=True, order=12)
registry.nav(_("Demand points"), "stations:demand_points", desk=True, roles=Role.EDIT_ROLES, order=13)
registry.nav(_("Import stations"), "stations:station_import", desk=True, roles=Role.EDIT_ROLES, order=14)
registry.demo("stations", demo.seed, order=10)
registry.scale("stations", scale.add_arguments, scale.run)
registry.bench_pages(bench.pages)
registry.bench("stations", bench.run)
# Written only through stations.services (tests/test_admin_write_path.py walks the admin).
registry.serviced(
    Amenity,
    AmenityDelivery,
    Award,
    DemandPoint,
    ExchangeVisit,
    Feedback,
    HoursException,
    Inspection,
    InspectionItem,
    OpeningHours,
    PublicAccessChange,
    Station,
    StationAmenity,
    StationPhoto,
)
