"""Worker homes and warm stations: where outdoor workers rest, drink, charge and warm up."""

import datetime as dt
import math
import re

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from unionportal.core.models import TimeStampedModel, Union
from unionportal.core.scoping import ScopedQuerySet

from . import grams

# The nearby pre-filter: stations sit in cells of CELL_DEG x CELL_DEG degrees (about 1.1 km
# north-south). Cells are numbered band by band (BAND_ROWS rows of cells), column by column
# within a band: band * BAND_SPAN + column * BAND_ROWS + row in band. So the columns x0..x1 of
# one band are one index range, and a square 80 cells high is 6 ranges, not 80.
CELL_DEG = 0.01
BAND_ROWS = 16
BAND_SPAN = 1_000_000  # more than 36,000 columns x BAND_ROWS


def cell_xy(lat: float, lng: float) -> tuple[int, int]:
    return math.floor((lng + 180.0) / CELL_DEG), math.floor((lat + 90.0) / CELL_DEG)


def cell_of(lat: float, lng: float) -> int:
    x, y = cell_xy(lat, lng)
    return (y // BAND_ROWS) * BAND_SPAN + x * BAND_ROWS + y % BAND_ROWS


# A character pair held by at least this many stations is common: its postings are not read.
GRAM_CAP = 2500
GRAM_MAX_RANGES = 16


class Amenity(models.Model):
    """What a station offers; the codes are stable (API, filters, imports)."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=60)
    icon = models.CharField(_("icon"), max_length=40, default="bi-check-circle", help_text=_("Bootstrap icon name"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("amenity")
        verbose_name_plural = _("amenities")

    def __str__(self) -> str:
        return str(self.label)

    @property
    def label(self):
        from .amenities import LABELS

        return LABELS.get(self.code, self.name)


SEARCH_MAX_WORDS = 5


def search_words(term: str) -> list[str]:
    """The words of a search term, lower-cased, without repeats (at most SEARCH_MAX_WORDS)."""
    return list(dict.fromkeys(w for w in grams.words((term or "").lower())))[:SEARCH_MAX_WORDS]


class StationQuerySet(ScopedQuerySet):
    def public(self) -> "StationQuerySet":
        """What the public finder shows: stations open to outdoor workers, not closed or planned."""
        return self.filter(is_public=True, status__in=Station.PUBLIC_STATUSES)

    def warm(self) -> "StationQuerySet":
        return self.filter(kind__in=Station.WARM_KINDS)

    def worker_homes(self) -> "StationQuerySet":
        return self.filter(kind__in=Station.HOME_KINDS)

    def with_amenities(self, codes) -> "StationQuerySet":
        qs = self
        for code in codes:
            qs = qs.filter(
                models.Exists(StationAmenity.objects.filter(station=models.OuterRef("pk"), amenity__code=code))
            )
        return qs

    def search(self, term: str) -> "StationQuerySet":
        """Every word of the term (split at spaces: `拱辰 加油站` finds a station holding both) in
        the name, town or address; Latin/digit words in the pinyin, initials or full
        (`lxz` or `liangxiang`: 良乡镇), others in the text.

        Initials keep Latin and digit runs whole. The n-gram index (grams.py) narrows the rows
        to those holding the words' rarer character pairs before the substring tests; building
        the search reads them (one small query)."""
        words = search_words(term)
        if not words:
            return self
        qs = self
        for word in words:
            qs = qs.filter(initials__contains=word) if word.isascii() else qs.filter(search_text__contains=word)
        candidates = StationGram.candidates(grams.term_ranges(" ".join(words)), cap=GRAM_CAP)
        if candidates is None:
            # No pair is rare (or the term has none): matches are common too, and the
            # substring scan finds its first page early.
            return qs
        # Passed as values: given a subquery, planners guess the substring test rare and scan
        # the stations instead of reading the few candidates by key.
        return qs.filter(pk__in=candidates) if candidates else qs.none()

    def open_at(self, now) -> "StationQuerySet":
        """Stations open at `now`, in SQL; the same rules as hours.open_state (tested against it)."""
        from django.utils import timezone

        local = timezone.localtime(now)
        today, t = local.date(), local.time()
        yesterday = today - dt.timedelta(days=1)
        pk = models.OuterRef("pk")
        contains = models.Q(opens__lte=t) & (models.Q(closes__gt=t) | models.Q(closes__lte=models.F("opens")))
        spill = models.Q(closes__gt=t, closes__lte=models.F("opens"))
        exc_today = HoursException.objects.filter(station=pk, date=today)
        exc_yesterday = HoursException.objects.filter(station=pk, date=yesterday)
        weekly_today = OpeningHours.objects.filter(station=pk, weekday=today.weekday())
        weekly_yesterday = OpeningHours.objects.filter(station=pk, weekday=yesterday.weekday())
        today_open = (
            ~models.Exists(exc_today) & (models.Q(open_24h=True) | models.Exists(weekly_today.filter(contains)))
        ) | models.Exists(exc_today.filter(contains, closed=False, opens__isnull=False))
        spill_open = models.Exists(exc_yesterday.filter(spill, closed=False, opens__isnull=False)) | (
            ~models.Exists(exc_yesterday) & models.Q(open_24h=False) & models.Exists(weekly_yesterday.filter(spill))
        )
        return self.filter(models.Q(status=Station.Status.OPEN) & (today_open | spill_open))

    def never_inspected(self) -> "StationQuerySet":
        return self.filter(latest_inspection__isnull=True)

    def failing(self, item: str | None = None) -> "StationQuerySet":
        """Stations whose latest inspection did not pass (every item, or `item`). An item the
        inspection lacks counts as failed: an inspection recorded without its seven items
        (older data) is failing, not dropped from both this list and never_inspected()."""
        failed = self.filter(latest_inspection__passed_all=False)
        if not item:
            return failed
        passed = InspectionItem.objects.filter(inspection=models.OuterRef("latest_inspection"), item=item, passed=True)
        return failed.filter(~models.Exists(passed))


class Station(TimeStampedModel):
    """A worker home or a warm station, owned by a union."""

    class Kind(models.TextChoices):
        MODEL_HOME = "model_home", _("Model worker home")
        WORKER_HOME = "worker_home", _("Enterprise worker home")
        WARM = "warm", _("Warm station")
        OUTDOOR = "outdoor", _("Outdoor-worker station")

    class HostType(models.TextChoices):
        COMMUNITY = "community", _("Community")
        GAS_STATION = "gas_station", _("Gas station")
        DELIVERY = "delivery", _("Delivery point")
        BOOKSTORE = "bookstore", _("Bookstore")
        BARBER = "barber", _("Barber")
        SUPERMARKET = "supermarket", _("Supermarket")
        PARTY_CENTRE = "party_centre", _("Party-mass activity centre")
        ENTERPRISE = "enterprise", _("Enterprise")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        PLANNED = "planned", pgettext_lazy("station status", "Planned")
        OPEN = "open", pgettext_lazy("station status", "Open")
        SUSPENDED = "suspended", pgettext_lazy("station status", "Suspended")
        CLOSED = "closed", pgettext_lazy("station status", "Closed")

    WARM_KINDS = (Kind.WARM, Kind.OUTDOOR)
    # What the public finder and station pages show (with is_public).
    PUBLIC_STATUSES = (Status.OPEN.value, Status.SUSPENDED.value)
    HOME_KINDS = (Kind.MODEL_HOME, Kind.WORKER_HOME)

    union = models.ForeignKey(Union, models.PROTECT, related_name="stations", verbose_name=_("owning union"))
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, db_index=True)
    host_type = models.CharField(_("host type"), max_length=16, choices=HostType, default=HostType.OTHER)
    town = models.CharField(_("town/street"), max_length=50, blank=True, db_index=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    lat = models.FloatField(_("latitude (WGS-84)"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    lng = models.FloatField(_("longitude (WGS-84)"), validators=[MinValueValidator(-180), MaxValueValidator(180)])
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.OPEN)
    founded_on = models.DateField(_("founded on"), null=True, blank=True)
    signage = models.BooleanField(_("unified sign installed"), default=False)
    is_public = models.BooleanField(_("open to the public"), default=True)
    public_since = models.DateTimeField(_("public access changed at"), null=True, blank=True)
    open_24h = models.BooleanField(_("open 24 hours"), default=False)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    # Derived columns, kept by services.station_fill_derived.
    cell = models.BigIntegerField(_("grid cell"), default=0, db_index=True, editable=False)
    initials = models.CharField(_("pinyin initials"), max_length=400, blank=True, editable=False)
    search_text = models.CharField(_("search text"), max_length=800, blank=True, editable=False)
    # The name with its numbers padded (第1 < 第2 < 第10 in any collation): natural_key(name).
    sort_name = models.CharField(_("sort name"), max_length=240, blank=True, editable=False)
    latest_inspection = models.ForeignKey(
        "Inspection",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("latest inspection"),
        editable=False,
    )
    amenities = models.ManyToManyField(
        Amenity, through="StationAmenity", related_name="stations", verbose_name=_("amenities"), blank=True
    )

    objects = StationQuerySet.as_manager()

    class Meta:
        ordering = ["town", "sort_name", "pk"]
        verbose_name = _("station")
        verbose_name_plural = _("stations")
        indexes = [
            # Covers the public finder's text search, so a LIKE '%term%' reads this index, not the table.
            models.Index(fields=["is_public", "status", "search_text"], name="stations_public_search"),
            models.Index(fields=["is_public", "status", "initials"], name="stations_public_initials"),
            # The nearby pre-filter reads cell ranges and checks the longitude without the table.
            models.Index(fields=["cell", "lng", "lat"], name="stations_cell_lng_lat"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lat__gte=-90, lat__lte=90, lng__gte=-180, lng__lte=180),
                name="stations_station_coordinates",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("stations:detail", args=[self.pk])

    @property
    def is_warm(self) -> bool:
        return self.kind in self.WARM_KINDS


NUMBER_WIDTH = 8


def natural_key(name: str) -> str:
    """The name with each run of digits zero-padded, so that a plain text order is natural:
    "第1站" < "第2站" < "第10站". Used for stations' sort_name (kept by station_fill_derived)."""
    return re.sub(r"\d+", lambda m: m.group(0).lstrip("0").rjust(NUMBER_WIDTH, "0")[-NUMBER_WIDTH:], name)[:240]


class StationGram(models.Model):
    """One character pair (or word end) of a station's search text or initials: the n-gram
    index of the finder's search (grams.py). Kept by services.station_index_text."""

    pk = models.CompositePrimaryKey("code", "station")
    code = models.BigIntegerField()
    station = models.ForeignKey(Station, models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("search n-gram")

    def __str__(self) -> str:
        return f"{self.station_id}:{self.code}"

    @classmethod
    def candidates(cls, ranges: list[tuple[int, int]], *, cap: int) -> set[int] | None:
        """The stations holding every rare range (fewer than `cap` postings) of `ranges`, in one
        query that reads at most `cap` postings per range; None when no range is rare."""
        if not ranges:
            return None
        # A long term needs no more than a few of its pairs to narrow the rows (fewer pairs,
        # more candidates: still every match); SQLite allows 500 SELECTs in one UNION.
        ranges = ranges[:GRAM_MAX_RANGES]
        table = connection.ops.quote_name(cls._meta.db_table)
        one = f"SELECT %s, station_id FROM (SELECT station_id FROM {table} WHERE code BETWEEN %s AND %s LIMIT %s) t"  # noqa: S608
        params = [v for i, (lo, hi) in enumerate(ranges) for v in (i, lo, hi, cap)]
        postings: list[set[int]] = [set() for _ in ranges]
        counts = [0] * len(ranges)
        with connection.cursor() as cursor:
            # Table name from the model; every value is a bound parameter.
            cursor.execute(" UNION ALL ".join([one] * len(ranges)), params)
            for i, station_id in cursor.fetchall():
                postings[i].add(station_id)
                counts[i] += 1
        rare = [p for p, n in zip(postings, counts, strict=True) if n < cap]
        return set.intersection(*rare) if rare else None


class StationPhoto(models.Model):
    station = models.ForeignKey(Station, models.CASCADE, related_name="photos", verbose_name=_("station"))
    image = models.ImageField(_("image"), upload_to="stations/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="stations/%Y/%m/thumbs/")
    caption = models.CharField(_("caption"), max_length=120, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("station photo")
        verbose_name_plural = _("station photos")

    def __str__(self) -> str:
        return self.caption or self.image.name


class PublicAccessChange(models.Model):
    """When a station was opened to (or closed for) the public, e.g. an enterprise home opened to couriers."""

    station = models.ForeignKey(Station, models.CASCADE, related_name="access_changes", verbose_name=_("station"))
    is_public = models.BooleanField(_("open to the public"))
    changed_at = models.DateTimeField(_("changed at"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("public access change")
        verbose_name_plural = _("public access changes")

    def __str__(self) -> str:
        return f"{self.station} · {self.changed_at:%Y-%m-%d}"


class Weekday(models.IntegerChoices):
    MON = 0, _("Monday")
    TUE = 1, _("Tuesday")
    WED = 2, _("Wednesday")
    THU = 3, _("Thursday")
    FRI = 4, _("Friday")
    SAT = 5, _("Saturday")
    SUN = 6, _("Sunday")


class OpeningHours(models.Model):
    """One opening range on a weekday; a range whose end is not after its start runs past midnight."""

    station = models.ForeignKey(Station, models.CASCADE, related_name="hours", verbose_name=_("station"))
    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday)
    opens = models.TimeField(_("opens"))
    closes = models.TimeField(_("closes"), help_text=_("Not after the opening time: closes the next day."))

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name = _("opening hours")
        verbose_name_plural = _("opening hours")

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}-{self.closes:%H:%M}"


class HoursException(models.Model):
    """A dated change of the weekly hours: closed all day, or other ranges that day."""

    station = models.ForeignKey(Station, models.CASCADE, related_name="exceptions", verbose_name=_("station"))
    date = models.DateField(_("date"), db_index=True)
    closed = models.BooleanField(_("closed all day"), default=False)
    opens = models.TimeField(_("opens"), null=True, blank=True)
    closes = models.TimeField(_("closes"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=100, blank=True)

    class Meta:
        ordering = ["date", "opens"]
        verbose_name = _("hours exception")
        verbose_name_plural = _("hours exceptions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closed=True) | models.Q(opens__isnull=False, closes__isnull=False),
                name="stations_exception_closed_or_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.note}"


class StationAmenity(models.Model):
    station = models.ForeignKey(Station, models.CASCADE, related_name="station_amenities", verbose_name=_("station"))
    amenity = models.ForeignKey(Amenity, models.PROTECT, related_name="+", verbose_name=_("amenity"))
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    since = models.DateField(_("available since"), null=True, blank=True)

    class Meta:
        ordering = ["amenity__order"]
        verbose_name = _("station amenity")
        verbose_name_plural = _("station amenities")
        constraints = [models.UniqueConstraint(fields=["station", "amenity"], name="stations_amenity_once")]

    def __str__(self) -> str:
        return f"{self.station} · {self.amenity}"


class AmenityDeliveryQuerySet(ScopedQuerySet):
    scope_field = "station__union"


class AmenityDelivery(TimeStampedModel):
    """What the union delivered to a station and when; recording it keeps the station's amenities true."""

    station = models.ForeignKey(Station, models.CASCADE, related_name="deliveries", verbose_name=_("station"))
    amenity = models.ForeignKey(Amenity, models.PROTECT, related_name="+", verbose_name=_("amenity"))
    quantity = models.PositiveSmallIntegerField(_("quantity"), default=1)
    delivered_on = models.DateField(_("delivered on"))
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = AmenityDeliveryQuerySet.as_manager()

    class Meta:
        ordering = ["-delivered_on", "-pk"]
        verbose_name = _("amenity delivery")
        verbose_name_plural = _("amenity deliveries")
        constraints = [models.CheckConstraint(condition=models.Q(quantity__gt=0), name="stations_delivery_qty")]

    def __str__(self) -> str:
        return f"{self.station} · {self.amenity} x{self.quantity}"


class InspectionQuerySet(ScopedQuerySet):
    scope_field = "station__union"


class Inspection(TimeStampedModel):
    """A standard check (the seven "haves"); the latest one is the station's compliance."""

    class Item(models.TextChoices):
        VENUE = "venue", _("Venue")
        SIGN = "sign", _("Sign")
        FACILITIES = "facilities", _("Facilities")
        PUBLICITY = "publicity", _("Publicity")
        SERVICE = "service", _("Service")
        RULES = "rules", _("Rules")
        RESULTS = "results", _("Results")

    station = models.ForeignKey(Station, models.CASCADE, related_name="inspections", verbose_name=_("station"))
    inspected_on = models.DateField(_("inspected on"))
    inspector = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("inspector"),
    )
    inspector_name = models.CharField(_("inspector name"), max_length=50, blank=True)
    passed_all = models.BooleanField(_("all items passed"), default=False)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        ordering = ["-inspected_on", "-pk"]
        verbose_name = _("inspection")
        verbose_name_plural = _("inspections")

    def __str__(self) -> str:
        return f"{self.station} · {self.inspected_on}"


class InspectionItem(models.Model):
    inspection = models.ForeignKey(Inspection, models.CASCADE, related_name="items", verbose_name=_("inspection"))
    item = models.CharField(_("item"), max_length=16, choices=Inspection.Item)
    passed = models.BooleanField(_("passed"))
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("inspection item")
        verbose_name_plural = _("inspection items")
        constraints = [models.UniqueConstraint(fields=["inspection", "item"], name="stations_item_once")]

    def __str__(self) -> str:
        return f"{self.get_item_display()}: {'+' if self.passed else '-'}"


class InspectionPhoto(models.Model):
    item = models.ForeignKey(InspectionItem, models.CASCADE, related_name="photos", verbose_name=_("item"))
    image = models.ImageField(_("image"), upload_to="inspections/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="inspections/%Y/%m/thumbs/")

    class Meta:
        verbose_name = _("inspection photo")
        verbose_name_plural = _("inspection photos")

    def __str__(self) -> str:
        return self.image.name


class AwardQuerySet(ScopedQuerySet):
    scope_field = "station__union"


class Award(TimeStampedModel):
    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        BEIJING = "beijing", _("Beijing")
        DISTRICT = "district", _("District")

    station = models.ForeignKey(Station, models.CASCADE, related_name="awards", verbose_name=_("station"))
    level = models.CharField(_("level"), max_length=16, choices=Level)
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(pgettext_lazy("award", "title"), max_length=120)

    objects = AwardQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "level"]
        verbose_name = _("award")
        verbose_name_plural = _("awards")

    def __str__(self) -> str:
        return f"{self.year} {self.title}"


class ExchangeVisitQuerySet(ScopedQuerySet):
    scope_field = "host__union"


class ExchangeVisit(TimeStampedModel):
    """Two stations visit and learn from each other; logged as an activity of the host's union."""

    host = models.ForeignKey(Station, models.CASCADE, related_name="hosted_visits", verbose_name=_("host station"))
    guest = models.ForeignKey(Station, models.CASCADE, related_name="guest_visits", verbose_name=_("visiting station"))
    visited_on = models.DateField(_("visited on"))
    participants = models.PositiveIntegerField(_("participants"), default=0)
    summary = models.TextField(_("summary"), max_length=2000, blank=True)
    activity = models.ForeignKey(
        "core.Activity", models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("activity")
    )

    objects = ExchangeVisitQuerySet.as_manager()

    class Meta:
        ordering = ["-visited_on"]
        verbose_name = _("exchange visit")
        verbose_name_plural = _("exchange visits")

    def __str__(self) -> str:
        return f"{self.guest} → {self.host} ({self.visited_on})"


class FeedbackQuerySet(ScopedQuerySet):
    scope_field = "station__union"

    def open(self) -> "FeedbackQuerySet":
        return self.exclude(status=Feedback.Status.CLOSED)


class Feedback(TimeStampedModel):
    """A worker's rating or problem report, sent without an account."""

    class Problem(models.TextChoices):
        NONE = "", _("No problem, just a rating")
        WATER = "water", _("Water machine broken")
        CLOSED = "closed", _("Closed when it should be open")
        FACILITY = "facility", _("Facility broken (e.g. the microwave)")
        EQUIPMENT = "equipment", _("Other equipment broken or missing")
        CLEANLINESS = "clean", _("Not clean")
        OTHER = "other", _("Other problem")

    class Status(models.TextChoices):
        NEW = "new", pgettext_lazy("feedback status", "New")
        ANSWERED = "answered", pgettext_lazy("feedback status", "Answered")
        CLOSED = "closed", pgettext_lazy("feedback status", "Closed")

    station = models.ForeignKey(Station, models.CASCADE, related_name="feedback", verbose_name=_("station"))
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    problem = models.CharField(_("problem"), max_length=16, choices=Problem, blank=True, default="")
    message = models.TextField(_("message"), max_length=1000, blank=True)
    contact = models.CharField(_("contact (optional)"), max_length=60, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.NEW, db_index=True)
    answer = models.TextField(_("answer"), max_length=1000, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    # Set when a signed-in person reports, so they find the report and its answer on their account
    # page; reports stay possible without an account.
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="station_feedback",
        verbose_name=pgettext_lazy("feedback", "submitted by"),
    )

    objects = FeedbackQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rating__isnull=True) | models.Q(rating__gte=1, rating__lte=5),
                name="stations_feedback_rating_1_5",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.station} · {self.get_problem_display() or self.rating}"

    @property
    def is_problem(self) -> bool:
        return bool(self.problem)


class CheckIn(models.Model):
    """One tap on the station's QR page: a visit."""

    station = models.ForeignKey(Station, models.CASCADE, related_name="checkins", verbose_name=_("station"))
    at = models.DateTimeField(_("checked in at"), db_index=True)
    client = models.CharField(_("client hash"), max_length=16, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("check-in")
        verbose_name_plural = _("check-ins")
        indexes = [models.Index(fields=["station", "at"], name="stations_checkin_station_at")]

    def __str__(self) -> str:
        return f"{self.station} · {self.at:%Y-%m-%d %H:%M}"


class DemandPointQuerySet(ScopedQuerySet):
    pass


class DemandPoint(TimeStampedModel):
    """A place where outdoor workers gather (delivery hub, sanitation depot, market)."""

    class Kind(models.TextChoices):
        DELIVERY_HUB = "delivery_hub", _("Delivery hub")
        SANITATION = "sanitation", _("Sanitation depot")
        MARKET = "market", _("Market")
        CONSTRUCTION = "construction", _("Construction site")
        OTHER = "other", _("Other")

    union = models.ForeignKey(Union, models.CASCADE, related_name="demand_points", verbose_name=_("union"))
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind, default=Kind.OTHER)
    lat = models.FloatField(_("latitude (WGS-84)"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    lng = models.FloatField(_("longitude (WGS-84)"), validators=[MinValueValidator(-180), MaxValueValidator(180)])
    workers = models.PositiveIntegerField(_("outdoor workers"), default=0)

    objects = DemandPointQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("demand point")
        verbose_name_plural = _("demand points")

    def __str__(self) -> str:
        return self.name


# Anonymous search demand: nearby searches counted per cell of SEARCH_CELL_DEG degrees (about
# 550 m north-south) and day. No user, no exact point; shown only from SEARCH_MIN_COUNT searches.
SEARCH_CELL_DEG = 0.005
SEARCH_COLUMNS = 72_000  # 360 / SEARCH_CELL_DEG


def search_cell_of(lat: float, lng: float) -> int:
    x = min(SEARCH_COLUMNS - 1, math.floor((lng + 180.0) / SEARCH_CELL_DEG))
    y = math.floor((lat + 90.0) / SEARCH_CELL_DEG)
    return y * SEARCH_COLUMNS + x


def search_cell_centre(cell: int) -> tuple[float, float]:
    y, x = divmod(cell, SEARCH_COLUMNS)
    return (y + 0.5) * SEARCH_CELL_DEG - 90.0, (x + 0.5) * SEARCH_CELL_DEG - 180.0


class SearchDemand(models.Model):
    """How many nearby searches started in a cell on a day (anonymous; kept 90 days)."""

    cell = models.BigIntegerField(_("cell"))
    day = models.DateField(_("day"))
    searches = models.PositiveIntegerField(_("searches"), default=0)

    class Meta:
        verbose_name = _("search demand")
        verbose_name_plural = _("search demand")
        constraints = [models.UniqueConstraint(fields=["cell", "day"], name="stations_searchdemand_cell_day")]
        indexes = [models.Index(fields=["day"], name="stations_searchdemand_day")]

    def __str__(self) -> str:
        return f"{self.cell} {self.day}: {self.searches}"
