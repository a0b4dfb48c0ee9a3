"""What the studios app contributes to the core through the registry."""

from django.utils.translation import gettext_lazy as _

from unionportal.core import registry

from . import bench, demo, scale, selectors
from .models import Achievement, FieldOfWork, Member, Review, Studio, StudioPhoto, SupportRecord, YearTarget

registry.figure("studios", _("Innovation studios"), selectors.active_public_count, url="studios:list", order=30)
registry.desk_card(_("Innovation studios"), selectors.desk_count, url_name="studios:desk_list", order=30)
registry.nav(_("Innovation studios"), "studios:list", order=30)
registry.nav(_("Studios desk"), "studios:desk_list", desk=True, order=30)
registry.demo("studios", demo.seed, order=30)
registry.scale("studios", scale.add_arguments, scale.run)
registry.bench_pages(bench.pages)
registry.bench("studios", bench.run)
# Written only through studios.services (desk, admin, import, seeders): they keep the search
# text and the profile's page stamp, and hold the workflow's rules.
registry.serviced(Studio, Member, Achievement, StudioPhoto, YearTarget, SupportRecord, Review, FieldOfWork)
