"""The shared vocabulary of fields of work (shown on every studio's profile and the list filter)."""

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import slugify

from unionportal.core.models import Role
from unionportal.core.scoping import holds_any
from unionportal.core.text import pinyin_full

from ..models import FieldOfWork
from .derived import studio_touch


def _studio_ids(field: FieldOfWork) -> list[int]:
    return list(field.studios.values_list("pk", flat=True))


@transaction.atomic
def field_of_work_save(
    *, by: AbstractUser | None, name: str, slug: str = "", field: FieldOfWork | None = None
) -> FieldOfWork:
    """Add or rename a field of work; the profiles that show it change with it."""
    if by is not None and not holds_any(by, Role.EDIT_ROLES):
        raise PermissionDenied
    field = (
        FieldOfWork.objects.select_for_update().get(pk=field.pk) if field is not None and field.pk else FieldOfWork()
    )
    field.name = name
    field.slug = slug or slugify(pinyin_full(name).replace(" ", "-"))[:60] or "field"
    field.full_clean()
    field.save()
    studio_touch(studio_ids=_studio_ids(field))
    return field


@transaction.atomic
def field_of_work_delete(*, field: FieldOfWork, by: AbstractUser | None) -> None:
    if by is not None and not by.is_superuser:
        raise PermissionDenied
    ids = _studio_ids(field)
    field.delete()
    studio_touch(studio_ids=ids)
