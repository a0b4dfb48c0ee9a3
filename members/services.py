"""Writes of the roster, its transfers and the accounts officers manage. Every writer calls
these: the desk, the admin, imports, the accounts app, commands and seeders.

Audit: every export, import, transfer step, invitation and account change is written to the
core's AuditEntry log (ACTION_* below), next to the records' own history.
"""

import contextlib
import datetime as dt
import re

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.core.imports import ImportFailed, Table
from unionportal.core.models import AuditEntry, Role, Union
from unionportal.core.scoping import has_role

from .models import Member, Transfer
from .phones import mask_phone, normalise_phone

# AuditEntry.action codes written by the roster (at most 16 characters).
ACTION_EXPORT = "member_export"
ACTION_IMPORT = "member_import"
ACTION_TRANSFER = "member_transfer"
ACTION_INVITE = "member_invite"
ACTION_USER_CREATE = "user_create"
ACTION_USER_DEACTIVATE = "user_deactivate"
ACTION_DELETE = "member_delete"

MEMBER_FIELDS = ("name", "phone", "email", "card_number", "joined_on")
MOBILE = re.compile(r"^1[3-9]\d{9}$")


def audit(*, action: str, by: AbstractUser | None, union: Union | None, subject: str, detail: str = "") -> None:
    """One line of the core's readable log."""
    AuditEntry.objects.create(action=action, by=by, union=union, subject=subject[:300], detail=detail[:500])


def _require_editor(by: AbstractUser | None, union: Union) -> None:
    # None: the system (a seeder, a command, the accounts app acting for the member).
    if by is not None and not has_role(by, union, Role.EDIT_ROLES):
        raise PermissionDenied(_("You may change only the rosters of your own unions."))


def _clean_fields(fields: dict) -> dict:
    """Normalise and check one member's values; raise ValidationError with a readable message."""
    unknown = set(fields) - set(MEMBER_FIELDS)
    if unknown:
        raise ValidationError(_("Unknown fields: {names}.").format(names=", ".join(sorted(unknown))))
    out = dict(fields)
    out["name"] = str(out.get("name") or "").strip()
    if not out["name"]:
        raise ValidationError(_("The name is required."))
    if len(out["name"]) > 50:
        raise ValidationError(_("The name is too long (at most 50 characters)."))
    raw_phone = str(out.get("phone") or "").strip()
    out["phone"] = normalise_phone(raw_phone)
    if raw_phone and not MOBILE.match(out["phone"]):
        raise ValidationError(_("“{phone}” is not a mainland mobile number (11 digits).").format(phone=raw_phone))
    out["email"] = str(out.get("email") or "").strip().lower()
    if out["email"]:
        try:
            validate_email(out["email"])
        except ValidationError:
            raise ValidationError(_("“{email}” is not an email address.").format(email=out["email"])) from None
    out["card_number"] = str(out.get("card_number") or "").strip()
    if len(out["card_number"]) > 32:
        raise ValidationError(_("The member card number is too long (at most 32 characters)."))
    joined = out.get("joined_on")
    if isinstance(joined, dt.datetime):
        joined = joined.date()
    elif isinstance(joined, str):
        joined = joined.strip()
        try:
            joined = dt.date.fromisoformat(joined.replace("/", "-")) if joined else None
        except ValueError:
            raise ValidationError(_("“{date}” is not a date (YYYY-MM-DD).").format(date=joined)) from None
    if joined and joined > timezone.localdate():
        raise ValidationError(_("The joining date cannot be in the future."))
    out["joined_on"] = joined or None
    return out


def _check_unique(member: Member) -> None:
    """An active member's card number and phone belong to nobody else active on any roster."""
    others = Member.objects.active().exclude(pk=member.pk)
    if member.card_number and others.filter(card_number=member.card_number).exists():
        raise ValidationError(_("Member card number {card} is already on a roster.").format(card=member.card_number))
    if member.phone and others.filter(phone=member.phone).exists():
        raise ValidationError(_("Phone number {phone} is already on a roster.").format(phone=mask_phone(member.phone)))


@transaction.atomic
def member_create(*, union: Union, by: AbstractUser | None, **fields) -> Member:
    """Add a member to a union's roster (chairs and officers of the union's subtree)."""
    _require_editor(by, union)
    member = Member(union=union, **_clean_fields(fields))
    _check_unique(member)
    member._history_user = by
    member.save()
    return member


@transaction.atomic
def member_update(*, member: Member, by: AbstractUser | None, **fields) -> Member:
    """Change a member's name, phone, email, card number or joining date; the union changes only by a transfer."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    _require_editor(by, member.union)
    current = {name: getattr(member, name) for name in MEMBER_FIELDS}
    for name, value in _clean_fields(current | fields).items():
        setattr(member, name, value)
    if member.is_active:
        _check_unique(member)
    member._history_user = by
    member.save()
    return member


@transaction.atomic
def member_set_status(*, member: Member, status: str, by: AbstractUser | None) -> Member:
    """Mark a member as having left the union, or as back in it. Transfers go through transfer_*."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    _require_editor(by, member.union)
    if status not in (Member.Status.ACTIVE, Member.Status.LEFT):
        raise ValidationError(_("A member moves to another union through a transfer."))
    if member.status == Member.Status.TRANSFERRED:
        raise ValidationError(_("This entry was transferred out; it is kept as history."))
    if status == member.status:
        return member
    if status == Member.Status.ACTIVE:
        _check_unique(member)
    else:
        Transfer.objects.pending().filter(member=member).update(
            status=Transfer.Status.CANCELLED, decided_by=by, decided_at=timezone.now()
        )
    member.status = status
    member._history_user = by
    member.save(update_fields=["status", "updated_at"])
    return member


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


# --- Import and export ---------------------------------------------------------------------

# Column keys of a roster spreadsheet; headers are matched in English or in the UI's language.
IMPORT_COLUMNS = ("name", "phone", "email", "card_number", "joined_on")


def import_aliases() -> dict[str, str]:
    """Header text (English or Simplified Chinese) → column key."""
    from django.utils import translation

    from .forms import column_labels

    aliases = {}
    for lang in ("en", "zh-hans"):
        with translation.override(lang):
            for key, label in column_labels().items():
                label = str(label)
                # "Joined on (YYYY-MM-DD)" is also matched by "Joined on".
                short = re.split(r"\s*[(（]", label)[0]
                aliases |= {label: key, short: key, label.lower(): key, short.lower(): key}
    return aliases | {key: key for key in IMPORT_COLUMNS}


def members_import(*, table: Table, union: Union, by: AbstractUser | None) -> list[Member]:
    """Add every row of a spreadsheet to `union`'s roster: all rows, or none (ImportFailed).

    Rows are checked first (values, duplicates within the file, numbers already on a roster:
    two queries for the whole file), every bad row reported at once; then the members and
    their history rows are written in bulk, in one transaction (a 1,000-row roster in well
    under a second instead of eight statements per row)."""
    from simple_history.utils import bulk_create_with_history

    _require_editor(by, union)
    aliases = import_aliases()
    header_keys = {aliases.get(h, aliases.get(h.lower(), h.lower())) for h in table.header}
    if "name" not in header_keys:
        raise ImportFailed([(1, _("The sheet needs a “name” column (see the template)."))])
    errors: list[tuple[int, str]] = []
    rows: list[tuple[int, dict]] = []
    seen_phone: dict[str, int] = {}
    seen_card: dict[str, int] = {}
    for n, record in table.records(aliases):
        try:
            clean = _clean_fields({k: record.get(k) for k in IMPORT_COLUMNS if k in record})
        except ValidationError as e:
            errors.append((n, " ".join(e.messages)))
            continue
        for key, seen, message in (
            ("phone", seen_phone, _("Phone number {value} is also in row {row}.")),
            ("card_number", seen_card, _("Member card number {value} is also in row {row}.")),
        ):
            value = clean[key]
            if value and value in seen:
                shown = mask_phone(value) if key == "phone" else value
                errors.append((n, message.format(value=shown, row=seen[value])))
            elif value:
                seen[value] = n
        rows.append((n, clean))
    active = Member.objects.active()
    taken_phones = set(active.filter(phone__in=list(seen_phone)).values_list("phone", flat=True))
    taken_cards = set(active.filter(card_number__in=list(seen_card)).values_list("card_number", flat=True))
    for n, clean in rows:
        if clean["phone"] in taken_phones:
            errors.append(
                (n, _("Phone number {phone} is already on a roster.").format(phone=mask_phone(clean["phone"])))
            )
        if clean["card_number"] in taken_cards:
            errors.append((n, _("Member card number {card} is already on a roster.").format(card=clean["card_number"])))
    if errors:
        raise ImportFailed(sorted(errors))
    if not rows:
        raise ImportFailed([(0, _("The file has no members in it."))])
    try:
        with transaction.atomic():
            created = bulk_create_with_history(
                [Member(union=union, **clean) for _n, clean in rows], Member, batch_size=1000, default_user=by
            )
            audit(
                action=ACTION_IMPORT,
                by=by,
                union=union,
                subject=union.name,
                detail=_("{n} members imported").format(n=len(created)),
            )
    except IntegrityError:
        # Another import took one of these card numbers at the same moment: nothing was saved.
        raise ImportFailed([(0, _("A member card number of this file was just added elsewhere; try again."))]) from None
    return created


def members_export_log(*, by: AbstractUser, union: Union | None, what: str, rows: int) -> None:
    """Log an export of roster data (names and full phone numbers leave the portal)."""
    audit(
        action=ACTION_EXPORT,
        by=by,
        union=union,
        subject=what,
        detail=_("{n} rows").format(n=rows),
    )


# --- Transfers -----------------------------------------------------------------------------


@transaction.atomic
def transfer_release(*, member: Member, to_union: Union, by: AbstractUser | None, note: str = "") -> Transfer:
    """The old union releases a member to another union; the member moves once that union accepts."""
    member = Member.objects.select_for_update().get(pk=member.pk)
    _require_editor(by, member.union)
    if not member.is_active:
        raise ValidationError(_("Only a member in the union can be transferred."))
    if to_union.pk == member.union_id:
        raise ValidationError(_("The member is already in this union."))
    if Transfer.objects.pending().filter(member=member).exists():
        raise ValidationError(_("This member already has a transfer waiting."))
    transfer = Transfer(
        member=member, from_union=member.union, to_union=to_union, released_by=by, note=str(note or "")[:200]
    )
    transfer._history_user = by
    transfer.save()
    audit(
        action=ACTION_TRANSFER,
        by=by,
        union=member.union,
        subject=f"{member.name}: {member.union.name} → {to_union.name}",
        detail="released",
    )
    return transfer


def _decide(transfer: Transfer, *, status: str, by: AbstractUser | None) -> Transfer:
    transfer.status = status
    transfer.decided_by = by
    transfer.decided_at = timezone.now()
    transfer._history_user = by
    transfer.save()
    audit(
        action=ACTION_TRANSFER,
        by=by,
        union=transfer.to_union if status != Transfer.Status.CANCELLED else transfer.from_union,
        subject=f"{transfer.member.name}: {transfer.from_union.name} → {transfer.to_union.name}",
        detail=status,
    )
    return transfer


def _pending(transfer: Transfer) -> Transfer:
    transfer = (
        Transfer.objects.select_for_update().select_related("member", "from_union", "to_union").get(pk=transfer.pk)
    )
    if not transfer.is_pending:
        raise ValidationError(_("This transfer has already been decided."))
    return transfer


@transaction.atomic
def transfer_accept(*, transfer: Transfer, by: AbstractUser | None) -> Transfer:
    """The new union takes the member in: a new roster entry there, the old one kept as 'transferred out'."""
    transfer = _pending(transfer)
    _require_editor(by, transfer.to_union)
    old = Member.objects.select_for_update().get(pk=transfer.member_id)
    if not old.is_active:
        raise ValidationError(_("This member is no longer in the union that released them."))
    user, verified_at = old.user, old.verified_at
    old.status = Member.Status.TRANSFERRED
    old.user = None  # the account follows the member to the new union
    old._history_user = by
    old._change_reason = f"→ {transfer.to_union.name}"[:100]
    old.save()
    new = Member(
        union=transfer.to_union,
        name=old.name,
        phone=old.phone,
        email=old.email,
        card_number=old.card_number,
        joined_on=old.joined_on,
        user=user,
        verified_at=verified_at,
    )
    new._history_user = by
    new._change_reason = f"← {transfer.from_union.name}"[:100]
    new.save()
    transfer.new_member = new
    return _decide(transfer, status=Transfer.Status.ACCEPTED, by=by)


@transaction.atomic
def transfer_refuse(*, transfer: Transfer, by: AbstractUser | None) -> Transfer:
    """The new union declines; the member stays where they were."""
    transfer = _pending(transfer)
    _require_editor(by, transfer.to_union)
    return _decide(transfer, status=Transfer.Status.REFUSED, by=by)


@transaction.atomic
def transfer_cancel(*, transfer: Transfer, by: AbstractUser | None) -> Transfer:
    """The old union withdraws a release that is still waiting."""
    transfer = _pending(transfer)
    _require_editor(by, transfer.from_union)
    return _decide(transfer, status=Transfer.Status.CANCELLED, by=by)


# --- Accounts managed on the desk ----------------------------------------------------------
# Two ways in for a person of the union:
# - invite (member_invite): the roster entry is written (or found) and marked invited; the
#   member activates their own account with a one-time code sent to that phone or email
#   (the accounts app matches them with roster_match and links them with member_link_user).
#   No account and no password exist until the member proves the number is theirs.
# - create (user_create): an officer opens an account at once (e.g. for someone who will get
#   a role), with an unusable password; its owner sets one through the password reset by
#   phone or email code. The account is linked to a roster entry of the union, so it is
#   within that union's subtree for every later grant, deactivation and list.


@transaction.atomic
def member_invite(*, union: Union, by: AbstractUser | None, name: str, phone: str = "", email: str = "") -> Member:
    """Put a person on the roster (or find their entry) and mark them invited to activate an account."""
    _require_editor(by, union)
    clean = _clean_fields({"name": name, "phone": phone, "email": email})
    if not clean["phone"] and not clean["email"]:
        raise ValidationError(_("An invitation needs a mobile number or an email address."))
    member = None
    if clean["phone"]:
        member = Member.objects.active().filter(union=union, phone=clean["phone"]).first()
    if member is None and clean["email"]:
        member = Member.objects.active().filter(union=union, email__iexact=clean["email"]).first()
    if member is None:
        member = member_create(union=union, by=by, **clean)
    if member.user_id is not None:
        raise ValidationError(_("This member already has an account."))
    member.invited_at = timezone.now()
    member._history_user = by
    member.save(update_fields=["invited_at", "updated_at"])
    audit(
        action=ACTION_INVITE,
        by=by,
        union=union,
        subject=member.name,
        detail=mask_phone(member.phone) or member.email,
    )
    transaction.on_commit(lambda: _send_invitation(member))
    return member


def _send_invitation(member: Member) -> None:
    """Tell the person how to activate: by email, and by SMS through the accounts app's backend."""
    from django.conf import settings
    from django.core.mail import send_mail

    text = _(
        "{union} has put you on its member roster. Activate your account at {url} with this phone "
        "number or email address: you will receive a one-time code."
    ).format(union=member.union.name, url=getattr(settings, "PORTAL_URL", "") + "/accounts/")
    if member.email:
        send_mail(_("Your union invites you"), text, None, [member.email], fail_silently=True)
    if member.phone:
        from accounts.sms import SmsError, sms_backend  # the accounts app's pluggable SMS backend

        # A failed text message does not undo the invitation; the officer can invite again.
        with contextlib.suppress(SmsError):
            sms_backend().send(member.phone, text)


@transaction.atomic
def user_create(
    *, union: Union, by: AbstractUser | None, username: str, name: str, phone: str = "", email: str = ""
) -> AbstractUser:
    """Open an account for a person of `union` (unusable password until they reset it), on its roster."""
    _require_editor(by, union)
    User = get_user_model()
    username = str(username or "").strip()
    if not username:
        raise ValidationError(_("The username is required."))
    try:
        User.username_validator(username)
    except ValidationError:
        raise ValidationError(_("A username may contain only letters, digits and the characters @ . + - _.")) from None
    if len(username) > 150:
        raise ValidationError(_("The username is too long."))
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError(_("The username “{username}” is taken.").format(username=username))
    clean = _clean_fields({"name": name, "phone": phone, "email": email})
    if not clean["phone"] and not clean["email"]:
        raise ValidationError(_("An account needs a mobile number or an email address to be reached."))
    user = User(username=username, first_name=clean["name"][:150], email=clean["email"])
    user.set_unusable_password()
    user.save()
    member = None
    if clean["phone"]:
        member = Member.objects.active().filter(union=union, phone=clean["phone"], user__isnull=True).first()
    if member is None:
        member = member_create(union=union, by=by, **clean)
    member.user = user
    member.verified_at = timezone.now()  # vouched for by the union's officer
    member._history_user = by
    member.save(update_fields=["user", "verified_at", "updated_at"])
    audit(action=ACTION_USER_CREATE, by=by, union=union, subject=username, detail=clean["name"])
    return user


def _require_reach(*, user: AbstractUser, by: AbstractUser | None) -> None:
    """`by` may manage `user`: the account belongs to by's subtree, holds no role by could not
    grant, and is not by's own nor a superuser's."""
    from . import selectors

    if by is None:
        return
    if user.pk == by.pk:
        raise ValidationError(_("You cannot do this to your own account."))
    if user.is_superuser and not by.is_superuser:
        raise PermissionDenied
    if by.is_superuser:
        return
    if not selectors.users_of_subtree(by).filter(pk=user.pk).exists():
        raise PermissionDenied
    from unionportal.core.services import grantable_kinds

    for role in Role.objects.filter(user=user).select_related("union"):
        if role.kind not in grantable_kinds(by=by, union=role.union):
            raise PermissionDenied(_("This account holds a role above yours."))
    if (
        Member.objects.filter(user=user, status=Member.Status.ACTIVE)
        .exclude(union__in=selectors.editable_unions(by))
        .exists()
    ):
        raise PermissionDenied


@transaction.atomic
def user_deactivate(*, user: AbstractUser, by: AbstractUser | None) -> AbstractUser:
    """Close an account of the subtree: it can no longer sign in; its records and history stay."""
    _require_reach(user=user, by=by)
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        audit(action=ACTION_USER_DEACTIVATE, by=by, union=None, subject=user.username)
    return user


def user_role_grant(*, user: AbstractUser, union: Union, kind: str, by: AbstractUser | None) -> Role:
    """Grant a role from the desk: the core's grant rules (logged there), to an account of by's subtree."""
    from unionportal.core.services import role_grant

    if by is not None and user.pk != by.pk:
        _require_reach(user=user, by=by)
    return role_grant(user=user, union=union, kind=kind, by=by)


@transaction.atomic
def member_delete(*, member: Member, by: AbstractUser | None) -> None:
    """Erase a roster entry (e.g. a person's request under PIPL); its transfers go with it."""
    _require_editor(by, member.union)
    audit(action=ACTION_DELETE, by=by, union=member.union, subject=member.name)
    member._history_user = by
    member.delete()
