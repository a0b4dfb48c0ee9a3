"""Back office of the contests. Every write goes through contests.services; for staff roles the
admins of records with a desk page (entries, judge scores, ballots) are read-only."""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.forms.models import BaseInlineFormSet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from unionportal.core.adminmixins import ScopedAdmin, ScopedTabularInline
from unionportal.core.models import Role, Union
from unionportal.core.scoping import union_scope

from . import services
from .models import (
    Ballot,
    Category,
    Contest,
    Criterion,
    Entry,
    JudgeAssignment,
    JudgeScore,
    Period,
    Team,
    TeamMember,
    TeamScore,
    Voter,
)
from .resources import ResultResource

# Filters list only what the user's rows refer to (a plain filter lists the whole related table).
RELATED_ONLY = admin.RelatedOnlyFieldListFilter


def _editable_unions(request):
    return union_scope(request.user, Role.EDIT_ROLES)


def _save_formset_through(formset, save, delete) -> None:
    """Save an inline formset row by row through the services (never formset.save())."""
    objects = formset.save(commit=False)
    for obj in formset.deleted_objects:
        delete(obj)
    for obj in objects:
        save(obj)


# --- Contest setup ---------------------------------------------------------------------------


class PartFormSet(BaseInlineFormSet):
    """Rows of a contest's setup: each row's rules and each removal are checked by the services
    before anything is saved, so a refusal is a message beside the row."""

    def clean(self):
        super().clean()
        for form in self.forms:
            if not hasattr(form, "cleaned_data") or not form.has_changed() and not self._should_delete_form(form):
                continue
            try:
                if self._should_delete_form(form):
                    if form.instance.pk:
                        services.contest_part_delete_rules(part=form.instance)
                else:
                    services.contest_part_rules(part=form.instance)
            except ValidationError as e:
                form.add_error(None, e)


class ContestPartInline(ScopedTabularInline):
    # Contest setup has a desk page (contests:desk_setup): read-only here for staff roles.
    formset = PartFormSet

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Union:
            kwargs["queryset"] = _editable_unions(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class CategoryInline(ContestPartInline):
    model = Category


class CriterionInline(ContestPartInline):
    model = Criterion


class JudgeAssignmentForm(forms.ModelForm):
    class Meta:
        model = JudgeAssignment
        fields = ["judge", "home_union"]
        help_texts = {"home_union": _("Leave empty for the union of the judge's role.")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["home_union"].required = False

    def clean_judge(self):
        judge = self.cleaned_data["judge"]
        services.judge_check(judge=judge)
        return judge

    def clean(self):
        data = super().clean()
        judge = data.get("judge")
        if judge is not None and data.get("home_union") is None:
            role = Role.objects.filter(user=judge, kind=Role.Kind.JUDGE).select_related("union").first()
            if role is None:
                self.add_error("home_union", _("Name the judge's own union."))
            else:
                data["home_union"] = role.union
                self.instance.home_union = role.union
        return data


class JudgeInline(ContestPartInline):
    model = JudgeAssignment
    form = JudgeAssignmentForm
    verbose_name_plural = _("jury (judge assignment)")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        user = request.user
        if not user.is_superuser:
            unions = _editable_unions(request)
            on_juries = JudgeAssignment.objects.filter(contest__in=Contest.objects.editable_by(user))
            if db_field.name == "judge":
                # Judges of the user's unions, and those already on the user's juries (shown on the desk).
                kwargs["queryset"] = (
                    get_user_model()
                    .objects.filter(
                        Q(union_roles__kind=Role.Kind.JUDGE, union_roles__union__in=unions)
                        | Q(pk__in=on_juries.values("judge"))
                    )
                    .distinct()
                )
            elif db_field.name == "home_union":
                kwargs["queryset"] = Union.objects.filter(Q(pk__in=unions) | Q(pk__in=on_juries.values("home_union")))
                return admin.TabularInline.formfield_for_foreignkey(self, db_field, request, **kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class TeamInline(ContestPartInline):
    model = Team


class PeriodInline(ContestPartInline):
    model = Period
    # Publishing is a step of its own (services.period_publish, on the desk).
    readonly_fields = ["published", "published_at"]


class ContestForm(forms.ModelForm):
    class Meta:
        model = Contest
        fields = [
            "union",
            "kind",
            "title",
            "slug",
            "summary",
            "rules",
            *services.setup.STAGE_FIELDS,
            "votes_per_voter",
            "vote_period",
            "vote_weight",
            "jury_weight",
            "first_prizes",
            "second_prizes",
            "third_prizes",
            "excellence_prizes",
        ]

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            services.contest_check(contest=self.instance, by=None)
        except ValidationError as e:
            self.add_error(None, e)


@admin.register(Contest)
class ContestAdmin(ScopedAdmin):
    # Contest setup (dates, categories, criteria, jury, teams, periods) is on the desk: read-only for staff.
    form = ContestForm
    list_display = ["title", "union", "kind", "vote_opens", "vote_closes", "results_published"]
    list_filter = ["kind", "results_published"]
    search_fields = ["title", "slug"]
    list_select_related = ["union"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["results_computed_at", "results_published", "results_published_at"]
    inlines = [CategoryInline, CriterionInline, JudgeInline, TeamInline, PeriodInline]
    actions = ["compute_results", "publish_results"]

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.results_published or Ballot.objects.filter(contest=obj).exists()):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        services.contest_save(contest=obj, by=request.user)

    def save_related(self, request, form, formsets, change):
        form.save_m2m()
        for formset in formsets:
            _save_formset_through(
                formset,
                save=lambda part: services.contest_part_save(part=part, by=request.user),
                delete=lambda part: services.contest_part_delete(part=part, by=request.user),
            )

    def delete_model(self, request, obj):
        services.contest_delete(contest=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for contest in queryset:
            try:
                services.contest_delete(contest=contest, by=request.user)
            except ValidationError as e:
                self.message_user(request, f"{contest.title}: {e.messages[0]}", messages.ERROR)

    @admin.action(description=_("Compute results of the selected contests"))
    def compute_results(self, request, queryset):
        for contest in queryset.editable_by(request.user):
            try:
                services.results_compute(contest=contest, by=request.user)
                self.message_user(request, _("{title}: results computed.").format(title=contest.title))
            except ValidationError as e:
                self.message_user(request, f"{contest.title}: {e.messages[0]}", messages.ERROR)

    @admin.action(description=_("Publish results of the selected contests"))
    def publish_results(self, request, queryset):
        for contest in queryset.editable_by(request.user):
            try:
                services.results_publish(contest=contest, by=request.user)
                self.message_user(request, _("{title}: results published.").format(title=contest.title))
            except ValidationError as e:
                self.message_user(request, f"{contest.title}: {e.messages[0]}", messages.ERROR)


# --- Entries ----------------------------------------------------------------------------------


class ScreeningActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason (shown to the team)"), max_length=300, required=False)


class TeamMemberFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        contest = self.instance.contest
        for form in self.forms:
            union = getattr(form, "cleaned_data", {}).get("union")
            if union is not None and not self._should_delete_form(form) and not union.is_within(contest.union):
                form.add_error("union", _("The member's union must be one of the organiser's unions."))


class TeamMemberInline(ScopedTabularInline):
    model = TeamMember
    formset = TeamMemberFormSet

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Union:
            kwargs["queryset"] = _editable_unions(request)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class EntryForm(forms.ModelForm):
    class Meta:
        model = Entry
        fields = services.entries.CORRECTABLE

    def clean_category(self):
        category = self.cleaned_data["category"]
        if self.instance.contest_id and category.contest_id != self.instance.contest_id:
            raise ValidationError(_("Choose a category of this contest."))
        return category


@admin.register(Entry)
class EntryAdmin(ExportMixin, ScopedAdmin):
    """Entries arrive through the public form and are screened on the desk (or with the actions
    here); superusers may correct an entry's text until the public vote opens."""

    form = EntryForm
    resource_classes = [ResultResource]
    list_display = ["title", "contest", "category", "status", "vote_count", "final_score", "rank", "prize"]
    list_filter = ["status", "prize", ("contest", RELATED_ONLY)]
    search_fields = ["title", "members__name"]
    list_select_related = ["contest", "category"]
    fields = [
        "contest",
        *services.entries.CORRECTABLE,
        "submitted_by",
        "status",
        "screening_reason",
        "screened_by",
        "screened_at",
        "vote_count",
        "vote_score",
        "jury_score",
        "final_score",
        "rank",
        "prize",
    ]
    # The submitter is whoever submitted: never a choice (a list of every account).
    readonly_fields = [f for f in fields if f not in services.entries.CORRECTABLE]
    inlines = [TeamMemberInline]
    action_form = ScreeningActionForm
    actions = ["accept", "reject"]

    def has_add_permission(self, request, *args):
        return False  # entries are submitted on the contest's page, during the entry stage

    def has_change_permission(self, request, obj=None):
        if obj is not None and timezone.now() >= obj.contest.vote_opens:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.ballots.exists() or obj.scores.exists()):
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        services.entry_update(entry=obj, by=request.user)

    def save_related(self, request, form, formsets, change):
        form.save_m2m()
        for formset in formsets:
            _save_formset_through(
                formset,
                save=lambda member: services.team_member_save(member=member, by=request.user),
                delete=lambda member: services.team_member_delete(member=member, by=request.user),
            )

    def delete_model(self, request, obj):
        services.entry_delete(entry=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for entry in queryset.select_related("contest"):
            try:
                services.entry_delete(entry=entry, by=request.user)
            except ValidationError as e:
                self.message_user(request, f"{entry.title}: {e.messages[0]}", messages.ERROR)

    def _screen(self, request, queryset, screen) -> None:
        done = 0
        for entry in queryset.editable_by(request.user).select_related("contest"):
            try:
                screen(entry, request.POST.get("reason", ""))
                done += 1
            except ValidationError as e:
                self.message_user(request, f"{entry.title}: {e.messages[0]}", messages.ERROR)
                return
        self.message_user(request, _("{n} entries screened.").format(n=done))

    @admin.action(description=_("Accept the selected entries"))
    def accept(self, request, queryset):
        self._screen(
            request,
            queryset,
            lambda entry, reason: services.entry_screen(entry=entry, accept=True, reason=reason, by=request.user),
        )

    @admin.action(description=_("Reject the selected entries (give the reason below)"))
    def reject(self, request, queryset):
        self._screen(
            request,
            queryset,
            lambda entry, reason: services.entry_screen(entry=entry, accept=False, reason=reason, by=request.user),
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        editable = Contest.objects.editable_by(request.user)
        if db_field.name == "category":
            kwargs["queryset"] = Category.objects.filter(contest__in=editable).select_related("contest")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).prefetch_related("members__union")


@admin.register(Ballot)
class BallotAdmin(ScopedAdmin):
    """The ballot log is append-only: nobody adds, changes or deletes a ballot here."""

    list_display = ["seq", "contest", "entry", "voter", "period", "cast_at", "hash"]
    list_filter = [("contest", RELATED_ONLY)]
    list_select_related = ["contest", "entry", "voter"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- Voters -----------------------------------------------------------------------------------


class VoterAddForm(forms.ModelForm):
    """A worker's account is named by its username (which the worker tells the officer): no list
    of accounts, and a user id in the address shows nobody's name."""

    username = forms.CharField(label=_("username"), max_length=150)

    class Meta:
        model = Voter
        fields = ["username", "union"]

    by = None  # the signed-in user, set by VoterAdmin.get_form

    def clean_username(self):
        username = self.cleaned_data["username"].strip()
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise ValidationError(_("No account with this username."))
        current = Voter.objects.filter(user=user).select_related("union").first()
        if (
            current is not None
            and not Union.objects.filter(pk=current.union_id)
            .filter(pk__in=union_scope(self.by, Role.EDIT_ROLES))
            .exists()
        ):
            raise ValidationError(_("This account is verified by another union."))
        self.instance.user = user
        return username


@admin.register(Voter)
class VoterAdmin(ScopedAdmin):
    # Verifying voters has no desk page yet: officers do it here.
    staff_writable = True
    list_display = ["user", "union", "verified", "verified_at"]
    list_filter = ["verified"]
    search_fields = ["user__username", "user__first_name"]
    actions = ["verify"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = type("VoterAddForm", (VoterAddForm,), {"by": request.user})
            kwargs["fields"] = ["username", "union"]
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["username", "union"]
        return ["user", "union", "verified", "verified_by", "verified_at"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["user", "verified", "verified_by", "verified_at"]

    def save_model(self, request, obj, form, change):
        voter = services.voter_verify(user=obj.user, union=obj.union, by=request.user)
        obj.pk = voter.pk

    def delete_model(self, request, obj):
        services.voter_delete(voter=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for voter in queryset.select_related("union"):
            services.voter_delete(voter=voter, by=request.user)

    @admin.action(description=_("Verify the selected voters"))
    def verify(self, request, queryset):
        for voter in queryset.editable_by(request.user).select_related("user", "union"):
            services.voter_verify(user=voter.user, union=voter.union, by=request.user)
        self.message_user(request, _("Voters verified."))


# --- Scores -----------------------------------------------------------------------------------


class TeamScoreForm(forms.ModelForm):
    class Meta:
        model = TeamScore
        fields = ["team", "period", "criterion", "score", "note"]

    def clean(self):
        data = super().clean()
        team, period, criterion, score = (data.get(k) for k in ("team", "period", "criterion", "score"))
        if team and period and criterion and score is not None:
            if not (team.contest_id == period.contest_id == criterion.contest_id):
                raise ValidationError(_("Team, period and criterion must belong to the same competition."))
            if score < 0 or score > criterion.max_score:
                raise ValidationError(
                    _("{criterion}: the score must be between 0 and {max}.").format(
                        criterion=criterion.name, max=criterion.max_score
                    )
                )
        return data


@admin.register(TeamScore)
class TeamScoreAdmin(ScopedAdmin):
    """Labour competitions: a team's score on one criterion for one period."""

    # Scores are entered and published per period on the desk: read-only here for staff roles.
    form = TeamScoreForm
    list_display = ["team", "period", "criterion", "score", "note"]
    list_filter = [("team__contest", RELATED_ONLY), ("period", RELATED_ONLY)]
    list_select_related = ["team", "period", "criterion"]

    def get_readonly_fields(self, request, obj=None):
        return ["team", "period", "criterion"] if obj is not None else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        editable = Contest.objects.editable_by(request.user)
        if db_field.name in ("team", "period", "criterion"):
            kwargs["queryset"] = db_field.related_model.objects.filter(contest__in=editable)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        row = services.team_score_set(
            team=obj.team,
            period=obj.period,
            criterion=obj.criterion,
            score=obj.score,
            by=request.user,
            note=obj.note,
        )
        obj.pk = row.pk

    def delete_model(self, request, obj):
        services.team_score_delete(score=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for score in queryset.select_related("team__contest"):
            services.team_score_delete(score=score, by=request.user)


@admin.register(JudgeScore)
class JudgeScoreAdmin(ScopedAdmin):
    """Judges score on the contests desk; the organiser reads the scores here."""

    list_display = ["entry", "judge", "criterion", "score", "scored_at"]
    list_filter = [("entry__contest", RELATED_ONLY)]
    list_select_related = ["entry", "judge", "criterion"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
