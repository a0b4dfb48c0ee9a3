from django import forms
from django.core.validators import MaxValueValidator
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from unionportal.core.images import ImageUploadField, MultipleFileInput, MultipleImageUploadField
from unionportal.core.models import Role, Union
from unionportal.core.scoping import union_scope
from unionportal.core.unionchoice import limit_union_choices

from .models import (
    Amenity,
    Award,
    DemandPoint,
    ExchangeVisit,
    Feedback,
    HoursException,
    Inspection,
    OpeningHours,
    Station,
    Weekday,
)

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


SELECT = {"class": "form-select"}


class CoverageForm(forms.Form):
    """The coverage page's moment (a weekday and hour of this week) and reach (a walk in metres)."""

    weekday = forms.TypedChoiceField(
        label=_("Weekday"), choices=Weekday.choices, coerce=int, required=False, widget=forms.Select(attrs=SELECT)
    )
    hour = forms.TypedChoiceField(
        label=_("Hour"),
        choices=[(h, f"{h:02d}:00") for h in range(24)],
        coerce=int,
        required=False,
        widget=forms.Select(attrs=SELECT),
    )
    distance = forms.IntegerField(
        label=_("Walk (m)"),
        min_value=50,
        max_value=50_000,
        initial=1000,
        required=False,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )


# --- Desk -----------------------------------------------------------------------------------

# ISO values: in zh-hans Django would render 2026/11/30, which a date input drops.
ISO_DATE = {"attrs": {"type": "date", "class": "form-control"}, "format": "%Y-%m-%d"}
ISO_TIME = {"attrs": {"type": "time", "class": "form-control"}, "format": "%H:%M"}


class StationEditForm(forms.ModelForm):
    """A station's details and status, and which amenities it offers."""

    amenities = forms.ModelMultipleChoiceField(
        label=_("Amenities"),
        queryset=Amenity.objects.order_by("order", "code"),
        required=False,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
    )

    class Meta:
        model = Station
        fields = [
            "name",
            "kind",
            "host_type",
            "status",
            "is_public",
            "signage",
            "town",
            "address",
            "lat",
            "lng",
            "phone",
            "founded_on",
            "description",
        ]
        widgets = {
            "founded_on": forms.DateInput(**ISO_DATE),
            "description": forms.Textarea(attrs={"rows": 3}),
            "lat": forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            "lng": forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
            "phone": forms.TextInput(attrs={"inputmode": "tel"}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amenities"].label_from_instance = lambda a: a.label
        if self.instance.pk:
            self.initial["amenities"] = [sa.amenity_id for sa in self.instance.station_amenities.all()]


class StationNewForm(StationEditForm):
    """A new station: its owning union (one the user may edit) first."""

    class Meta(StationEditForm.Meta):
        fields = ["union", *StationEditForm.Meta.fields]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = union_scope(user, Role.EDIT_ROLES).order_by("path")
        limit_union_choices(self, roles=Role.EDIT_ROLES)


class WeekForm(forms.Form):
    """The week grid: per weekday `slots` ranges (opening, closing; a closing not after the
    opening is the next day), and "open 24 hours"."""

    open_24h = forms.BooleanField(
        label=_("Open 24 hours, every day"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input", "role": "switch"}),
    )

    def __init__(self, *args, station: Station, **kwargs):
        self.station = station
        by_day: dict[int, list[OpeningHours]] = {}
        for h in station.hours.all():
            by_day.setdefault(h.weekday, []).append(h)
        self.slots = max(2, *(len(v) for v in by_day.values())) if by_day else 2
        initial = {"open_24h": station.open_24h}
        for day, ranges in by_day.items():
            for i, h in enumerate(ranges):
                initial[f"d{day}_opens_{i}"] = h.opens
                initial[f"d{day}_closes_{i}"] = h.closes
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        for day, label in Weekday.choices:
            for i in range(self.slots):
                for end in ("opens", "closes"):
                    self.fields[f"d{day}_{end}_{i}"] = forms.TimeField(
                        label=f"{label} {_('opens') if end == 'opens' else _('closes')} {i + 1}",
                        required=False,
                        widget=forms.TimeInput(**ISO_TIME),
                    )

    def rows(self):
        """(weekday label, [(opens field, closes field), ...]) for the template."""
        return [
            (label, [(self[f"d{day}_opens_{i}"], self[f"d{day}_closes_{i}"]) for i in range(self.slots)])
            for day, label in Weekday.choices
        ]

    def ranges(self) -> list[tuple]:
        """The filled ranges (weekday, opens, closes); a half-filled one is kept for the service to refuse."""
        out = []
        for day, _label in Weekday.choices:
            for i in range(self.slots):
                opens = self.cleaned_data.get(f"d{day}_opens_{i}")
                closes = self.cleaned_data.get(f"d{day}_closes_{i}")
                if opens is not None or closes is not None:
                    out.append((day, opens, closes))
        return out


class ExceptionForm(forms.ModelForm):
    class Meta:
        model = HoursException
        fields = ["date", "closed", "opens", "closes", "note"]
        widgets = {
            "date": forms.DateInput(**ISO_DATE),
            "opens": forms.TimeInput(**ISO_TIME),
            "closes": forms.TimeInput(**ISO_TIME),
            "note": forms.TextInput(attrs={"class": "form-control"}),
            "closed": forms.CheckboxInput(attrs={"class": "form-check-input"}),
        }

    def clean(self):
        data = super().clean()
        if data.get("closed"):
            data["opens"] = data["closes"] = None
        elif data.get("date") and (data.get("opens") is None or data.get("closes") is None):
            raise forms.ValidationError(_("Closed all day, or give the opening and closing time."))
        return data


ExceptionFormSet = forms.inlineformset_factory(
    Station, HoursException, form=ExceptionForm, extra=2, can_delete=True, max_num=60, validate_max=True
)

RESULTS = [("pass", _("Passed")), ("fail", _("Failed"))]


class InspectionForm(forms.Form):
    """The seven items of a 七有 inspection: each passes or fails (none pre-ticked); a failed item
    needs a photo. Photos may come from the camera or the gallery."""

    inspected_on = forms.DateField(label=_("Inspected on"), widget=forms.DateInput(**ISO_DATE))
    inspector_name = forms.CharField(
        label=_("Inspector name"),
        max_length=50,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in Inspection.Item.choices:
            self.fields[f"item_{code}"] = forms.ChoiceField(
                label=label,
                choices=RESULTS,
                widget=forms.RadioSelect(attrs={"class": "btn-check"}),
                error_messages={"required": _("Mark this item passed or failed.")},
            )
            self.fields[f"note_{code}"] = forms.CharField(
                label=_("Note"), max_length=300, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
            )
            self.fields[f"photos_{code}"] = MultipleImageUploadField(
                label=_("Photos"),
                max_files=3,
                widget=MultipleFileInput(attrs={"accept": "image/*", "class": "form-control"}),
            )

    def items(self):
        """(code, label, result field, note field, photos field) for the template."""
        return [
            (code, label, self[f"item_{code}"], self[f"note_{code}"], self[f"photos_{code}"])
            for code, label in Inspection.Item.choices
        ]

    def clean(self):
        data = super().clean()
        for code, _label in Inspection.Item.choices:
            if data.get(f"item_{code}") == "fail" and not data.get(f"photos_{code}"):
                self.add_error(f"photos_{code}", _("Add a photo of the failed item."))
        return data

    def results(self) -> dict[str, tuple[bool, str]]:
        d = self.cleaned_data
        return {code: (d[f"item_{code}"] == "pass", d[f"note_{code}"]) for code in Inspection.Item.values}

    def photos(self) -> dict[str, list]:
        return {code: self.cleaned_data.get(f"photos_{code}") or [] for code in Inspection.Item.values}


# --- Desk: a station's records --------------------------------------------------------------

# Camera or gallery: no `capture` attribute, which would open only the camera on a phone.
IMAGE_INPUT = {"accept": "image/jpeg,image/png,image/webp", "class": "form-control"}


class PhotoAddForm(forms.Form):
    image = ImageUploadField(label=_("Photo"), widget=forms.FileInput(attrs=IMAGE_INPUT))
    caption = forms.CharField(
        label=_("Caption"), max_length=120, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )


class PhotoEditForm(forms.Form):
    caption = forms.CharField(
        label=_("Caption"), max_length=120, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    order = forms.IntegerField(
        label=_("Order"),
        min_value=0,
        max_value=999,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )
    image = ImageUploadField(label=_("Replace with"), required=False, widget=forms.FileInput(attrs=IMAGE_INPUT))


class AwardForm(forms.ModelForm):
    class Meta:
        model = Award
        fields = ["title", "level", "year"]
        widgets = {
            "title": forms.TextInput(attrs={"class": "form-control"}),
            "level": forms.Select(attrs={"class": "form-select"}),
            "year": forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        }

    def clean_year(self):
        year = self.cleaned_data["year"]
        if not 1949 <= year <= timezone.localdate().year + 1:
            raise forms.ValidationError(_("Give a year from 1949 to next year."))
        return year


class DeliveryForm(forms.Form):
    amenity = forms.ModelChoiceField(
        label=_("Amenity"),
        queryset=Amenity.objects.order_by("order", "code"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    quantity = forms.IntegerField(
        label=_("Quantity"),
        min_value=1,
        max_value=1000,
        initial=1,
        widget=forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
    )
    delivered_on = forms.DateField(label=_("Delivered on"), widget=forms.DateInput(**ISO_DATE))
    note = forms.CharField(
        label=_("Note"), max_length=200, required=False, widget=forms.TextInput(attrs={"class": "form-control"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["amenity"].label_from_instance = lambda a: a.label


class ExchangeVisitForm(forms.ModelForm):
    """A visit hosted by this station; the guest is a public station or one the user may see."""

    class Meta:
        model = ExchangeVisit
        fields = ["guest", "visited_on", "participants", "summary"]
        widgets = {
            "guest": forms.Select(attrs={"class": "form-select"}),
            "visited_on": forms.DateInput(**ISO_DATE),
            "participants": forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
            "summary": forms.Textarea(attrs={"class": "form-control", "rows": 3}),
        }

    MAX_OFFERED = 1000

    def __init__(self, *args, host: Station, user, **kwargs):
        super().__init__(*args, **kwargs)
        seen = Station.objects.public() | Station.objects.visible_to(user)
        field = self.fields["guest"]
        field.queryset = seen.exclude(pk=host.pk)  # what the service accepts, checked on save
        # Offered on the phone: the user's stations and the public ones of the host's district
        # (a national table would be a select of every public station), and the current guest.
        union = host.union
        district = next(
            (u for u in [*Union.objects.get_ancestors(union), union] if u.kind == Union.Kind.DISTRICT),
            union,
        )
        near = Station.objects.public().filter(union__path__startswith=district.path) | Station.objects.visible_to(user)
        offered = list(
            near.exclude(pk=host.pk).order_by("town", "sort_name", "pk").values_list("pk", "name")[: self.MAX_OFFERED]
        )
        current = self.instance.guest_id if self.instance.pk else None
        if current and current not in {pk for pk, _name in offered}:
            offered.insert(0, (current, self.instance.guest.name))
        field.widget.choices = [("", "---------"), *offered]
        self.fields["participants"].max_value = 10_000
        self.fields["participants"].validators.append(MaxValueValidator(10_000))


class DemandPointForm(forms.ModelForm):
    class Meta:
        model = DemandPoint
        fields = ["union", "name", "kind", "lat", "lng", "workers"]
        widgets = {
            "union": forms.Select(attrs={"class": "form-select"}),
            "name": forms.TextInput(attrs={"class": "form-control"}),
            "kind": forms.Select(attrs={"class": "form-select"}),
            "lat": forms.NumberInput(attrs={"class": "form-control", "step": "any", "inputmode": "decimal"}),
            "lng": forms.NumberInput(attrs={"class": "form-control", "step": "any", "inputmode": "decimal"}),
            "workers": forms.NumberInput(attrs={"class": "form-control", "inputmode": "numeric"}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["union"].queryset = union_scope(user, Role.EDIT_ROLES).order_by("path")
        limit_union_choices(self, roles=Role.EDIT_ROLES)


class ImportForm(forms.Form):
    upload = forms.FileField(
        label=_("Spreadsheet (.xlsx or .csv)"),
        widget=forms.FileInput(attrs={"class": "form-control", "accept": ".xlsx,.csv"}),
    )
