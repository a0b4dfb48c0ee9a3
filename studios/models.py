"""Innovation studios: the studio, its people, achievements, yearly targets and union support.

How the headline counts of a profile map onto achievement types (decided with the seed's
figures for 齐贺's studio: 88 IP results, 77 accepted patents, 18 standards):

* IP results (知识产权成果) = every intellectual-property record: patent applications accepted,
  patents granted, software copyrights and other IP results.
* Accepted patents (受理专利) = patent applications accepted + patents granted (a granted patent
  was accepted first).
* Standards (主参编标准) = standards led + standards co-authored.

Papers, awards and technology applied in practice are counted apart and never in the three.
"""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from unionportal.core.models import TimeStampedModel
from unionportal.core.scoping import ScopedQuerySet


class FieldOfWork(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    slug = models.SlugField(_("slug"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("field of work")
        verbose_name_plural = _("fields of work")

    def __str__(self) -> str:
        return self.name


class StudioQuerySet(ScopedQuerySet):
    scope_field = "union"

    def public(self) -> "StudioQuerySet":
        """What anyone may read: published studios that are running (active or under review)."""
        return self.filter(published=True, status__in=Studio.PUBLIC_STATUSES)


class Studio(TimeStampedModel):
    class Kind(models.TextChoices):
        MODEL_WORKER = "model_worker", _("Model worker innovation studio")
        CRAFTSMAN = "craftsman", _("Craftsman innovation studio")
        PARTY_PHD = "party_phd", _("Party-member PhD innovation studio")
        WORKER = "worker", _("Worker innovation studio")

    class Level(models.TextChoices):
        NATIONAL = "national", _("National model")
        MUNICIPAL = "municipal", _("Municipal")
        DISTRICT = "district", _("District")
        ENTERPRISE = "enterprise", pgettext_lazy("level", "Enterprise")

    class Status(models.TextChoices):
        APPLYING = "applying", pgettext_lazy("studio status", "Applying")
        RETURNED = "returned", pgettext_lazy("studio status", "Returned for changes")
        APPROVED = "approved", pgettext_lazy("studio status", "Approved, awaiting plaque")
        ACTIVE = "active", pgettext_lazy("studio status", "Active")
        UNDER_REVIEW = "under_review", pgettext_lazy("studio status", "Under review")
        REVOKED = "revoked", pgettext_lazy("studio status", "Revoked")

    PUBLIC_STATUSES = (Status.ACTIVE, Status.UNDER_REVIEW)

    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    level = models.CharField(_("recognition level"), max_length=16, choices=Level, default=Level.ENTERPRISE)
    union = models.ForeignKey("core.Union", models.PROTECT, related_name="studios", verbose_name=_("owning union"))
    fields_of_work = models.ManyToManyField(
        FieldOfWork, blank=True, related_name="studios", verbose_name=_("fields of work")
    )
    founded_on = models.DateField(pgettext_lazy("studio", "founded on"), null=True, blank=True)
    plaque_on = models.DateField(_("plaque ceremony on"), null=True, blank=True)
    description = models.TextField(_("description"), max_length=5000, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.APPLYING)
    published = models.BooleanField(_("published"), default=False)
    # Name, leader and their pinyin (full and initials), kept by services.studio_reindex so
    # that `?q=qh` finds 齐贺's studio without a pinyin pass per request.
    search_text = models.CharField(_("search text"), max_length=400, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = StudioQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["search_text"])

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("innovation studio")
        verbose_name_plural = _("innovation studios")
        indexes = [models.Index(fields=["published", "status", "kind"], name="studios_public_kind")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("studios:detail", args=[self.slug])

    def get_desk_url(self) -> str:
        return reverse("studios:desk_detail", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.published and self.status in self.PUBLIC_STATUSES


class StudioPhoto(models.Model):
    studio = models.ForeignKey(Studio, models.CASCADE, related_name="photos", verbose_name=_("studio"))
    image = models.ImageField(_("image"), upload_to="studios/%Y/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="studios/%Y/thumbs/")
    caption = models.CharField(_("caption"), max_length=120, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("studio photo")
        verbose_name_plural = _("studio photos")

    def __str__(self) -> str:
        return self.caption or self.image.name


class MemberQuerySet(ScopedQuerySet):
    scope_field = "studio__union"


class Member(TimeStampedModel):
    """A person of a studio. Only name, photo, title, education, political status, honours and
    role are public; the phone is for the back office only and never rendered publicly."""

    class Role(models.TextChoices):
        LEADER = "leader", _("Leader")
        MEMBER = "member", _("Member")

    class Education(models.TextChoices):
        DOCTORATE = "doctorate", _("Doctorate")
        MASTER = "master", _("Master's degree")
        BACHELOR = "bachelor", _("Bachelor's degree")
        COLLEGE = "college", _("College diploma")
        VOCATIONAL = "vocational", _("Vocational school")
        OTHER = "other", _("Other")

    class Political(models.TextChoices):
        PARTY = "party", _("CPC member")
        PROBATIONARY = "probationary", _("Probationary CPC member")
        LEAGUE = "league", _("Communist Youth League member")
        OTHER_PARTY = "other_party", _("Member of another party")
        MASSES = "masses", _("Ordinary citizen")

    studio = models.ForeignKey(Studio, models.CASCADE, related_name="members", verbose_name=_("studio"))
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role in the studio"), max_length=8, choices=Role, default=Role.MEMBER)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    education = models.CharField(_("education"), max_length=16, choices=Education, default=Education.OTHER)
    political_status = models.CharField(
        _("political status"), max_length=16, choices=Political, default=Political.MASSES
    )
    is_model_worker = models.BooleanField(_("model worker"), default=False)
    is_craftsman = models.BooleanField(_("master craftsman (e.g. Beijing master craftsman)"), default=False)
    honours = models.CharField(_("other honours"), max_length=300, blank=True)
    photo = models.ImageField(_("photo"), upload_to="studios/people/", blank=True)
    photo_thumbnail = models.ImageField(_("photo thumbnail"), upload_to="studios/people/thumbs/", blank=True)
    phone = models.CharField(_("phone (internal, never public)"), max_length=30, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = MemberQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["studio", "role", "order", "pk"]  # "leader" sorts before "member"
        verbose_name = _("studio member")
        verbose_name_plural = _("studio members")
        constraints = [
            models.UniqueConstraint(
                fields=["studio"],
                condition=models.Q(role="leader"),
                name="studios_member_one_leader",
                violation_error_message=_("A studio has one leader: change the current leader's role first."),
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_leader(self) -> bool:
        return self.role == self.Role.LEADER


class AchievementQuerySet(ScopedQuerySet):
    scope_field = "studio__union"


class Achievement(TimeStampedModel):
    class Type(models.TextChoices):
        IP_RESULT = "ip_result", _("IP result")
        PATENT_ACCEPTED = "patent_accepted", _("Patent application accepted")
        PATENT_GRANTED = "patent_granted", _("Patent granted")
        STANDARD_LED = "standard_led", _("Standard led")
        STANDARD_COAUTHORED = "standard_coauthored", _("Standard co-authored")
        SOFTWARE_COPYRIGHT = "software_copyright", _("Software copyright")
        PAPER = "paper", _("Paper")
        AWARD = "award", _("Award")
        TECHNOLOGY_APPLIED = "technology_applied", _("Technology applied in practice")

    # The mapping of the profile's headline counts (see the module docstring).
    IP_TYPES = (Type.IP_RESULT, Type.PATENT_ACCEPTED, Type.PATENT_GRANTED, Type.SOFTWARE_COPYRIGHT)
    PATENT_TYPES = (Type.PATENT_ACCEPTED, Type.PATENT_GRANTED)
    STANDARD_TYPES = (Type.STANDARD_LED, Type.STANDARD_COAUTHORED)

    class Level(models.TextChoices):
        INTERNATIONAL = "international", _("International")
        NATIONAL = "national", pgettext_lazy("level", "National")
        INDUSTRY = "industry", _("Industry")
        MUNICIPAL = "municipal", _("Municipal / provincial")
        ENTERPRISE = "enterprise", pgettext_lazy("level", "Enterprise")

    studio = models.ForeignKey(Studio, models.CASCADE, related_name="achievements", verbose_name=_("studio"))
    type = models.CharField(_("type"), max_length=24, choices=Type)
    title = models.CharField(_("title"), max_length=200)
    number = models.CharField(
        _("number"), max_length=60, blank=True, help_text=_("Patent, standard or registration number.")
    )
    date = models.DateField(_("date"))
    level = models.CharField(_("level"), max_length=16, choices=Level, default=Level.ENTERPRISE)
    members = models.ManyToManyField(
        Member, blank=True, related_name="achievements", verbose_name=_("members involved")
    )
    attachment = models.FileField(_("attachment"), upload_to="studios/achievements/%Y/", blank=True)
    benefit_amount = models.DecimalField(
        _("economic benefit (10,000 yuan)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    benefit_note = models.CharField(_("benefit"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    objects = AchievementQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("achievement")
        verbose_name_plural = _("achievements")
        indexes = [models.Index(fields=["studio", "type"], name="studios_achievement_type")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(benefit_amount__isnull=True) | models.Q(benefit_amount__gte=0),
                name="studios_achievement_benefit_gte_0",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class YearTargetQuerySet(ScopedQuerySet):
    scope_field = "studio__union"


class YearTarget(TimeStampedModel):
    """A studio's target for a year and the higher union's assessment against it."""

    class Assessment(models.TextChoices):
        PENDING = "pending", _("Not assessed yet")
        MET = "met", _("Met")
        BEHIND = "behind", _("Behind")

    studio = models.ForeignKey(Studio, models.CASCADE, related_name="targets", verbose_name=_("studio"))
    year = models.PositiveSmallIntegerField(_("year"))
    target = models.CharField(_("target"), max_length=200)
    target_count = models.PositiveSmallIntegerField(_("results expected"), default=1)
    assessment = models.CharField(_("assessment"), max_length=8, choices=Assessment, default=Assessment.PENDING)
    evidence = models.TextField(_("evidence"), max_length=2000, blank=True)
    # Kept by services.target_assess: what counted when the target was assessed, and why it was
    # marked met anyway when the results fell short of it.
    results_counted = models.PositiveSmallIntegerField(_("results counted at assessment"), null=True, blank=True)
    override_reason = models.TextField(_("reason for marking met below target"), max_length=1000, blank=True)
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assessed by"),
    )
    assessed_at = models.DateTimeField(_("assessed at"), null=True, blank=True)

    objects = YearTargetQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["studio", "-year"]
        verbose_name = _("yearly target")
        verbose_name_plural = _("yearly targets")
        constraints = [models.UniqueConstraint(fields=["studio", "year"], name="studios_target_year_unique")]

    def __str__(self) -> str:
        return f"{self.year}: {self.target}"


class SupportQuerySet(ScopedQuerySet):
    scope_field = "studio__union"


class SupportRecord(TimeStampedModel):
    """What a union gave a studio: funding, a project approval, equipment, promotion, IP protection."""

    class Kind(models.TextChoices):
        FUNDING = "funding", _("Funding")
        PROJECT = "project", _("Project approval")
        EQUIPMENT = "equipment", _("Equipment")
        PROMOTION = "promotion", _("Result promotion")
        IP_PROTECTION = "ip_protection", _("IP protection")

    studio = models.ForeignKey(Studio, models.CASCADE, related_name="support", verbose_name=_("studio"))
    union = models.ForeignKey(
        "core.Union", models.PROTECT, related_name="studio_support", verbose_name=_("supporting union")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    date = models.DateField(_("date"))
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2, default=0)
    description = models.CharField(_("description"), max_length=300, blank=True)

    objects = SupportQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-pk"]
        verbose_name = _("support record")
        verbose_name_plural = _("support records")
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="studios_support_amount_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.date}"


class ReviewQuerySet(ScopedQuerySet):
    scope_field = "studio__union"


class Review(models.Model):
    """One step of the application workflow: submitted, approved, returned, plaque."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("Application submitted")
        APPROVED = "approved", _("Approved")
        RETURNED = "returned", _("Returned with comments")
        PLAQUE = "plaque", _("Plaque ceremony")
        UNDER_REVIEW = "under_review", _("Put under review")
        REINSTATED = "reinstated", _("Confirmed active")
        REVOKED = "revoked", _("Revoked")

    studio = models.ForeignKey(Studio, models.CASCADE, related_name="reviews", verbose_name=_("studio"))
    action = models.CharField(_("action"), max_length=16, choices=Action)
    comment = models.TextField(_("comment"), max_length=2000, blank=True)
    union = models.ForeignKey(
        "core.Union", models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("acting union")
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("by")
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("review step")
        verbose_name_plural = _("review steps")

    def __str__(self) -> str:
        return f"{self.studio} · {self.get_action_display()}"
