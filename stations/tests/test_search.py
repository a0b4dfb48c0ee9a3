"""The finder's text search through the n-gram index gives exactly what a substring test gives."""

import importlib
import random

import pytest
from django.apps import apps
from hypothesis import given
from hypothesis import strategies as st

from stations import grams, models, services
from stations.models import Station, StationGram

CHARS = "良乡镇长阳驿站东西职工之家"


@given(
    text=st.text(alphabet=CHARS + "ab1 |", max_size=20),
    start=st.integers(0, 20),
    length=st.integers(1, 6),
)
def test_every_range_of_a_contained_term_holds_a_code_of_the_text(text, start, length):
    term = text[start : start + length]
    codes = grams.text_codes(text)
    for lo, hi in grams.term_ranges(term):
        assert any(lo <= code <= hi for code in codes), (text, term, lo, hi)


def test_codes_of_a_text():
    span = grams.SPAN
    assert grams.text_codes("良乡 | ab") == {
        ord("良") * span + ord("乡"),
        ord("乡") * span,
        ord("a") * span + ord("b"),
        ord("b") * span,
    }
    assert grams.term_ranges("良") == [(ord("良") * span, ord("良") * span + span - 1)]
    assert grams.term_ranges(" | ") == []


@pytest.fixture
def random_stations(make_station):
    rng = random.Random(7)
    for i in range(40):
        name = "".join(rng.choice(CHARS) for _ in range(rng.randint(2, 7))) + f"驿站{i}"
        town = "".join(rng.choice(CHARS) for _ in range(2)) + "镇"
        make_station(name=name, town=town, address=f"{town}{rng.randint(1, 99)}号 A座")
    return list(Station.objects.public())


def brute_force(stations, term: str) -> set[int]:
    term = term.strip().lower()
    field = "initials" if term.isascii() else "search_text"
    return {s.pk for s in stations if term in getattr(s, field)}


def terms_of(stations) -> list[str]:
    rng = random.Random(11)
    terms = ["驿站", "站1", "镇 ", "号 a", "a座", "lxz", "zyz", "1", "99", "东东东东", "家", "无此站"]
    for s in rng.sample(stations, 15):
        for length in (1, 2, 3, 4):
            start = rng.randrange(max(1, len(s.name) - length))
            terms.append(s.name[start : start + length])
    return terms


@pytest.mark.parametrize("cap", [models.GRAM_CAP, 3])
def test_search_equals_a_substring_test(random_stations, monkeypatch, cap):
    # cap=3 makes most pairs "common", so the paths that skip some or all of them are checked too.
    monkeypatch.setattr(models, "GRAM_CAP", cap)
    for term in terms_of(random_stations):
        found = set(Station.objects.public().search(term).values_list("pk", flat=True))
        assert found == brute_force(random_stations, term), term


def test_a_renamed_station_is_found_by_its_new_name_only(make_station):
    station = make_station(name="长阳驿站", town="长阳镇")
    station.name = "良乡驿站"
    services.station_save(station=station)
    assert list(Station.objects.search("良乡")) == [station]
    assert not Station.objects.search("长阳驿").exists()
    assert StationGram.objects.filter(station=station).count() == len(
        grams.text_codes(station.search_text, station.initials)
    )


def test_the_migration_indexes_existing_stations(make_station):
    make_station(name="东西驿站", town="长阳镇")
    StationGram.objects.all().delete()
    assert not Station.objects.search("东西").exists()
    migration = importlib.import_module("stations.migrations.0008_search_grams")
    migration.backfill(apps, None)
    assert Station.objects.search("东西").count() == 1
    assert Station.objects.search("dxyz").count() == 1  # initials of 东西驿站


def test_a_long_term_reads_a_bounded_number_of_pairs(random_stations):
    # Not through the finder (which keeps 50 characters): the queryset method itself.
    name = random_stations[0].name
    term = (name * 40)[:600]
    assert not Station.objects.search(term).exists()
    assert Station.objects.search(name).filter(pk=random_stations[0].pk).exists()
