"""The stations' section of the year-end report (see unionportal.core.yearend)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from unionportal.core import registry
from unionportal.core.yearend import table

from .models import Station
from .selectors import yearend_stations


def build(*, union, year: int) -> dict:
    data = yearend_stations(union=union, year=year)
    kinds = data["kinds"]

    def get(code, key):
        return kinds.get(code, {}).get(key, 0)

    total = sum(get(c, "n") for c in Station.Kind.values)
    compliant = sum(get(c, "compliant") for c in Station.Kind.values)
    never = sum(get(c, "never") for c in Station.Kind.values)
    checkins = data["checkins_by_month"]
    fb = data["feedback"]
    rate = round(100 * compliant / total, 1) if total else 0
    return {
        "figures": [
            (_("All stations"), total),
            (_("Warm stations"), sum(get(c, "n") for c in Station.WARM_KINDS)),
            (_("Worker homes"), sum(get(c, "n") for c in Station.HOME_KINDS)),
            (_("Seven-haves compliant stations"), compliant),
            (_("Seven-haves compliance rate (%)"), rate),
            (_("Stations never inspected"), never),
            (_("Inspections in the year"), data["inspections"]["n"]),
            (_("Inspections passed in full"), data["inspections"]["passed"]),
            (_("Check-ins"), sum(checkins.values())),
            (_("Feedback received"), fb["received"]),
            (_("Feedback answered"), fb["answered"]),
        ],
        "tables": [
            table(
                _("Stations by kind"),
                [_("Kind"), _("Stations"), _("Seven-haves compliant"), _("Never inspected"), _("Founded in the year")],
                [
                    [label, get(code, "n"), get(code, "compliant"), get(code, "never"), get(code, "new")]
                    for code, label in Station.Kind.choices
                ],
                chart="pie",
            ),
            table(
                _("Check-ins by month"),
                [_("Month"), _("Check-ins")],
                [[_("{month} month").format(month=m), checkins.get(m, 0)] for m in range(1, 13)],
            ),
            table(
                _("Feedback"),
                [_("Item"), _("Count")],
                [
                    [_("Feedback received"), fb["received"]],
                    [_("of which problem reports"), fb["problems"]],
                    [_("Feedback answered"), fb["answered"]],
                ],
                chart=None,
                total=False,
            ),
        ],
    }


registry.yearend_section("stations", gettext_lazy("Stations"), build, order=10)
