"""The access log in the back office: append-only, and the person shown only to welfare staff."""

from django.contrib import admin
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from unionportal.core.adminmixins import ScopedAdminMixin

from .. import selectors
from ..models import (
    AccessLog,
)
from .mixins import (
    NoIdInUrlMixin,
)

# --- Access log ---------------------------------------------------------------------------


@admin.register(AccessLog)
class AccessLogAdmin(NoIdInUrlMixin, ScopedAdminMixin, admin.ModelAdmin):
    """Append-only: chairs of the subtree read it; nobody adds, changes or deletes through here.

    Chairs audit who looked, when and from where; the person looked at (the file's name and
    masked ID) is shown only to welfare staff of the file's union or above, and superusers.
    """

    list_display = ["at", "username", "action", "what", "union", "ip"]
    list_filter = ["action"]
    list_select_related = ["union"]
    search_fields = ["username", "what"]
    readonly_fields = ["at", "union", "user", "username", "action", "person_named", "person_ref", "what", "ip"]

    def get_fields(self, request, obj=None):
        # Decided per entry and per request: the admin instance is shared between requests.
        person = (
            "person_named"
            if obj is not None and selectors.may_see_person(user=request.user, entry=obj)
            else "person_ref"
        )
        return ["at", "union", "user", "username", "action", person, "what", "ip"]

    @admin.display(description=_("file"))
    def person_named(self, obj):
        return str(obj.file) if obj.file_id else "—"

    @admin.display(description=_("file"))
    def person_ref(self, obj):
        return gettext("File #{pk}").format(pk=obj.file_id) if obj.file_id else "—"

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
