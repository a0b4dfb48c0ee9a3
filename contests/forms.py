from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unionportal.core.attachments import clean_attachment
from unionportal.core.images import MultipleFileInput, MultipleImageUploadField
from unionportal.core.models import Role, Union
from unionportal.core.scoping import union_scope
from unionportal.core.unionchoice import limit_union_choices

from .models import Category, Contest, Criterion, Entry, JudgeAssignment, Period, Team

MAX_MEMBERS = 6


class MultipleAttachmentField(forms.FileField):
    """PDFs or images, each checked by core.attachments; the cleaned value is a list of files."""

    def __init__(self, *args, max_files: int = 5, **kwargs):
        self.max_files = max_files
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "application/pdf,image/*"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        uploads = [u for u in (data if isinstance(data, (list, tuple)) else [data]) if u]
        if len(uploads) > self.max_files:
            raise ValidationError(_("At most %(n)d files.") % {"n": self.max_files}, code="too_many_files")
        return [clean_attachment(super(MultipleAttachmentField, self).clean(u, initial)) for u in uploads]


class EntryForm(forms.ModelForm):
    photos = MultipleImageUploadField(label=_("Photos"), max_files=6)
    attachments = MultipleAttachmentField(label=_("Attachments (PDF or images)"))

    class Meta:
        model = Entry
        fields = ["category", "title", "description", "benefit", "benefit_value", "benefit_unit"]
        widgets = {"description": forms.Textarea(attrs={"rows": 6})}

    def __init__(self, *args, contest: Contest, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(contest=contest)
        unions = Union.objects.filter(path__startswith=contest.union.path)
        for i in range(MAX_MEMBERS):
            self.fields[f"member_{i}_name"] = forms.CharField(
                label=_("Team member %(n)d") % {"n": i + 1}, max_length=50, required=(i == 0)
            )
            self.fields[f"member_{i}_union"] = forms.ModelChoiceField(
                label=_("Union of team member %(n)d") % {"n": i + 1}, queryset=unions, required=(i == 0)
            )

    def member_rows(self):
        return [(self[f"member_{i}_name"], self[f"member_{i}_union"]) for i in range(MAX_MEMBERS)]

    def clean(self):
        data = super().clean()
        members = []
        for i in range(MAX_MEMBERS):
            name = (data.get(f"member_{i}_name") or "").strip()
            union = data.get(f"member_{i}_union")
            if name and union is None:
                self.add_error(f"member_{i}_union", _("Choose the member's union."))
            elif name:
                members.append((name, union))
        data["members"] = members
        return data


class ScreeningForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[("accept", pgettext_lazy("screening", "Accept")), ("reject", pgettext_lazy("screening", "Reject"))],
        label=_("Decision"),
    )
    reason = forms.CharField(label=_("Reason (shown to the team)"), max_length=300, required=False)


# --- Desk: contest setup -------------------------------------------------------------------------
# ISO values: in zh-hans Django would render "2026/11/30 10:00", which a datetime-local input drops.
ISO_DATETIME = "%Y-%m-%dT%H:%M"


def iso_datetime_input() -> forms.DateTimeInput:
    return forms.DateTimeInput(attrs={"type": "datetime-local"}, format=ISO_DATETIME)


STAGE_FIELDS = [
    "entry_opens",
    "entry_closes",
    "screening_closes",
    "vote_opens",
    "vote_closes",
    "jury_closes",
    "results_on",
]


class ContestSetupForm(forms.ModelForm):
    """A contest's own fields on the desk; contests.services.contest_save decides."""

    class Meta:
        model = Contest
        fields = [
            "union",
            "kind",
            "title",
            "slug",
            "summary",
            "rules",
            *STAGE_FIELDS,
            "votes_per_voter",
            "vote_period",
            "open_to_public",
            "vote_weight",
            "jury_weight",
            "first_prizes",
            "second_prizes",
            "third_prizes",
            "excellence_prizes",
        ]
        widgets = {"rules": forms.Textarea(attrs={"rows": 4})} | {f: iso_datetime_input() for f in STAGE_FIELDS}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = union_scope(user, Role.EDIT_ROLES).order_by("path")
        limit_union_choices(self, roles=Role.EDIT_ROLES)
        for name in STAGE_FIELDS:
            self.fields[name].input_formats = [ISO_DATETIME, "%Y-%m-%dT%H:%M:%S"]


class CategoryForm(forms.ModelForm):
    class Meta:
        model = Category
        fields = ["name", "description", "order"]


class CriterionForm(forms.ModelForm):
    class Meta:
        model = Criterion
        fields = ["name", "weight", "max_score", "order"]


class JudgeForm(forms.ModelForm):
    """A judge of the organiser's own unions (holders of the judge role there)."""

    class Meta:
        model = JudgeAssignment
        fields = ["judge"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        judges = Role.objects.filter(kind=Role.Kind.JUDGE, union__in=union_scope(user, Role.EDIT_ROLES))
        self.fields["judge"].queryset = (
            get_user_model().objects.filter(pk__in=judges.values("user_id")).order_by("username")
        )


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "union", "leader"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = union_scope(user, Role.EDIT_ROLES).order_by("path")
        limit_union_choices(self, roles=Role.EDIT_ROLES)


class PeriodForm(forms.ModelForm):
    class Meta:
        model = Period
        fields = ["name", "starts_on", "ends_on"]
        widgets = {
            "starts_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "ends_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
