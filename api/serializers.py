"""Shapes of the API: query parameters in, JSON out. No reads here: views call selectors."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from contests.models import Contest, Entry
from stations.amenities import CODES
from stations.models import Feedback, Inspection, Station
from studios.models import Studio
from unionportal.core import selectors as core_selectors
from unionportal.core.models import Activity
from welfare.models import Visit

# --- Query parameters ----------------------------------------------------------------------


class StationFilterSerializer(serializers.Serializer):
    """The finder's filters, strictly: an unknown value is a 400, not silently dropped."""

    kind = serializers.ChoiceField(choices=Station.Kind.choices, required=False)
    amenity = serializers.ListField(
        child=serializers.ChoiceField(choices=sorted(CODES)), required=False, help_text=_("Repeat for several.")
    )
    open_now = serializers.BooleanField(required=False, default=False)
    town = serializers.CharField(required=False, max_length=50, default="")
    q = serializers.CharField(required=False, max_length=50, default="")

    def to_filters(self) -> dict:
        d = self.validated_data
        return {
            "kind": d.get("kind", ""),
            "amenity": d.get("amenity", []),
            "open_now": d.get("open_now", False),
            "town": d.get("town", "").strip(),
            "q": d.get("q", "").strip(),
        }


class NearbySerializer(serializers.Serializer):
    lat = serializers.FloatField(min_value=-90, max_value=90)
    lng = serializers.FloatField(min_value=-180, max_value=180)
    radius = serializers.IntegerField(min_value=10, max_value=50_000, default=5000, help_text=_("metres"))
    limit = serializers.IntegerField(min_value=1, max_value=100, default=20)
    amenity = serializers.ListField(child=serializers.ChoiceField(choices=sorted(CODES)), required=False)
    open_now = serializers.BooleanField(required=False, default=False)


class StudioFilterSerializer(serializers.Serializer):
    q = serializers.CharField(required=False, max_length=50, default="")
    kind = serializers.ChoiceField(choices=Studio.Kind.choices, required=False)
    level = serializers.ChoiceField(choices=Studio.Level.choices, required=False)


class ActivityFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Activity.Kind.choices, required=False)


class FeedbackFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(
        choices=[("open", "open"), *Feedback.Status.choices, ("all", "all")], default="open"
    )


class VisitFilterSerializer(serializers.Serializer):
    occasion = serializers.ChoiceField(choices=Visit.Occasion.choices, required=False)


# --- Stations ------------------------------------------------------------------------------


class AmenitySerializer(serializers.Serializer):
    code = serializers.CharField()
    label = serializers.CharField()


class StationSerializer(serializers.Serializer):
    """A station in a list (stations decorated by selectors.stations_decorate)."""

    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    kind = serializers.CharField()
    town = serializers.CharField()
    address = serializers.CharField()
    phone = serializers.CharField()
    status = serializers.CharField()
    lat = serializers.FloatField()
    lng = serializers.FloatField()
    open_24h = serializers.BooleanField()
    open_now = serializers.SerializerMethodField()
    closes_in_minutes = serializers.SerializerMethodField()
    amenities = serializers.SerializerMethodField()
    url = serializers.CharField(source="get_absolute_url")

    def get_open_now(self, s) -> bool:
        return s.state.is_open

    def get_closes_in_minutes(self, s) -> int | None:
        return s.closes_in

    @extend_schema_field(AmenitySerializer(many=True))
    def get_amenities(self, s) -> list[dict]:
        return [{"code": code, "label": str(label)} for code, label, _icon in s.amenity_list]


class WeeklyHoursSerializer(serializers.Serializer):
    weekday = serializers.IntegerField(help_text=_("0 = Monday"))
    opens = serializers.TimeField(format="%H:%M")
    closes = serializers.TimeField(format="%H:%M")


class HoursExceptionSerializer(serializers.Serializer):
    date = serializers.DateField()
    closed = serializers.BooleanField()
    opens = serializers.TimeField(format="%H:%M", allow_null=True)
    closes = serializers.TimeField(format="%H:%M", allow_null=True)
    note = serializers.CharField()


class HoursSerializer(serializers.Serializer):
    open_24h = serializers.BooleanField()
    open_now = serializers.BooleanField()
    closes_at = serializers.DateTimeField(allow_null=True)
    opens_at = serializers.DateTimeField(allow_null=True)
    weekly = WeeklyHoursSerializer(many=True)
    exceptions = HoursExceptionSerializer(many=True)


class StationDetailSerializer(StationSerializer):
    description = serializers.CharField()
    host_type = serializers.CharField()
    signage = serializers.BooleanField()
    lat_gcj02 = serializers.SerializerMethodField()
    lng_gcj02 = serializers.SerializerMethodField()
    hours = serializers.SerializerMethodField()

    def get_lat_gcj02(self, s) -> float:
        return s.gcj[0]

    def get_lng_gcj02(self, s) -> float:
        return s.gcj[1]

    @extend_schema_field(HoursSerializer)
    def get_hours(self, s) -> dict:
        return HoursSerializer(s.hours_block).data


class NearbyStationSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    kind = serializers.CharField()
    lat = serializers.FloatField()
    lng = serializers.FloatField()
    distance_m = serializers.FloatField()
    open_now = serializers.BooleanField()
    amenities = serializers.ListField(child=serializers.CharField())
    url = serializers.CharField()


class NearbyResultSerializer(serializers.Serializer):
    results = NearbyStationSerializer(many=True)


# --- Studios, contests, activities ---------------------------------------------------------


class StudioSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.CharField()
    level = serializers.CharField()
    status = serializers.CharField()
    union = serializers.CharField(source="union.name")
    leader = serializers.CharField(source="leader_name", allow_null=True)
    url = serializers.CharField(source="get_absolute_url")


class StudioCountsSerializer(serializers.Serializer):
    total = serializers.IntegerField()
    ip = serializers.IntegerField()
    patents = serializers.IntegerField()
    standards = serializers.IntegerField()


class StudioProfileSerializer(serializers.Serializer):
    slug = serializers.CharField(source="studio.slug")
    name = serializers.CharField(source="studio.name")
    kind = serializers.CharField(source="studio.kind")
    level = serializers.CharField(source="studio.level")
    status = serializers.CharField(source="studio.status")
    union = serializers.CharField(source="studio.union.name")
    founded_on = serializers.DateField(source="studio.founded_on", allow_null=True)
    leader = serializers.SerializerMethodField()
    members = serializers.SerializerMethodField()
    counts = StudioCountsSerializer()

    def get_leader(self, p) -> str | None:
        return p["leader"].name if p["leader"] else None

    def get_members(self, p) -> list[str]:
        return [m.name for m in p["members"]]


class ContestSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    summary = serializers.CharField()
    union = serializers.CharField(source="union.name")
    stage = serializers.SerializerMethodField()
    entry_opens = serializers.DateTimeField()
    entry_closes = serializers.DateTimeField()
    vote_opens = serializers.DateTimeField()
    vote_closes = serializers.DateTimeField()
    results_on = serializers.DateTimeField()
    results_published = serializers.BooleanField()

    def get_stage(self, c) -> str:
        return c.stage_at(self.context["now"])


class ContestDetailSerializer(ContestSerializer):
    rules = serializers.CharField()
    categories = serializers.SerializerMethodField()

    def get_categories(self, c) -> list[str]:
        return [cat.name for cat in c.categories.all()]


class ResultEntrySerializer(serializers.Serializer):
    title = serializers.CharField()
    rank = serializers.IntegerField()
    prize = serializers.CharField()
    final_score = serializers.DecimalField(max_digits=7, decimal_places=3, allow_null=True, coerce_to_string=False)
    vote_count = serializers.IntegerField()


class ResultCategorySerializer(serializers.Serializer):
    category = serializers.CharField()
    entries = ResultEntrySerializer(many=True)


class ResultsSerializer(serializers.Serializer):
    contest = serializers.CharField()
    categories = ResultCategorySerializer(many=True)


class ActivityAboutSerializer(serializers.Serializer):
    type = serializers.ChoiceField(choices=["station", "studio", "contest"])
    id = serializers.IntegerField()
    name = serializers.CharField()
    url = serializers.CharField()


class ActivitySerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    kind = serializers.CharField()
    title = serializers.CharField()
    starts_at = serializers.DateTimeField()
    place = serializers.CharField()
    participants = serializers.IntegerField()
    organiser = serializers.CharField()
    summary = serializers.CharField()
    union = serializers.CharField(source="union.name")
    about = serializers.SerializerMethodField()

    @extend_schema_field(ActivityAboutSerializer(allow_null=True))
    def get_about(self, activity) -> dict | None:
        """The public station, studio or contest the activity is about, or null."""
        about = core_selectors.activity_about(activity)
        if about is None:
            return None
        kind, record, url = about
        return {"type": kind, "id": record.pk, "name": str(record), "url": url}


# --- Field tasks (authenticated) -----------------------------------------------------------


class VisitSerializer(serializers.ModelSerializer):
    union = serializers.CharField(source="union.name")
    file = serializers.IntegerField(source="file_id", allow_null=True)

    class Meta:
        model = Visit
        fields = [
            "id",
            "union",
            "file",
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


class VisitInSerializer(serializers.Serializer):
    """What a visit takes (validated again by the desk's VisitForm)."""

    union = serializers.IntegerField(required=False, allow_null=True)
    file = serializers.IntegerField(required=False, allow_null=True)
    kind = serializers.ChoiceField(choices=Visit.Kind.choices, required=False)
    occasion = serializers.ChoiceField(choices=Visit.Occasion.choices)
    date = serializers.DateField()
    site = serializers.CharField(required=False, allow_blank=True)
    group_size = serializers.IntegerField(required=False, min_value=0)
    visitors = serializers.CharField(required=False, allow_blank=True)
    found = serializers.CharField(required=False, allow_blank=True)
    money = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
    goods = serializers.CharField(required=False, allow_blank=True)
    goods_value = serializers.DecimalField(max_digits=10, decimal_places=2, required=False)
    needs = serializers.CharField(required=False, allow_blank=True)
    measure = serializers.CharField(required=False, allow_blank=True)
    next_follow_up = serializers.DateField(required=False, allow_null=True)
    photos = serializers.ListField(child=serializers.ImageField(), required=False)


class FeedbackSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    station = serializers.IntegerField(source="station_id")
    station_name = serializers.CharField(source="station.name")
    rating = serializers.IntegerField(allow_null=True)
    problem = serializers.CharField()
    message = serializers.CharField()
    status = serializers.CharField()
    answer = serializers.CharField()
    answered_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()


class AnswerInSerializer(serializers.Serializer):
    answer = serializers.CharField(max_length=1000, required=False, allow_blank=True)
    close = serializers.BooleanField(required=False, default=False)


class InspectionItemInSerializer(serializers.Serializer):
    item = serializers.ChoiceField(choices=Inspection.Item.choices)
    passed = serializers.BooleanField()
    note = serializers.CharField(max_length=300, required=False, allow_blank=True)


class InspectionInSerializer(serializers.Serializer):
    """A 七有 inspection: each of the seven items (a failed one needs photos: send multipart,
    photos_<item> files, as the desk form does)."""

    inspected_on = serializers.DateField()
    inspector_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    items = InspectionItemInSerializer(many=True)


class InspectionSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    station = serializers.IntegerField(source="station_id")
    inspected_on = serializers.DateField()
    passed_all = serializers.BooleanField()


class CheckinSerializer(serializers.Serializer):
    checked_in = serializers.BooleanField()
    station = serializers.IntegerField()


class TokenSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    name = serializers.CharField()
    prefix = serializers.CharField()
    created_at = serializers.DateTimeField()
    last_used_at = serializers.DateTimeField(allow_null=True)
    revoked_at = serializers.DateTimeField(allow_null=True)


class TokenCreatedSerializer(TokenSerializer):
    key = serializers.CharField(help_text=_("Shown once; only its hash is kept."))


class TokenInSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=60)


class ErrorSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()


__all__ = ["Contest", "Entry"]
