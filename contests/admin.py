from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ActionForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export.admin import ExportMixin

from unionportal.core.adminmixins import ScopedAdmin, ScopedTabularInline
from unionportal.core.models import Role

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


class CategoryInline(ScopedTabularInline):
    model = Category


class CriterionInline(ScopedTabularInline):
    model = Criterion


class JudgeAssignmentForm(forms.ModelForm):
    class Meta:
        model = JudgeAssignment
        fields = ["judge", "home_union"]

    def clean_judge(self):
        judge = self.cleaned_data["judge"]
        if not judge.is_superuser and not Role.objects.filter(user=judge, kind=Role.Kind.JUDGE).exists():
            raise ValidationError(_("{user} does not hold the judge role.").format(user=judge))
        return judge


class JudgeInline(ScopedTabularInline):
    model = JudgeAssignment
    form = JudgeAssignmentForm
    autocomplete_fields = ["judge"]
    verbose_name_plural = _("jury (judge assignment)")


class TeamInline(ScopedTabularInline):
    model = Team


class PeriodInline(ScopedTabularInline):
    model = Period


@admin.register(Contest)
class ContestAdmin(ScopedAdmin):
    list_display = ["title", "union", "kind", "vote_opens", "vote_closes", "results_published"]
    list_filter = ["kind", "results_published"]
    search_fields = ["title", "slug"]
    list_select_related = ["union"]
    prepopulated_fields = {"slug": ["title"]}
    readonly_fields = ["results_computed_at", "results_published", "results_published_at"]
    inlines = [CategoryInline, CriterionInline, JudgeInline, TeamInline, PeriodInline]
    actions = ["compute_results", "publish_results"]

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


class ScreeningActionForm(ActionForm):
    reason = forms.CharField(label=_("Reason (shown to the team)"), max_length=300, required=False)


class TeamMemberInline(ScopedTabularInline):
    model = TeamMember


@admin.register(Entry)
class EntryAdmin(ExportMixin, ScopedAdmin):
    resource_classes = [ResultResource]
    list_display = ["title", "contest", "category", "status", "vote_count", "final_score", "rank", "prize"]
    list_filter = ["status", "prize", "contest"]
    search_fields = ["title", "members__name"]
    list_select_related = ["contest", "category"]
    readonly_fields = [
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
    inlines = [TeamMemberInline]
    action_form = ScreeningActionForm
    actions = ["accept", "reject"]

    def _screen(self, request, queryset, accept: bool):
        done = 0
        for entry in queryset.editable_by(request.user).select_related("contest"):
            try:
                services.entry_screen(
                    entry=entry, accept=accept, reason=request.POST.get("reason", ""), by=request.user
                )
                done += 1
            except ValidationError as e:
                self.message_user(request, f"{entry.title}: {e.messages[0]}", messages.ERROR)
                return
        self.message_user(request, _("{n} entries screened.").format(n=done))

    @admin.action(description=_("Accept the selected entries"))
    def accept(self, request, queryset):
        self._screen(request, queryset, True)

    @admin.action(description=_("Reject the selected entries (give the reason below)"))
    def reject(self, request, queryset):
        self._screen(request, queryset, False)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        editable = Contest.objects.editable_by(request.user)
        if db_field.name == "contest":
            kwargs["queryset"] = editable
        elif db_field.name == "category":
            kwargs["queryset"] = Category.objects.filter(contest__in=editable).select_related("contest")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_export_queryset(self, request):
        return super().get_export_queryset(request).prefetch_related("members__union")


@admin.register(Ballot)
class BallotAdmin(ScopedAdmin):
    """The ballot log is append-only: nobody adds, changes or deletes a ballot here."""

    list_display = ["seq", "contest", "entry", "voter", "period", "cast_at", "hash"]
    list_filter = ["contest"]
    list_select_related = ["contest", "entry", "voter"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Voter)
class VoterAdmin(ScopedAdmin):
    list_display = ["user", "union", "verified", "verified_at"]
    list_filter = ["verified"]
    search_fields = ["user__username", "user__first_name"]
    autocomplete_fields = ["user"]
    readonly_fields = ["verified", "verified_by", "verified_at"]
    actions = ["verify"]

    @admin.action(description=_("Verify the selected voters"))
    def verify(self, request, queryset):
        for voter in queryset.editable_by(request.user).select_related("user", "union"):
            services.voter_verify(user=voter.user, union=voter.union, by=request.user)
        self.message_user(request, _("Voters verified."))


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

    form = TeamScoreForm
    list_display = ["team", "period", "criterion", "score", "note"]
    list_filter = ["team__contest", "period__name"]
    list_select_related = ["team", "period", "criterion"]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        editable = Contest.objects.editable_by(request.user)
        if db_field.name in ("team", "period", "criterion"):
            kwargs["queryset"] = db_field.related_model.objects.filter(contest__in=editable)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        services.team_score_set(
            team=obj.team,
            period=obj.period,
            criterion=obj.criterion,
            score=obj.score,
            by=request.user,
            note=obj.note,
        )


@admin.register(JudgeScore)
class JudgeScoreAdmin(ScopedAdmin):
    """Judges score on the contests desk; the organiser reads the scores here."""

    list_display = ["entry", "judge", "criterion", "score", "scored_at"]
    list_filter = ["entry__contest"]
    list_select_related = ["entry", "judge", "criterion"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
