"""Writes of the stations app: every write of its models, from the desk, the admin, imports,
commands and seeders, goes through these functions (they own the derived data: grid cell,
search grams, page stamps, published activities)."""

from .demand import demand_point_delete, demand_point_save
from .desk import check_week, station_amenities_set, station_edit, station_hours_set
from .feedback import (
    checkin_record,
    client_hash,
    feedback_answer,
    feedback_delete,
    feedback_forget_reporter,
    feedback_submit,
)
from .imports import demand_point_import, station_import
from .inspections import inspection_delete, inspection_record, inspection_refresh_latest, inspection_update
from .photos import station_photo_add, station_photo_delete, station_photo_move, station_photo_update
from .search_demand import search_demand_purge, search_demand_record
from .stations import (
    amenity_delete,
    amenity_delivery_delete,
    amenity_delivery_record,
    amenity_save,
    award_delete,
    award_save,
    page_name,
    station_add_photos,
    station_delete,
    station_fill_derived,
    station_index_text,
    station_parts_save,
    station_save,
    station_set_public,
    station_touch,
)
from .visits import (
    exchange_visit_check,
    exchange_visit_delete,
    exchange_visit_log,
    exchange_visit_save,
    exchange_visits_refresh,
)

__all__ = [
    "search_demand_purge",
    "search_demand_record",
    "amenity_delete",
    "amenity_delivery_delete",
    "amenity_delivery_record",
    "amenity_save",
    "award_delete",
    "award_save",
    "check_week",
    "checkin_record",
    "client_hash",
    "demand_point_delete",
    "demand_point_import",
    "demand_point_save",
    "exchange_visit_check",
    "exchange_visit_delete",
    "exchange_visit_log",
    "exchange_visit_save",
    "exchange_visits_refresh",
    "feedback_answer",
    "feedback_delete",
    "feedback_forget_reporter",
    "feedback_submit",
    "inspection_delete",
    "inspection_record",
    "inspection_refresh_latest",
    "inspection_update",
    "page_name",
    "station_add_photos",
    "station_amenities_set",
    "station_delete",
    "station_edit",
    "station_fill_derived",
    "station_hours_set",
    "station_import",
    "station_index_text",
    "station_parts_save",
    "station_photo_add",
    "station_photo_delete",
    "station_photo_move",
    "station_photo_update",
    "station_save",
    "station_set_public",
    "station_touch",
]
