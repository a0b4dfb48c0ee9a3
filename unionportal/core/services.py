"""Writes of the core that span rows or have side effects."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from .images import CleanImage
from .models import Activity, ActivityPhoto, Role, Union
from .scoping import has_role


@transaction.atomic
def activity_create(
    *, union: Union, by: AbstractUser | None, photos: Iterable[CleanImage] = (), publish: bool = False, **fields
) -> Activity:
    """Log an activity of `union` with its photos; all or nothing."""
    if by is not None and not has_role(by, union, Role.EDIT_ROLES):
        raise PermissionDenied
    activity = Activity(union=union, created_by=by, **fields)
    if publish:
        activity.status = Activity.Status.PUBLISHED
        activity.published_at = timezone.now()
    activity.full_clean()
    activity.save()
    activity_add_photos(activity=activity, photos=photos)
    return activity


@transaction.atomic
def activity_update(*, activity: Activity, photos: Iterable[CleanImage] = (), publish: bool = False) -> Activity:
    """Save an edited activity (already validated by its form) and add new photos."""
    if publish and not activity.is_published:
        activity.status = Activity.Status.PUBLISHED
        activity.published_at = timezone.now()
    activity.save()
    activity_add_photos(activity=activity, photos=photos)
    return activity


def activity_add_photos(*, activity: Activity, photos: Iterable[CleanImage]) -> None:
    for photo in photos:
        ActivityPhoto.objects.create(activity=activity, image=photo.image, thumbnail=photo.thumbnail)


@transaction.atomic
def activity_set_published(*, activity: Activity, published: bool) -> Activity:
    """Publish a draft to the public feed, or take it back to draft."""
    if published:
        activity.status = Activity.Status.PUBLISHED
        activity.published_at = activity.published_at or timezone.now()
    else:
        activity.status = Activity.Status.DRAFT
        activity.published_at = None
    activity.save(update_fields=["status", "published_at", "updated_at"])
    return activity


@transaction.atomic
def activity_log(
    *,
    union: Union,
    kind: str,
    title: str,
    starts_at,
    source: str,
    summary: str = "",
    place: str = "",
    participants: int = 0,
    organiser: str = "",
    by: AbstractUser | None = None,
    publish: bool = True,
) -> Activity:
    """Log (or update) the activity another record stands for: an exchange visit, a plaque or
    award ceremony. Idempotent on `source`: logging the same thing again changes nothing."""
    fields = {
        "union": union,
        "kind": kind,
        "title": title,
        "starts_at": starts_at,
        "summary": summary,
        "place": place,
        "participants": participants,
        "organiser": organiser,
    }
    activity = Activity.objects.filter(source=source).first()
    if activity is None:
        activity = Activity.objects.create(source=source, created_by=by, **fields)
    elif any(getattr(activity, name) != value for name, value in fields.items()):
        for name, value in fields.items():
            setattr(activity, name, value)
        activity.save()
    if publish and not activity.is_published:
        activity_set_published(activity=activity, published=True)
    return activity


@transaction.atomic
def role_grant(*, user: AbstractUser, union: Union, kind: str) -> Role:
    """Give a user a role in a union; role holders work in the back office."""
    role, _created = Role.objects.get_or_create(user=user, union=union, kind=kind)
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return role
