"""The studios' section of the year-end report (see unionportal.core.yearend)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionportal.core import registry
from unionportal.core.yearend import table

from .models import Achievement, Studio
from .selectors import yearend_studios


def build(*, union, year: int) -> dict:
    data = yearend_studios(union=union, year=year)
    studios, done = data["studios"], data["achievements"]
    return {
        "figures": [
            (_("Innovation studios"), sum(studios.values())),
            (_("Achievements in the year"), sum(done.values())),
            (_("of which patents"), sum(done.get(t, 0) for t in Achievement.PATENT_TYPES)),
            (_("of which standards"), sum(done.get(t, 0) for t in Achievement.STANDARD_TYPES)),
        ],
        "tables": [
            table(
                _("Achievements by kind"),
                [_("Kind"), _("Achievements")],
                [[label, done.get(code, 0)] for code, label in Achievement.Type.choices],
            ),
            table(
                _("Studios by kind"),
                [_("Kind"), _("Studios")],
                [[label, studios.get(code, 0)] for code, label in Studio.Kind.choices],
                chart="pie",
            ),
        ],
    }


registry.yearend_section("studios", gettext_lazy("Innovation studios"), build, order=20)
