from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .contacts import INPUT_MAX, parse_target


class TargetForm(forms.Form):
    """Step 1: where to send the code. A phone number first; an email works too."""

    target = forms.CharField(
        label=_("Mobile phone number (or email)"),
        max_length=INPUT_MAX,
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "inputmode": "tel", "placeholder": "13800138000", "autofocus": True}
        ),
    )

    def clean_target(self) -> str:
        return parse_target(self.cleaned_data["target"])


class CodeForm(forms.Form):
    """Step 2: the code and a new password."""

    code = forms.CharField(
        label=_("Code"),
        max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )
    password1 = forms.CharField(
        label=_("New password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("New password again"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", ValidationError(_("The two passwords differ."), code="mismatch"))
        return data


class SignupForm(CodeForm):
    name = forms.CharField(label=_("Your name"), max_length=50, required=False)

    field_order = ["code", "name", "password1", "password2"]


class ProfileForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=150, required=False)
    email = forms.EmailField(label=_("Email"), max_length=150, required=False)


class DeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        max_length=128,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise ValidationError(_("The password is not right."), code="password")
        return password


class StyledPasswordChangeForm(PasswordChangeForm):
    """Django's form with length caps, so a huge post is refused as a form error."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.validators.append(MaxLengthValidator(128))
