from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

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
