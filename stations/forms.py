from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Feedback

RATINGS = [(str(n), "★" * n) for n in range(1, 6)]


class FeedbackForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=_("Your rating"),
        choices=[("", _("No rating"))] + RATINGS,
        coerce=int,
        empty_value=None,
        required=False,
        widget=forms.RadioSelect,
    )
    problem = forms.ChoiceField(label=_("Report a problem"), choices=Feedback.Problem.choices, required=False)
    message = forms.CharField(
        label=_("Details"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    contact = forms.CharField(label=_("Contact (optional)"), max_length=60, required=False)

    def clean(self):
        data = super().clean()
        if data.get("rating") is None and not data.get("problem"):
            raise forms.ValidationError(_("Give a rating or choose a problem."))
        return data


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Answer"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    close = forms.BooleanField(label=_("Close the report"), required=False)


class CoverageForm(forms.Form):
    distance = forms.IntegerField(
        label=_("Farther than (m)"), min_value=50, max_value=50_000, initial=1000, required=False
    )
