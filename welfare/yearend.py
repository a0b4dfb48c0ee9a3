"""Welfare's section of the year-end report (see unionportal.core.yearend): for welfare staff
of the union's subtree only; aggregates, never a person."""

from decimal import Decimal

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from unionportal.core import registry
from unionportal.core.yearend import table

from .models import Assistance, HardshipFile, Visit
from .selectors import yearend_may_see, yearend_welfare


def build(*, union, year: int) -> dict:
    data = yearend_welfare(union=union, year=year)
    files, visits, assistance = data["files"], data["visits"], data["assistance"]
    categories = [*HardshipFile.Category.choices, ("", _("Not yet categorised"))]
    zero = Decimal(0)
    given = sum((v[1] + v[2] for v in visits.values()), zero)
    helped = sum((a[1] for a in assistance.values()), zero)
    return {
        "figures": [
            (_("Hardship files filed in the year"), sum(f[0] for f in files.values())),
            (_("Hardship files open"), sum(f[1] for f in files.values())),
            (_("Hardship visits"), sum(v[0] for v in visits.values())),
            (_("Money and goods given on visits (yuan)"), given),
            (_("Assistance measures"), sum(a[0] for a in assistance.values())),
            (_("Assistance total (yuan)"), helped),
        ],
        "tables": [
            table(
                _("Hardship files by category"),
                [pgettext("welfare", "Category"), _("Filed in the year"), pgettext("hardship files", "Open")],
                [[label, *files.get(code, (0, 0))] for code, label in categories],
                chart="pie",
            ),
            table(
                _("Hardship visits by kind"),
                [_("Visited"), pgettext("yearend", "Visits"), _("Money given (yuan)"), _("Value of the goods (yuan)")],
                [[label, *visits.get(code, (0, zero, zero))] for code, label in Visit.Kind.choices],
            ),
            table(
                _("Assistance by kind"),
                [pgettext("welfare", "Kind"), _("Measures"), _("Amount (yuan)")],
                [[label, *assistance.get(code, (0, zero))] for code, label in Assistance.Kind.choices],
            ),
        ],
    }


registry.yearend_section("welfare", gettext_lazy("Welfare"), build, visible=yearend_may_see, order=40)
