"""Back office of welfare: scoped like the desk, ID numbers masked, the access log read-only.

Every write goes through welfare's services (save, delete, bulk delete, inlines): the rules
of the desk hold here too. Every page that shows a person (change, history and version
pages) writes an access-log entry. A full ID number is never searched through the URL: the
changelists of files and visits have a posted ID search that answers with a random token.
"""

import secrets

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, HttpResponseNotAllowed, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from unionportal.core.adminmixins import ScopedAdmin, ScopedAdminMixin, ScopedTabularInline
from unionportal.core.ids import parse_id

from . import identity, selectors, services
from .models import (
    AccessLog,
    Assistance,
    Campaign,
    CampaignItem,
    Employee,
    Handout,
    HandoutLine,
    HardshipFile,
    HouseholdMember,
    MinimumLivingLine,
    Visit,
    VisitPhoto,
    YearlyCap,
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
    the posted ID search keeps it out of the address, the server logs and `_changelist_filters`."""

    def changelist_view(self, request, extra_context=None):
        if looks_like_full_id(request.GET.get("q", "")):
            self.message_user(
                request,
                gettext(
                    "Search by a full ID number with the ID number search form (it is posted, never in the address)."
                ),
                messages.WARNING,
            )
            keep = request.GET.copy()
            del keep["q"]
            url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
            return HttpResponseRedirect(f"{url}?{keep.urlencode()}" if keep else url)
        return super().changelist_view(request, extra_context)

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


# --- Hardship files -----------------------------------------------------------------------


class HouseholdMemberInline(WelfareAdminMixin, ScopedTabularInline):
    model = HouseholdMember
    fields = ["relation", "name", "yearly_income"]


class HardshipFileAdminForm(forms.ModelForm):
    id_number = forms.CharField(
        label=_("ID number"),
        required=False,
        max_length=22,
        help_text=_("Stored encrypted. Leave empty to keep the current number."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    acting_user = None  # set by HardshipFileAdmin.get_form

    class Meta:
        model = HardshipFile
        fields = [
            "union",
            "name",
            "gender",
            "phone",
            "address",
            "region",
            "causes",
            "rigid_expenses",
            "accident_loss",
            "notice_days",
        ]

    def clean_id_number(self) -> str:
        value = self.cleaned_data.get("id_number", "")
        if not value:
            if not self.instance.pk:
                raise forms.ValidationError(_("An ID number is required for a new file."))
            return ""
        # The desk's check (format, and duplicates among the files the user may see, logged).
        return services.file_id_check(id_number=value, by=self.acting_user, file=self.instance)


WORKFLOW_FIELDS = [
    "category",
    "override_reason",
    "status",
    "stage",
    "notice_starts",
    "objections",
    "filed_on",
    "review_due",
    "closed_on",
]


@admin.register(HardshipFile)
class HardshipFileAdmin(ServicedAdminMixin, LoggedLooksMixin, IdSearchMixin, WelfareAdminMixin, ScopedAdmin):
    form = HardshipFileAdminForm
    list_display = ["name", "id_number_masked", "union", "category", "status", "review_due"]
    list_filter = ["status", "category", "stage"]
    list_select_related = ["union"]
    search_fields = ["name"]
    # Stage, status and category change only through the workflow (desk), which keeps history.
    readonly_fields = [
        "id_number_masked",
        *WORKFLOW_FIELDS,
        "household_size",
        "household_income",
        "per_capita_monthly",
        "suggested_category",
        "line_amount",
        "anonymised_at",
        "created_by",
    ]
    inlines = [HouseholdMemberInline]
    show_full_result_count = False

    def person_file(self, obj):
        return obj

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.acting_user = request.user
        return form

    def get_search_results(self, request, queryset, search_term):
        """By name or phone fragment (a full ID number goes through the posted ID search)."""
        if looks_like_full_id(search_term):
            return queryset.none(), False
        return queryset.search(search_term), False

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in services.EDITABLE_FIELDS if f in form.cleaned_data}
        number = form.cleaned_data.get("id_number") or ""
        if change:
            # The service checks the user against the file's union as stored, not as edited.
            saved = services.file_update(
                file=HardshipFile.objects.get(pk=obj.pk), by=request.user, id_number=number, **data
            )
        else:
            saved = services.file_create(union=data.pop("union"), by=request.user, id_number=number, **data)
        self._sync(obj, saved)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self._saved_by_service(formset)
            if formset.model is HouseholdMember:
                rows = [
                    {k: row.get(k) for k in ("name", "relation", "yearly_income")}
                    for row in formset.cleaned_data
                    if row and not row.get("DELETE")
                ]
                services.household_set(file=form.instance, members=rows, by=request.user)

    def delete_model(self, request, obj):
        services.file_delete(file=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for file in queryset.select_related("union"):
            services.file_delete(file=file, by=request.user)


# --- Visits and assistance ----------------------------------------------------------------


class VisitPhotoInline(WelfareAdminMixin, ScopedTabularInline):
    """Photos are taken on the desk's visit form; here they are shown, or deleted (superusers)."""

    model = VisitPhoto
    fields = ["preview"]
    readonly_fields = ["preview"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    @admin.display(description=_("photo"))
    def preview(self, obj):
        if not obj.pk:
            return ""
        return format_html(
            '<a href="{}"><img src="{}" alt="" height="72"></a>',
            reverse("welfare:visit_photo", args=[obj.pk, "full"]),
            reverse("welfare:visit_photo", args=[obj.pk, "thumb"]),
        )


VISIT_FIELDS = [
    "kind",
    "site",
    "group_size",
    "occasion",
    "date",
    "visitors",
    "found",
    "money",
    "goods",
    "goods_value",
    "needs",
    "measure",
    "next_follow_up",
]


class OverrideForm(forms.ModelForm):
    override_reason = forms.CharField(
        label=_("chair's reason to go over the yearly cap"), required=False, max_length=300
    )


@admin.register(Visit)
class VisitAdmin(
    ServicedAdminMixin, LoggedLooksMixin, IdSearchMixin, WelfareAdminMixin, EstimatedCountMixin, ScopedAdmin
):
    form = OverrideForm
    list_display = ["date", "occasion", "kind", "union", "file", "money", "goods_value"]
    list_filter = ["occasion", "kind"]
    list_select_related = ["union", "file"]
    # Searched through the file (name or phone fragment): a LIKE on the visits table itself
    # would scan a million rows. A full ID number goes through the posted ID search.
    search_fields = ["file__name"]
    raw_id_fields = ["file"]
    date_hierarchy = None
    inlines = [VisitPhotoInline]
    readonly_fields = ["created_by"]
    id_search_lookup = "file__in"

    def person_file(self, obj):
        return obj.file

    def get_search_results(self, request, queryset, search_term):
        term = identity.normalise(search_term)
        if not term or looks_like_full_id(search_term):
            return (queryset.none() if term else queryset), False
        files = selectors.files_search(user=request.user, q=search_term)
        return queryset.filter(file__in=files.values("pk")), False

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in VISIT_FIELDS if f in form.cleaned_data}
        reason = form.cleaned_data.get("override_reason", "")
        if change:
            visit = Visit.objects.select_related("union", "file").get(pk=obj.pk)
            data |= {"union": form.cleaned_data["union"], "file": form.cleaned_data.get("file")}
            saved = services.visit_update(visit=visit, by=request.user, override_reason=reason, **data)
        else:
            saved = services.visit_create(
                union=form.cleaned_data["union"],
                file=form.cleaned_data.get("file"),
                by=request.user,
                override_reason=reason,
                **data,
            )
        self._sync(obj, saved)

    def save_related(self, request, form, formsets, change):
        for formset in formsets:
            self._saved_by_service(formset)
            gone = [f.instance.pk for f in formset.deleted_forms if f.instance.pk]
            if formset.model is VisitPhoto and gone:
                services.photo_delete(
                    photos=VisitPhoto.objects.filter(visit=form.instance, pk__in=gone), by=request.user
                )

    def delete_model(self, request, obj):
        services.visit_delete(visit=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for visit in queryset.select_related("union"):
            services.visit_delete(visit=visit, by=request.user)


@admin.register(Assistance)
class AssistanceAdmin(ServicedAdminMixin, LoggedLooksMixin, WelfareAdminMixin, ScopedAdmin):
    form = OverrideForm
    list_display = ["date", "kind", "amount", "union", "file", "funding_source"]
    list_filter = ["kind"]
    list_select_related = ["union", "file"]
    raw_id_fields = ["file"]
    readonly_fields = ["union"]

    def person_file(self, obj):
        return obj.file

    def get_readonly_fields(self, request, obj=None):
        # A measure stays on its file; the union is the file's.
        return ["union", "file"] if obj is not None else ["union"]

    def save_model(self, request, obj, form, change):
        data = {f: form.cleaned_data[f] for f in ("kind", "amount", "date", "funding_source", "note")}
        reason = form.cleaned_data.get("override_reason", "")
        if change:
            measure = Assistance.objects.select_related("file__union").get(pk=obj.pk)
            saved = services.assistance_update(measure=measure, by=request.user, override_reason=reason, **data)
        else:
            saved = services.assistance_add(
                file=form.cleaned_data["file"], by=request.user, override_reason=reason, **data
            )
        self._sync(obj, saved)

    def delete_model(self, request, obj):
        services.assistance_delete(measure=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for measure in queryset.select_related("file__union"):
            services.assistance_delete(measure=measure, by=request.user)


# --- Supply distributions ----------------------------------------------------------------


class CampaignItemInline(WelfareAdminMixin, ScopedTabularInline):
    # No desk page adds campaign items yet (issue "Desk first").
    staff_writable = True
    model = CampaignItem
    fields = ["name", "unit", "per_person", "received", "stock"]
    readonly_fields = ["stock"]  # counted by the services (received minus handed out)


@admin.register(Campaign)
class CampaignAdmin(ServicedAdminMixin, WelfareAdminMixin, ScopedAdmin):
    # No desk page creates or edits campaigns yet (issue "Desk first").
    staff_writable = True
    list_display = ["title", "union", "starts_on"]
    list_select_related = ["union"]
    inlines = [CampaignItemInline]

    def save_model(self, request, obj, form, change):
        services.campaign_save(campaign=obj, by=request.user)

    def save_formset(self, request, form, formset, change):
        if formset.model is not CampaignItem:
            return super().save_formset(request, form, formset, change)
        self._saved_by_service(formset)
        for item_form in formset.forms:
            item = item_form.instance
            if item_form in formset.deleted_forms:
                if item.pk:
                    services.item_delete(item=item, by=request.user)
            elif item_form.has_changed():
                item.campaign = form.instance
                services.item_save(item=item, by=request.user)

    def delete_model(self, request, obj):
        services.campaign_delete(campaign=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for campaign in queryset.select_related("union"):
            services.campaign_delete(campaign=campaign, by=request.user)


class HandoutLineInline(WelfareAdminMixin, ScopedTabularInline):
    model = HandoutLine
    fields = ["item", "quantity"]
    readonly_fields = ["item", "quantity"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Handout)
class HandoutAdmin(ServicedAdminMixin, LoggedLooksMixin, WelfareAdminMixin, ScopedAdmin):
    """Handouts are recorded on the phone with a signature; the back office reads them, and a
    superuser may undo one recorded by mistake (its units go back to stock)."""

    list_display = ["at", "campaign", "employee", "union", "confirmation"]
    list_select_related = ["campaign", "employee", "union"]
    readonly_fields = [
        "union",
        "campaign",
        "employee",
        "confirmation",
        "signature_image",
        "over_share_reason",
        "at",
        "by",
    ]
    exclude = ["signature"]
    inlines = [HandoutLineInline]

    @admin.display(description=_("signature"))
    def signature_image(self, obj):
        if not obj.signature:
            return "—"
        return format_html('<img src="{}" alt="" height="90">', reverse("welfare:handout_signature", args=[obj.pk]))

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def delete_model(self, request, obj):
        services.handout_delete(handout=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for handout in queryset.select_related("union"):
            services.handout_delete(handout=handout, by=request.user)


@admin.register(Employee)
class EmployeeAdmin(ServicedAdminMixin, LoggedLooksMixin, NoIdInUrlMixin, WelfareAdminMixin, ScopedAdmin):
    # No desk page keeps the rosters yet (issue "Desk first").
    staff_writable = True
    list_display = ["name", "staff_number", "union"]
    list_select_related = ["union"]
    search_fields = ["name", "staff_number"]

    def save_model(self, request, obj, form, change):
        services.employee_save(employee=obj, by=request.user)

    def delete_model(self, request, obj):
        services.employee_delete(employee=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for employee in queryset.select_related("union"):
            services.employee_delete(employee=employee, by=request.user)


@admin.register(YearlyCap)
class YearlyCapAdmin(ServicedAdminMixin, WelfareAdminMixin, ScopedAdmin):
    # No desk page sets the caps yet (issue "Desk first").
    staff_writable = True
    list_display = ["union", "year", "per_household"]
    list_select_related = ["union"]

    def save_model(self, request, obj, form, change):
        services.cap_save(cap=obj, by=request.user)

    def delete_model(self, request, obj):
        services.cap_delete(cap=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for cap in queryset.select_related("union"):
            services.cap_delete(cap=cap, by=request.user)


@admin.register(MinimumLivingLine)
class MinimumLivingLineAdmin(ServicedAdminMixin, ScopedAdmin):
    """Public reference figures: every welfare officer reads them; the owning level (welfare
    staff of the line's union or above) changes them, with history."""

    # No desk page keeps the lines yet (issue "Desk first").
    staff_writable = True
    list_display = ["region", "year", "monthly_amount", "union"]
    list_select_related = ["union"]

    def save_model(self, request, obj, form, change):
        services.line_save(line=obj, by=request.user)

    def delete_model(self, request, obj):
        services.line_delete(line=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for line in queryset.select_related("union"):
            services.line_delete(line=line, by=request.user)


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
