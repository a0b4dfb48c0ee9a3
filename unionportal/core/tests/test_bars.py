from unionportal.core.text import bars


def test_bars_are_lengths_of_the_largest_count_zero_draws_nothing_and_any_count_shows():
    assert bars([("a", 200), ("b", 100), ("c", 1), ("d", 0)]) == [
        ("a", 200, 100),
        ("b", 100, 50),
        ("c", 1, 1),
        ("d", 0, 0),
    ]
    assert bars([("a", 0), ("b", 0)]) == [("a", 0, 0), ("b", 0, 0)]
    assert bars([]) == []
