"""Assistance measures, and the yearly cap per household that visits and assistance share.

Going over the cap needs a chair's approval with a reason: the acting user must hold the
chair role over the file's union (a welfare officer who is also chair there passes by giving
the reason: the act is explicit, and the FileEvent names them). Logged on the file.
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from unionportal.core.scoping import has_role

from .. import selectors
from ..models import Assistance, FileEvent, HardshipFile, YearlyCap
from ._common import CHAIR, require_welfare

cap_for = selectors.cap_for


def cap_check(
    *,
    file: HardshipFile,
    amount: Decimal,
    date: dt.date,
    by: AbstractUser | None,
    override_reason: str = "",
    exclude_visit: int | None = None,
    exclude_assistance: int | None = None,
) -> str:
    """Refuse what would take the file's household over its yearly cap, unless a chair approves
    it with a reason; returns the reason when the cap is overridden (to be logged), else ""."""
    if not amount:
        return ""
    cap = selectors.yearly_cap(union=file.union, year=date.year)
    if cap is None:
        return ""
    given = selectors.given_in_year(
        file_id=file.pk, year=date.year, exclude_visit=exclude_visit, exclude_assistance=exclude_assistance
    )
    if given + amount <= cap:
        return ""
    reason = (override_reason or "").strip()
    if not reason:
        raise ValidationError(
            _(
                "This would bring the household's help in {year} to {total}, over the yearly cap of {cap}. "
                "A chair may approve it with a reason."
            ).format(year=date.year, total=given + amount, cap=cap),
            code="over_cap",
        )
    if by is not None and not has_role(by, file.union, CHAIR):
        raise PermissionDenied(_("Only a chair of the file's union or above may go over the yearly cap."))
    return reason


def cap_override_log(*, file: HardshipFile, reason: str, by: AbstractUser | None, what: str) -> None:
    FileEvent.objects.create(
        file=file, action=FileEvent.Action.CAP_OVERRIDE, status=file.status, note=f"{what}: {reason}"[:2000], by=by
    )


@transaction.atomic
def assistance_add(*, file: HardshipFile, by: AbstractUser | None, override_reason: str = "", **fields) -> Assistance:
    """Record an assistance measure for a file (within the yearly cap); the file counts as being helped."""
    require_welfare(by, file.union)
    measure = Assistance(union_id=file.union_id, file=file, **fields)
    measure.full_clean()
    reason = cap_check(file=file, amount=measure.amount, date=measure.date, by=by, override_reason=override_reason)
    measure.save()
    if reason:
        cap_override_log(file=file, reason=reason, by=by, what=_("Assistance #{pk}").format(pk=measure.pk))
    if file.status in (HardshipFile.Status.FILED, HardshipFile.Status.BACK):
        file.status = HardshipFile.Status.HELPED
        file.save(update_fields=["status", "updated_at"])
    return measure


@transaction.atomic
def assistance_update(
    *, measure: Assistance, by: AbstractUser | None, override_reason: str = "", **fields
) -> Assistance:
    """Correct an assistance measure (its file and union stay)."""
    require_welfare(by, measure.file.union)
    for fixed in ("file", "union"):
        fields.pop(fixed, None)
    for name, value in fields.items():
        setattr(measure, name, value)
    measure.full_clean()
    reason = cap_check(
        file=measure.file,
        amount=measure.amount,
        date=measure.date,
        by=by,
        override_reason=override_reason,
        exclude_assistance=measure.pk,
    )
    measure.save()
    if reason:
        cap_override_log(file=measure.file, reason=reason, by=by, what=_("Assistance #{pk}").format(pk=measure.pk))
    return measure


@transaction.atomic
def assistance_delete(*, measure: Assistance, by: AbstractUser | None) -> None:
    require_welfare(by, measure.file.union)
    measure.delete()


# --- Yearly caps ----------------------------------------------------------------------------


@transaction.atomic
def cap_save(*, cap: YearlyCap, by: AbstractUser | None) -> YearlyCap:
    """Set a union's yearly cap per household (welfare staff of the union or above)."""
    require_welfare(by, cap.union)
    if cap.pk:
        before = YearlyCap.objects.select_related("union").get(pk=cap.pk)
        require_welfare(by, before.union)
    cap.full_clean()
    cap.save()
    return cap


@transaction.atomic
def cap_delete(*, cap: YearlyCap, by: AbstractUser | None) -> None:
    require_welfare(by, cap.union)
    cap.delete()
