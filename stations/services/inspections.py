"""七有 inspections: every one of the seven items is recorded, passed or failed, each time."""

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from unionportal.core.images import CleanImage

from ..models import Inspection, InspectionItem, InspectionPhoto, Station
from .common import check_may_edit

Results = dict[str, tuple[bool, str]]


def _check_results(results: Results) -> None:
    missing = [label for code, label in Inspection.Item.choices if code not in results]
    if missing:
        raise ValidationError(
            _("Every item must be checked; missing: {items}.").format(items=", ".join(map(str, missing)))
        )
    if set(results) - set(Inspection.Item.values):
        raise ValidationError(_("Unknown inspection item."))
    for passed, _note in results.values():
        if not isinstance(passed, bool):
            raise ValidationError(_("Each item either passes or fails."))


def inspection_refresh_latest(*, station: Station, inspection: Inspection | None = None) -> None:
    """Keep the station's compliance (its latest inspection) and the inspection's summary true."""
    if inspection is not None:
        items = list(inspection.items.values_list("passed", flat=True))
        inspection.passed_all = len(items) == len(Inspection.Item.values) and all(items)
        inspection.save(update_fields=["passed_all", "updated_at"])
    latest = station.inspections.order_by("-inspected_on", "-pk").first()
    Station.objects.filter(pk=station.pk).update(latest_inspection=latest)
    station.latest_inspection = latest


def _inspector_name(by: AbstractUser | None, inspector: AbstractUser | None, name: str) -> str:
    person = inspector or by
    return (name or (person.get_full_name() or person.get_username() if person else ""))[:50]


@transaction.atomic
def inspection_record(
    *,
    station: Station,
    inspected_on: dt.date,
    results: Results,
    by: AbstractUser | None = None,
    inspector: AbstractUser | None = None,
    inspector_name: str = "",
    photos: dict[str, list[CleanImage]] | None = None,
) -> Inspection:
    """Record a standard check: every one of the seven items passes or fails, with a note."""
    check_may_edit(by, station)
    _check_results(results)
    if inspected_on is None:
        raise ValidationError(_("Give the date of the inspection."))
    inspection = Inspection.objects.create(
        station=station,
        inspected_on=inspected_on,
        inspector=inspector or by,
        inspector_name=_inspector_name(by, inspector, inspector_name),
        passed_all=all(passed for passed, _note in results.values()),
    )
    for code, _label in Inspection.Item.choices:
        passed, note = results[code]
        item = InspectionItem.objects.create(inspection=inspection, item=code, passed=passed, note=(note or "")[:300])
        for photo in (photos or {}).get(code, []):
            InspectionPhoto.objects.create(item=item, image=photo.image, thumbnail=photo.thumbnail)
    inspection_refresh_latest(station=station)
    return inspection


@transaction.atomic
def inspection_update(
    *,
    inspection: Inspection,
    inspected_on: dt.date,
    results: Results,
    by: AbstractUser | None = None,
    inspector: AbstractUser | None = None,
    inspector_name: str = "",
) -> Inspection:
    """Correct an inspection: its date, inspector and all seven items (their photos stay)."""
    check_may_edit(by, inspection.station)
    _check_results(results)
    if inspected_on is None:
        raise ValidationError(_("Give the date of the inspection."))
    inspection.inspected_on = inspected_on
    inspection.inspector = inspector or inspection.inspector
    inspection.inspector_name = inspector_name[:50] or inspection.inspector_name
    inspection.save()
    for code, _label in Inspection.Item.choices:
        passed, note = results[code]
        InspectionItem.objects.update_or_create(
            inspection=inspection, item=code, defaults={"passed": passed, "note": (note or "")[:300]}
        )
    inspection_refresh_latest(station=inspection.station, inspection=inspection)
    return inspection


@transaction.atomic
def inspection_delete(*, inspection: Inspection, by: AbstractUser | None = None) -> None:
    """Delete an inspection; the station's compliance falls back to its previous one."""
    station = inspection.station
    check_may_edit(by, station)
    inspection.delete()
    inspection_refresh_latest(station=station)
