"""The eligibility calculator: suggests a hardship category from a household's figures.

deep: (yearly income − rigid expenses) ÷ 12 ÷ household size below the minimum-living line;
by accident: a loss above 80 per cent of a year's income; relative: below twice the line.
The explanation is worded when shown (in the reader's language), never stored.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

CENT = Decimal("0.01")
ACCIDENT_SHARE = Decimal("0.8")
DEEP, RELATIVE, ACCIDENT = "deep", "relative", "accident"


@dataclass(frozen=True)
class Assessment:
    category: str  # "" when the household is not in hardship by these rules
    per_capita_monthly: Decimal
    line: Decimal | None
    household_income: Decimal
    rigid_expenses: Decimal
    household_size: int
    accident_loss: Decimal

    @property
    def explanation(self) -> str:
        if self.line is None:
            return _("No minimum living line is recorded for this region; the category cannot be suggested.")
        figures = _(
            "({income} yearly income − {rigid} rigid expenses) ÷ 12 ÷ {size} people = {pc} per person per month; "
            "the local minimum living line is {line}."
        ).format(
            income=self.household_income,
            rigid=self.rigid_expenses,
            size=max(self.household_size, 1),
            pc=self.per_capita_monthly,
            line=self.line,
        )
        reason = {
            DEEP: _("Below the line: deep hardship."),
            ACCIDENT: _("The loss of {loss} is above 80 per cent of a year's income: hardship by accident.").format(
                loss=self.accident_loss
            ),
            RELATIVE: _("Below twice the line: relative hardship."),
        }.get(self.category, _("At or above twice the line: not in hardship."))
        return f"{figures} {reason}"


def eligibility_assess(
    *,
    household_income: Decimal,
    rigid_expenses: Decimal,
    household_size: int,
    line: Decimal | None,
    accident_loss: Decimal = Decimal(0),
) -> Assessment:
    """Suggest a category from the household's figures (the explanation says why)."""
    size = max(household_size, 1)
    per_capita = ((household_income - rigid_expenses) / 12 / size).quantize(CENT)
    category = ""
    if line is not None:
        if per_capita < line:
            category = DEEP
        elif (household_income > 0 and accident_loss > household_income * ACCIDENT_SHARE) or (
            household_income <= 0 and accident_loss > 0
        ):
            category = ACCIDENT
        elif per_capita < 2 * line:
            category = RELATIVE
    return Assessment(category, per_capita, line, household_income, rigid_expenses, household_size, accident_loss)


def enclosing(region: str, known: Iterable[str]) -> str | None:
    """The nearest region among `known` that encloses `region` (itself first), else None.

    Region names are written from the largest unit down (a city, then its district), so a
    region encloses another when its name is a prefix of the other's: the line of a city
    applies to a district of it that has none of its own.
    """
    region = (region or "").strip()
    best = None
    for candidate in known:
        candidate = (candidate or "").strip()
        if candidate and region.startswith(candidate) and (best is None or len(candidate) > len(best)):
            best = candidate
    return best


def line_pick(region: str, year: int, lines: Iterable[tuple[str, int, Decimal]]) -> Decimal | None:
    """From (region, year, monthly amount) rows: the nearest enclosing region's line for `year`
    (its latest line of that year or before), else None."""
    rows = [(r.strip(), y, amount) for r, y, amount in lines if y <= year]
    where = enclosing(region, {r for r, _y, _a in rows})
    if where is None:
        return None
    return max((row for row in rows if row[0] == where), key=lambda row: row[1])[2]
