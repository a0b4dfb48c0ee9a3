"""Writes of the roster. Every writer calls these: the desk, the admin, imports, accounts."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Member


@transaction.atomic
def member_link_user(*, member: Member, user: AbstractUser) -> Member:
    """Link a roster entry to the account of the member who activated it; verified from now on."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    if member.user_id is not None:
        raise ValidationError(_("This roster entry is already linked to an account."))
    if member.status != Member.Status.ACTIVE:
        raise ValidationError(_("Only a member in the union can link an account."))
    if Member.objects.filter(user_id=user.pk).exists():
        raise ValidationError(_("This account is already linked to a roster entry."))
    member.user = user
    member.verified_at = timezone.now()
    member._history_user = user
    member.save(update_fields=["user", "verified_at", "updated_at"])
    return member
