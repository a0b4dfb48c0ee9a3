"""Visits (走访慰问) with their photos; what a visit gives a file counts against its yearly cap."""

import uuid
from collections.abc import Iterable

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from unionportal.core.images import CleanImage
from unionportal.core.models import Union

from ..models import VISIT_LEVEL_MESSAGE, HardshipFile, Visit, VisitPhoto
from ._common import require_welfare
from .assistance import cap_check, cap_override_log
from .storage import files_delete_on_commit


@transaction.atomic
def visit_create(
    *,
    union: Union,
    by: AbstractUser | None,
    photos: Iterable[CleanImage] = (),
    file: HardshipFile | None = None,
    override_reason: str = "",
    idempotency_key: uuid.UUID | None = None,
    **fields,
) -> Visit:
    """Log a visit with its photos (within the file's yearly cap); all or nothing.

    With an `idempotency_key` (made on the device with the form), a repeated submit returns
    the visit it already logged, marked `replayed`: an offline draft lands exactly once."""
    require_welfare(by, union)
    if idempotency_key is not None and (existing := visit_for_key(key=idempotency_key, by=by)):
        return existing
    if file is not None and not file.union.is_within(union):
        # Everyone who sees the visit must be allowed to see the file it names.
        raise ValidationError(VISIT_LEVEL_MESSAGE)
    if file is not None and fields.get("kind") == Visit.Kind.GROUP:
        fields["kind"] = Visit.Kind.WORKER
    visit = Visit(union=union, file=file, created_by=by, idempotency_key=idempotency_key, **fields)
    # The key's uniqueness is the database's to enforce (below), not a form error.
    visit.full_clean(exclude=["idempotency_key"])
    reason = ""
    if file is not None:
        reason = cap_check(file=file, amount=visit.given_total, date=visit.date, by=by, override_reason=override_reason)
    try:
        with transaction.atomic():
            visit.save()
    except IntegrityError:
        # The same form sent twice at once: the other request logged it first.
        if idempotency_key is not None and (existing := visit_for_key(key=idempotency_key, by=by)):
            return existing
        raise
    if reason:
        cap_override_log(file=file, reason=reason, by=by, what=_("Visit #{pk}").format(pk=visit.pk))
    for photo in photos:
        VisitPhoto.objects.create(visit=visit, image=photo.image, thumbnail=photo.thumbnail)
    return visit


def visit_for_key(*, key: uuid.UUID, by: AbstractUser | None) -> Visit | None:
    """The visit already logged under this idempotency key, if any, marked `replayed`.

    Only the user who logged it, while still allowed to see it, gets it back; anyone else is
    refused with a message that says nothing about that visit, so a key never reaches
    another union's visit."""
    visit = Visit.objects.filter(idempotency_key=key).first()
    if visit is None:
        return None
    if by is None or visit.created_by_id != by.pk or not Visit.objects.visible_to(by).filter(pk=visit.pk).exists():
        raise ValidationError(IDEMPOTENCY_MESSAGE)
    visit.replayed = True
    return visit


IDEMPOTENCY_MESSAGE = _lazy("This form has already been used. Open a new form and fill it in again.")


@transaction.atomic
def visit_update(*, visit: Visit, by: AbstractUser | None, override_reason: str = "", **fields) -> Visit:
    """Correct a visit: the same rules as when it was logged (level, cap)."""
    require_welfare(by, visit.union)
    for name, value in fields.items():
        setattr(visit, name, value)
    require_welfare(by, visit.union)
    if visit.file_id is not None and not visit.file.union.is_within(visit.union):
        raise ValidationError(VISIT_LEVEL_MESSAGE)
    visit.full_clean()
    reason = ""
    if visit.file_id is not None:
        reason = cap_check(
            file=visit.file,
            amount=visit.given_total,
            date=visit.date,
            by=by,
            override_reason=override_reason,
            exclude_visit=visit.pk,
        )
    visit.save()
    if reason:
        cap_override_log(file=visit.file, reason=reason, by=by, what=_("Visit #{pk}").format(pk=visit.pk))
    return visit


@transaction.atomic
def visit_delete(*, visit: Visit, by: AbstractUser | None) -> None:
    """Delete a visit with its photos (the image files go once the deletion is committed)."""
    require_welfare(by, visit.union)
    photo_delete(photos=visit.photos.all(), by=by)
    visit.delete()


@transaction.atomic
def photo_delete(*, photos, by: AbstractUser | None) -> int:
    """Delete visit photos and, after the commit, their image files and thumbnails."""
    names = []
    for photo in photos.select_related("visit__union"):
        require_welfare(by, photo.visit.union)
        names += [(photo.image.storage, photo.image.name), (photo.thumbnail.storage, photo.thumbnail.name)]
    count = photos.delete()[0]
    files_delete_on_commit(names)
    return count
