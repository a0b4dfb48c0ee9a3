"""Staff pages of welfare, all under /desk/: a welfare role is required and every queryset scoped.

One module per feature; the URLconf names the views through this package.
"""

from .access import access_log
from .campaigns import (
    campaign_detail,
    campaign_employee_add,
    campaign_employee_edit,
    campaign_form,
    campaign_item_add,
    campaign_item_receive,
    campaign_list,
    handout_create,
)
from .files import (
    file_advance,
    file_assistance,
    file_category,
    file_create,
    file_detail,
    file_edit,
    file_list,
    file_reveal,
    file_review,
    notice_list,
    review_list,
    worker_search,
)
from .imports import file_export, file_import
from .printing import campaign_signoff, notice_print, visit_print
from .report import festival_plan, report
from .visits import handout_signature, visit_create, visit_detail, visit_export, visit_list, visit_photo

__all__ = [
    "access_log",
    "campaign_detail",
    "campaign_employee_add",
    "campaign_employee_edit",
    "campaign_form",
    "campaign_item_add",
    "campaign_item_receive",
    "campaign_list",
    "campaign_signoff",
    "file_advance",
    "file_assistance",
    "file_category",
    "file_create",
    "file_detail",
    "file_edit",
    "file_export",
    "file_import",
    "file_list",
    "file_reveal",
    "file_review",
    "festival_plan",
    "handout_create",
    "handout_signature",
    "notice_list",
    "notice_print",
    "report",
    "review_list",
    "visit_create",
    "visit_detail",
    "visit_export",
    "visit_list",
    "visit_photo",
    "visit_print",
    "worker_search",
]
