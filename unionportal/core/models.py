"""The shared core: the union tree, who holds which role where, and the activity log."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from .scoping import ScopedQuerySet, union_scope


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class UnionQuerySet(MP_NodeQuerySet):
    def visible_to(self, user) -> "UnionQuerySet":
        """Unions in the subtrees where the user holds any role."""
        return self.filter(pk__in=union_scope(user).values("pk"))

    def editable_by(self, user) -> "UnionQuerySet":
        return self.filter(pk__in=union_scope(user, roles=Role.EDIT_ROLES).values("pk"))


class UnionManager(MP_NodeManager.from_queryset(UnionQuerySet)):
    def get_queryset(self):
        return UnionQuerySet(self.model, using=self._db).order_by("path")


class Union(MP_Node):
    """A node of the union tree: city federation → district → street/town → grassroots."""

    class Kind(models.TextChoices):
        CITY = "city", _("City federation")
        DISTRICT = "district", _("District federation")
        STREET = "street", _("Street/town federation")
        INDUSTRY = "industry", _("Industry union")
        GRASSROOTS = "grassroots", _("Grassroots union")

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    region = models.CharField(_("region"), max_length=100, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    contact_name = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)

    steplen = 4
    objects = UnionManager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["path"]
        verbose_name = _("union")
        verbose_name_plural = _("unions")

    def __str__(self) -> str:
        return self.name

    def is_within(self, other: "Union") -> bool:
        """True when this union is `other` or below it."""
        return self.path.startswith(other.path)


class RoleQuerySet(ScopedQuerySet):
    # Chairs hand out the roles of their subtree.
    view_roles = ("chair",)
    edit_roles = ("chair",)


class Role(TimeStampedModel):
    """A user's role in a union; it covers the union's whole subtree."""

    class Kind(models.TextChoices):
        CHAIR = "chair", _("Chair")
        OFFICER = "officer", _("Officer")
        WELFARE = "welfare", _("Welfare staff")
        JUDGE = "judge", _("Judge")
        VIEWER = "viewer", _("Viewer")

    # Roles that may create and change the ordinary records of their subtree.
    EDIT_ROLES = (Kind.CHAIR, Kind.OFFICER)
    # Roles that may see the ordinary (non-welfare) records of their subtree.
    VIEW_ROLES = (Kind.CHAIR, Kind.OFFICER, Kind.VIEWER, Kind.JUDGE, Kind.WELFARE)
    # Personal welfare data is for welfare staff only.
    WELFARE_ROLES = (Kind.WELFARE,)

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="union_roles", verbose_name=_("user")
    )
    union = models.ForeignKey(Union, models.CASCADE, related_name="roles", verbose_name=_("union"))
    kind = models.CharField(_("role"), max_length=16, choices=Kind)

    objects = RoleQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("role")
        verbose_name_plural = _("roles")
        constraints = [
            models.UniqueConstraint(fields=["user", "union", "kind"], name="core_role_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_kind_display()} · {self.union}"


class ActivityQuerySet(ScopedQuerySet):
    def published(self) -> "ActivityQuerySet":
        return self.filter(status=Activity.Status.PUBLISHED)


class Activity(TimeStampedModel):
    """Something a union held: a study session, a seminar, a visit, a ceremony..."""

    class Kind(models.TextChoices):
        STUDY = "study", _("Study session")
        SEMINAR = "seminar", _("Seminar")
        TRAINING = "training", _("Training")
        SURVEY = "survey", _("Field visit / survey")
        EXCHANGE = "exchange", _("Exchange visit")
        LECTURE = "lecture", _("Lecture by a model worker")
        READING = "reading", _("Reading salon")
        VOLUNTEER = "volunteer", _("Volunteer service")
        CEREMONY = "ceremony", _("Ceremony")
        OTHER = "other", _("Other")

    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("activity status", "Draft")
        PUBLISHED = "published", pgettext_lazy("activity status", "Published")

    union = models.ForeignKey(Union, models.PROTECT, related_name="activities", verbose_name=_("union"))
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    title = models.CharField(_("title"), max_length=120)
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=120, blank=True)
    participants = models.PositiveIntegerField(_("participants"), default=0)
    organiser = models.CharField(_("organiser"), max_length=100, blank=True)
    summary = models.TextField(_("summary"), max_length=5000, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    # Set when another record (an exchange visit, a plaque ceremony, an award ceremony)
    # logged this activity, e.g. "stations.exchangevisit:12"; lets those records find it.
    source = models.CharField(_("source record"), max_length=64, blank=True, db_index=True)
    # What the activity is about: at most one station, studio or contest of the union's subtree
    # (checked by the services); the linked page lists the latest published ones.
    station = models.ForeignKey(
        "stations.Station",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("station"),
    )
    studio = models.ForeignKey(
        "studios.Studio",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("innovation studio"),
    )
    contest = models.ForeignKey(
        "contests.Contest",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("contest"),
    )

    objects = ActivityQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-starts_at", "-pk"]
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        indexes = [models.Index(fields=["status", "-starts_at"], name="core_activity_feed")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(station__isnull=True, studio__isnull=True)
                    | models.Q(station__isnull=True, contest__isnull=True)
                    | models.Q(studio__isnull=True, contest__isnull=True)
                ),
                name="core_activity_one_link",
                violation_error_message=_("An activity is about at most one station, studio or contest."),
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("core:activity_detail", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED and self.published_at is not None

    @property
    def is_upcoming(self) -> bool:
        return self.starts_at > timezone.now()

    @property
    def about(self):
        """The station, studio or contest the activity is about, or None."""
        return self.station or self.studio or self.contest


class ActivityPhoto(models.Model):
    activity = models.ForeignKey(Activity, models.CASCADE, related_name="photos", verbose_name=_("activity"))
    image = models.ImageField(_("image"), upload_to="activities/%Y/%m/")
    thumbnail = models.ImageField(_("thumbnail"), upload_to="activities/%Y/%m/thumbs/")
    caption = models.CharField(_("caption"), max_length=120, blank=True)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("activity photo")
        verbose_name_plural = _("activity photos")

    def __str__(self) -> str:
        return self.caption or self.image.name


class AuditEntry(models.Model):
    """A readable log of the changes to who may see what: the union tree's shape and roles.

    Written by the core's services only (next to each record's own history), read by
    superusers in the back office.
    """

    class Action(models.TextChoices):
        UNION_CREATE = "union_create", _("Union added")
        UNION_MOVE = "union_move", _("Union moved")
        UNION_DELETE = "union_delete", _("Union deleted")
        ROLE_GRANT = "role_grant", _("Role granted")
        ROLE_REVOKE = "role_revoke", _("Role revoked")
        # Written by the members app's roster services (members/services.py).
        MEMBER_EXPORT = "member_export", _("Members exported")
        MEMBER_IMPORT = "member_import", _("Members imported")
        MEMBER_TRANSFER = "member_transfer", _("Member transferred")
        MEMBER_INVITE = "member_invite", _("Member invited")
        MEMBER_DELETE = "member_delete", _("Member deleted")
        USER_CREATE = "user_create", _("Account created")
        USER_DEACTIVATE = "user_deactivate", _("Account deactivated")
        # Written by the backup, restore and rotate_keys commands (unionportal/core/backup.py).
        BACKUP = "backup", _("Backup made")
        RESTORE = "restore", _("Backup restored")
        KEY_ROTATE = "key_rotate", _("Data key rotated")

    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
        help_text=_("Empty: the system (demo data, commands)."),
    )
    action = models.CharField(_("action"), max_length=16, choices=Action)
    union = models.ForeignKey(Union, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("union"))
    # Names as they were at the time: the union or user may be renamed or deleted later.
    subject = models.CharField(_("subject"), max_length=300)
    detail = models.CharField(_("detail"), max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        verbose_name = _("tree and role log entry")
        verbose_name_plural = _("tree and role log")

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.subject}"
