"""The contests' section of the year-end report (see unionportal.core.yearend)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from unionportal.core import registry
from unionportal.core.yearend import table

from .models import Entry
from .selectors import yearend_contests


def build(*, union, year: int) -> dict:
    data = yearend_contests(union=union, year=year)
    awards = data["awards"]
    return {
        "figures": [
            (_("Contests opened in the year"), data["contests"]),
            (_("Entries"), data["entries"]["n"]),
            (_("Entries accepted"), data["entries"]["accepted"]),
            (_("Ballots cast"), data["ballots"]),
            (pgettext("yearend", "Awards"), sum(awards.values())),
        ],
        "tables": [
            table(
                _("Awards by prize"),
                [_("Prize"), _("Entries")],
                [[label, awards.get(code, 0)] for code, label in Entry.Prize.choices],
            ),
        ],
    }


registry.yearend_section("contests", gettext_lazy("Contests"), build, order=30)
