"""Pages of the studios app: the public list and profile, the desk's workflow, its records, targets."""

from .desk import desk_apply, desk_detail, desk_list, desk_plaque, desk_resubmit, desk_review, desk_status
from .members import desk_leader, desk_member_add, desk_member_edit, desk_member_remove, desk_members
from .public import studio_detail, studio_list, studio_qr
from .records import desk_achievement_add, desk_export, desk_import, desk_photos_add
from .targets import desk_targets

__all__ = [
    "desk_achievement_add",
    "desk_apply",
    "desk_detail",
    "desk_export",
    "desk_import",
    "desk_leader",
    "desk_list",
    "desk_member_add",
    "desk_member_edit",
    "desk_member_remove",
    "desk_members",
    "desk_photos_add",
    "desk_plaque",
    "desk_resubmit",
    "desk_review",
    "desk_status",
    "desk_targets",
    "studio_detail",
    "studio_list",
    "studio_qr",
]
