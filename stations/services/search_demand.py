"""Anonymous search demand: a nearby search counts +1 in its ~500 m cell for the day (no user,
no exact point); counts older than the retention period are purged."""

import datetime as dt

from django.db import connection, transaction
from django.utils import timezone

from ..models import SearchDemand, search_cell_of

RETENTION_DAYS = 90

_TABLE = connection.ops.quote_name(SearchDemand._meta.db_table)
# One statement (PostgreSQL and SQLite both upsert): the nearby answer waits for nothing else.
_UPSERT = (
    f"INSERT INTO {_TABLE} (cell, day, searches) VALUES (%s, %s, 1) "  # noqa: S608 - table name from the model
    f"ON CONFLICT (cell, day) DO UPDATE SET searches = {_TABLE}.searches + 1"
)


def search_demand_record(*, lat: float, lng: float, by=None) -> None:
    """Count one nearby search in the cell of (lat, lng) today (local). `by` is never stored.

    On PostgreSQL the count's commit does not wait for the WAL to reach the disk
    (synchronous_commit off for this transaction only): a crash may lose the last fraction of a
    second of anonymous counts, and the answer does not wait for an fsync (several ms)."""
    params = [search_cell_of(lat, lng), timezone.localdate()]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        cursor.execute(_UPSERT, params)


def search_demand_purge(*, days: int = RETENTION_DAYS, today: dt.date | None = None, by=None) -> int:
    """Delete the counts of days older than `days` days; returns how many rows went."""
    before = (today or timezone.localdate()) - dt.timedelta(days=days)
    deleted, _ = SearchDemand.objects.filter(day__lt=before).delete()
    return deleted
