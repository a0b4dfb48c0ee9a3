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
    """Every word of the term in its field: Latin/digit words in the pinyin, others in the text."""
    words = models.search_words(term)

    def holds(s, word):
        return word in (s.initials if word.isascii() else s.search_text)

    return {s.pk for s in stations if all(holds(s, w) for w in words)}


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


# --- Full pinyin and several words ------------------------------------------------------------


def test_full_pinyin_finds_the_station(make_station):
    station = make_station(name="良乡加油站驿站", town="良乡镇", address="拱辰大街1号")
    make_station(name="长阳驿站", town="长阳镇")
    for term in ("liangxiang", "LiangXiang", "jiayouzhan", "lxjyzyz", "gongchen", "liang xiang"):
        assert list(Station.objects.public().search(term)) == [station], term


def test_two_words_find_a_station_holding_both(make_station):
    both = make_station(name="拱辰加油站驿站", town="拱辰街道")
    make_station(name="拱辰社区驿站", town="拱辰街道")
    make_station(name="长阳加油站驿站", town="长阳镇")
    assert list(Station.objects.public().search("拱辰 加油站")) == [both]
    assert list(Station.objects.public().search("拱辰\u3000加油站")) == [both]  # the ideographic space
    assert list(Station.objects.public().search("gongchen 加油站")) == [both]
    assert not Station.objects.public().search("拱辰 无此站").exists()


def test_finder_page_searches_words_and_pinyin(client, make_station):
    from django.urls import reverse

    make_station(name="拱辰加油站驿站", town="拱辰街道")
    make_station(name="长阳加油站驿站", town="长阳镇")
    for term in ("拱辰 加油站", "gongchen"):
        r = client.get(reverse("stations:finder"), {"q": term})
        assert [s.name for s in r.context["page"]] == ["拱辰加油站驿站"], term


def test_the_pinyin_migration_rebuilds_existing_stations(make_station):
    station = make_station(name="良乡驿站", town="良乡镇")
    # as before the migration: initials only, n-grams of those
    Station.objects.filter(pk=station.pk).update(initials="lxyz lxz")
    StationGram.objects.all().delete()
    assert not Station.objects.search("liangxiang").exists()
    migration = importlib.import_module("stations.migrations.0014_full_pinyin_search")
    migration.rebuild(apps, None)
    assert list(Station.objects.search("liangxiang")) == [station]
    station.refresh_from_db()
    assert station.initials == services.stations.search_pinyin(station.name, station.town, station.address)
