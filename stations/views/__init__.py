"""Views of the stations app, by feature: the public finder and nearby API, a station's page,
public statistics, and the desk (stations list, reports inbox, coverage)."""

from .desk import coverage, desk_list, feedback_answer, inbox
from .edit import desk_station, inspection_new, station_edit, station_hours, station_new
from .finder import finder, nearby
from .station import checkin, detail, feedback, qr_png
from .stats import stats, stats_export

__all__ = [
    "checkin",
    "coverage",
    "desk_list",
    "desk_station",
    "detail",
    "feedback",
    "feedback_answer",
    "finder",
    "inbox",
    "inspection_new",
    "nearby",
    "qr_png",
    "stats",
    "station_edit",
    "station_hours",
    "station_new",
    "stats_export",
]
