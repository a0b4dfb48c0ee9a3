"""What the welfare admins share: scoped choices, writes through services, logged looks, no ID number in a URL."""

import secrets

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext

from unionportal.core.ids import parse_id

from .. import identity, selectors, services
from ..models import (
    HardshipFile,
)

# Unfiltered changelists of big tables estimate their count beyond this many rows.
ESTIMATE_ABOVE = 10_000
ID_SEARCH_PARAM = "idsearch"
ID_SEARCH_SESSION = "welfare_id_search"


def looks_like_full_id(term: str) -> bool:
    """An 18-character ID number (17 digits and a digit or X), whatever spaces it carries."""
    normal = identity.normalise(term or "")
    return len(normal) == 18 and normal[:17].isascii() and normal[:17].isdigit()


class EstimatedCountPaginator(Paginator):
    """Uses PostgreSQL's planner estimate (pg_class.reltuples) instead of an exact COUNT(*)."""

    @cached_property
    def count(self) -> int:
        table = self.object_list.model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
            row = cursor.fetchone()
        estimate = int(row[0]) if row and row[0] is not None else -1
        if estimate < ESTIMATE_ABOVE:
            return super().count
        return estimate


class WelfareAdminMixin:
    """Every foreign key choice (raw id or select) is limited to what the user may see."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        manager = db_field.related_model._default_manager
        if db_field.related_model._meta.label != "core.Union" and hasattr(manager, "visible_to"):
            kwargs["queryset"] = manager.visible_to(request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class EstimatedCountMixin:
    """Estimate the count of an unfiltered, unsearched changelist of the whole table."""

    show_full_result_count = False

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        params = {k for k in request.GET if k not in ("p", "o")}
        id_search = getattr(request, "_welfare_id_files", None) is not None
        if connection.vendor == "postgresql" and request.user.is_superuser and not params and not id_search:
            return EstimatedCountPaginator(queryset, per_page, orphans, allow_empty_first_page)
        return super().get_paginator(request, queryset, per_page, orphans, allow_empty_first_page)


class ServicedAdminMixin:
    """A service's refusal (ValidationError) becomes a message and nothing is saved.

    Django's change form runs in a transaction: the exception rolls back whatever the save had
    begun, and the user is sent back to the form instead of a 500.
    """

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ValidationError as e:
            self.message_user(request, " ".join(e.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except ValidationError as e:
            self.message_user(request, " ".join(e.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def changelist_view(self, request, extra_context=None):
        try:
            return super().changelist_view(request, extra_context)
        except ValidationError as e:
            self.message_user(request, " ".join(e.messages), messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    @staticmethod
    def _saved_by_service(formset) -> None:
        """What Django's formset.save() would record for the admin's change message."""
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []

    @staticmethod
    def _sync(obj, saved) -> None:
        """Make the admin's object the row a service saved (the inlines hang on it)."""
        obj.pk = saved.pk
        obj.refresh_from_db()
        obj._state.adding = False


class LoggedLooksMixin:
    """Change, history and version pages show the person: each look writes an access-log entry."""

    def person_file(self, obj) -> HardshipFile | None:
        return None

    def _log_look(self, request, object_id, page: str) -> None:
        pk = parse_id(object_id)
        obj = self.get_queryset(request).filter(pk=pk).first() if pk is not None else None
        if obj is None:
            return
        what = gettext("{model} #{pk} in the back office").format(model=self.model._meta.verbose_name, pk=obj.pk)
        services.access_log_view(
            user=request.user, union=obj.union_id, file=self.person_file(obj), what=f"{what} ({page})", request=request
        )

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            self._log_look(request, object_id, gettext("page"))
        return super().change_view(request, object_id, form_url, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        if parse_id(object_id) is None:
            raise Http404
        self._log_look(request, object_id, gettext("history"))
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        # "²".isdigit() is true and int() refuses it: the one id parser decides.
        if parse_id(object_id) is None or parse_id(version_id) is None:
            raise Http404
        self._log_look(request, object_id, gettext("version"))
        return super().history_form_view(request, object_id, version_id, extra_context)


class NoIdInUrlMixin:
    """A full ID number typed in the changelist's (GET) search box is refused, never searched:
    the posted ID search keeps it out of the address, the server logs and `_changelist_filters`.

    The page answers with an empty list and a message; the number is dropped from the request
    first, so the search box, the filters' links and `_changelist_filters` never carry it on.
    """

    def changelist_view(self, request, extra_context=None):
        if looks_like_full_id(request.GET.get("q", "")):
            self.message_user(
                request,
                gettext(
                    "Search by a full ID number with the ID number search form (it is posted, never in the address)."
                ),
                messages.WARNING,
            )
            request.GET = request.GET.copy()
            del request.GET["q"]
            request._welfare_id_refused = True
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs.none() if getattr(request, "_welfare_id_refused", False) else qs

    def get_search_results(self, request, queryset, search_term):
        if looks_like_full_id(search_term):
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)


class IdSearchMixin(NoIdInUrlMixin):
    """The posted search by a full ID number: the files found (visible to the user) are kept in
    the session under a random token, and the changelist is shown for `?idsearch=<token>`."""

    change_list_template = "admin/welfare/id_search_change_list.html"
    id_search_lookup = "pk__in"  # how the changelist's model reaches the files found

    def get_urls(self):
        name = f"{self.opts.app_label}_{self.opts.model_name}_idsearch"
        return [path("id-search/", self.admin_site.admin_view(self.id_search_view), name=name), *super().get_urls()]

    def id_search_view(self, request):
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        if not self.has_view_permission(request):
            raise Http404
        url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        term = request.POST.get("id_number", "")
        if not looks_like_full_id(term):
            self.message_user(request, gettext("Type a full ID number of 18 characters."), messages.ERROR)
            return HttpResponseRedirect(url)
        files = selectors.files_search(user=request.user, q=term)
        services.access_log_id_search(
            user=request.user,
            files=files,
            what=gettext("Search by a full ID number in the back office"),
            request=request,
        )
        token = secrets.token_urlsafe(12)
        searches = dict(list(request.session.get(ID_SEARCH_SESSION, {}).items())[-9:])
        searches[token] = list(files.values_list("pk", flat=True)[:100])
        request.session[ID_SEARCH_SESSION] = searches
        return HttpResponseRedirect(f"{url}?{ID_SEARCH_PARAM}={token}")

    def changelist_view(self, request, extra_context=None):
        if ID_SEARCH_PARAM in request.GET:
            token = request.GET.get(ID_SEARCH_PARAM, "")
            request._welfare_id_files = request.session.get(ID_SEARCH_SESSION, {}).get(token, [])
            request.GET = request.GET.copy()
            del request.GET[ID_SEARCH_PARAM]
            extra_context = (extra_context or {}) | {"id_search_active": True}
        return super().changelist_view(request, extra_context)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        ids = getattr(request, "_welfare_id_files", None)
        if ids is not None:
            qs = qs.filter(**{self.id_search_lookup: ids})
        return qs
