from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unionportal.core.images import MultipleImageUploadField
from unionportal.core.scoping import union_scope
from unionportal.core.unionchoice import limit_union_choices

from . import identity
from .models import WELFARE, Assistance, Campaign, CampaignItem, Cause, Employee, HardshipFile, Visit

# `<input type="date">` only takes ISO values: without the format, Django renders the active
# language's first input format (2026/11/30 in zh-hans) and the browser drops it.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class UnionChoiceMixin:
    def _scope_union(self, user) -> None:
        self.fields["union"].queryset = union_scope(user, WELFARE).order_by("path")
        limit_union_choices(self, roles=WELFARE)


class FileForm(UnionChoiceMixin, forms.ModelForm):
    id_number = forms.CharField(
        label=_("ID number"),
        max_length=22,
        required=True,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("18 characters; stored encrypted and shown masked."),
    )
    causes = forms.MultipleChoiceField(
        label=_("causes"), choices=Cause.choices, required=False, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = HardshipFile
        fields = [
            "union",
            "name",
            "gender",
            "phone",
            "address",
            "region",
            "causes",
            "rigid_expenses",
            "accident_loss",
            "notice_days",
        ]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._scope_union(user)
        if self.instance.pk:
            self.fields["id_number"].required = False
            self.fields["id_number"].help_text = _("Leave empty to keep {masked}.").format(
                masked=self.instance.id_number_masked
            )

    def clean_id_number(self) -> str:
        value = self.cleaned_data.get("id_number", "")
        if not value and self.instance.pk:
            return ""
        return identity.validate_id_number(value)


class MemberForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("welfare", "name"), max_length=50, required=False)
    relation = forms.CharField(label=_("relation"), max_length=30, required=False)
    yearly_income = forms.DecimalField(
        label=_("yearly income"),
        max_digits=10,
        decimal_places=2,
        required=False,
        min_value=0,
        error_messages={"min_value": _("An income cannot be negative.")},
    )


MemberFormSet = forms.formset_factory(MemberForm, extra=2, max_num=20, absolute_max=20)


class CategoryForm(forms.Form):
    category = forms.ChoiceField(label=pgettext_lazy("welfare", "category"), choices=HardshipFile.Category.choices)
    reason = forms.CharField(label=_("reason for overriding the suggestion"), max_length=300, required=False)


class AdvanceForm(forms.Form):
    note = forms.CharField(label=_("note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}))
    objections = forms.CharField(
        label=_("objections received"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ReviewForm(forms.Form):
    status = forms.ChoiceField(label=_("status"), choices=HardshipFile.Status.choices)
    note = forms.CharField(label=_("note"), max_length=1000, required=False)


class AssistanceForm(forms.ModelForm):
    override_reason = forms.CharField(
        label=_("chair's reason to go over the yearly cap"),
        required=False,
        max_length=300,
        help_text=_("Only when over the cap; a chair of the union must give it."),
    )

    class Meta:
        model = Assistance
        fields = ["kind", "amount", "date", "funding_source", "note"]
        widgets = {"date": DATE}

    def clean_amount(self):
        amount = self.cleaned_data["amount"]
        if amount is not None and amount < 0:
            raise ValidationError(_("The amount cannot be negative."))
        return amount


class VisitForm(UnionChoiceMixin, forms.ModelForm):
    """The phone-first form: the occasion and date are required; everything else may wait."""

    file = forms.IntegerField(required=False, widget=forms.HiddenInput)
    photos = MultipleImageUploadField(label=_("photos"))
    # Made on the device (visit_offline.js) when the form or its offline draft is started.
    idempotency_key = forms.UUIDField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = Visit
        fields = [
            "union",
            "kind",
            "occasion",
            "date",
            "site",
            "group_size",
            "visitors",
            "found",
            "money",
            "goods",
            "goods_value",
            "needs",
            "measure",
            "next_follow_up",
        ]
        widgets = {
            "date": DATE,
            "next_follow_up": DATE,
            "found": forms.Textarea(attrs={"rows": 2}),
            "needs": forms.Textarea(attrs={"rows": 2}),
            "measure": forms.Textarea(attrs={"rows": 2}),
            "money": forms.NumberInput(attrs={"inputmode": "decimal", "min": "0", "step": "0.01"}),
            "goods_value": forms.NumberInput(attrs={"inputmode": "decimal", "min": "0", "step": "0.01"}),
        }

    def __init__(self, *args, user, files_qs, **kwargs):
        super().__init__(*args, **kwargs)
        self._scope_union(user)
        self.fields["union"].required = False
        self.fields["union"].help_text = _("Leave empty to use the worker's union.")
        self.files_qs = files_qs
        for name in ("money", "goods_value", "group_size"):
            self.fields[name].required = False

    def clean_file(self):
        pk = self.cleaned_data.get("file")
        if not pk:
            return None
        file = self.files_qs.filter(pk=pk).select_related("union").first()
        if file is None:
            raise ValidationError(_("Pick the worker from the search results."))
        return file

    def clean(self):
        data = super().clean()
        for name in ("money", "goods_value", "group_size"):
            if data.get(name) is None:
                data[name] = 0
            elif data[name] < 0:
                self.add_error(name, _("The amount cannot be negative."))
        file, kind = data.get("file"), data.get("kind")
        if not data.get("union"):
            if file is None:
                self.add_error("union", _("Pick a worker, or choose the union of the group you visited."))
            else:
                data["union"] = file.union
        if kind in (Visit.Kind.WORKER, Visit.Kind.HOUSEHOLD) and file is None:
            self.add_error("file", _("Pick the worker you visited (search by name or phone)."))
        if kind == Visit.Kind.GROUP and not data.get("site"):
            self.add_error("site", _("Say which group or site you visited."))
        return data


class ImportForm(forms.Form):
    spreadsheet = forms.FileField(label=_("Excel file (.xlsx)"))

    def clean_spreadsheet(self):
        upload = self.cleaned_data["spreadsheet"]
        if upload.size > 5 * 1024 * 1024:
            raise ValidationError(_("The file is too large: at most 5 MB."))
        upload.seek(0)
        if upload.read(4) != b"PK\x03\x04":
            raise ValidationError(_("This is not an Excel (.xlsx) file."))
        upload.seek(0)
        return upload


class PeriodForm(forms.Form):
    union = forms.ModelChoiceField(label=_("union"), queryset=None, required=False)
    start = forms.DateField(label=_("from"), required=False, widget=DATE)
    end = forms.DateField(label=_("to"), required=False, widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = union_scope(user, WELFARE).order_by("path")
        limit_union_choices(self, roles=WELFARE)


class CampaignForm(UnionChoiceMixin, forms.ModelForm):
    class Meta:
        model = Campaign
        fields = ["union", "title", "starts_on", "note"]
        widgets = {"starts_on": DATE, "note": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self._scope_union(user)


class CampaignItemForm(forms.ModelForm):
    """An item of a campaign; its stock is counted by the service from what was received."""

    class Meta:
        model = CampaignItem
        fields = ["name", "unit", "per_person", "received"]
        widgets = {
            "per_person": forms.NumberInput(attrs={"inputmode": "numeric", "min": "0"}),
            "received": forms.NumberInput(attrs={"inputmode": "numeric", "min": "0"}),
        }


class ReceiveForm(forms.Form):
    quantity = forms.IntegerField(
        label=_("quantity received"),
        min_value=1,
        max_value=1_000_000,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": "1"}),
    )


class EmployeeForm(forms.ModelForm):
    """An employee on the roster of a unit within the campaign's union."""

    class Meta:
        model = Employee
        fields = ["union", "name", "staff_number", "phone"]

    def __init__(self, *args, user, campaign, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = (
            union_scope(user, WELFARE).filter(path__startswith=campaign.union.path).order_by("path")
        )
        limit_union_choices(self, roles=WELFARE, within=campaign.union)
