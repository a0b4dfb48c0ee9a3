"""What the members app contributes to the portal: the roster desk and its benchmark."""

from django.core.cache import cache
from django.utils.translation import gettext_lazy as _

from unionportal.core import registry
from unionportal.core.models import Role
from unionportal.core.scoping import holds_any

from . import bench, scale
from .models import Member, Transfer


def _members_card(user) -> int | None:
    # A federation's roster is counted at most once a minute per user, not on every desk visit.
    if not holds_any(user, Role.EDIT_ROLES):
        return None
    return cache.get_or_set(
        f"members:desk-card:{user.pk}", lambda: Member.objects.visible_to(user).active().count(), 60
    )


registry.desk_card(_("Members"), _members_card, url_name="members:member_list", roles=("chair", "officer"), order=40)
registry.nav(_("Member roster"), "members:member_list", desk=True, roles=("chair", "officer"), order=40)
registry.nav(_("Accounts and roles"), "members:user_list", desk=True, roles=("chair", "officer"), order=41)
# Written only through members.services (tests/test_admin_write_path.py walks the admin).
registry.serviced(Member, Transfer)
registry.scale("members", scale.add_arguments, scale.run)
registry.bench_pages(bench.pages)
registry.bench("members", bench.run)
