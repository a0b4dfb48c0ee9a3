from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from . import selectors, services
from .http import signin_failed, signin_succeeded, signin_throttled
from .images import MultipleImageUploadField
from .models import Activity, Role
from .scoping import union_scope
from .unionchoice import limit_union_choices


class SecondarySubmit(Submit):
    field_classes = "btn btn-outline-secondary"


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%dT%H:%M", **kwargs)


LINK_LABELS = {"station": _("Stations"), "studio": _("Innovation studios"), "contest": _("Contests")}


class ActivityForm(forms.ModelForm):
    about = forms.ChoiceField(
        label=_("Station, studio or contest"),
        required=False,
        help_text=_("The station, innovation studio or contest the activity is about: its page lists the activity."),
    )
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
        limit_union_choices(self, roles=Role.EDIT_ROLES)
        self.fields["starts_at"].input_formats = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]
        self.user = user
        current = self.instance if self.instance.pk else None
        options = selectors.activity_link_options(user=user, current=current)
        choices = [("", _("Nothing in particular"))]
        for kind, rows in options.items():
            if rows:
                choices.append((LINK_LABELS[kind], [(f"{kind}:{pk}", name) for pk, name in rows]))
        about = self.fields["about"]
        # Any record the user may edit is accepted (the list shows the first few hundred of each kind).
        about.choices = choices
        about.valid_value = lambda value: True
        self._current_link = self._link_value(self.instance) if current else ""
        about.initial = self._current_link
        self.order_fields(["union", "about"])
        self.helper = FormHelper()
        self.helper.form_tag = True
        self.helper.attrs = {"enctype": "multipart/form-data", "novalidate": ""}
        self.helper.add_input(SecondarySubmit("save_draft", _("Save draft")))
        self.helper.add_input(Submit("publish", _("Save and publish")))

    @staticmethod
    def _link_value(activity: Activity) -> str:
        for kind in services.LINK_FIELDS:
            if getattr(activity, f"{kind}_id"):
                return f"{kind}:{getattr(activity, f'{kind}_id')}"
        return ""

    def clean_about(self) -> object | None:
        value = self.cleaned_data.get("about") or ""
        if not value:
            return None
        kind, _sep, pk = value.partition(":")
        if value == self._current_link:
            return getattr(self.instance, kind)  # unchanged: kept even if set from higher up
        target = selectors.activity_link_target(user=self.user, kind=kind, pk=pk)
        if target is None:
            raise ValidationError(_("Choose a station, studio or contest from the list."), code="invalid_choice")
        return target

    def link_fields(self) -> dict[str, object | None]:
        """{station, studio, contest}: what the activity is about, for the services."""
        about = self.cleaned_data.get("about")
        return {
            kind: about if about is not None and about._meta.model_name == kind else None
            for kind in services.LINK_FIELDS
        }

    def _post_clean(self):
        if "about" in self.cleaned_data:
            for kind, value in self.link_fields().items():
                setattr(self.instance, kind, value)
        super()._post_clean()
        if not self.errors and self.instance.union_id:
            try:
                services.activity_check_link(activity=self.instance, by=self.user)
            except ValidationError as e:
                self.add_error("about", e)


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
