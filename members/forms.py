from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unionportal.core.models import Role, Union

from .models import Member

ISO_DATE = {"format": "%Y-%m-%d", "attrs": {"type": "date"}}


def column_labels() -> dict:
    """The roster spreadsheet's columns: key → header label (translated)."""
    return {
        "name": pgettext_lazy("roster column", "Name"),
        "phone": pgettext_lazy("roster column", "Mobile phone"),
        "email": pgettext_lazy("roster column", "Email"),
        "card_number": pgettext_lazy("roster column", "Member card number"),
        "joined_on": pgettext_lazy("roster column", "Joined on (YYYY-MM-DD)"),
    }


# Up to this many unions in the user's scope, the union is picked from a list; a federation
# with more (a city's 100,000 unions) types the union's name instead.
UNION_SELECT_MAX = 300


class UnionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Union) -> str:
        return "\u00a0\u00a0" * max(obj.depth - 1, 0) + obj.name


class UnionNameField(forms.CharField):
    """A union of `queryset` given by its exact name."""

    def __init__(self, *, queryset, **kwargs):
        self.queryset = queryset
        super().__init__(max_length=100, **kwargs)

    def clean(self, value) -> Union:
        name = super().clean(value).strip()
        found = list(self.queryset.filter(name=name)[:2])
        if not found:
            raise ValidationError(_("None of your unions has this name."))
        if len(found) > 1:
            raise ValidationError(_("Several of your unions have this name."))
        return found[0]


def union_field(queryset, label=None) -> forms.Field:
    label = label or _("Union")
    if queryset[: UNION_SELECT_MAX + 1].count() > UNION_SELECT_MAX:
        return UnionNameField(queryset=queryset, label=label, help_text=_("The union's full name."))
    return UnionChoiceField(queryset=queryset, label=label)


class MemberForm(forms.ModelForm):
    class Meta:
        model = Member
        fields = ["name", "phone", "email", "card_number", "joined_on"]
        widgets = {"joined_on": forms.DateInput(**ISO_DATE), "phone": forms.TextInput(attrs={"inputmode": "tel"})}


class MemberNewForm(MemberForm):
    def __init__(self, *args, unions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"union": union_field(unions)} | dict(self.fields)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=50, required=False)
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status"))] + list(Member.Status.choices), required=False
    )


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(Member.Status.ACTIVE, Member.Status.ACTIVE.label), (Member.Status.LEFT, Member.Status.LEFT.label)],
    )


class TransferForm(forms.Form):
    to_union = forms.CharField(
        label=_("To union"), max_length=100, help_text=_("The new union's full name, as in the union tree.")
    )
    note = forms.CharField(label=_("Note"), max_length=200, required=False)

    def clean_to_union(self) -> Union:
        name = self.cleaned_data["to_union"].strip()
        found = list(Union.objects.filter(name=name)[:2])
        if not found:
            raise ValidationError(_("No union has this name."))
        if len(found) > 1:
            raise ValidationError(_("Several unions have this name: ask the new union for its exact name."))
        return found[0]


class ImportForm(forms.Form):
    spreadsheet = forms.FileField(label=_("Excel file (.xlsx) or CSV"))

    def __init__(self, *args, unions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"union": union_field(unions, _("Into the roster of"))} | dict(self.fields)


class InviteForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("person", "Name"), max_length=50)
    phone = forms.CharField(
        label=_("Mobile phone"), max_length=20, required=False, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    email = forms.EmailField(label=_("Email"), required=False)

    def __init__(self, *args, unions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"union": union_field(unions)} | dict(self.fields)


class UserForm(InviteForm):
    username = forms.CharField(label=_("Username"), max_length=150)

    field_order = ["union", "username", "name", "phone", "email"]

    def __init__(self, *args, unions, **kwargs):
        super().__init__(*args, unions=unions, **kwargs)
        self.order_fields(self.field_order)


class GrantForm(forms.Form):
    kind = forms.ChoiceField(label=_("Role"), choices=Role.Kind.choices)

    def __init__(self, *args, unions, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields = {"union": union_field(unions)} | dict(self.fields)
