import pytest

from unionportal.core.ids import MAX_ID, parse_count, parse_id


@pytest.mark.parametrize("value", ["1", " 42 ", 7, str(MAX_ID)])
def test_parse_id_accepts_ascii_positive_ids(value):
    assert parse_id(value) == int(str(value).strip())


@pytest.mark.parametrize(
    "value", ["", None, "0", "-1", "²", "٣", "1.0", "1e3", "abc", str(MAX_ID + 1), "9" * 40, True, 0, "１"]
)
def test_parse_id_refuses_everything_else(value):
    assert parse_id(value) is None


def test_parse_count_bounds():
    assert parse_count("0", maximum=5) == 0
    assert parse_count("5", maximum=5) == 5
    assert parse_count("6", maximum=5) is None
    assert parse_count("²", maximum=5) is None
