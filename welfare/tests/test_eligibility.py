"""The eligibility rules without a database."""

from decimal import Decimal

from welfare.eligibility import enclosing, line_pick

LINES = [("北京市", 2024, Decimal(1395)), ("北京市", 2025, Decimal(1450)), ("河北省迁安市", 2025, Decimal(900))]


def test_a_district_takes_the_line_of_its_city():
    assert line_pick("北京市丰台区", 2026, LINES) == Decimal(1450)
    assert line_pick("北京市丰台区", 2024, LINES) == Decimal(1395)


def test_the_nearest_enclosing_region_wins():
    lines = [*LINES, ("北京市丰台区", 2025, Decimal(1500))]
    assert line_pick("北京市丰台区卢沟桥街道", 2025, lines) == Decimal(1500)
    assert enclosing("北京市丰台区卢沟桥街道", ["北京市", "北京市丰台区"]) == "北京市丰台区"


def test_no_line_for_an_unrelated_region_or_an_earlier_year():
    assert line_pick("上海市", 2025, LINES) is None
    assert line_pick("北京市丰台区", 2020, LINES) is None
    assert line_pick("", 2025, LINES) is None
