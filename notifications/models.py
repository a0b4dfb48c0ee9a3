"""Notifications on the desk (and in the email digest), and each user's choice of channels."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Event(models.TextChoices):
    STATION_FEEDBACK = "station_feedback", _("New feedback at a station")
    REVIEW_OVERDUE = "review_overdue", _("Hardship review overdue")
    STUDIO_SUBMITTED = "studio_submitted", _("Studio application submitted")
    STUDIO_RETURNED = "studio_returned", _("Studio application returned")
    STUDIO_APPROVED = "studio_approved", _("Studio application approved")
    CONTEST_STAGE = "contest_stage", _("Contest stage")
    JURY_ASSIGNED = "jury_assigned", _("Jury assignment")
    ITEM_UNFIXED = "item_unfixed", _("Failed 七有 item not fixed in 30 days")
    STATION_STALE = "station_stale", _("No check-in at a station for 30 days")


# Events that may also go out by SMS (when the user keeps that channel on).
URGENT_EVENTS = frozenset({Event.REVIEW_OVERDUE, Event.ITEM_UNFIXED, Event.JURY_ASSIGNED})

# The sentence shown for each event; {title} names what it is about.
EVENT_TEXTS = {
    Event.STATION_FEEDBACK: _("New feedback at {title}"),
    Event.REVIEW_OVERDUE: _("Hardship file {title}: review overdue"),
    Event.STUDIO_SUBMITTED: _("Studio application to review: {title}"),
    Event.STUDIO_RETURNED: _("Studio application returned: {title}"),
    Event.STUDIO_APPROVED: _("Studio application approved: {title}"),
    Event.CONTEST_STAGE: _("Contest news: {title}"),
    Event.JURY_ASSIGNED: _("You sit on the jury of {title}"),
    Event.ITEM_UNFIXED: _("Failed item not fixed for 30 days: {title}"),
    Event.STATION_STALE: _("No check-in for 30 days: {title}"),
}


class NotificationQuerySet(models.QuerySet):
    def on_desk(self):
        return self.filter(on_desk=True)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.CASCADE,
        related_name="notifications",
        verbose_name=pgettext_lazy("notification", "recipient"),
    )
    event = models.CharField(_("event"), max_length=32, choices=Event)
    title = models.CharField(_("about"), max_length=200)
    link = models.CharField(_("link"), max_length=300, blank=True)
    union = models.ForeignKey(
        "core.Union", models.CASCADE, null=True, blank=True, related_name="+", verbose_name=_("union")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    on_desk = models.BooleanField(_("shown on the desk"), default=True)
    digest = models.BooleanField(_("in the email digest"), default=True)
    emailed_at = models.DateTimeField(_("emailed at"), null=True, blank=True)
    # Set by the scheduled scans so that one overdue file or stale station is announced once.
    key = models.CharField(_("key"), max_length=100, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notif_recipient_read")]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "key"], condition=~Q(key=""), name="notif_once_per_key")
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return str(EVENT_TEXTS.get(self.event, "{title}")).format(title=self.title)


class Preference(models.Model):
    """A user's channels for one event; without a row: desk and digest on, SMS on for urgent events."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="notification_preferences", verbose_name=_("user")
    )
    event = models.CharField(_("event"), max_length=32, choices=Event)
    desk = models.BooleanField(_("on the desk"), default=True)
    email = models.BooleanField(_("in the email digest"), default=True)
    sms = models.BooleanField(_("by SMS"), default=False)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [models.UniqueConstraint(fields=["user", "event"], name="notif_pref_once")]

    def __str__(self) -> str:
        return f"{self.user} · {self.event}"

    @staticmethod
    def default(event: str) -> dict:
        return {"desk": True, "email": True, "sms": event in URGENT_EVENTS}
