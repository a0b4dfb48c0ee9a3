from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unionportal.core.attachments import clean_attachment
from unionportal.core.images import ImageUploadField, MultipleImageUploadField
from unionportal.core.models import Role, Union
from unionportal.core.scoping import union_scope
from unionportal.core.unionchoice import limit_union_choices

from .models import Achievement, FieldOfWork, Member, Studio, SupportRecord


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class AttachmentField(forms.FileField):
    """A PDF or an image, checked by unionportal.core.attachments; cleaned value is a ContentFile."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget", forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png,image/webp"})
        )
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload or upload is initial:
            return None
        return clean_attachment(upload)


class StudioFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=50)
    kind = forms.ChoiceField(label=_("Kind"), required=False, choices=[("", _("All kinds")), *Studio.Kind.choices])
    level = forms.ChoiceField(label=_("Level"), required=False, choices=[("", _("All levels")), *Studio.Level.choices])
    field = forms.ChoiceField(label=_("Field of work"), required=False)
    union = forms.ChoiceField(label=_("Union"), required=False)

    def __init__(self, *args, fields_of_work, unions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["field"].choices = [("", _("All fields")), *[(f.slug, f.name) for f in fields_of_work]]
        self.fields["union"].choices = [("", _("All unions")), *[(str(u.pk), u.name) for u in unions]]


class StudioApplyForm(forms.ModelForm):
    leader_name = forms.CharField(label=_("Leader's name"), max_length=50)
    leader_title = forms.CharField(label=_("Leader's job title"), max_length=100, required=False)
    leader_education = forms.ChoiceField(label=_("Leader's education"), choices=Member.Education.choices)
    leader_political_status = forms.ChoiceField(label=_("Leader's political status"), choices=Member.Political.choices)
    leader_is_model_worker = forms.BooleanField(label=_("The leader is a model worker"), required=False)
    leader_is_craftsman = forms.BooleanField(label=_("The leader is a master craftsman"), required=False)
    leader_honours = forms.CharField(label=_("Leader's other honours"), max_length=300, required=False)

    class Meta:
        model = Studio
        fields = ["name", "kind", "level", "union", "fields_of_work", "founded_on", "description"]
        widgets = {
            "founded_on": DateInput(),
            "description": forms.Textarea(attrs={"rows": 4}),
            "fields_of_work": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = union_scope(user, Role.EDIT_ROLES).order_by("path")
        limit_union_choices(self, roles=Role.EDIT_ROLES)
        self.fields["fields_of_work"].queryset = FieldOfWork.objects.all()
        self.helper = FormHelper()
        self.helper.attrs = {"novalidate": ""}
        self.helper.add_input(Submit("submit", _("Submit application")))

    def leader_fields(self) -> dict:
        d = self.cleaned_data
        return {
            "name": d["leader_name"],
            "title": d["leader_title"],
            "education": d["leader_education"],
            "political_status": d["leader_political_status"],
            "is_model_worker": d["leader_is_model_worker"],
            "is_craftsman": d["leader_is_craftsman"],
            "honours": d["leader_honours"],
        }


class ReviewForm(forms.Form):
    comment = forms.CharField(
        label=_("Comments"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )


class PlaqueForm(forms.Form):
    on = forms.DateField(label=_("Date of the plaque ceremony"), widget=DateInput())
    place = forms.CharField(label=_("Place"), max_length=120, required=False)
    participants = forms.IntegerField(label=_("Participants"), min_value=0, max_value=100000, required=False)
    summary = forms.CharField(
        label=pgettext_lazy("achievement", "Summary"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class AchievementForm(forms.ModelForm):
    attachment = AttachmentField(label=_("Attachment"), help_text=_("A PDF or a JPEG, PNG or WEBP image."))

    class Meta:
        model = Achievement
        fields = ["type", "title", "number", "date", "level", "members", "benefit_amount", "benefit_note"]
        widgets = {"date": DateInput(), "members": forms.CheckboxSelectMultiple}

    def __init__(self, *args, studio: Studio, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = studio.members.all()
        self.fields["date"].input_formats = ["%Y-%m-%d"]
        self.helper = FormHelper()
        self.helper.attrs = {"enctype": "multipart/form-data", "novalidate": ""}
        self.helper.add_input(Submit("submit", _("Add achievement")))


class MemberForm(forms.ModelForm):
    photo_upload = ImageUploadField(label=_("Photo"), required=False)

    class Meta:
        model = Member
        fields = [
            "name",
            "role",
            "title",
            "education",
            "political_status",
            "is_model_worker",
            "is_craftsman",
            "honours",
            "phone",
            "order",
        ]

    def __init__(self, *args, submit_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.attrs = {"enctype": "multipart/form-data", "novalidate": ""}
        self.helper.add_input(Submit("submit", submit_label or _("Add member")))

    def service_fields(self) -> dict:
        """The cleaned particulars, without the photo (the services take it apart)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "photo_upload"}


class LeaderForm(forms.Form):
    member = forms.ModelChoiceField(
        label=_("New leader"),
        queryset=Member.objects.none(),
        empty_label=None,
        widget=forms.Select(attrs={"class": "form-select"}),
    )

    def __init__(self, *args, studio: Studio, members: list[Member] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = studio.members.exclude(role=Member.Role.LEADER)
        if members is not None:
            # The page has the members already: offer them without querying again (the
            # queryset still decides what is valid).
            self.fields["member"].widget.choices = [(m.pk, m.name) for m in members if not m.is_leader]


class PhotosForm(forms.Form):
    photos = MultipleImageUploadField(
        label=_("Photos"), required=True, help_text=_("JPEG, PNG or WEBP, up to 10 MB each.")
    )
    caption = forms.CharField(label=_("Caption"), max_length=120, required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel file (.xlsx)"))

    def clean_file(self):
        f = self.cleaned_data["file"]
        if not f.name.lower().endswith(".xlsx"):
            raise ValidationError(_("Upload an Excel workbook (.xlsx)."))
        return f


class TargetForm(forms.Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    target = forms.CharField(label=_("Target"), max_length=200)
    target_count = forms.IntegerField(label=_("Results expected"), min_value=1, max_value=1000, initial=1)


class AssessForm(forms.Form):
    evidence = forms.CharField(label=_("Evidence"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    override_reason = forms.CharField(
        label=_("Reason for marking it met below the count"),
        required=False,
        max_length=1000,
        help_text=_("Only when the recorded results fall short of the target; the reason is kept with the assessment."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SupportForm(forms.ModelForm):
    class Meta:
        model = SupportRecord
        fields = ["union", "kind", "date", "amount", "description"]
        widgets = {"date": DateInput()}

    def __init__(self, *args, user, studio: Studio, **kwargs):
        super().__init__(*args, **kwargs)
        # The studio's own union or one above it, where this user may act.
        path, step = studio.union.path, Union.steplen
        ancestors_or_self = [path[:i] for i in range(step, len(path) + 1, step)]
        self.fields["union"].queryset = union_scope(user, Role.EDIT_ROLES).filter(path__in=ancestors_or_self)
        self.fields["date"].input_formats = ["%Y-%m-%d"]
