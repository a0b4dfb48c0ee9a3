"""A studio's life: the application, its review by the higher union, the plaque, later status changes."""

import datetime as dt
from collections.abc import Iterable

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Event
from notifications.services import notify
from unionportal.core.models import Activity, Role, Union
from unionportal.core.scoping import has_role
from unionportal.core.services import activity_log

from ..models import Member, Review, Studio
from ..selectors import can_edit, can_review, union_parent
from .derived import RESERVED_SLUGS, studio_reindex, studio_unique_slug

# Fields an editor may change on a studio; the status moves only through the workflow below.
EDITABLE_FIELDS = frozenset({"name", "slug", "kind", "level", "union", "founded_on", "description", "published"})
# Eligibility was checked for the kind, and the review done by the union's parent: fixed once approved.
FIXED_AFTER_APPROVAL = ("kind", "union")


def studio_eligibility_errors(*, studio: Studio) -> list[str]:
    """What keeps a studio from approval under the rules of its kind (empty when eligible)."""
    leaders = [m for m in studio.members.all() if m.role == Member.Role.LEADER]
    if not leaders:
        return [_("The studio has no leader yet: add its leader before approval.")]
    return leader_errors(studio=studio, leader=leaders[0])


def leader_errors(*, studio: Studio, leader: Member) -> list[str]:
    """What keeps this person from leading a studio of this kind (the rules of an application)."""
    errors = []
    if studio.kind == Studio.Kind.PARTY_PHD:
        if leader.political_status != Member.Political.PARTY:
            errors.append(
                _("A Party-member PhD studio's leader must be a CPC member; {name} is not.").format(name=leader.name)
            )
        if leader.education != Member.Education.DOCTORATE:
            errors.append(
                _("A Party-member PhD studio's leader must hold a doctorate; {name} does not.").format(name=leader.name)
            )
    elif studio.kind == Studio.Kind.MODEL_WORKER and not leader.is_model_worker:
        errors.append(
            _("A model worker studio's leader must be a model worker; {name} is not.").format(name=leader.name)
        )
    elif studio.kind == Studio.Kind.CRAFTSMAN and not (leader.is_craftsman or leader.is_model_worker):
        errors.append(
            _("A craftsman studio's leader must hold a master craftsman honour; {name} does not.").format(
                name=leader.name
            )
        )
    return errors


def _clean_slug(slug: str, name: str) -> str:
    if not slug:
        return studio_unique_slug(name=name)
    if slug in RESERVED_SLUGS:
        raise ValidationError({"slug": _("This address is reserved.")})
    return slug


@transaction.atomic
def studio_apply(
    *, union: Union, by: AbstractUser | None, leader: dict | None, fields_of_work: Iterable = (), **fields
) -> Studio:
    """A union applies to found a studio, with its leader; the higher union reviews it.

    The desk always names the leader; the back office may add the leader as a member afterwards
    (approval waits for one).
    """
    if by is not None and not has_role(by, union, Role.EDIT_ROLES):
        raise PermissionDenied
    studio = Studio(union=union, created_by=by, status=Studio.Status.APPLYING, **fields)
    studio.slug = _clean_slug(studio.slug, studio.name)
    studio.full_clean()
    studio.save()
    studio.fields_of_work.set(fields_of_work)
    if leader is not None:
        member = Member(studio=studio, role=Member.Role.LEADER, **leader)
        member.full_clean()
        member.save()
    Review.objects.create(studio=studio, action=Review.Action.SUBMITTED, union=union, by=by)
    studio_reindex(studio=studio)
    _notify_submitted(studio)
    return studio


@transaction.atomic
def studio_update(
    *, studio: Studio, by: AbstractUser | None, fields_of_work: Iterable | None = None, **fields
) -> Studio:
    """An editor changes a studio's particulars (never its status: that is the workflow's)."""
    unknown = set(fields) - EDITABLE_FIELDS
    if unknown:
        raise ValidationError(
            _("These fields cannot be changed here: {names}.").format(names=", ".join(sorted(unknown)))
        )
    studio = Studio.objects.select_for_update().select_related("union").get(pk=studio.pk)
    if by is not None and not can_edit(by, studio):
        raise PermissionDenied
    if "union" in fields and by is not None and not has_role(by, fields["union"], Role.EDIT_ROLES):
        raise PermissionDenied
    if studio.status not in (Studio.Status.APPLYING, Studio.Status.RETURNED):
        fixed = [
            str(Studio._meta.get_field(f).verbose_name)
            for f in FIXED_AFTER_APPROVAL
            if f in fields and fields[f] != getattr(studio, f)
        ]
        if fixed:
            raise ValidationError(
                _("An approved studio keeps the {fields} it was approved with.").format(fields=", ".join(fixed))
            )
    if "slug" in fields:
        fields["slug"] = _clean_slug(fields["slug"], fields.get("name", studio.name))
    for name, value in fields.items():
        setattr(studio, name, value)
    studio.full_clean()
    studio.save()
    if fields_of_work is not None:
        studio.fields_of_work.set(fields_of_work)
    studio_reindex(studio=studio)  # the name is searchable; the page stamp moves either way
    return studio


@transaction.atomic
def studio_delete(*, studio: Studio, by: AbstractUser | None) -> None:
    """Delete a studio with its records (the back office's superusers only: staff revoke on the desk)."""
    if by is not None and not by.is_superuser:
        raise PermissionDenied
    Studio.objects.filter(pk=studio.pk).delete()


@transaction.atomic
def studio_resubmit(*, studio: Studio, by: AbstractUser) -> Studio:
    """The applying union sends a returned application back to review."""
    studio = Studio.objects.select_for_update().get(pk=studio.pk)
    if not can_edit(by, studio):
        raise PermissionDenied
    if studio.status != Studio.Status.RETURNED:
        raise ValidationError(_("Only a returned application can be submitted again."))
    studio.status = Studio.Status.APPLYING
    studio.save(update_fields=["status", "updated_at"])
    Review.objects.create(studio=studio, action=Review.Action.SUBMITTED, union=studio.union, by=by)
    _notify_submitted(studio)
    return studio


def _notify_submitted(studio: Studio) -> None:
    """The editors of the higher unions, who review applications (notifications app)."""
    parent = union_parent(studio.union)
    if parent is not None:
        notify(
            event=Event.STUDIO_SUBMITTED,
            union=parent,
            title=studio.name,
            link=reverse("studios:desk_detail", args=[studio.pk]),
            roles=Role.EDIT_ROLES,
        )


def _reviewing_union(by: AbstractUser | None, studio: Studio) -> Union | None:
    """The nearest higher union in which the reviewer holds an edit role (the parent otherwise)."""
    path, step = studio.union.path, Union.steplen
    strict_ancestors = [path[:i] for i in range(step, len(path), step)]
    if by is not None:
        role = (
            Role.objects.filter(user=by, kind__in=Role.EDIT_ROLES, union__path__in=strict_ancestors)
            .select_related("union")
            .order_by("-union__depth")
            .first()
        )
        if role is not None:
            return role.union
    return union_parent(studio.union)


@transaction.atomic
def studio_review(*, studio: Studio, approve: bool, by: AbstractUser | None, comment: str = "") -> Studio:
    """The higher union approves an application (eligibility checked) or returns it with comments."""
    studio = Studio.objects.select_for_update().select_related("union").get(pk=studio.pk)
    if by is not None and not can_review(by, studio):
        raise PermissionDenied(_("Only an officer of a higher union may review this application."))
    if studio.status != Studio.Status.APPLYING:
        raise ValidationError(_("This application is not waiting for review."))
    comment = (comment or "").strip()
    if approve:
        errors = studio_eligibility_errors(studio=studio)
        if errors:
            raise ValidationError(errors)
        studio.status = Studio.Status.APPROVED
        action = Review.Action.APPROVED
    else:
        if not comment:
            raise ValidationError(_("Say what must change when returning an application."))
        studio.status = Studio.Status.RETURNED
        action = Review.Action.RETURNED
    studio.save(update_fields=["status", "updated_at"])
    Review.objects.create(studio=studio, action=action, comment=comment, union=_reviewing_union(by, studio), by=by)
    notify(  # the applying union's editors (not the reviewers above it) and whoever applied
        event=Event.STUDIO_APPROVED if approve else Event.STUDIO_RETURNED,
        union=studio.union,
        title=studio.name,
        link=reverse("studios:desk_detail", args=[studio.pk]),
        roles=Role.EDIT_ROLES,
        ancestors=False,
        user_ids=[studio.created_by_id] if studio.created_by_id else [],
    )
    return studio


@transaction.atomic
def studio_plaque(
    *,
    studio: Studio,
    on: dt.date,
    by: AbstractUser | None,
    place: str = "",
    summary: str = "",
    participants: int = 0,
    publish: bool = True,
) -> Studio:
    """The plaque ceremony makes an approved studio active; it is logged as a ceremony activity."""
    studio = Studio.objects.select_for_update().select_related("union").get(pk=studio.pk)
    if by is not None and not (can_edit(by, studio) or can_review(by, studio)):
        raise PermissionDenied
    if studio.status not in (Studio.Status.APPROVED, Studio.Status.ACTIVE):
        raise ValidationError(_("Only an approved studio can hold its plaque ceremony."))
    studio.status = Studio.Status.ACTIVE
    studio.plaque_on = on
    studio.published = studio.published or publish
    studio.save(update_fields=["status", "plaque_on", "published", "updated_at"])
    activity_log(
        union=studio.union,
        kind=Activity.Kind.CEREMONY,
        title=_("Plaque ceremony of {name}").format(name=studio.name),
        starts_at=timezone.make_aware(dt.datetime.combine(on, dt.time(10, 0))),
        source=f"studios.studio:{studio.pk}:plaque",
        summary=summary,
        place=place,
        participants=participants,
        organiser=studio.union.name,
        by=None,
    )
    if not studio.reviews.filter(action=Review.Action.PLAQUE).exists():
        Review.objects.create(studio=studio, action=Review.Action.PLAQUE, union=studio.union, by=by)
    return studio


STATUS_ACTIONS = {
    Studio.Status.UNDER_REVIEW: Review.Action.UNDER_REVIEW,
    Studio.Status.ACTIVE: Review.Action.REINSTATED,
    Studio.Status.REVOKED: Review.Action.REVOKED,
}


@transaction.atomic
def studio_set_status(*, studio: Studio, status: str, by: AbstractUser, comment: str = "") -> Studio:
    """The higher union puts a running studio under review, confirms it active again, or revokes it."""
    studio = Studio.objects.select_for_update().select_related("union").get(pk=studio.pk)
    if not can_review(by, studio):
        raise PermissionDenied(_("Only an officer of a higher union may change the status of this studio."))
    running = (Studio.Status.ACTIVE, Studio.Status.UNDER_REVIEW)
    if status not in STATUS_ACTIONS or studio.status not in running or status == studio.status:
        raise ValidationError(_("This change of status is not possible."))
    comment = (comment or "").strip()
    if status != Studio.Status.ACTIVE and not comment:
        raise ValidationError(_("Give the reason in the comments."))
    studio.status = status
    studio.save(update_fields=["status", "updated_at"])
    Review.objects.create(
        studio=studio, action=STATUS_ACTIONS[status], comment=comment, union=_reviewing_union(by, studio), by=by
    )
    return studio
