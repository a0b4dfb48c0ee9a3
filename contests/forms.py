from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from unionportal.core.attachments import clean_attachment
from unionportal.core.images import MultipleFileInput, MultipleImageUploadField
from unionportal.core.models import Union

from .models import Category, Contest, Entry

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
    decision = forms.ChoiceField(choices=[("accept", _("Accept")), ("reject", _("Reject"))], label=_("Decision"))
    reason = forms.CharField(label=_("Reason (shown to the team)"), max_length=300, required=False)
