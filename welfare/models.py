"""Welfare: hardship files, visits, assistance and supply distributions.

Personal data under PIPL: every queryset is a ScopedQuerySet for the welfare role only, the
ID number is kept encrypted (see identity.py), and every look leaves an AccessLog entry.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from unionportal.core.models import Role, TimeStampedModel, Union
from unionportal.core.scoping import ScopedQuerySet, union_scope

from . import identity
from .storage import get_private_storage

# Personal welfare data is for welfare staff only (the core's Role.WELFARE_ROLES).
WELFARE = Role.WELFARE_ROLES


class WelfareQuerySet(ScopedQuerySet):
    view_roles = WELFARE
    edit_roles = WELFARE


# --- Reference tables ---------------------------------------------------------------------


class MinimumLivingLineQuerySet(ScopedQuerySet):
    """Every welfare officer reads every line (a district's file may take its city's line);
    only welfare staff of the owning union or above change one (services.line_save)."""

    view_roles = WELFARE
    edit_roles = WELFARE

    def visible_to(self, user):
        """The lines that may apply to the user's files: those of their unions and below, and
        those of the levels above them (a district reads its city's line); not a sibling's."""
        if user is not None and user.is_authenticated and user.is_superuser:
            return self.all()
        if user is None or not user.is_authenticated:
            return self.none()
        above = Union.objects.filter(
            Exists(Role.objects.filter(user_id=user.pk, kind__in=WELFARE, union__path__startswith=OuterRef("path")))
        )
        return self.filter(Q(union__in=union_scope(user, WELFARE)) | Q(union__in=above))


class MinimumLivingLine(models.Model):
    """The local minimum-living line (低保线), per region and year, in yuan per person per month."""

    # The level that sets the line (the city federation for a city's line): only its welfare
    # staff, or those above, change it.
    union = models.ForeignKey(Union, models.PROTECT, related_name="welfare_lines", verbose_name=_("owning union"))
    region = models.CharField(_("region"), max_length=100)
    year = models.PositiveSmallIntegerField(_("year"))
    monthly_amount = models.DecimalField(_("monthly amount per person"), max_digits=8, decimal_places=2)

    objects = MinimumLivingLineQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["region", "-year"]
        verbose_name = _("minimum living line")
        verbose_name_plural = _("minimum living lines")
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="welfare_line_region_year"),
            models.CheckConstraint(condition=Q(monthly_amount__gt=0), name="welfare_line_amount_gt_0"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}: {self.monthly_amount}"


class YearlyCap(models.Model):
    """What a union may give one household in a year (visits and assistance together)."""

    union = models.ForeignKey(Union, models.CASCADE, related_name="welfare_caps", verbose_name=_("union"))
    year = models.PositiveSmallIntegerField(_("year"))
    per_household = models.DecimalField(_("cap per household"), max_digits=10, decimal_places=2)

    objects = WelfareQuerySet.as_manager()

    class Meta:
        ordering = ["-year"]
        verbose_name = _("yearly cap")
        verbose_name_plural = _("yearly caps")
        constraints = [models.UniqueConstraint(fields=["union", "year"], name="welfare_cap_union_year")]

    def __str__(self) -> str:
        return f"{self.union} {self.year}: {self.per_household}"


class Employee(models.Model):
    """An employee on a unit's roster, the recipients of supply distributions."""

    union = models.ForeignKey(Union, models.PROTECT, related_name="welfare_employees", verbose_name=_("unit"))
    name = models.CharField(pgettext_lazy("welfare", "name"), max_length=50)
    staff_number = models.CharField(_("staff number"), max_length=30, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)

    objects = WelfareQuerySet.as_manager()

    class Meta:
        ordering = ["union", "staff_number", "pk"]
        verbose_name = _("employee")
        verbose_name_plural = _("employees")
        constraints = [
            models.UniqueConstraint(
                fields=["union", "staff_number"], condition=~Q(staff_number=""), name="welfare_employee_number"
            )
        ]

    def __str__(self) -> str:
        return self.name


# --- Hardship files -----------------------------------------------------------------------


class HardshipFileQuerySet(WelfareQuerySet):
    def active(self):
        return self.exclude(status=HardshipFile.Status.CLOSED)

    def overdue_for_review(self, today=None):
        return self.active().filter(review_due__lt=today or timezone.localdate())

    def search(self, q: str):
        """By name or phone fragment, or by a full ID number through its keyed hash."""
        q = (q or "").strip()
        if not q:
            return self
        normal = identity.normalise(q)
        if len(normal) == 18:
            return self.filter(id_number_hash__in=identity.lookup_hashes(normal))
        return self.filter(Q(name__icontains=q) | Q(phone__contains=q))


class HardshipFile(TimeStampedModel):
    """A hardship worker's file (困难职工档案)."""

    class Gender(models.TextChoices):
        FEMALE = "f", _("Female")
        MALE = "m", _("Male")

    class Category(models.TextChoices):
        DEEP = "deep", _("Deep hardship")
        RELATIVE = "relative", _("Relative hardship")
        ACCIDENT = "accident", _("Hardship by accident")

    class Status(models.TextChoices):
        FILED = "filed", pgettext_lazy("hardship status", "Filed")
        HELPED = "helped", _("Being helped")
        OUT = "out", _("Out of hardship")
        BACK = "back", _("Back in hardship")
        CLOSED = "closed", pgettext_lazy("hardship status", "Closed")

    class Stage(models.TextChoices):
        APPLICATION = "application", _("Application")
        FIRST_CHECK = "first_check", _("First check")
        HOME_VISIT = "home_visit", _("Home visit")
        APPROVAL = "approval", _("Approval")
        NOTICE = "notice", _("Public notice")
        FILED = "filed", pgettext_lazy("workflow stage", "Filed")
        REJECTED = "rejected", _("Rejected")

    union = models.ForeignKey(Union, models.PROTECT, related_name="hardship_files", verbose_name=_("employer union"))
    name = models.CharField(_("worker name"), max_length=50, db_index=True)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender, blank=True)
    id_number_encrypted = models.TextField(_("ID number (encrypted)"), blank=True, editable=False)
    id_number_hash = models.CharField(
        _("ID number lookup hash"), max_length=64, blank=True, db_index=True, editable=False
    )
    id_number_masked = models.CharField(_("ID number"), max_length=18, blank=True, editable=False)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    address = models.CharField(pgettext_lazy("welfare", "address"), max_length=200, blank=True)
    region = models.CharField(
        _("region"), max_length=100, blank=True, help_text=_("Region of the minimum-living line that applies.")
    )
    category = models.CharField(pgettext_lazy("welfare", "category"), max_length=16, choices=Category, blank=True)
    suggested_category = models.CharField(_("suggested category"), max_length=16, choices=Category, blank=True)
    line_amount = models.DecimalField(
        _("minimum living line applied"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    override_reason = models.CharField(_("reason for overriding the suggestion"), max_length=300, blank=True)
    causes = models.JSONField(_("causes"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.FILED, db_index=True)
    stage = models.CharField(_("workflow stage"), max_length=16, choices=Stage, default=Stage.APPLICATION)
    rigid_expenses = models.DecimalField(
        _("rigid yearly expenses (medical, schooling)"), max_digits=10, decimal_places=2, default=Decimal(0)
    )
    accident_loss = models.DecimalField(_("loss by accident"), max_digits=10, decimal_places=2, default=Decimal(0))
    # Kept in step by services.household_recompute so lists and reports need no aggregation.
    household_size = models.PositiveSmallIntegerField(_("household size"), default=0)
    household_income = models.DecimalField(
        _("yearly household income"), max_digits=12, decimal_places=2, default=Decimal(0)
    )
    per_capita_monthly = models.DecimalField(
        _("per-capita monthly income"), max_digits=10, decimal_places=2, default=Decimal(0)
    )
    notice_starts = models.DateField(_("public notice from"), null=True, blank=True)
    notice_days = models.PositiveSmallIntegerField(_("public notice days"), default=5)
    objections = models.TextField(_("objections received"), blank=True)
    filed_on = models.DateField(_("filed on"), null=True, blank=True)
    review_due = models.DateField(_("review due"), null=True, blank=True, db_index=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("created by")
    )

    objects = HardshipFileQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["id_number_encrypted", "id_number_hash"])

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("hardship file")
        verbose_name_plural = _("hardship files")
        permissions = [("reveal_id_number", _("Can reveal a full ID number (logged)"))]
        indexes = [models.Index(fields=["union", "status"], name="welfare_file_union_status")]
        constraints = [
            models.CheckConstraint(condition=Q(rigid_expenses__gte=0), name="welfare_file_rigid_gte_0"),
            models.CheckConstraint(condition=Q(accident_loss__gte=0), name="welfare_file_loss_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.name} {self.id_number_masked}".strip()

    def get_absolute_url(self) -> str:
        return reverse("welfare:file_detail", args=[self.pk])

    @property
    def eligibility(self):
        """The suggestion with its explanation, worded in the reader's language."""
        from .eligibility import eligibility_assess

        return eligibility_assess(
            household_income=self.household_income,
            rigid_expenses=self.rigid_expenses,
            household_size=self.household_size,
            line=self.line_amount,
            accident_loss=self.accident_loss,
        )

    @property
    def causes_display(self) -> list:
        labels = dict(Cause.choices)
        return [labels.get(c, c) for c in self.causes or []]


class Cause(models.TextChoices):
    ILLNESS = "illness", _("Illness")
    DISABILITY = "disability", _("Disability")
    SCHOOLING = "schooling", _("Children's schooling")
    DISASTER = "disaster", _("Disaster")
    UNEMPLOYMENT = "unemployment", _("Unemployment")
    LOW_INCOME = "low_income", _("Low income")
    OTHER = "other", _("Other")


class HouseholdMember(models.Model):
    file = models.ForeignKey(
        HardshipFile, models.CASCADE, related_name="members", verbose_name=pgettext_lazy("welfare", "file")
    )
    name = models.CharField(pgettext_lazy("welfare", "name"), max_length=50, blank=True)
    relation = models.CharField(_("relation"), max_length=30)
    yearly_income = models.DecimalField(_("yearly income"), max_digits=10, decimal_places=2, default=Decimal(0))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("household member")
        verbose_name_plural = _("household members")
        constraints = [
            models.CheckConstraint(condition=Q(yearly_income__gte=0), name="welfare_member_income_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.relation} {self.name}"


class FileEvent(models.Model):
    """A step of the file's workflow or a review, with who took it and why."""

    class Action(models.TextChoices):
        OPENED = "opened", _("File opened")
        STEP = "step", _("Workflow step")
        REJECTED = "rejected", _("Application rejected")
        CATEGORY_CONFIRMED = "category", _("Category confirmed")
        CATEGORY_OVERRIDDEN = "override", _("Category overridden")
        REVIEW = "review", _("Yearly review")
        CAP_OVERRIDE = "cap_override", _("Over the yearly cap (chair's approval)")

    action = models.CharField(_("action"), max_length=16, choices=Action, default=Action.STEP)
    category = models.CharField(
        pgettext_lazy("welfare", "category"), max_length=16, choices=HardshipFile.Category, blank=True
    )
    file = models.ForeignKey(
        HardshipFile, models.CASCADE, related_name="events", verbose_name=pgettext_lazy("welfare", "file")
    )
    stage = models.CharField(_("workflow stage"), max_length=16, choices=HardshipFile.Stage, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=HardshipFile.Status, blank=True)
    note = models.TextField(_("note"), blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("file event")
        verbose_name_plural = _("file events")

    def __str__(self) -> str:
        return f"{self.file_id} {self.stage or self.status}"


# --- Access log ---------------------------------------------------------------------------


class AccessLogQuerySet(ScopedQuerySet):
    # The union's chair reads the log; welfare staff do not audit themselves.
    view_roles = ("chair",)
    edit_roles = ()


class AccessLog(models.Model):
    """Who looked at which personal data, when and from where. Append-only."""

    class Action(models.TextChoices):
        VIEW = "view", _("Viewed a file")
        REVEAL = "reveal", _("Revealed an ID number")
        EXPORT = "export", _("Exported")
        SEARCH = "search", _("Searched by ID number")
        IMPORT = "import", _("Imported")
        PURGE = "purge", _("Anonymised")

    union = models.ForeignKey(Union, models.PROTECT, related_name="welfare_access_logs", verbose_name=_("union"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("user")
    )
    username = models.CharField(_("user name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=16, choices=Action)
    file = models.ForeignKey(
        HardshipFile,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=pgettext_lazy("welfare", "file"),
    )
    what = models.CharField(_("what"), max_length=200)
    ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now, db_index=True)

    objects = AccessLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()} {self.what}"


# --- Visits and assistance ----------------------------------------------------------------


VISIT_LEVEL_MESSAGE = _("A visit to a worker with a hardship file is logged at the file's union or a union above it.")


class VisitQuerySet(WelfareQuerySet):
    def in_period(self, start, end):
        return self.filter(date__gte=start, date__lte=end)


class Visit(TimeStampedModel):
    """A hardship visit (走访慰问) to a worker, a household or a group at a site."""

    class Kind(models.TextChoices):
        WORKER = "worker", _("A worker")
        HOUSEHOLD = "household", _("A household")
        GROUP = "group", _("A group at a site")

    class Occasion(models.TextChoices):
        SPRING = "spring", _("Spring Festival (warmth)")
        SUMMER = "summer", _("Summer (coolness)")
        ILLNESS = "illness", _("Illness")
        DISASTER = "disaster", _("Disaster")
        EPIDEMIC = "epidemic", _("Epidemic")
        OTHER = "other", _("Other")

    union = models.ForeignKey(Union, models.PROTECT, related_name="welfare_visits", verbose_name=_("union"))
    file = models.ForeignKey(
        HardshipFile, models.PROTECT, null=True, blank=True, related_name="visits", verbose_name=_("hardship file")
    )
    kind = models.CharField(_("visited"), max_length=16, choices=Kind, default=Kind.WORKER)
    site = models.CharField(_("site or group"), max_length=120, blank=True)
    group_size = models.PositiveIntegerField(_("people in the group"), default=0)
    occasion = models.CharField(_("occasion"), max_length=16, choices=Occasion, default=Occasion.OTHER)
    date = models.DateField(_("date"), default=timezone.localdate, db_index=True)
    visitors = models.CharField(_("visitors"), max_length=200, blank=True)
    found = models.TextField(_("what was found"), blank=True)
    money = models.DecimalField(_("money given"), max_digits=10, decimal_places=2, default=Decimal(0))
    goods = models.CharField(_("goods given"), max_length=200, blank=True)
    goods_value = models.DecimalField(_("value of the goods"), max_digits=10, decimal_places=2, default=Decimal(0))
    needs = models.TextField(_("needs"), blank=True)
    measure = models.TextField(_("measure agreed"), blank=True)
    next_follow_up = models.DateField(_("next follow-up"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("logged by")
    )
    # Made on the device with the form (or its offline draft): a repeated submit of the same
    # form (a draft synced twice, a double tap) finds this visit instead of logging another.
    idempotency_key = models.UUIDField(
        _("idempotency key"), null=True, blank=True, unique=True, editable=False, default=None
    )

    objects = VisitQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        indexes = [models.Index(fields=["union", "-date"], name="welfare_visit_union_date")]
        constraints = [
            models.CheckConstraint(condition=Q(money__gte=0), name="welfare_visit_money_gte_0"),
            models.CheckConstraint(condition=Q(goods_value__gte=0), name="welfare_visit_goods_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.get_occasion_display()}"

    def get_absolute_url(self) -> str:
        return reverse("welfare:visit_detail", args=[self.pk])

    def clean(self) -> None:
        # At the file's union or above: whoever sees the visit may see the file it names (a
        # visit logged below the file would show its name and ID to staff who may not see it).
        if self.file_id and self.union_id and not self.file.union.is_within(self.union):
            raise ValidationError({"file": VISIT_LEVEL_MESSAGE})

    @property
    def given_total(self) -> Decimal:
        return (self.money or 0) + (self.goods_value or 0)


class VisitPhoto(models.Model):
    visit = models.ForeignKey(Visit, models.CASCADE, related_name="photos", verbose_name=_("visit"))
    image = models.ImageField(_("image"), upload_to="visits/%Y/%m/", storage=get_private_storage)
    thumbnail = models.ImageField(_("thumbnail"), upload_to="visits/%Y/%m/thumbs/", storage=get_private_storage)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("visit photo")
        verbose_name_plural = _("visit photos")

    def __str__(self) -> str:
        return self.image.name


class Assistance(TimeStampedModel):
    """An assistance measure (帮扶措施) for a file, with its amount."""

    class Kind(models.TextChoices):
        LIVING = "living", _("Living")
        MEDICAL = "medical", _("Medical")
        SCHOOLING = "schooling", _("Schooling")
        EMPLOYMENT = "employment", _("Employment")
        OTHER = "other", _("Other")

    union = models.ForeignKey(Union, models.PROTECT, related_name="welfare_assistance", verbose_name=_("union"))
    file = models.ForeignKey(HardshipFile, models.PROTECT, related_name="assistance", verbose_name=_("hardship file"))
    kind = models.CharField(pgettext_lazy("welfare", "kind"), max_length=16, choices=Kind)
    amount = models.DecimalField(_("amount"), max_digits=10, decimal_places=2)
    date = models.DateField(_("date"), default=timezone.localdate)
    funding_source = models.CharField(_("funding source"), max_length=100, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = WelfareQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("assistance measure")
        verbose_name_plural = _("assistance measures")
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="welfare_assist_amount_gte_0")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}"


# --- Supply distributions ----------------------------------------------------------------


class Campaign(TimeStampedModel):
    """A supply distribution (防疫物资发放) to the employees of a union's units."""

    union = models.ForeignKey(Union, models.PROTECT, related_name="welfare_campaigns", verbose_name=_("union"))
    title = models.CharField(_("title"), max_length=120)
    starts_on = models.DateField(_("starts on"), default=timezone.localdate)
    note = models.TextField(_("note"), blank=True)

    objects = WelfareQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_on", "-pk"]
        verbose_name = _("supply campaign")
        verbose_name_plural = _("supply campaigns")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("welfare:campaign_detail", args=[self.pk])


class CampaignItem(models.Model):
    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="items", verbose_name=_("campaign"))
    name = models.CharField(pgettext_lazy("welfare", "item"), max_length=60)
    unit = models.CharField(_("unit"), max_length=20)
    per_person = models.PositiveIntegerField(_("share per person"), default=1)
    received = models.PositiveIntegerField(_("stock received"), default=0)
    # Decremented only by a conditional UPDATE; the constraint is the last line of defence.
    stock = models.IntegerField(_("stock left"), default=0)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("campaign item")
        verbose_name_plural = _("campaign items")
        constraints = [
            models.CheckConstraint(condition=Q(stock__gte=0), name="welfare_item_stock_gte_0"),
            models.CheckConstraint(condition=Q(stock__lte=models.F("received")), name="welfare_item_stock_lte_recv"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.unit})"


class Handout(models.Model):
    """What one recipient received in a campaign, confirmed by signature or one-time code."""

    class Confirmation(models.TextChoices):
        SIGNATURE = "signature", _("Signature")
        CODE = "code", _("One-time code")

    union = models.ForeignKey(Union, models.PROTECT, related_name="welfare_handouts", verbose_name=_("unit"))
    campaign = models.ForeignKey(Campaign, models.PROTECT, related_name="handouts", verbose_name=_("campaign"))
    employee = models.ForeignKey(Employee, models.PROTECT, related_name="handouts", verbose_name=_("recipient"))
    confirmation = models.CharField(_("confirmed by"), max_length=16, choices=Confirmation)
    signature = models.ImageField(
        _("signature"), upload_to="signatures/%Y/%m/", blank=True, storage=get_private_storage
    )
    at = models.DateTimeField(_("handed out at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    over_share_reason = models.CharField(
        _("reason for more than the share (chair's approval)"), max_length=300, blank=True
    )

    objects = WelfareQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("handout")
        verbose_name_plural = _("handouts")
        constraints = [models.UniqueConstraint(fields=["campaign", "employee"], name="welfare_handout_once")]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.employee_id}"


class HandoutLine(models.Model):
    handout = models.ForeignKey(Handout, models.CASCADE, related_name="lines", verbose_name=_("handout"))
    item = models.ForeignKey(
        CampaignItem, models.PROTECT, related_name="lines", verbose_name=pgettext_lazy("welfare", "item")
    )
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        ordering = ["pk"]
        verbose_name = _("handout line")
        verbose_name_plural = _("handout lines")
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="welfare_line_qty_gt_0")]

    def __str__(self) -> str:
        return f"{self.item} × {self.quantity}"


class HandoutCode(models.Model):
    """A one-time code sent to a recipient; the handout is confirmed when it is typed back."""

    campaign = models.ForeignKey(Campaign, models.CASCADE, related_name="+", verbose_name=_("campaign"))
    employee = models.ForeignKey(Employee, models.CASCADE, related_name="+", verbose_name=_("recipient"))
    code_hash = models.CharField(_("code hash"), max_length=64)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("one-time code")
        verbose_name_plural = _("one-time codes")

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.employee_id}"
