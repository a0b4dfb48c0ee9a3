"""What the core itself contributes through the registry."""

from django.utils.translation import gettext_lazy as _

from . import demo, registry, scale
from .models import Activity, ActivityPhoto, AuditEntry, Role, Union

registry.figure(
    "activities",
    _("Activities held"),
    lambda: Activity.objects.published().count(),
    url="core:activity_feed",
    order=90,
)
# The station figures link to the finder (registered by the stations app, which may pass
# url= itself; the finder filters by one kind, so only the outdoor count has its exact list).
registry.figure_url("warm_stations", "stations:finder")
registry.figure_url("worker_homes", "stations:finder")
registry.figure_url("outdoor_stations", "stations:finder?kind=outdoor")
registry.desk_card(
    _("Activities"), lambda user: Activity.objects.visible_to(user).count(), url_name="core:activity_list", order=90
)
registry.nav(
    _("Log an activity"), "core:activity_create", desk=True, roles=Role.EDIT_ROLES, primary=Role.EDIT_ROLES, order=1
)
registry.nav(_("All activities of my unions"), "core:activity_list", desk=True, order=2)
registry.demo("core", demo.seed, order=0)
registry.demo("core: linked activities", demo.seed_linked_activities, order=90)
registry.scale("core", scale.add_arguments, scale.run)
registry.bench_pages(
    lambda: [
        ("home", "/"),
        ("activity feed", "/activities/"),
        ("activity feed page 2", "/activities/?page=2"),
        # Signed in as this demo user (bench/run.py makes the session).
        ("desk", "/desk/", "fangshan_officer"),
        ("activities desk", "/desk/activities/", "fangshan_officer"),
    ]
)
# Written only through unionportal.core.services (the admin included).
registry.serviced(Union, Role, Activity, ActivityPhoto, AuditEntry)
