"""Writes of the studios app, one module per feature; `from studios import services` is the API.

Desk views, the admin, the import, the demo and scale seeders all write through these, and the
services keep the derived data (search text, the profile's page stamp, stored files).
Reads that aggregate or decide visibility are in `studios.selectors`.
"""

from .achievement_import import IMPORT_COLUMNS, AchievementImportError, achievements_import
from .achievements import achievement_add, achievement_delete, achievement_update
from .applications import (
    STATUS_ACTIONS,
    studio_apply,
    studio_delete,
    studio_eligibility_errors,
    studio_plaque,
    studio_resubmit,
    studio_review,
    studio_set_status,
    studio_update,
)
from .derived import RESERVED_SLUGS, page_changed, studio_reindex, studio_search_text, studio_touch, studio_unique_slug
from .fields_of_work import field_of_work_delete, field_of_work_save
from .members import member_add, member_delete, member_update, studio_change_leader
from .photos import photo_delete, photo_update, studio_add_photos
from .targets import (
    support_add,
    support_delete,
    support_update,
    target_assess,
    target_delete,
    target_set,
    target_update,
)

__all__ = [
    "IMPORT_COLUMNS",
    "RESERVED_SLUGS",
    "STATUS_ACTIONS",
    "AchievementImportError",
    "achievement_add",
    "achievement_delete",
    "achievement_update",
    "achievements_import",
    "field_of_work_delete",
    "field_of_work_save",
    "member_add",
    "member_delete",
    "member_update",
    "page_changed",
    "photo_delete",
    "photo_update",
    "studio_add_photos",
    "studio_apply",
    "studio_change_leader",
    "studio_delete",
    "studio_eligibility_errors",
    "studio_plaque",
    "studio_reindex",
    "studio_resubmit",
    "studio_review",
    "studio_search_text",
    "studio_set_status",
    "studio_touch",
    "studio_unique_slug",
    "studio_update",
    "support_add",
    "support_delete",
    "support_update",
    "target_assess",
    "target_delete",
    "target_set",
    "target_update",
]
