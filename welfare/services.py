"""Writes of the welfare app: every one atomic, every look at personal data logged."""

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.core.http import client_ip
from unionportal.core.images import CleanImage, clean_image
from unionportal.core.models import Union
from unionportal.core.scoping import has_role, union_scope

from . import identity
from .eligibility import Assessment, eligibility_assess
from .models import (
    VISIT_LEVEL_MESSAGE,
    WELFARE,
    AccessLog,
    Assistance,
    Campaign,
    CampaignItem,
    Cause,
    Employee,
    FileEvent,
    HandoutCode,
    HandoutLine,
    HardshipFile,
    HouseholdMember,
    MinimumLivingLine,
    Visit,
    VisitPhoto,
    YearlyCap,
)
from .models import Handout as HandoutModel

REVIEW_EVERY = dt.timedelta(days=365)
ACCIDENT_SHARE = Decimal("0.8")
CENT = Decimal("0.01")


def _require(user, union: Union) -> None:
    if user is not None and not has_role(user, union, WELFARE):
        raise PermissionDenied


# --- Access log ---------------------------------------------------------------------------


def access_log_write(
    *, user, union: Union | int, action: str, what: str, file: HardshipFile | None = None, request=None
) -> AccessLog:
    """Append one entry to the access log (the log is never changed afterwards)."""
    return AccessLog.objects.create(
        union_id=union if isinstance(union, int) else union.pk,
        user=user if user is not None and user.is_authenticated else None,
        username=getattr(user, "username", "") or "",
        action=action,
        file=file,
        what=what[:200],
        ip=(client_ip(request) or None) if request is not None else None,
    )


def access_log_id_search(*, user, files, what: str, request=None) -> None:
    """A search by a full ID number is a look at personal data: one entry per owning union of
    the files found (at most ten)."""
    for union_id in files.order_by().values_list("union_id", flat=True).distinct()[:10]:
        access_log_write(user=user, union=union_id, action=AccessLog.Action.SEARCH, what=what, request=request)


def can_reveal(user) -> bool:
    """Revealing a clear ID number needs the explicit permission, on top of the welfare role."""
    return bool(user and user.is_authenticated and user.has_perm("welfare.reveal_id_number"))


def id_reveal(*, file: HardshipFile, user, request=None) -> str:
    """The clear ID number of a file the user may see, for a user allowed to reveal; logged."""
    if not can_reveal(user) or not HardshipFile.objects.visible_to(user).filter(pk=file.pk).exists():
        raise PermissionDenied
    access_log_write(
        user=user,
        union=file.union_id,
        action=AccessLog.Action.REVEAL,
        file=file,
        what=_("ID number of file #{pk}").format(pk=file.pk),
        request=request,
    )
    return identity.decrypt(file.id_number_encrypted)


# --- Eligibility --------------------------------------------------------------------------


def line_for(region: str, year: int) -> Decimal | None:
    """The minimum-living line of the region for the year (the latest earlier one when missing)."""
    row = MinimumLivingLine.objects.filter(region=region, year__lte=year).order_by("-year").first() if region else None
    return row.monthly_amount if row else None


def household_recompute(*, file: HardshipFile, save: bool = True) -> Assessment:
    """Recompute the household's figures and the suggested category from its members."""
    members = list(file.members.all()) if file.pk else []
    file.household_size = len(members)
    file.household_income = sum((m.yearly_income for m in members), Decimal(0))
    result = eligibility_assess(
        household_income=file.household_income,
        rigid_expenses=file.rigid_expenses or Decimal(0),
        household_size=file.household_size,
        line=line_for(file.region, timezone.localdate().year),
        accident_loss=file.accident_loss or Decimal(0),
    )
    file.per_capita_monthly = result.per_capita_monthly
    file.suggested_category = result.category
    file.line_amount = result.line
    if save:
        file.save(
            update_fields=[
                "household_size",
                "household_income",
                "per_capita_monthly",
                "suggested_category",
                "line_amount",
                "updated_at",
            ]
        )
    return result


# --- Files --------------------------------------------------------------------------------


def parse_income(value, *, label: str) -> Decimal:
    """A yearly income as typed: a number of yuan, not negative."""
    try:
        amount = Decimal(str(value).strip().replace(",", "")) if value not in (None, "") else Decimal(0)
    except InvalidOperation:
        raise ValidationError(_('{label}: "{value}" is not an amount of money.').format(label=label, value=value))
    if not amount.is_finite() or amount < 0:
        raise ValidationError(_("{label}: an income cannot be negative.").format(label=label))
    if amount >= Decimal("100000000"):
        raise ValidationError(_("{label}: this income is implausibly large.").format(label=label))
    return amount.quantize(CENT)


def _set_id(file: HardshipFile, id_number: str, *, by: AbstractUser | None) -> None:
    number = identity.validate_id_number(id_number)
    digest = identity.lookup_hash(number)
    duplicate = HardshipFile.objects.filter(id_number_hash=digest).exclude(pk=file.pk)
    if by is not None:
        # Only the files the acting user may see count: "already exists" for a file in another
        # union would tell that this person has a hardship file there (personal data, PIPL).
        # Such twins are visible together, and reconciled, from the union above both.
        duplicate = duplicate.visible_to(by)
    if duplicate.exists():
        raise ValidationError(_("A hardship file with this ID number already exists."), code="id_duplicate")
    file.id_number_encrypted = identity.encrypt(number)
    file.id_number_hash = digest
    file.id_number_masked = identity.mask(number)


@transaction.atomic
def file_create(
    *, union: Union, by: AbstractUser | None, id_number: str, members: Iterable[dict] = (), **fields
) -> HardshipFile:
    """Open a file (at the application stage) with its household; all or nothing."""
    _require(by, union)
    causes = [c for c in fields.pop("causes", []) or [] if c in Cause.values]
    if not fields.get("region"):
        # The minimum-living line of the employer union's region applies unless told otherwise.
        fields["region"] = union.region
    file = HardshipFile(union=union, created_by=by, causes=causes, **fields)
    _set_id(file, id_number, by=by)
    file.full_clean(exclude=["id_number_encrypted", "id_number_hash", "id_number_masked"])
    file.save()
    household_set(file=file, members=members)
    FileEvent.objects.create(file=file, action=FileEvent.Action.OPENED, stage=file.stage, by=by)
    return file


@transaction.atomic
def file_update(*, file: HardshipFile, by: AbstractUser | None, id_number: str = "", **fields) -> HardshipFile:
    """Save edited fields (validated by the form); a new ID number is re-encrypted."""
    if fields.get("causes") is not None:
        fields["causes"] = [c for c in fields["causes"] if c in Cause.values]
    for name, value in fields.items():
        setattr(file, name, value)
    if id_number:
        _set_id(file, id_number, by=by)
    file.save()
    household_recompute(file=file)
    return file


@transaction.atomic
def household_set(*, file: HardshipFile, members: Iterable[dict]) -> Assessment:
    """Replace the household's members (name, relation, yearly_income) and recompute."""
    rows = []
    for i, m in enumerate(members, start=1):
        if not (m.get("relation") or m.get("name")):
            continue
        income = parse_income(m.get("yearly_income"), label=_("Member {n}").format(n=i))
        rows.append(
            HouseholdMember(
                file=file,
                name=(m.get("name") or "")[:50],
                relation=(m.get("relation") or "")[:30] or _("member"),
                yearly_income=income,
            )
        )
    file.members.all().delete()
    HouseholdMember.objects.bulk_create(rows)
    return household_recompute(file=file)


@transaction.atomic
def file_set_category(*, file: HardshipFile, category: str, reason: str = "", by: AbstractUser | None) -> HardshipFile:
    """The officer confirms the suggested category, or overrides it with a reason."""
    if category not in HardshipFile.Category.values:
        raise ValidationError(_("Choose a category."))
    reason = (reason or "").strip()
    if category != file.suggested_category and not reason:
        raise ValidationError(_("Give a reason for choosing another category than the suggested one."))
    file.category = category
    file.override_reason = reason if category != file.suggested_category else ""
    file.save(update_fields=["category", "override_reason", "updated_at"])
    action = FileEvent.Action.CATEGORY_OVERRIDDEN if file.override_reason else FileEvent.Action.CATEGORY_CONFIRMED
    FileEvent.objects.create(file=file, action=action, category=category, note=file.override_reason, by=by)
    return file


NEXT_STAGE = {
    HardshipFile.Stage.APPLICATION: HardshipFile.Stage.FIRST_CHECK,
    HardshipFile.Stage.FIRST_CHECK: HardshipFile.Stage.HOME_VISIT,
    HardshipFile.Stage.HOME_VISIT: HardshipFile.Stage.APPROVAL,
    HardshipFile.Stage.APPROVAL: HardshipFile.Stage.NOTICE,
    HardshipFile.Stage.NOTICE: HardshipFile.Stage.FILED,
}


@transaction.atomic
def file_advance(
    *,
    file: HardshipFile,
    by: AbstractUser | None,
    note: str = "",
    objections: str = "",
    reject: bool = False,
    today: dt.date | None = None,
) -> HardshipFile:
    """Move a file one step along application → check → visit → approval → notice → filed."""
    today = today or timezone.localdate()
    if reject:
        if file.stage == HardshipFile.Stage.FILED:
            raise ValidationError(_("A filed file cannot be rejected; close it instead."))
        file.stage = HardshipFile.Stage.REJECTED
        file.status = HardshipFile.Status.CLOSED
        file.closed_on = today
    else:
        nxt = NEXT_STAGE.get(file.stage)
        if nxt is None:
            raise ValidationError(_("This file has no further step."))
        if nxt == HardshipFile.Stage.NOTICE and not file.category:
            raise ValidationError(_("Confirm the category before the public notice."))
        if file.stage == HardshipFile.Stage.NOTICE:
            ends = (file.notice_starts or today) + dt.timedelta(days=file.notice_days)
            if today < ends:
                raise ValidationError(
                    _("The public notice runs until {date}; the file can be filed after that.").format(date=ends)
                )
        if objections.strip():
            file.objections = (file.objections + "\n" + objections.strip()).strip()
        file.stage = nxt
        if nxt == HardshipFile.Stage.NOTICE:
            file.notice_starts = today
        if nxt == HardshipFile.Stage.FILED:
            file.filed_on = today
            file.status = HardshipFile.Status.FILED
            file.review_due = today + REVIEW_EVERY
    file.save()
    FileEvent.objects.create(
        file=file,
        action=FileEvent.Action.REJECTED if reject else FileEvent.Action.STEP,
        stage=file.stage,
        note="\n".join(t for t in (note.strip(), objections.strip()) if t),
        by=by,
    )
    return file


@transaction.atomic
def file_review(
    *, file: HardshipFile, by: AbstractUser | None, status: str, note: str = "", today: dt.date | None = None
) -> HardshipFile:
    """The yearly review of dynamic management: a new status and the next due date."""
    today = today or timezone.localdate()
    if status not in HardshipFile.Status.values:
        raise ValidationError(_("Choose a status."))
    file.status = status
    file.review_due = None if status == HardshipFile.Status.CLOSED else today + REVIEW_EVERY
    file.closed_on = today if status == HardshipFile.Status.CLOSED else None
    file.save(update_fields=["status", "review_due", "closed_on", "updated_at"])
    FileEvent.objects.create(file=file, action=FileEvent.Action.REVIEW, status=status, note=note.strip(), by=by)
    return file


# --- Visits and assistance ----------------------------------------------------------------


@transaction.atomic
def visit_create(
    *,
    union: Union,
    by: AbstractUser | None,
    photos: Iterable[CleanImage] = (),
    file: HardshipFile | None = None,
    **fields,
) -> Visit:
    """Log a visit with its photos; all or nothing."""
    _require(by, union)
    if file is not None and not file.union.is_within(union):
        # Everyone who sees the visit must be allowed to see the file it names.
        raise ValidationError(VISIT_LEVEL_MESSAGE)
    if file is not None and fields.get("kind") == Visit.Kind.GROUP:
        fields["kind"] = Visit.Kind.WORKER
    visit = Visit(union=union, file=file, created_by=by, **fields)
    visit.full_clean()
    visit.save()
    for photo in photos:
        VisitPhoto.objects.create(visit=visit, image=photo.image, thumbnail=photo.thumbnail)
    return visit


@transaction.atomic
def assistance_add(*, file: HardshipFile, by: AbstractUser | None, **fields) -> Assistance:
    """Record an assistance measure for a file; the file counts as being helped."""
    _require(by, file.union)
    measure = Assistance(union_id=file.union_id, file=file, **fields)
    measure.full_clean()
    measure.save()
    if file.status in (HardshipFile.Status.FILED, HardshipFile.Status.BACK):
        file.status = HardshipFile.Status.HELPED
        file.save(update_fields=["status", "updated_at"])
    return measure


def cap_for(union: Union, caps: Iterable[YearlyCap]) -> Decimal | None:
    """The cap of the nearest union at or above `union` among `caps` (one year's caps)."""
    best = None
    for cap in caps:
        if union.path.startswith(cap.union.path) and (best is None or len(cap.union.path) > len(best.union.path)):
            best = cap
    return best.per_household if best else None


# --- Supply distributions ----------------------------------------------------------------

SIGNATURE_MAX_BYTES = 300 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def signature_clean(data_url: str) -> CleanImage:
    """A signature drawn with signature_pad, sent as a PNG data URL: decode, check, re-encode."""
    prefix = "data:image/png;base64,"
    if not data_url or not data_url.startswith(prefix):
        raise ValidationError(_("The signature is missing; ask the recipient to sign on the screen."))
    try:
        raw = base64.b64decode(data_url[len(prefix) :], validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError(_("The signature could not be read; please sign again."))
    if len(raw) > SIGNATURE_MAX_BYTES or not raw.startswith(PNG_MAGIC):
        raise ValidationError(_("The signature could not be read; please sign again."))
    return clean_image(SimpleUploadedFile("signature.png", raw, content_type="image/png"))


def _code_hash(code: str) -> str:
    return hmac.new(identity._keys(identity.settings.WELFARE_DATA_KEY)[1], code.encode(), hashlib.sha256).hexdigest()


@transaction.atomic
def handout_code_issue(*, campaign: Campaign, employee: Employee, minutes: int = 15) -> str:
    """A six-digit one-time code for the recipient (shown or texted to them, stored hashed)."""
    code = f"{secrets.randbelow(10**6):06d}"
    HandoutCode.objects.filter(campaign=campaign, employee=employee, used_at__isnull=True).delete()
    HandoutCode.objects.create(
        campaign=campaign,
        employee=employee,
        code_hash=_code_hash(code),
        expires_at=timezone.now() + dt.timedelta(minutes=minutes),
    )
    return code


@transaction.atomic
def handout_record(
    *,
    campaign: Campaign,
    employee: Employee,
    quantities: dict[int, int],
    by: AbstractUser | None,
    signature: str = "",
    code: str = "",
) -> HandoutModel:
    """Hand supplies to one recipient: confirmed, stock decremented, never below zero."""
    if by is not None and not has_role(by, employee.union, WELFARE):
        raise PermissionDenied
    if not employee.union.is_within(campaign.union):
        raise ValidationError(_("This employee is not covered by the campaign."))
    wanted = {int(k): int(v) for k, v in quantities.items() if int(v or 0) != 0}
    if not wanted:
        raise ValidationError(_("Enter the quantity of at least one item."))
    if any(q < 0 for q in wanted.values()):
        raise ValidationError(_("Quantities cannot be negative."))
    items = {i.pk: i for i in campaign.items.filter(pk__in=wanted)}
    if len(items) != len(wanted):
        raise ValidationError(_("Unknown item for this campaign."))
    if code:
        now = timezone.now()
        used = HandoutCode.objects.filter(
            campaign=campaign,
            employee=employee,
            code_hash=_code_hash(code.strip()),
            used_at__isnull=True,
            expires_at__gt=now,
        ).update(used_at=now)
        if not used:
            raise ValidationError(_("The one-time code is wrong or has expired."))
        confirmation, image = HandoutModel.Confirmation.CODE, None
    else:
        confirmation, image = HandoutModel.Confirmation.SIGNATURE, signature_clean(signature)
    try:
        with transaction.atomic():
            handout = HandoutModel.objects.create(
                union_id=employee.union_id,
                campaign=campaign,
                employee=employee,
                confirmation=confirmation,
                signature=image.image if image else "",
                by=by,
            )
    except IntegrityError:
        raise ValidationError(_("{name} has already received this campaign's supplies.").format(name=employee.name))
    for pk, q in wanted.items():
        # The conditional UPDATE is atomic in the database: two handouts racing for the last
        # units cannot both pass the WHERE, so the stock never goes below zero.
        if not CampaignItem.objects.filter(pk=pk, stock__gte=q).update(stock=F("stock") - q):
            raise ValidationError(_("Not enough {item} left for this handout.").format(item=items[pk].name))
        HandoutLine.objects.create(handout=handout, item=items[pk], quantity=q)
    return handout


@transaction.atomic
def campaign_receive(*, item: CampaignItem, quantity: int) -> CampaignItem:
    """Stock received for an item."""
    if quantity <= 0:
        raise ValidationError(_("The quantity received must be positive."))
    CampaignItem.objects.filter(pk=item.pk).update(received=F("received") + quantity, stock=F("stock") + quantity)
    item.refresh_from_db()
    return item


# --- Import and purge ----------------------------------------------------------------------

IMPORT_COLUMNS = [
    "union",
    "name",
    "gender",
    "id_number",
    "phone",
    "address",
    "region",
    "causes",
    "rigid_expenses",
    "household",
]


@dataclass
class ImportResult:
    created: int
    errors: list[tuple[int, str]]


def files_import(*, rows: Iterable[tuple], by: AbstractUser) -> ImportResult:
    """Create files from spreadsheet rows; every row error is reported and nothing is saved on error.

    Columns: union name, worker name, gender (f/m), ID number, phone, address, region, causes
    (comma-separated codes), rigid expenses, household ("relation:income; relation:income").
    """
    allowed = {u.name: u for u in union_scope(by, WELFARE)}
    errors: list[tuple[int, str]] = []
    created = 0
    seen: set[str] = set()
    try:
        with transaction.atomic():
            for n, row in enumerate(rows, start=2):
                cells = [("" if c is None else str(c).strip()) for c in (list(row) + [None] * 10)[:10]]
                if not any(cells):
                    continue
                union_name, name, gender, id_number, phone, address, region, causes, rigid, household = cells
                try:
                    union = allowed.get(union_name)
                    if union is None:
                        raise ValidationError(
                            _('Unknown union, or not one of yours: "{name}".').format(name=union_name)
                        )
                    if not name:
                        raise ValidationError(_("The worker's name is missing."))
                    number = identity.validate_id_number(id_number)
                    if number in seen:
                        raise ValidationError(_("This ID number appears twice in the file."))
                    seen.add(number)
                    members = []
                    for part in filter(None, (p.strip() for p in household.replace("；", ";").split(";"))):
                        relation, _sep, income = part.partition(":")
                        members.append({"relation": relation.strip(), "yearly_income": income.strip() or 0})
                    with transaction.atomic():
                        file_create(
                            union=union,
                            by=by,
                            id_number=number,
                            members=members,
                            name=name[:50],
                            gender=gender.lower()[:1] if gender.lower()[:1] in ("f", "m") else "",
                            phone=phone[:30],
                            address=address[:200],
                            region=region[:100],
                            causes=[c.strip() for c in causes.split(",")],
                            rigid_expenses=parse_income(rigid, label=_("Rigid expenses")),
                        )
                    created += 1
                except ValidationError as e:
                    errors.append((n, " ".join(e.messages)))
            if errors:
                raise _Rollback
    except _Rollback:
        return ImportResult(0, errors)
    return ImportResult(created, [])


class _Rollback(Exception):
    pass


@transaction.atomic
def files_purge(*, closed_before: dt.date, apply: bool) -> int:
    """Anonymise closed files closed before the date; keeps category, status, figures and amounts."""
    qs = HardshipFile.objects.filter(
        status=HardshipFile.Status.CLOSED, closed_on__lt=closed_before, anonymised_at__isnull=True
    )
    count = qs.count()
    if not apply or not count:
        return count
    ids = list(qs.values_list("pk", flat=True))
    now = timezone.now()
    HardshipFile.objects.filter(pk__in=ids).update(
        name="",
        id_number_encrypted="",
        id_number_hash="",
        id_number_masked="",
        phone="",
        address="",
        objections="",
        override_reason="",
        anonymised_at=now,
    )
    HouseholdMember.objects.filter(file_id__in=ids).update(name="")
    Visit.objects.filter(file_id__in=ids).update(found="", needs="", measure="")
    VisitPhoto.objects.filter(visit__file_id__in=ids).delete()
    FileEvent.objects.filter(file_id__in=ids).update(note="")
    Assistance.objects.filter(file_id__in=ids).update(note="")
    # The history tables hold earlier versions of the rows: they go too.
    HardshipFile.history.filter(id__in=ids).delete()
    Visit.history.filter(file_id__in=ids).update(found="", needs="", measure="")
    for union_id, n in _count_by_union(ids).items():
        AccessLog.objects.create(
            union_id=union_id,
            action=AccessLog.Action.PURGE,
            username="purge_welfare",
            what=_("{n} closed files anonymised").format(n=n),
        )
    return count


def _count_by_union(ids: list[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for union_id in HardshipFile.objects.filter(pk__in=ids).values_list("union_id", flat=True):
        out[union_id] = out.get(union_id, 0) + 1
    return out
