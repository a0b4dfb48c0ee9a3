"""Open now / closes in N minutes, computed in the portal's time zone (Asia/Shanghai).

Works on rows already loaded (prefetched hours and exceptions), so a list of stations costs
no query per station.
"""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

DAY = dt.timedelta(days=1)


@dataclass(frozen=True)
class OpenState:
    is_open: bool
    closes_at: dt.datetime | None = None  # local time the current opening ends (None: not within 48 h)
    opens_at: dt.datetime | None = None  # next opening within 7 days when closed

    def closes_in_minutes(self, now: dt.datetime) -> int | None:
        if not self.is_open or self.closes_at is None:
            return None
        return max(0, int((self.closes_at - now).total_seconds() // 60))


def _ranges_for_day(day: dt.date, weekly: dict[int, list], exceptions: dict[dt.date, list], open_24h: bool):
    """Opening ranges (start, end) as local datetimes for ranges that start on `day`."""
    tz = timezone.get_current_timezone()
    start_of_day = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    if day in exceptions:
        spans = [(e.opens, e.closes) for e in exceptions[day] if not e.closed and e.opens is not None]
    elif open_24h:
        return [(start_of_day, start_of_day + DAY)]
    else:
        spans = [(h.opens, h.closes) for h in weekly.get(day.weekday(), [])]
    out = []
    for opens, closes in spans:
        start = dt.datetime.combine(day, opens, tzinfo=tz)
        end = dt.datetime.combine(day, closes, tzinfo=tz)
        if end <= start:  # runs past midnight (00:00-00:00 is a full day)
            end += DAY
        out.append((start, end))
    return out


def open_state(station, now: dt.datetime | None = None, *, hours=None, exceptions=None) -> OpenState:
    """Whether the station is open at `now`, and when that opening ends (or the next begins).

    Reads the prefetched `station.hours` / `station.exceptions`, or the lists given."""
    from .models import Station

    now = timezone.localtime(now or timezone.now())
    if station.status != Station.Status.OPEN:
        return OpenState(False)
    weekly: dict[int, list] = {}
    for h in station.hours.all() if hours is None else hours:
        weekly.setdefault(h.weekday, []).append(h)
    by_date: dict[dt.date, list] = {}
    for e in station.exceptions.all() if exceptions is None else exceptions:
        by_date.setdefault(e.date, []).append(e)
    today = now.date()
    spans = []
    for offset in range(-1, 8):
        spans += _ranges_for_day(today + dt.timedelta(days=offset), weekly, by_date, station.open_24h)
    spans.sort()
    merged: list[list[dt.datetime]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    for start, end in merged:
        if start <= now < end:
            return OpenState(True, closes_at=end if end - now <= 2 * DAY else None)
        if start > now:
            return OpenState(False, opens_at=start)
    return OpenState(False)


def is_open(station, now: dt.datetime, *, hours, exceptions) -> bool:
    """open_state(...).is_open for the given rows, reading only yesterday's and today's ranges
    (an opening that holds `now` starts on one of them): the nearby API's many-station case."""
    from .models import Station

    if station.status != Station.Status.OPEN:
        return False
    now = timezone.localtime(now)
    today = now.date()
    weekly: dict[int, list] = {}
    for h in hours:
        weekly.setdefault(h.weekday, []).append(h)
    by_date: dict[dt.date, list] = {}
    for e in exceptions:
        by_date.setdefault(e.date, []).append(e)
    return any(
        start <= now < end
        for day in (today - DAY, today)
        for start, end in _ranges_for_day(day, weekly, by_date, station.open_24h)
    )


def exceptions_window(now: dt.datetime | None = None) -> tuple[dt.date, dt.date]:
    """The dates whose exceptions open_state reads; prefetch only these."""
    today = timezone.localtime(now or timezone.now()).date()
    return today - DAY, today + dt.timedelta(days=8)
