"""Freshness stamps for the page cache of the public studio pages (unionportal.core.pagecache)."""

from django.db import connection


def profile_stamp(slug: str) -> tuple[int, str] | None:
    """(pk, updated_at) of a public studio, or None: the one query of a cached profile.

    Plain SQL on purpose: building the equivalent ORM query costs more than running it, and
    this runs on every anonymous profile view. It must match `StudioQuerySet.public()`.
    """
    from .models import Studio

    statuses = list(Studio.PUBLIC_STATUSES)
    marks = ", ".join(["%s"] * len(statuses))
    sql = (
        f"SELECT id, updated_at FROM {Studio._meta.db_table} "  # noqa: S608 - table name from the model, values bound
        f"WHERE slug = %s AND published = %s AND status IN ({marks})"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [slug, True, *statuses])
        row = cursor.fetchone()
    return (row[0], str(row[1])) if row else None
