"""Open now / closes in N minutes, in Asia/Shanghai, across midnight and on exception days."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from stations.hours import is_open, open_state
from stations.models import HoursException, OpeningHours, Station

SH = ZoneInfo("Asia/Shanghai")
MON = dt.date(2026, 11, 23)  # a Monday


def at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hh, mm), tzinfo=SH)


def fresh(station):
    return Station.objects.prefetch_related("hours", "exceptions").get(pk=station.pk)


def both(station, now):
    """open_state in Python, its short form is_open (the nearby API) and open_at in SQL agree."""
    s = fresh(station)
    py = open_state(s, now).is_open
    sql = Station.objects.open_at(now).filter(pk=s.pk).exists()
    short = is_open(s, now, hours=s.hours.all(), exceptions=s.exceptions.all())
    assert py == sql == short, f"python={py} sql={sql} is_open={short} at {now}"
    return open_state(s, now)


@pytest.fixture
def night(make_station):
    # Every day 18:00 - 02:00 (past midnight).
    return make_station(hours=[(d, "18:00", "02:00") for d in range(7)])


def test_simple_day_range_and_closes_in(make_station):
    s = make_station(hours=[(0, "08:00", "12:00"), (0, "13:00", "17:00")])
    state = both(s, at(MON, 11, 15))
    assert state.is_open and state.closes_in_minutes(at(MON, 11, 15)) == 45
    assert not both(s, at(MON, 12, 30)).is_open
    assert both(s, at(MON, 12, 30)).opens_at == at(MON, 13)
    assert not both(s, at(MON, 17, 0)).is_open  # the end is exclusive
    assert both(s, at(MON, 8, 0)).is_open  # the start is inclusive
    assert not both(s, at(MON + dt.timedelta(days=1), 9)).is_open  # Tuesday has no hours


def test_across_midnight(night):
    assert both(night, at(MON, 23, 30)).is_open
    tue_1am = at(MON + dt.timedelta(days=1), 1, 0)
    state = both(night, tue_1am)
    assert state.is_open and state.closes_in_minutes(tue_1am) == 60
    assert not both(night, at(MON + dt.timedelta(days=1), 2, 0)).is_open
    assert both(night, at(MON, 23, 0)).closes_in_minutes(at(MON, 23, 0)) == 180


def test_spill_from_sunday_into_monday(make_station):
    s = make_station(hours=[(6, "20:00", "03:00")])  # Sunday evening only
    assert both(s, at(MON, 2, 59)).is_open
    assert not both(s, at(MON, 3, 0)).is_open
    assert not both(s, at(MON, 20, 30)).is_open  # Monday has no range


def test_utc_now_is_read_in_shanghai(make_station):
    s = make_station(hours=[(0, "08:00", "09:00")])
    utc_now = dt.datetime(2026, 11, 23, 0, 30, tzinfo=dt.UTC)  # 08:30 in Shanghai
    assert both(s, utc_now).is_open


def test_exception_closed_day(night):
    HoursException.objects.create(station=night, date=MON, closed=True, note="holiday")
    assert not both(night, at(MON, 19)).is_open
    # Sunday night's range still spills into the early Monday hours.
    assert both(night, at(MON, 1)).is_open
    # And Monday's closure means nothing spills into Tuesday.
    assert not both(night, at(MON + dt.timedelta(days=1), 1)).is_open


def test_exception_with_other_hours(make_station):
    s = make_station(hours=[(0, "08:00", "17:00")])
    HoursException.objects.create(station=s, date=MON, opens=dt.time(10), closes=dt.time(12), note="short day")
    assert not both(s, at(MON, 9)).is_open
    assert both(s, at(MON, 11)).is_open
    assert not both(s, at(MON, 13)).is_open


def test_exception_opens_a_normally_closed_day_past_midnight(make_station):
    s = make_station(hours=[])
    HoursException.objects.create(station=s, date=MON, opens=dt.time(22), closes=dt.time(4), note="new year")
    assert both(s, at(MON, 23)).is_open
    assert both(s, at(MON + dt.timedelta(days=1), 3)).is_open
    assert not both(s, at(MON + dt.timedelta(days=1), 4)).is_open


def test_24h_station_and_its_closed_day(make_station):
    s = make_station(open_24h=True)
    assert both(s, at(MON, 3)).is_open
    HoursException.objects.create(station=s, date=MON, closed=True)
    assert not both(s, at(MON, 3)).is_open
    state = both(s, at(MON - dt.timedelta(days=1), 23, 0))
    assert state.is_open and state.closes_in_minutes(at(MON - dt.timedelta(days=1), 23, 0)) == 60


def test_contiguous_ranges_merge_for_closes_in(make_station):
    s = make_station(hours=[(0, "20:00", "00:00"), (1, "00:00", "06:00")])
    state = both(s, at(MON, 23))
    assert state.is_open and state.closes_at == at(MON + dt.timedelta(days=1), 6)


def test_suspended_station_is_never_open(make_station):
    s = make_station(open_24h=True, status=Station.Status.SUSPENDED)
    assert not both(s, at(MON, 12)).is_open


def test_weekday_choices_match_python():
    assert OpeningHours._meta.get_field("weekday").choices[0][0] == MON.weekday()
