"""What the studios app contributes to the core through the registry."""

from django.utils.translation import gettext_lazy as _

from unionportal.core import registry
from unionportal.core.models import Role
from unionportal.core.scoping import holds_any

from . import bench, demo, scale
from .models import Studio


def _desk_count(user):
    # Studios are for officers, chairs and viewers; welfare staff and judges see no card.
    if not holds_any(user, (Role.Kind.CHAIR, Role.Kind.OFFICER, Role.Kind.VIEWER)):
        return None
    return Studio.objects.visible_to(user).count()


registry.figure(
    "studios",
    _("Innovation studios"),
    lambda: Studio.objects.public().filter(status=Studio.Status.ACTIVE).count(),
    order=30,
)
registry.desk_card(_("Innovation studios"), _desk_count, url_name="studios:desk_list", order=30)
registry.nav(_("Innovation studios"), "studios:list", order=30)
registry.nav(_("Studios desk"), "studios:desk_list", desk=True, order=30)
registry.demo("studios", demo.seed, order=30)
registry.scale("studios", scale.add_arguments, scale.run)
registry.bench_pages(bench.pages)
registry.bench("studios", bench.run)
