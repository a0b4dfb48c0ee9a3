"""Writes of the accounts app: one-time codes, activation, sign-up, reset, sessions, deletion.

One-time codes are guessed in a space of 1,000,000. Three limits make that hopeless: each
code takes at most ACCOUNTS_CODE_ATTEMPTS tries (then it is dead), a number or address gets
one code per ACCOUNTS_CODE_INTERVAL seconds and ACCOUNTS_CODES_PER_TARGET_HOUR an hour, and a
client address gets ACCOUNTS_CODES_PER_ADDRESS_HOUR codes and ACCOUNTS_CHECKS_PER_ADDRESS_HOUR
wrong codes an hour. The counters live in the shared cache, like the sign-in throttle.

`code_check` writes its attempt count in its own transaction: call it outside
`transaction.atomic`, or a refused guess would be rolled back and not counted.
"""

import contextlib
import hashlib
import hmac
import logging
import secrets
import uuid
from importlib import import_module

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import AbstractUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from .contacts import is_email, mask_target
from .models import OneTimeCode, Profile, SessionRecord
from .sms import sms_backend

logger = logging.getLogger(__name__)
User = get_user_model()
HOUR = 3600

# --- Limits in the shared cache --------------------------------------------------------------


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:24]


def _count(key: str, window: int) -> int:
    """Add one to a fixed-window counter and return it."""
    if cache.add(key, 1, timeout=window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.add(key, 1, timeout=window)
        return 1


def _throttled(message: str) -> ValidationError:
    return ValidationError(message, code="throttled")


def code_throttle(*, target: str, address: str) -> None:
    """Count one code request for `target` from `address`; ValidationError when over a limit."""
    target_key, address_key = _digest(target), _digest(address)
    interval = settings.ACCOUNTS_CODE_INTERVAL
    if not cache.add(f"otc:wait:{target_key}", 1, timeout=interval):
        raise _throttled(_("A code was sent just now. Wait a minute before asking for another."))
    if _count(f"otc:hour:{target_key}", HOUR) > settings.ACCOUNTS_CODES_PER_TARGET_HOUR:
        raise _throttled(_("Too many codes for this number or address. Try again in an hour."))
    if _count(f"otc:addr:{address_key}", HOUR) > settings.ACCOUNTS_CODES_PER_ADDRESS_HOUR:
        raise _throttled(_("Too many codes requested from your network. Try again in an hour."))


def _checks_key(address: str) -> str:
    return f"otc:wrong:{_digest(address)}"


# --- Codes ------------------------------------------------------------------------------------


def _hash(*, purpose: str, target: str, salt: str, code: str) -> str:
    message = f"{purpose}|{target}|{salt}|{code}".encode()
    return hmac.new(str(settings.SECRET_KEY).encode(), message, hashlib.sha256).hexdigest()


def _deliver(*, purpose: str, target: str, code: str) -> None:
    label = OneTimeCode.Purpose(purpose).label
    text = _("UnionPortal code {code}, to {purpose}. It expires in 10 minutes. Never tell anyone this code.").format(
        code=code, purpose=str(label).lower()
    )
    try:
        if is_email(target):
            send_mail(_("Your UnionPortal code"), text, None, [target])
        else:
            sms_backend().send(target, text)
    except Exception:
        logger.exception("Could not send a one-time code to %s", mask_target(target))
        raise ValidationError(_("The code could not be sent. Try again later."), code="delivery") from None


def code_send(*, purpose: str, target: str, address: str, throttle: bool = True) -> None:
    """Send a fresh code for `purpose` to `target` (normalised); earlier codes of it stop working."""
    if throttle:
        code_throttle(target=target, address=address)
    code = f"{secrets.randbelow(1_000_000):06d}"
    salt = secrets.token_hex(16)
    now = timezone.now()
    with transaction.atomic():
        OneTimeCode.objects.filter(purpose=purpose, target=target, used_at__isnull=True, expires_at__gt=now).update(
            expires_at=now
        )
        OneTimeCode.objects.create(
            purpose=purpose,
            target=target,
            salt=salt,
            code_hash=_hash(purpose=purpose, target=target, salt=salt, code=code),
            created_at=now,
            expires_at=now + timezone.timedelta(seconds=settings.ACCOUNTS_CODE_TTL),
        )
        _deliver(purpose=purpose, target=target, code=code)  # a failure keeps no code


def _wrong(address: str) -> ValidationError:
    _count(_checks_key(address), HOUR)
    return ValidationError(_("The code is wrong or has expired."), code="code")


def code_check(*, purpose: str, target: str, code, address: str, consume: bool = True) -> OneTimeCode:
    """The live code of `target` for `purpose` if `code` is it; each call uses up one attempt."""
    if (cache.get(_checks_key(address)) or 0) >= settings.ACCOUNTS_CHECKS_PER_ADDRESS_HOUR:
        raise _throttled(_("Too many wrong codes from your network. Try again in an hour."))
    code = str(code or "").strip()
    if len(code) != 6 or not code.isascii() or not code.isdigit():
        raise ValidationError(_("Enter the 6-digit code."), code="code")
    now = timezone.now()
    otc = (
        OneTimeCode.objects.filter(purpose=purpose, target=target, used_at__isnull=True, expires_at__gt=now)
        .order_by("-created_at", "-pk")
        .first()
    )
    if otc is None:
        raise _wrong(address)
    # One conditional UPDATE per try: concurrent guesses cannot share an attempt.
    counted = OneTimeCode.objects.filter(
        pk=otc.pk, used_at__isnull=True, attempts__lt=settings.ACCOUNTS_CODE_ATTEMPTS
    ).update(attempts=F("attempts") + 1)
    if not counted:
        _count(_checks_key(address), HOUR)
        raise ValidationError(_("Too many tries for this code. Ask for a new one."), code="dead")
    expected = _hash(purpose=purpose, target=target, salt=otc.salt, code=code)
    if not hmac.compare_digest(expected, otc.code_hash):
        raise _wrong(address)
    if consume:
        code_consume(otc=otc)
    return otc


def code_consume(*, otc: OneTimeCode) -> None:
    """Use a checked code up; ValidationError when another request used it first."""
    now = timezone.now()
    if not OneTimeCode.objects.filter(pk=otc.pk, used_at__isnull=True).update(used_at=now):
        raise ValidationError(_("The code is wrong or has expired."), code="code")
    otc.used_at = now


# --- Accounts ---------------------------------------------------------------------------------


def account_for(target: str) -> AbstractUser | None:
    """The account `target` (a normalised phone or email) belongs to, or None.

    In order: the account that proved it with a code; the account linked to the one active
    roster entry with it (an account an officer opened, whose owner sets a password by reset);
    the account whose username it is.
    """
    from members.models import Member

    field = "email" if is_email(target) else "phone"
    profile = Profile.objects.select_related("user").filter(**{field: target}).first()
    if profile is not None:
        return profile.user
    lookup = {"email__iexact": target} if is_email(target) else {"phone": target}
    linked = list(Member.objects.active().filter(user__isnull=False, **lookup).select_related("user")[:2])
    if len(linked) == 1:
        return linked[0].user
    return User.objects.filter(username__iexact=target).order_by("pk").first()


def _check_password(password: str, *, user: AbstractUser) -> None:
    password_validation.validate_password(password, user=user)


def _prove(*, user: AbstractUser, target: str) -> Profile:
    """Record that `user` proved `target` with a code."""
    profile, _created = Profile.objects.get_or_create(user=user)
    if is_email(target):
        profile.email = target
    else:
        profile.phone = target
    profile.verified_at = profile.verified_at or timezone.now()
    profile.save()
    return profile


def _new_user(*, target: str, name: str) -> AbstractUser:
    if User.objects.filter(username__iexact=target).exists():
        raise ValidationError(_("An account already uses this number or address."), code="exists")
    user = User(username=target, first_name=name[:150], email=target if is_email(target) else "")
    return user


def account_activate(*, target: str, code, password: str, address: str):
    """A roster member proves their phone or email: their account is made (or found) and linked.

    Returns (user, member). The code is used up only when the roster has an entry for them.
    """
    from members.models import Member
    from members.selectors import roster_match
    from members.services import member_link_user

    _check_password(password, user=User(username=target))
    otc = code_check(purpose=OneTimeCode.Purpose.ACTIVATE, target=target, code=code, address=address, consume=False)
    # Only now, with the code proving the number is theirs, may the answer depend on the account.
    existing = account_for(target)
    if existing is not None and not existing.is_active:
        raise ValidationError(_("This account is switched off. Ask your union."), code="inactive")
    if existing is not None:
        _check_password(password, user=existing)
    if existing is not None and Member.objects.filter(user=existing).exists():
        raise ValidationError(_("Your account is already active. Sign in, or reset your password."), code="exists")
    member = roster_match(email=target) if is_email(target) else roster_match(phone=target)
    if member is None:
        raise ValidationError(
            _(
                "This number or address is not on a union's member roster. Ask your union to add you"
                " to its roster, then try again (or sign up as a member of the public)."
            ),
            code="no_match",
        )
    try:
        with transaction.atomic():
            code_consume(otc=otc)
            user = existing or _new_user(target=target, name=member.name)
            user.set_password(password)
            if not user.first_name:
                user.first_name = member.name
            user.save()
            _prove(user=user, target=target)
            member = member_link_user(member=member, user=user)
    except IntegrityError:  # another request made the account or proved the contact first
        raise ValidationError(_("An account already uses this number or address."), code="exists") from None
    return user, member


def account_signup(*, target: str, code, password: str, address: str, name: str = ""):
    """A member of the public proves their phone or email and gets a verified account.

    When the roster has an entry for them, it is linked too. Returns (user, member or None).
    """
    from members.selectors import roster_match
    from members.services import member_link_user

    _check_password(password, user=User(username=target, first_name=name))
    otc = code_check(purpose=OneTimeCode.Purpose.SIGNUP, target=target, code=code, address=address, consume=False)
    if account_for(target) is not None:
        raise ValidationError(
            _("An account already uses this number or address. Sign in, or reset its password."), code="exists"
        )
    member = roster_match(email=target) if is_email(target) else roster_match(phone=target)
    try:
        with transaction.atomic():
            code_consume(otc=otc)
            user = _new_user(target=target, name=name.strip() or (member.name if member else ""))
            user.set_password(password)
            user.save()
            _prove(user=user, target=target)
            if member is not None:
                member = member_link_user(member=member, user=user)
    except IntegrityError:  # another request made the account or proved the contact first
        raise ValidationError(_("An account already uses this number or address."), code="exists") from None
    return user, member


def reset_start(*, target: str, address: str) -> None:
    """Send a reset code when an active account uses `target`; the same answer either way."""
    code_throttle(target=target, address=address)
    user = account_for(target)
    # An account an officer created without a password gets its first one this way too.
    if user is not None and user.is_active:
        # A failed delivery is logged by _deliver; saying so would tell that the account exists.
        with contextlib.suppress(ValidationError):
            code_send(purpose=OneTimeCode.Purpose.RESET, target=target, address=address, throttle=False)


def password_reset(*, target: str, code, password: str, address: str) -> AbstractUser:
    """Set a new password with a reset code; every session of the account is signed out."""
    _check_password(password, user=User(username=target))
    otc = code_check(purpose=OneTimeCode.Purpose.RESET, target=target, code=code, address=address, consume=False)
    user = account_for(target)
    if user is None or not user.is_active:
        raise ValidationError(_("The code is wrong or has expired."), code="code")
    _check_password(password, user=user)
    with transaction.atomic():
        code_consume(otc=otc)
        user.set_password(password)
        user.save(update_fields=["password"])
        sessions_end(user=user)
    return user


@transaction.atomic
def profile_update(*, user: AbstractUser, name: str, email: str, by: AbstractUser) -> AbstractUser:
    """Change one's own name and contact email."""
    if by.pk != user.pk:
        raise PermissionDenied
    user.first_name = name.strip()[:150]
    user.last_name = ""
    user.email = email.strip().lower()
    user.save(update_fields=["first_name", "last_name", "email"])
    return user


# --- Sessions ---------------------------------------------------------------------------------


def _session_store():
    return import_module(settings.SESSION_ENGINE).SessionStore()


def session_live(session_key: str) -> bool:
    return _session_store().exists(session_key)


def session_record(*, user: AbstractUser, session_key: str, address: str = "", user_agent: str = "") -> SessionRecord:
    """Remember a session `user` signed in with (called at each sign-in); forget ended ones."""
    stale = [r.pk for r in SessionRecord.objects.filter(user=user) if not session_live(r.session_key)]
    SessionRecord.objects.filter(pk__in=stale).delete()
    record, _created = SessionRecord.objects.update_or_create(
        session_key=session_key,
        defaults={
            "user": user,
            "created_at": timezone.now(),
            "ip_address": address[:45],
            "user_agent": user_agent[:200],
        },
    )
    return record


def session_forget(*, session_key: str) -> None:
    SessionRecord.objects.filter(session_key=session_key).delete()


def sessions_end(*, user: AbstractUser, keep: str | None = None) -> int:
    """Sign `user` out of every recorded session but `keep`; returns how many were ended."""
    store = _session_store()
    records = SessionRecord.objects.filter(user=user).exclude(session_key=keep or "")
    keys = list(records.values_list("session_key", flat=True))
    for key in keys:
        store.delete(key)
    records.delete()
    return len(keys)


# --- Deleting an account (PIPL) ---------------------------------------------------------------


def account_delete(*, user: AbstractUser, by: AbstractUser) -> None:
    """Erase an account's personal data at its owner's request.

    The account row stays as an anonymous, switched-off tombstone: contest ballots point to it
    and are hash-chained with its id (contests/chain.py), so they stay counted and the chain
    intact, but nothing links them to a person any more. The roster entry (the union's record)
    is unlinked, roles and the voter record removed, proven contacts, codes and sessions deleted.
    """
    if by.pk != user.pk:
        raise PermissionDenied
    if user.is_superuser:
        raise ValidationError(_("A superuser account is removed in the back office."), code="superuser")
    from contests.models import Voter
    from contests.services import voter_delete
    from members.models import Member
    from stations.services import feedback_forget_reporter
    from unionportal.core.models import Role
    from unionportal.core.services import role_revoke

    targets = {user.username.lower(), user.email.lower()}
    profile = Profile.objects.filter(user=user).first()
    if profile is not None:
        targets |= {profile.phone, profile.email}
    targets.discard("")
    with transaction.atomic():
        for member in Member.objects.filter(user=user):
            _member_unlink(member=member, by=user)
        for voter in Voter.objects.filter(user=user):
            voter_delete(voter=voter, by=None)
        for role in Role.objects.filter(user=user).select_related("union", "user"):
            role_revoke(role=role, by=None)
        feedback_forget_reporter(user=user)
        sessions_end(user=user)
        Profile.objects.filter(user=user).delete()
        OneTimeCode.objects.filter(target__in=targets).delete()
        _forget_sign_in_attempts(user.username)
        user.refresh_from_db()
        user.username = f"deleted-{uuid.uuid4().hex[:16]}"
        user.first_name = user.last_name = user.email = ""
        user.set_unusable_password()
        user.is_active = user.is_staff = False
        user.save()


def _member_unlink(*, member, by: AbstractUser) -> None:
    try:
        from members.services import member_unlink_user
    except ImportError:  # until the roster has its own service
        member_unlink_user = None
    if member_unlink_user is not None:
        member_unlink_user(member=member, by=by)
        return
    member.user = None
    member.verified_at = None
    member._history_user = by
    member.save(update_fields=["user", "verified_at", "updated_at"])


def _forget_sign_in_attempts(username: str) -> None:
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        model.objects.filter(username=username).delete()


# --- Housekeeping -----------------------------------------------------------------------------


def accounts_purge(*, now=None, keep_days: int = 30, dry_run: bool = False) -> tuple[int, int]:
    """Delete codes expired more than `keep_days` ago and records of sessions that ended.

    A code is personal data about a phone or email (who asked when) and is useless once
    expired: keep it only long enough to answer "why did I get this code?" (PIPL: no longer
    than needed). Returns (codes, session records) deleted, or that would be with dry_run.
    """
    now = now or timezone.now()
    codes = OneTimeCode.objects.filter(expires_at__lt=now - timezone.timedelta(days=keep_days))
    ended = [r.pk for r in SessionRecord.objects.only("pk", "session_key") if not session_live(r.session_key)]
    counts = codes.count(), len(ended)
    if not dry_run:
        codes.delete()
        SessionRecord.objects.filter(pk__in=ended).delete()
    return counts
