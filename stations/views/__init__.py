"""Views of the stations app, by feature: the public finder and nearby API, a station's page,
public statistics, and the desk (stations list, a station's edits and records, reports inbox,
coverage and demand points, imports, the printable sign)."""

from .desk import coverage, coverage_export, desk_list, feedback_answer, inbox
from .edit import desk_station, inspection_new, station_edit, station_hours, station_new
from .finder import finder, markers, nearby
from .records import (
    award_delete,
    delivery_delete,
    demand_point_delete,
    demand_points,
    import_sheet,
    import_template,
    photo_delete,
    photo_edit,
    photo_move,
    station_awards,
    station_deliveries,
    station_photos,
    station_visits,
    visit_delete,
)
from .sign import inspection_detail, qr_svg, station_sign
from .station import checkin, detail, feedback, qr_png
from .stats import stats, stats_export

__all__ = [
    "award_delete",
    "checkin",
    "coverage",
    "coverage_export",
    "delivery_delete",
    "demand_point_delete",
    "demand_points",
    "desk_list",
    "desk_station",
    "detail",
    "feedback",
    "feedback_answer",
    "finder",
    "import_sheet",
    "import_template",
    "inbox",
    "inspection_detail",
    "inspection_new",
    "markers",
    "nearby",
    "photo_delete",
    "photo_edit",
    "photo_move",
    "qr_png",
    "qr_svg",
    "station_awards",
    "station_deliveries",
    "station_edit",
    "station_hours",
    "station_new",
    "station_photos",
    "station_sign",
    "station_visits",
    "stats",
    "stats_export",
    "visit_delete",
]
