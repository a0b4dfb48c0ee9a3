"""Workers' ratings and problem reports, the owning union's answers, and check-ins."""

import hashlib

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.models import Event
from notifications.services import notify
from unionportal.core.models import Role
from unionportal.core.scoping import has_role

from ..models import CheckIn, Feedback, Station


def client_hash(ip: str) -> str:
    return hashlib.sha256(ip.encode()).hexdigest()[:16]


@transaction.atomic
def feedback_submit(
    *,
    station: Station,
    rating: int | None,
    problem: str = "",
    message: str = "",
    contact: str = "",
    by: AbstractUser | None = None,
) -> Feedback:
    """A worker's rating and/or problem report; no account needed. A signed-in reporter (`by`)
    finds the report and the union's answer on their account page."""
    if rating is None and not problem:
        raise ValidationError(_("Give a rating or choose a problem."))
    if problem == Feedback.Problem.OTHER and not message.strip():
        raise ValidationError(_("Please describe the problem."))
    fb = Feedback(station=station, rating=rating, problem=problem, message=message.strip(), contact=contact.strip())
    if by is not None and by.is_authenticated:
        fb.submitted_by = by
    fb.full_clean()
    fb.save()
    notify(  # the editors of the station's union and of the unions above it, who may answer
        event=Event.STATION_FEEDBACK,
        union=station.union,
        title=station.name,
        link=reverse("stations:inbox"),
        roles=Role.EDIT_ROLES,
    )
    return fb


def feedback_forget_reporter(*, user: AbstractUser) -> int:
    """An account is deleted (PIPL): its reports stay with the station, unlinked and without the
    contact the reporter left. Returns how many reports were changed."""
    return Feedback.objects.filter(submitted_by_id=user.pk).update(submitted_by=None, contact="")


@transaction.atomic
def feedback_answer(*, feedback: Feedback, answer: str, close: bool, by: AbstractUser) -> Feedback:
    """The owning union answers a report and may close it."""
    if not has_role(by, feedback.station.union, Role.EDIT_ROLES):
        raise PermissionDenied
    answer = answer.strip()
    if not answer and not close:
        raise ValidationError(_("Write an answer or close the report."))
    if answer:
        feedback.answer = answer
        feedback.answered_by = by
        feedback.answered_at = timezone.now()
        feedback.status = Feedback.Status.ANSWERED
    if close:
        feedback.status = Feedback.Status.CLOSED
    feedback.full_clean()
    feedback.save()
    return feedback


@transaction.atomic
def feedback_delete(*, feedback: Feedback, by: AbstractUser) -> None:
    """Remove a report (e.g. abuse); only the owning union's editors."""
    if not has_role(by, feedback.station.union, Role.EDIT_ROLES):
        raise PermissionDenied
    feedback.delete()


def checkin_record(*, station: Station, ip: str) -> CheckIn:
    return CheckIn.objects.create(station=station, at=timezone.now(), client=client_hash(ip))
