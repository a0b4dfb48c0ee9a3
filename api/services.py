"""Writes of the API app: personal tokens."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import ApiToken, token_hash

MAX_ACTIVE_TOKENS = 10


@transaction.atomic
def token_create(*, name: str, by: AbstractUser) -> tuple[ApiToken, str]:
    """A new token for `by`; returns it with its key (shown once, never stored)."""
    name = (name or "").strip()[:60]
    if not name:
        raise ValidationError(_("Give the token a name."))
    if ApiToken.objects.active().filter(user=by).count() >= MAX_ACTIVE_TOKENS:
        raise ValidationError(_("Revoke a token first: at most {n} may be active.").format(n=MAX_ACTIVE_TOKENS))
    key = ApiToken.new_key()
    token = ApiToken.objects.create(user=by, name=name, key_hash=token_hash(key), prefix=key[:8])
    return token, key


def token_revoke(*, token: ApiToken, by: AbstractUser) -> ApiToken:
    """Revoke one of one's own tokens (idempotent)."""
    if token.user_id != by.pk:
        raise ValidationError(_("Not your token."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token
