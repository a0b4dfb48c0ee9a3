"""Each union's member roster (会员名册) and the transfers between unions.

A roster entry may be linked to a user account once the member activates it with a one-time
code (see `accounts`); a linked, active entry makes the user a verified member of its union.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from unionportal.core.models import TimeStampedModel
from unionportal.core.scoping import ScopedQuerySet


class MemberQuerySet(ScopedQuerySet):
    # A phone number is personal data: the roster is for the union's chairs and officers.
    view_roles = ("chair", "officer")

    def active(self) -> "MemberQuerySet":
        return self.filter(status=Member.Status.ACTIVE)


class Member(TimeStampedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("In the union")  # 在会
        TRANSFERRED = "transferred", _("Transferred out")  # 转出
        LEFT = "left", _("Left the union")  # 退会

    union = models.ForeignKey("core.Union", models.PROTECT, related_name="members", verbose_name=_("union"))
    name = models.CharField(_("name"), max_length=50)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True, db_index=True)
    email = models.EmailField(_("email"), blank=True, db_index=True)
    card_number = models.CharField(_("member card number"), max_length=32, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.ACTIVE)
    joined_on = models.DateField(_("joined on"), null=True, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name=_("account"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    objects = MemberQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["name", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["card_number"], condition=~Q(card_number=""), name="members_card_unique"),
        ]
        indexes = [models.Index(fields=["union", "status", "name"], name="members_union_status_name")]

    def __str__(self) -> str:
        return self.name
