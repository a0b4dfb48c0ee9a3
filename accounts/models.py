"""Accounts: one-time codes, the verified contacts of an account and its signed-in sessions."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Profile(models.Model):
    """What an account proved with a one-time code: its phone, its email, and when.

    `phone` and `email` hold only contacts proven with a code (unique among accounts), so a
    password reset or an activation finds the one account they belong to. The editable
    contact email of the account stays in `User.email`.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="account_profile", verbose_name=_("user")
    )
    phone = models.CharField(_("verified mobile phone"), max_length=20, blank=True)
    email = models.EmailField(_("verified email"), blank=True)
    # Set when the account proved a phone or an email by code (sign-up or activation): the
    # verified public, who may vote in contests open to the public.
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("account profile")
        verbose_name_plural = _("account profiles")
        constraints = [
            models.UniqueConstraint(fields=["phone"], condition=~Q(phone=""), name="accounts_profile_phone_unique"),
            models.UniqueConstraint(fields=["email"], condition=~Q(email=""), name="accounts_profile_email_unique"),
        ]

    def __str__(self) -> str:
        return str(self.user)


class OneTimeCode(models.Model):
    """A six-digit code sent to a phone or an email; only its keyed hash is stored."""

    class Purpose(models.TextChoices):
        ACTIVATE = "activate", _("Activate a member account")
        SIGNUP = "signup", _("Sign up")
        RESET = "reset", _("Reset the password")

    purpose = models.CharField(_("purpose"), max_length=16, choices=Purpose)
    target = models.CharField(_("sent to"), max_length=254)  # normalised phone or lower-case email
    salt = models.CharField(_("salt"), max_length=32)
    code_hash = models.CharField(pgettext_lazy("accounts", "code hash"), max_length=64)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    expires_at = models.DateTimeField(pgettext_lazy("accounts", "expires at"))
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = pgettext_lazy("accounts", "one-time code")
        verbose_name_plural = pgettext_lazy("accounts", "one-time codes")
        indexes = [models.Index(fields=["target", "purpose", "-created_at"], name="accounts_code_target")]

    def __str__(self) -> str:
        return f"{self.get_purpose_display()} {self.created_at:%Y-%m-%d %H:%M}"


class SessionRecord(models.Model):
    """A session an account signed in with, so its owner can list them and sign out everywhere."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="session_records", verbose_name=_("user")
    )
    session_key = models.CharField(_("session key"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("signed in at"), default=timezone.now)
    ip_address = models.CharField(_("address"), max_length=45, blank=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("signed-in session")
        verbose_name_plural = _("signed-in sessions")

    def __str__(self) -> str:
        return f"{self.user} {self.created_at:%Y-%m-%d %H:%M}"
