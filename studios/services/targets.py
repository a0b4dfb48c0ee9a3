"""Yearly targets (set by the studio's union, assessed by the higher union) and union support."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.core.models import Role, Union
from unionportal.core.scoping import has_role

from ..models import Studio, SupportRecord, YearTarget
from ..selectors import can_edit, can_review, year_results
from .derived import studio_touch

TARGET_FIELDS = frozenset({"year", "target", "target_count"})


def _check_edit(by: AbstractUser | None, studio: Studio) -> None:
    if by is not None and not can_edit(by, studio):
        raise PermissionDenied


def _check_pending(target: YearTarget) -> None:
    if target.assessment != YearTarget.Assessment.PENDING:
        raise ValidationError(
            _("The target of {year} has been assessed and can no longer change.").format(year=target.year)
        )


@transaction.atomic
def target_set(*, studio: Studio, year: int, target: str, target_count: int, by: AbstractUser | None) -> YearTarget:
    """The studio's union sets (or changes) the target of a year, until it is assessed."""
    _check_edit(by, studio)
    obj = YearTarget.objects.select_for_update().filter(studio=studio, year=year).first()
    if obj is not None:
        _check_pending(obj)
    obj = obj or YearTarget(studio=studio, year=year)
    obj.target, obj.target_count = target, target_count
    obj.full_clean()
    obj.save()
    studio_touch(studio_ids=[studio.pk])
    return obj


@transaction.atomic
def target_update(*, target: YearTarget, by: AbstractUser | None, changes: dict) -> YearTarget:
    """Change a target row (`changes` of its year, wording or count) until it is assessed."""
    fields = dict(changes)
    unknown = set(fields) - TARGET_FIELDS
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: {names}.").format(names=", ".join(sorted(unknown)))
        )
    target = YearTarget.objects.select_for_update().select_related("studio").get(pk=target.pk)
    _check_edit(by, target.studio)
    _check_pending(target)
    for name, value in fields.items():
        setattr(target, name, value)
    target.full_clean()
    target.save()
    studio_touch(studio_ids=[target.studio_id])
    return target


@transaction.atomic
def target_delete(*, target: YearTarget, by: AbstractUser | None) -> None:
    target = YearTarget.objects.select_for_update().select_related("studio").get(pk=target.pk)
    _check_edit(by, target.studio)
    _check_pending(target)
    target.delete()
    studio_touch(studio_ids=[target.studio_id])


@transaction.atomic
def target_assess(
    *, target: YearTarget, met: bool, evidence: str, by: AbstractUser | None, override_reason: str = ""
) -> YearTarget:
    """The higher union assesses a year against its target, with the evidence.

    "Met" needs the year's results (industry level or above) to reach the target, or a reason
    for the override given by the assessing officer; the count and the reason are recorded.
    """
    target = YearTarget.objects.select_for_update().select_related("studio__union").get(pk=target.pk)
    if by is not None and not can_review(by, target.studio):
        raise PermissionDenied(_("Only an officer of a higher union may assess this target."))
    if target.assessment != YearTarget.Assessment.PENDING:
        raise ValidationError(_("The target of {year} has already been assessed.").format(year=target.year))
    evidence = (evidence or "").strip()
    if not evidence:
        raise ValidationError(_("Give the evidence for the assessment."))
    results = year_results(studio=target.studio, year=target.year)
    reason = (override_reason or "").strip() if met and results < target.target_count else ""
    if met and results < target.target_count:
        if not reason:
            raise ValidationError(
                _(
                    "Only {n} results at industry level or above are recorded for {year}; {expected} expected. "
                    "To mark the target met anyway, give the reason for the override."
                ).format(n=results, year=target.year, expected=target.target_count)
            )
        if by is None:
            raise ValidationError(_("Only an officer can mark a target met below its count."))
    target.assessment = YearTarget.Assessment.MET if met else YearTarget.Assessment.BEHIND
    target.evidence = evidence
    target.results_counted = results
    target.override_reason = reason
    target.assessed_by = by
    target.assessed_at = timezone.now()
    target.full_clean()
    target.save()
    studio_touch(studio_ids=[target.studio_id])
    return target


# --- Support -------------------------------------------------------------------------------


def _check_support(by: AbstractUser | None, studio: Studio, union: Union) -> None:
    """A union records support only for a studio of its subtree, by one of its officers."""
    if not studio.union.is_within(union):
        raise ValidationError(_("A union records support only for studios of its own subtree."))
    if by is not None and not has_role(by, union, Role.EDIT_ROLES):
        raise PermissionDenied


@transaction.atomic
def support_add(*, studio: Studio, union: Union, by: AbstractUser | None, **fields) -> SupportRecord:
    """A union records support it gave a studio of its subtree."""
    _check_support(by, studio, union)
    record = SupportRecord(studio=studio, union=union, **fields)
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def support_update(*, record: SupportRecord, by: AbstractUser | None, **fields) -> SupportRecord:
    record = SupportRecord.objects.select_for_update().select_related("studio__union", "union").get(pk=record.pk)
    _check_support(by, record.studio, record.union)
    fields.pop("studio", None)
    for name, value in fields.items():
        setattr(record, name, value)
    _check_support(by, record.studio, record.union)
    record.full_clean()
    record.save()
    return record


@transaction.atomic
def support_delete(*, record: SupportRecord, by: AbstractUser | None) -> None:
    record = SupportRecord.objects.select_for_update().select_related("studio__union", "union").get(pk=record.pk)
    _check_support(by, record.studio, record.union)
    record.delete()
