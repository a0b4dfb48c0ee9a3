"""Writes of the core: activities, the union tree and roles. Every writer calls these: the
desk, the admin, other apps' services, commands and seeders."""

from collections.abc import Iterable

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import pagecache
from .images import CleanImage
from .models import Activity, ActivityPhoto, AuditEntry, Role, Union
from .scoping import has_role, union_scope

# --- Activities --------------------------------------------------------------------------

ACTIVITY_FIELDS = ("kind", "title", "starts_at", "place", "participants", "organiser", "summary")
# What an activity may be about (at most one): the pages of these list their published activities.
LINK_FIELDS = ("station", "studio", "contest")


def _require_editor(by: AbstractUser | None, union: Union) -> None:
    # None: the system (another app's service that checked its own rights, a seeder).
    if by is not None and not has_role(by, union, Role.EDIT_ROLES):
        raise PermissionDenied


def _links(activity: Activity) -> set[tuple[str, int]]:
    """The (kind, pk) the activity is linked to: none or one, as {("station", 12)}."""
    return {(name, getattr(activity, f"{name}_id")) for name in LINK_FIELDS if getattr(activity, f"{name}_id")}


def _stored(activity: Activity) -> tuple[set[tuple[str, int]], bool]:
    """The links and the published state the activity has in the database (before an edit)."""
    if not activity.pk:
        return set(), False
    row = Activity.objects.filter(pk=activity.pk).values(*(f"{n}_id" for n in LINK_FIELDS), "status").first()
    if row is None:
        return set(), False
    links = {(name, row[f"{name}_id"]) for name in LINK_FIELDS if row[f"{name}_id"]}
    return links, row["status"] == Activity.Status.PUBLISHED


def _check_link(activity: Activity, by: AbstractUser | None) -> None:
    """The station, studio or contest an activity is about must belong to the activity's union
    or a union under it (or, for a user editing from higher up, to a union they may edit).
    A forged id of another subtree's record is refused, whoever calls."""
    links = _links(activity)
    if len(links) > 1:
        raise ValidationError(_("An activity is about at most one station, studio or contest."))
    if not links:
        return
    ((name, pk),) = links
    model = Activity._meta.get_field(name).related_model
    union_id = model.objects.filter(pk=pk).values_list("union_id", flat=True).first()
    if union_id is None:
        raise ValidationError(_("The station, studio or contest this activity is about does not exist."))
    within = Union.objects.filter(pk=union_id, path__startswith=activity.union.path).exists()
    if not within and by is not None:
        within = union_scope(by, Role.EDIT_ROLES).filter(pk=union_id).exists()
    if not within:
        raise ValidationError(
            _("An activity may only be about a station, studio or contest of its union or of a union under it.")
        )


def activity_check_link(*, activity: Activity, by: AbstractUser | None) -> None:
    """Raise ValidationError unless the activity's link may be saved (forms call it to show
    the error beside their fields; the writing services call it again)."""
    _check_link(activity, by)


def _pages_changed(*link_sets: set[tuple[str, int]]) -> None:
    """Tell the linked pages (their cached copies) that the activities they list changed."""
    links = set().union(*link_sets)
    if not links:
        return
    from contests import services as contests_services
    from stations import services as stations_services
    from studios import services as studios_services

    apps = {"station": stations_services, "studio": studios_services, "contest": contests_services}
    for name, pk in sorted(links):
        apps[name].page_changed(pk=pk)


def _notify_change(activity: Activity, before: tuple[set[tuple[str, int]], bool]) -> None:
    """After any write to an activity: the feed and home page (their kept stamp, see
    unionportal.core.views.activities_stamp) and the pages of what it was and is about."""
    pagecache.forget("activities")
    old_links, was_published = before
    _pages_changed(old_links if was_published else set(), _links(activity) if activity.is_published else set())


@transaction.atomic
def activity_create(
    *, union: Union, by: AbstractUser | None, photos: Iterable[CleanImage] = (), publish: bool = False, **fields
) -> Activity:
    """Log an activity of `union` with its photos; all or nothing. `fields` may name the
    station, studio or contest it is about (at most one, within the union's subtree)."""
    _require_editor(by, union)
    activity = Activity(union=union, created_by=by, **fields)
    if publish:
        activity.status = Activity.Status.PUBLISHED
        activity.published_at = timezone.now()
    activity.full_clean()
    _check_link(activity, by)
    activity.save()
    activity_add_photos(activity=activity, photos=photos)
    _notify_change(activity, (set(), False))
    return activity


@transaction.atomic
def activity_update(
    *,
    activity: Activity,
    by: AbstractUser | None = None,
    photos: Iterable[CleanImage] = (),
    publish: bool = False,
) -> Activity:
    """Save an edited activity (its new values already set on it) and add new photos.

    `by` must be allowed to edit the activity's union, before and after the change (the
    union it had when loaded from the database counts too, so an activity cannot be pulled
    out of another union's subtree)."""
    if by is not None and activity.pk and not Activity.objects.editable_by(by).filter(pk=activity.pk).exists():
        raise PermissionDenied
    _require_editor(by, activity.union)
    before = _stored(activity)
    if publish and not activity.is_published:
        activity.status = Activity.Status.PUBLISHED
        activity.published_at = timezone.now()
    activity.full_clean()
    _check_link(activity, by)
    activity.save()
    activity_add_photos(activity=activity, photos=photos)
    _notify_change(activity, before)
    return activity


def activity_add_photos(*, activity: Activity, photos: Iterable[CleanImage]) -> None:
    for photo in photos:
        ActivityPhoto.objects.create(activity=activity, image=photo.image, thumbnail=photo.thumbnail)


def _forget_files(photos: Iterable[ActivityPhoto]) -> None:
    """Delete the photos' image files once the deletion of their rows is committed."""
    files = [(f.storage, f.name) for photo in photos for f in (photo.image, photo.thumbnail) if f]

    def delete():
        for storage, name in files:
            storage.delete(name)

    transaction.on_commit(delete)


@transaction.atomic
def activity_photo_delete(*, photo: ActivityPhoto, by: AbstractUser | None) -> None:
    """Remove one photo of an activity, with its files."""
    _require_editor(by, photo.activity.union)
    _forget_files([photo])
    photo.delete()


@transaction.atomic
def activity_delete(*, activity: Activity, by: AbstractUser | None) -> None:
    """Delete an activity with its photos and their files."""
    _require_editor(by, activity.union)
    before = _stored(activity)
    _forget_files(list(activity.photos.all()))
    activity._history_user = by
    activity.delete()
    _notify_change(activity, before)


@transaction.atomic
def activity_set_published(*, activity: Activity, published: bool, by: AbstractUser | None = None) -> Activity:
    """Publish a draft to the public feed, or take it back to draft."""
    _require_editor(by, activity.union)
    before = _stored(activity)
    if published:
        # A link that has left the union's subtree since (a union moved) is not published to the page.
        _check_link(activity, by)
        activity.status = Activity.Status.PUBLISHED
        activity.published_at = activity.published_at or timezone.now()
    else:
        activity.status = Activity.Status.DRAFT
        activity.published_at = None
    activity.save(update_fields=["status", "published_at", "updated_at"])
    _notify_change(activity, before)
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
        before = _stored(activity)
        for name, value in fields.items():
            setattr(activity, name, value)
        activity.save()
        _notify_change(activity, before)
    if publish and not activity.is_published:
        activity_set_published(activity=activity, published=True)
    return activity


# --- The union tree ----------------------------------------------------------------------
# Moving a union moves everything its subtree's roles see: only superusers shape the tree,
# and every change is in the union's history and in the readable AuditEntry log.

UNION_FIELDS = ("name", "kind", "region", "address", "contact_name", "contact_phone")
CHILD_POSITIONS = ("first-child", "last-child", "sorted-child")
SIBLING_POSITIONS = ("first-sibling", "left", "right", "last-sibling", "sorted-sibling")


def _require_superuser(by: AbstractUser | None) -> None:
    if by is not None and not by.is_superuser:
        raise PermissionDenied(_("Only a system administrator may change the union tree."))


def union_trail(union: Union) -> str:
    """'City › District › Street': where a union sits in the tree."""
    return " › ".join([*(u.name for u in Union.objects.get_ancestors(union)), union.name])


def _audit(*, action: str, by: AbstractUser | None, union: Union | None, subject: str, detail: str = "") -> None:
    AuditEntry.objects.create(action=action, by=by, union=union, subject=subject[:300], detail=detail[:500])


def _record_history(instance, *, by: AbstractUser | None, reason: str) -> None:
    instance._history_user = by
    instance._change_reason = reason[:100]
    instance.save()


@transaction.atomic
def union_create(*, by: AbstractUser | None, target: Union | None = None, pos: str = "last-child", **fields) -> Union:
    """Add a union: a root when `target` is None, else at `pos` relative to `target`."""
    _require_superuser(by)
    union = Union(**fields)
    union.full_clean(exclude=["path", "depth", "numchild"])
    union._history_user = by
    if target is None:
        union = Union.objects.add_root(instance=union)
    elif pos in CHILD_POSITIONS:
        union = Union.objects.add_child(target, instance=union)
        if pos == "first-child":
            Union.objects.move(union, target, pos="first-child")
    elif pos in SIBLING_POSITIONS:
        union = Union.objects.add_sibling(target, pos, instance=union)
    else:
        raise ValidationError(_("Unknown position in the union tree."))
    union.refresh_from_db()
    _audit(action=AuditEntry.Action.UNION_CREATE, by=by, union=union, subject=union_trail(union))
    return union


@transaction.atomic
def union_update(*, union: Union, by: AbstractUser | None, **fields) -> Union:
    """Change a union's name, region, address or contacts (editors of the union)."""
    unknown = set(fields) - set(UNION_FIELDS)
    if unknown:
        names = ", ".join(sorted(unknown))
        raise ValidationError(_("These fields cannot be changed here: {names}.").format(names=names))
    if "kind" in fields and fields["kind"] != union.kind:
        _require_superuser(by)
    if by is not None and not has_role(by, union, Role.EDIT_ROLES):
        raise PermissionDenied
    for name, value in fields.items():
        setattr(union, name, value)
    union.full_clean(exclude=["path", "depth", "numchild"])
    union._history_user = by
    union.save()
    return union


@transaction.atomic
def union_move(*, union: Union, target: Union, pos: str, by: AbstractUser | None) -> Union:
    """Move a union (with its subtree) to `pos` relative to `target`: superusers only, logged."""
    _require_superuser(by)
    if pos not in CHILD_POSITIONS + SIBLING_POSITIONS:
        raise ValidationError(_("Unknown position in the union tree."))
    union = Union.objects.get(pk=union.pk)  # the tree on disk, not a form's copy
    target = Union.objects.get(pk=target.pk)
    if target.is_within(union):
        raise ValidationError(_("A union cannot be moved inside its own subtree."))
    before = union_trail(union)
    Union.objects.move(union, target, pos=pos)
    union.refresh_from_db()
    after = union_trail(union)
    _record_history(union, by=by, reason=f"{before} → {after}")
    _audit(
        action=AuditEntry.Action.UNION_MOVE,
        by=by,
        union=union,
        subject=union.name,
        detail=f"{before} → {after} ({pos} of {target.name})",
    )
    return union


@transaction.atomic
def union_delete(*, union: Union, by: AbstractUser | None) -> None:
    """Delete a union and its subtree (refused while activities or other records protect them)."""
    _require_superuser(by)
    union = Union.objects.get(pk=union.pk)
    trail = union_trail(union)
    below = Union.objects.get_descendants(union).count()
    union._history_user = by
    union.delete()
    _audit(
        action=AuditEntry.Action.UNION_DELETE,
        by=by,
        union=None,
        subject=trail,
        detail=f"with {below} union(s) below" if below else "",
    )


# --- Roles -------------------------------------------------------------------------------
# A role opens a union's subtree to its holder. The grant rules, in one place:
# - nobody grants a role to themself (superusers neither);
# - chairs and officers grant within their own subtree only, to accounts of that subtree (or
#   accounts that belong to no union yet), never to an account tied to another union;
# - never above their own role (ROLE_RANK): an officer grants judges and viewers, a chair any
#   role, chairs included; only a chair grants the welfare role (personal data);
# - removals follow the same rules; every grant and removal is in the role's history (with the
#   acting user) and in the readable AuditEntry log.

ROLE_RANK = {
    Role.Kind.CHAIR: 3,
    Role.Kind.OFFICER: 2,
    Role.Kind.WELFARE: 1,
    Role.Kind.JUDGE: 1,
    Role.Kind.VIEWER: 1,
}
GRANTOR_ROLES = (Role.Kind.CHAIR, Role.Kind.OFFICER)
CHAIR_ONLY_ROLES = (Role.Kind.WELFARE,)


def _held_in(by: AbstractUser, union: Union) -> set[str]:
    """The kinds of role `by` holds in `union` or one of its ancestors (one query)."""
    prefixes = [union.path[: Union.steplen * n] for n in range(1, len(union.path) // Union.steplen + 1)]
    return set(Role.objects.filter(user_id=by.pk, union__path__in=prefixes).values_list("kind", flat=True))


def grantable_kinds(*, by: AbstractUser | None, union: Union) -> list[str]:
    """The kinds of role `by` may grant (or remove) in `union`, in Role.Kind order."""
    if by is None or by.is_superuser:
        return list(Role.Kind.values)
    held = _held_in(by, union)
    if Role.Kind.CHAIR in held:
        return list(Role.Kind.values)
    if Role.Kind.OFFICER in held:
        own = ROLE_RANK[Role.Kind.OFFICER]
        return [k for k in Role.Kind.values if ROLE_RANK[k] < own and k not in CHAIR_ONLY_ROLES]
    return []


def _tied_elsewhere(user: AbstractUser, by: AbstractUser) -> bool:
    """Whether `user` holds a role, or is an active roster member, outside the unions `by` runs."""
    from django.apps import apps

    from .scoping import union_scope

    scope = union_scope(by, GRANTOR_ROLES)
    if Role.objects.filter(user_id=user.pk).exclude(union__in=scope).exists():
        return True
    if apps.is_installed("members"):  # the roster, when installed (the core imports no app)
        Member = apps.get_model("members", "Member")
        return Member.objects.filter(user_id=user.pk, status="active").exclude(union__in=scope).exists()
    return False


def role_grant_check(*, user: AbstractUser, union: Union, kind: str, by: AbstractUser | None) -> None:
    """Raise ValidationError / PermissionDenied when `by` may not give `user` this role."""
    if kind not in Role.Kind.values:
        raise ValidationError(_("Unknown role."))
    if by is None:
        return
    if by.pk == user.pk:
        raise ValidationError(_("Nobody may grant a role to themself; ask another chair or an administrator."))
    if by.is_superuser:
        return
    held = _held_in(by, union)
    if not held & set(GRANTOR_ROLES):
        raise PermissionDenied(_("You may grant roles only in the unions you chair or work for as an officer."))
    if kind not in grantable_kinds(by=by, union=union):
        if kind in CHAIR_ONLY_ROLES:
            raise PermissionDenied(_("Only a chair may grant the welfare role."))
        raise PermissionDenied(_("You may not grant a role as high as your own or higher."))
    if _tied_elsewhere(user, by):
        raise PermissionDenied(_("This account belongs to another union."))


@transaction.atomic
def role_grant(*, user: AbstractUser, union: Union, kind: str, by: AbstractUser | None = None) -> Role:
    """Give a user a role in a union; role holders work in the back office.

    `by` is the acting user; None only for the system (demo data, commands)."""
    role_grant_check(user=user, union=union, kind=kind, by=by)
    role = Role.objects.filter(user=user, union=union, kind=kind).first()
    if role is None:
        role = Role(user=user, union=union, kind=kind)
        role._history_user = by
        role.save()
        _audit(action=AuditEntry.Action.ROLE_GRANT, by=by, union=union, subject=str(role))
    if not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    return role


@transaction.atomic
def role_revoke(*, role: Role, by: AbstractUser | None = None) -> None:
    """Take a role away (whoever may grant it in the role's union, superusers); logged."""
    if by is not None and role.kind not in grantable_kinds(by=by, union=role.union):
        raise PermissionDenied(_("You may remove roles only in the unions you chair."))
    subject, union, user = str(role), role.union, role.user
    role._history_user = by
    role.delete()
    _audit(action=AuditEntry.Action.ROLE_REVOKE, by=by, union=union, subject=subject)
    if user.is_staff and not user.is_superuser and not Role.objects.filter(user=user).exists():
        user.is_staff = False  # no role left: no back office
        user.save(update_fields=["is_staff"])
