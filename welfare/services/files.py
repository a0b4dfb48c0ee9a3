"""Hardship files: opening and editing them (with the ID number), the household, the workflow.

Stage, status and category change only through the workflow services below (each writes a
FileEvent): file_create/file_update refuse them, whoever calls (desk, back office, import).
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from unionportal.core.models import Union

from .. import identity
from ..eligibility import Assessment, eligibility_assess, line_pick
from ..models import AccessLog, Cause, FileEvent, HardshipFile, HouseholdMember, MinimumLivingLine
from ._common import require_welfare
from .access import access_log_write

REVIEW_EVERY = dt.timedelta(days=365)
CENT = Decimal("0.01")

# What an edit may change; everything else is derived (household figures, suggestion), set by
# the workflow (stage, status, category, dates, objections) or by the ID handling below.
EDITABLE_FIELDS = frozenset(
    {
        "union",
        "name",
        "gender",
        "phone",
        "address",
        "region",
        "causes",
        "rigid_expenses",
        "accident_loss",
        "notice_days",
    }
)


# --- Eligibility --------------------------------------------------------------------------


def line_for(region: str, year: int) -> Decimal | None:
    """The line of the region, or of the nearest enclosing region with one, for the year."""
    if not region:
        return None
    rows = MinimumLivingLine.objects.filter(year__lte=year).values_list("region", "year", "monthly_amount")
    return line_pick(region, year, rows)


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


def file_id_check(*, id_number: str, by: AbstractUser | None, file: HardshipFile | None = None) -> str:
    """The normalised ID number, or ValidationError when invalid or already on a file the user sees.

    The one place ID numbers are checked (desk, back office, import). Only the files the
    acting user may see count: "already exists" for a file in another union would tell that
    this person has a hardship file there (personal data, PIPL). Such twins are visible
    together, and reconciled, from the union above both.
    """
    number = identity.validate_id_number(id_number)
    duplicate = HardshipFile.objects.filter(id_number_hash__in=identity.lookup_hashes(number))
    if file is not None and file.pk:
        duplicate = duplicate.exclude(pk=file.pk)
    if by is not None:
        duplicate = duplicate.visible_to(by)
    found = duplicate.only("pk", "union_id").first()
    if found is not None:
        # Being told that a file exists is a look at it: logged like a search by ID number.
        access_log_write(
            user=by,
            union=found.union_id,
            action=AccessLog.Action.SEARCH,
            file=found,
            what=_("ID number typed for a file matched file #{pk}").format(pk=found.pk),
        )
        raise ValidationError(_("A hardship file with this ID number already exists."), code="id_duplicate")
    return number


def _set_id(file: HardshipFile, number: str) -> None:
    file.id_number_encrypted = identity.encrypt(number)
    file.id_number_hash = identity.lookup_hash(number)
    file.id_number_masked = identity.mask(number)


def _only_editable(fields: dict) -> None:
    extra = set(fields) - EDITABLE_FIELDS
    if extra:
        raise ValidationError(
            _("These fields change only through the workflow: {fields}.").format(fields=", ".join(sorted(extra)))
        )


def file_create(
    *, union: Union, by: AbstractUser | None, id_number: str, members: Iterable[dict] = (), **fields
) -> HardshipFile:
    """Open a file (at the application stage) with its household; all or nothing."""
    require_welfare(by, union)
    _only_editable(fields)
    # Checked before the transaction: the log entry of a matching ID number must outlive the refusal.
    number = file_id_check(id_number=id_number, by=by)
    return _file_create(union=union, by=by, number=number, members=members, **fields)


@transaction.atomic
def _file_create(*, union: Union, by, number: str, members: Iterable[dict], **fields) -> HardshipFile:
    causes = [c for c in fields.pop("causes", []) or [] if c in Cause.values]
    if not fields.get("region"):
        # The minimum-living line of the employer union's region applies unless told otherwise.
        fields["region"] = union.region
    file = HardshipFile(union=union, created_by=by, causes=causes, **fields)
    file_id_check(id_number=number, by=by)  # again inside the transaction
    _set_id(file, number)
    file.full_clean(exclude=["id_number_encrypted", "id_number_hash", "id_number_masked"])
    file.save()
    household_set(file=file, members=members)
    FileEvent.objects.create(file=file, action=FileEvent.Action.OPENED, stage=file.stage, by=by)
    return file


def file_update(
    *,
    file: HardshipFile,
    by: AbstractUser | None,
    id_number: str = "",
    members: Iterable[dict] | None = None,
    **fields,
) -> HardshipFile:
    """Save edited fields (and the household when given), all or nothing; a new ID number is
    checked and re-encrypted. Not the workflow fields."""
    require_welfare(by, file.union)
    _only_editable(fields)
    if "union" in fields and fields["union"].pk != file.union_id:
        require_welfare(by, fields["union"])
    number = file_id_check(id_number=id_number, by=by, file=file) if id_number else ""
    return _file_update(file=file, by=by, number=number, members=members, **fields)


@transaction.atomic
def _file_update(*, file: HardshipFile, by, number: str, members, **fields) -> HardshipFile:
    if fields.get("causes") is not None:
        fields["causes"] = [c for c in fields["causes"] if c in Cause.values]
    for name, value in fields.items():
        setattr(file, name, value)
    if number:
        file_id_check(id_number=number, by=by, file=file)
        _set_id(file, number)
    file.full_clean(exclude=["id_number_encrypted", "id_number_hash", "id_number_masked"])
    file.save()
    if members is not None:
        household_set(file=file, members=members, by=by)
    else:
        household_recompute(file=file)
    return file


@transaction.atomic
def file_delete(*, file: HardshipFile, by: AbstractUser | None) -> None:
    """Delete a file opened by mistake: only while nothing was given on it (visits, assistance)."""
    require_welfare(by, file.union)
    if file.visits.exists() or file.assistance.exists():
        raise ValidationError(_("A file with visits or assistance cannot be deleted; close it instead."))
    file.delete()


@transaction.atomic
def household_set(*, file: HardshipFile, members: Iterable[dict], by: AbstractUser | None = None) -> Assessment:
    """Replace the household's members (name, relation, yearly_income) and recompute."""
    require_welfare(by, file.union)
    rows = []
    for i, m in enumerate(members, start=1):
        if not (m.get("relation") or m.get("name")):
            continue
        income = parse_income(m.get("yearly_income"), label=_("Member {n}").format(n=i))
        rows.append(
            HouseholdMember(
                file=file,
                name=(m.get("name") or "")[:50],
                relation=(m.get("relation") or "")[:30] or pgettext("household", "member"),
                yearly_income=income,
            )
        )
    file.members.all().delete()
    HouseholdMember.objects.bulk_create(rows)
    return household_recompute(file=file)


# --- Workflow -----------------------------------------------------------------------------


@transaction.atomic
def file_set_category(*, file: HardshipFile, category: str, reason: str = "", by: AbstractUser | None) -> HardshipFile:
    """The officer confirms the suggested category, or overrides it with a reason."""
    require_welfare(by, file.union)
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
    require_welfare(by, file.union)
    today = today or timezone.localdate()
    if reject:
        if file.stage in (HardshipFile.Stage.FILED, HardshipFile.Stage.REJECTED):
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
    require_welfare(by, file.union)
    today = today or timezone.localdate()
    if status not in HardshipFile.Status.values:
        raise ValidationError(_("Choose a status."))
    file.status = status
    file.review_due = None if status == HardshipFile.Status.CLOSED else today + REVIEW_EVERY
    file.closed_on = today if status == HardshipFile.Status.CLOSED else None
    file.save(update_fields=["status", "review_due", "closed_on", "updated_at"])
    FileEvent.objects.create(file=file, action=FileEvent.Action.REVIEW, status=status, note=note.strip(), by=by)
    return file
