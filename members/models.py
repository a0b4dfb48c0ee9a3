"""Each union's member roster (会员名册) and the transfers between unions.

A roster entry may be linked to a user account once the member activates it with a one-time
code (see `accounts`); a linked, active entry makes the user a verified member of its union.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from unionportal.core.models import TimeStampedModel
from unionportal.core.scoping import ScopedQuerySet, union_scope


def _next_path(path: str) -> str | None:
    """The smallest string after every path that starts with `path`
    ('0001000Z' → '0001001'), in the order of treebeard's alphabet (digits, then A-Z, the
    same order in every collation); None when there is none."""
    from unionportal.core.models import Union

    alphabet = Union.alphabet
    chars = list(path)
    for i in range(len(chars) - 1, -1, -1):
        position = alphabet.find(chars[i])
        if position < 0:
            return None
        if position + 1 < len(alphabet):
            chars[i] = alphabet[position + 1]
            return "".join(chars[: i + 1])
        chars[i] = alphabet[0]
    return None


class MemberQuerySet(ScopedQuerySet):
    # A phone number is personal data: the roster is for the union's chairs and officers.
    view_roles = ("chair", "officer")

    def _within(self, user, roles) -> "MemberQuerySet":
        # The same answer as ScopedQuerySet (the unions of the user's roles, with their
        # subtrees), spelled as path prefixes of the member's union: PostgreSQL estimates
        # "path LIKE 'prefix%'" from its statistics, so a search by card number or phone over a
        # million members starts from that index instead of walking every union of the scope.
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        from unionportal.core.models import Role

        grants = Role.objects.filter(user_id=user.pk)
        if roles is not None:
            grants = grants.filter(kind__in=list(roles))
        paths = sorted(set(grants.values_list("union__path", flat=True)))
        tops = [p for p in paths if not any(p != q and p.startswith(q) for q in paths)]
        if not tops:
            return self.none()
        condition = Q()
        for path in tops:
            upper = _next_path(path)
            # A range, not LIKE 'prefix%': PostgreSQL estimates a range once (LIKE counts the
            # prefix twice, guesses a hundredth of the rows and walks the scope union by union).
            condition |= Q(union__path__gte=path, union__path__lt=upper) if upper else Q(union__path__startswith=path)
        return self.filter(condition)

    def active(self) -> "MemberQuerySet":
        return self.filter(status=Member.Status.ACTIVE)


class Member(TimeStampedModel):
    class Status(models.TextChoices):
        ACTIVE = "active", _("In the union")  # 在会
        TRANSFERRED = "transferred", _("Transferred out")  # 转出
        LEFT = "left", _("Left the union")  # 退会

    union = models.ForeignKey("core.Union", models.PROTECT, related_name="members", verbose_name=_("union"))
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
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
    # Set when an officer invited the member to activate an account (see services.member_invite).
    invited_at = models.DateTimeField(_("invited at"), null=True, blank=True)

    objects = MemberQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        verbose_name = pgettext_lazy("union member", "member")
        verbose_name_plural = pgettext_lazy("union member", "members")
        ordering = ["name", "pk"]
        constraints = [
            # A card number belongs to one member in the union; a transferred-out entry keeps its
            # number in the old union's history while the new union's entry carries it on.
            models.UniqueConstraint(
                fields=["card_number"],
                condition=~Q(card_number="") & Q(status="active"),
                name="members_card_unique_active",
            ),
        ]
        indexes = [
            models.Index(fields=["union", "status", "name"], name="members_union_status_name"),
            # Search by name prefix (PostgreSQL's LIKE 'x%' needs the pattern operator class).
            models.Index(fields=["name"], name="members_name_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["card_number"], name="members_card"),
            # The whole roster in name order, with the union to check the scope from the index alone.
            models.Index(fields=["name", "id", "union"], name="members_name_id_union"),
            models.Index(fields=["union", "name", "id"], name="members_union_name_order"),
            models.Index(Upper("email"), name="members_email_upper"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("members:member_detail", args=[self.pk])

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE

    @property
    def masked_phone(self) -> str:
        from .phones import mask_phone

        return mask_phone(self.phone)


class TransferQuerySet(models.QuerySet):
    """A transfer concerns two unions: the editors of either side's subtree see it."""

    scope_field = "from_union"
    view_roles = MemberQuerySet.view_roles
    edit_roles = MemberQuerySet.edit_roles

    def _either_side(self, user, roles) -> "TransferQuerySet":
        if user is not None and user.is_authenticated and user.is_superuser:
            return self
        scope = union_scope(user, roles)
        return self.filter(Q(from_union__in=scope) | Q(to_union__in=scope))

    def visible_to(self, user) -> "TransferQuerySet":
        return self._either_side(user, MemberQuerySet.view_roles)

    def editable_by(self, user) -> "TransferQuerySet":
        return self._either_side(user, MemberQuerySet.edit_roles)

    def pending(self) -> "TransferQuerySet":
        return self.filter(status=Transfer.Status.PENDING)


class Transfer(TimeStampedModel):
    """A member moving between unions: the old union releases, the new one accepts or refuses."""

    class Status(models.TextChoices):
        PENDING = "pending", pgettext_lazy("transfer status", "Waiting for the new union")
        ACCEPTED = "accepted", pgettext_lazy("transfer status", "Accepted")
        REFUSED = "refused", pgettext_lazy("transfer status", "Refused")
        CANCELLED = "cancelled", pgettext_lazy("transfer status", "Withdrawn")

    member = models.ForeignKey(
        Member, models.CASCADE, related_name="transfers", verbose_name=pgettext_lazy("union member", "member")
    )
    from_union = models.ForeignKey("core.Union", models.PROTECT, related_name="+", verbose_name=_("from union"))
    to_union = models.ForeignKey("core.Union", models.PROTECT, related_name="+", verbose_name=_("to union"))
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.PENDING)
    note = models.CharField(_("note"), max_length=200, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("released by"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("decided by")
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    # The roster entry created in the new union on acceptance.
    new_member = models.ForeignKey(
        Member, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("entry in the new union")
    )

    objects = TransferQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("member transfer")
        verbose_name_plural = _("member transfers")
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(status="pending"), name="members_one_pending_transfer"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.to_union}"

    @property
    def is_pending(self) -> bool:
        return self.status == self.Status.PENDING
