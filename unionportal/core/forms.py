from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from .http import signin_failed, signin_succeeded, signin_throttled
from .images import MultipleImageUploadField
from .models import Activity, Role
from .scoping import union_scope


class SecondarySubmit(Submit):
    field_classes = "btn btn-outline-secondary"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


class ActivityForm(forms.ModelForm):
    photos = MultipleImageUploadField(label=_("Photos"), help_text=_("JPEG, PNG or WEBP, up to 10 MB each."))

    class Meta:
        model = Activity
        fields = ["union", "kind", "title", "starts_at", "place", "participants", "organiser", "summary"]
        widgets = {
            "starts_at": DateTimeLocalInput(),
            "summary": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        unions = union_scope(user, Role.EDIT_ROLES)
        self.fields["union"].queryset = unions
        if not self.instance.pk:
            # Most officers log for their own union: the top of their scope.
            self.fields["union"].initial = unions.order_by("depth", "path").values_list("pk", flat=True).first()
        self.fields["starts_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        self.helper = FormHelper()
        self.helper.form_tag = True
        self.helper.attrs = {"enctype": "multipart/form-data", "novalidate": ""}
        self.helper.add_input(SecondarySubmit("save_draft", _("Save draft")))
        self.helper.add_input(Submit("publish", _("Save and publish")))


class ThrottledSignInMixin:
    """For authentication forms: a username longer than the user model allows is a field error
    (never sent to the backends and their attempt log), and the sign-in throttle of
    unionportal.core.http pauses an account or address with a clear message."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Too many failed sign-in attempts for this account or from this network. "
            "Sign-in is paused: please try again in {minutes} minutes."
        ),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))

    def clean(self):
        username = self.cleaned_data.get("username")
        if username is None or not self.cleaned_data.get("password"):
            return super().clean()
        if signin_throttled(self.request, username):
            minutes = max(1, settings.SIGNIN_THROTTLE_SECONDS // 60)
            raise ValidationError(self.error_messages["throttled"].format(minutes=minutes), code="throttled")
        try:
            cleaned = super().clean()
        except ValidationError:
            signin_failed(self.request, username)
            raise
        signin_succeeded(self.request, username)
        return cleaned


class SignInForm(ThrottledSignInMixin, AuthenticationForm):
    pass


class AdminSignInForm(ThrottledSignInMixin, AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "throttled": ThrottledSignInMixin.error_messages["throttled"],
    }
