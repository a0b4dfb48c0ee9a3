"""Import of hardship files from a spreadsheet, and the purge of closed files past retention."""

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.core.imports import Table, import_rows, read_table
from unionportal.core.scoping import union_scope

from .. import identity
from ..models import (
    WELFARE,
    AccessLog,
    Assistance,
    FileEvent,
    Handout,
    HardshipFile,
    HouseholdMember,
    Visit,
    VisitPhoto,
)
from .files import file_create, parse_income
from .storage import files_delete_on_commit

# Columns by position (the header row is the user's own wording, in any language).
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
MAX_IMPORT_ROWS = 5000


def files_table(*, upload) -> Table:
    """The spreadsheet read through the core pipeline (size, unpacked size and rows capped
    before parsing); raises ImportFailed with a clear message."""
    return read_table(upload, max_rows=MAX_IMPORT_ROWS)


def files_import(*, table: Table, by: AbstractUser) -> list[HardshipFile]:
    """Create files from the table's rows, all or nothing (ImportFailed lists every bad row).

    Columns: union name, worker name, gender (f/m), ID number, phone, address, region, causes
    (comma-separated codes), rigid expenses, household ("relation:income; relation:income").
    """
    allowed = {u.name: u for u in union_scope(by, WELFARE)}
    seen: set[str] = set()

    def save_row(_n: int, values: list) -> HardshipFile:
        cells = [("" if c is None else str(c).strip()) for c in (list(values) + [None] * 10)[:10]]
        union_name, name, gender, id_number, phone, address, region, causes, rigid, household = cells
        union = allowed.get(union_name)
        if union is None:
            raise ValidationError(_('Unknown union, or not one of yours: "{name}".').format(name=union_name))
        if not name:
            raise ValidationError(_("The worker's name is missing."))

        number = identity.validate_id_number(id_number)
        if number in seen:
            raise ValidationError(_("This ID number appears twice in the file."))
        seen.add(number)
        members = []
        for part in filter(None, (p.strip() for p in household.replace("\uff1b", ";").split(";"))):
            relation, _sep, income = part.partition(":")
            members.append({"relation": relation.strip(), "yearly_income": income.strip() or 0})
        return file_create(
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

    return import_rows(table.rows, save_row)


@transaction.atomic
def files_purge(*, closed_before: dt.date, apply: bool) -> int:
    """Anonymise closed files closed before the date; keeps category, status, figures and amounts.

    The person goes everywhere: the rows, their history, the visit photos' image files and
    thumbnails, and the signatures of handouts older than the date.
    """
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
    photos = VisitPhoto.objects.filter(visit__file_id__in=ids)
    stored = []
    for photo in photos:
        stored += [(photo.image.storage, photo.image.name), (photo.thumbnail.storage, photo.thumbnail.name)]
    photos.delete()
    files_delete_on_commit(stored)
    FileEvent.objects.filter(file_id__in=ids).update(note="")
    Assistance.objects.filter(file_id__in=ids).update(note="")
    # The history tables hold earlier versions of the rows: they go too, or lose their text.
    HardshipFile.history.filter(id__in=ids).delete()
    Visit.history.filter(file_id__in=ids).update(found="", needs="", measure="", history_change_reason=None)
    Assistance.history.filter(file_id__in=ids).update(note="", history_change_reason=None)
    signatures_purge(before=closed_before)
    for union_id, n in _count_by_union(ids).items():
        AccessLog.objects.create(
            union_id=union_id,
            action=AccessLog.Action.PURGE,
            username="purge_welfare",
            what=_("{n} closed files anonymised").format(n=n),
        )
    return count


def signatures_purge(*, before: dt.date) -> int:
    """Delete the signature images of handouts older than the date (the handout rows stay)."""
    handouts = Handout.objects.exclude(signature="").filter(at__date__lt=before)
    stored = [(h.signature.storage, h.signature.name) for h in handouts.only("pk", "signature")]
    handouts.update(signature="")
    files_delete_on_commit(stored)
    return len(stored)


def _count_by_union(ids: list[int]) -> dict[int, int]:
    out: dict[int, int] = {}
    for union_id in HardshipFile.objects.filter(pk__in=ids).values_list("union_id", flat=True):
        out[union_id] = out.get(union_id, 0) + 1
    return out
