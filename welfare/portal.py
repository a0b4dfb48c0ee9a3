"""What welfare contributes to the core: desk cards and links for welfare staff, demo, scale, bench.

No home-page figure: nothing of welfare is public.
"""

from django.utils.translation import gettext_lazy as _

from unionportal.core import registry
from unionportal.core.scoping import holds_any

from . import demo
from .models import (
    WELFARE,
    AccessLog,
    Assistance,
    Campaign,
    CampaignItem,
    Employee,
    FileEvent,
    Handout,
    HandoutLine,
    HardshipFile,
    HouseholdMember,
    MinimumLivingLine,
    Visit,
    VisitPhoto,
    YearlyCap,
)
from .selectors import NOTICE_ROLES


def _files(user):
    return HardshipFile.objects.visible_to(user).active().count() if holds_any(user, WELFARE) else None


def _overdue(user):
    return HardshipFile.objects.visible_to(user).overdue_for_review().count() if holds_any(user, WELFARE) else None


def _log(user):
    if user.is_superuser or not holds_any(user, ("chair",)):
        return None
    return AccessLog.objects.visible_to(user).count()


registry.desk_card(_("Hardship files"), _files, url_name="welfare:file_list", order=40)
registry.desk_card(_("Reviews overdue"), _overdue, url_name="welfare:review_list", order=41)
registry.desk_card(_("Welfare access log"), _log, url_name="welfare:access_log", order=95)
registry.nav(_("Log a visit"), "welfare:visit_create", desk=True, roles=WELFARE, primary=WELFARE, order=40)
registry.nav(_("Welfare report"), "welfare:report", desk=True, roles=WELFARE, order=41)
# The masked public notice is the one piece of welfare a chair may print (selectors.NOTICE_ROLES).
registry.nav(_("Print the public notice"), "welfare:notice_print", desk=True, roles=NOTICE_ROLES, order=42)
registry.demo("welfare", demo.seed, order=60)

from . import bench, scale  # noqa: E402  (registers scale and bench hooks)

registry.scale("welfare", scale.add_arguments, scale.run)
registry.bench_pages(bench.pages)
registry.bench("welfare", bench.run)

# Written only through welfare.services (desk, back office, import, commands, seeders).
registry.serviced(
    AccessLog,
    Assistance,
    Campaign,
    CampaignItem,
    Employee,
    FileEvent,
    Handout,
    HandoutLine,
    HardshipFile,
    HouseholdMember,
    MinimumLivingLine,
    Visit,
    VisitPhoto,
    YearlyCap,
)
