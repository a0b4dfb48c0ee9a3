"""Exchange visits between stations, published as activities of the host's union.

A published text never names a station the public may not see: the guest must be public or
one the recording user may see, and a station that is (or becomes) non-public is written as
"a station" in the activity's title and place."""

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from unionportal.core import services as core_services
from unionportal.core.models import Activity

from ..models import ExchangeVisit, Station
from .common import check_may_edit, is_public


def exchange_visit_check(*, host: Station, guest: Station, by: AbstractUser | None) -> None:
    """The host is one of the user's stations; the guest is public or one the user may see.

    The messages never name the guest: looping over ids must not tell hidden stations apart."""
    check_may_edit(by, host)
    if host.pk == guest.pk:
        raise ValidationError(_("A station cannot visit itself."))
    if by is not None and not (
        Station.objects.public().filter(pk=guest.pk).exists()
        or Station.objects.visible_to(by).filter(pk=guest.pk).exists()
    ):
        raise ValidationError(_("The visiting station must be open to the public or one you may see."))


def _public_name(station: Station) -> str:
    return station.name if is_public(station) else _("a station")


def _publish(visit: ExchangeVisit, *, by: AbstractUser | None, publish: bool = True) -> ExchangeVisit:
    host, guest = visit.host, visit.guest
    title = _("Exchange visit: {guest} visits {host}").format(guest=_public_name(guest), host=_public_name(host))
    visit.activity = core_services.activity_log(
        union=host.union,
        kind=Activity.Kind.EXCHANGE,
        title=title[:120],
        starts_at=timezone.make_aware(dt.datetime.combine(visit.visited_on, dt.time(10))),
        source=f"stations.exchangevisit:{visit.pk}",
        summary=visit.summary,
        place=(host.name if is_public(host) else "")[:120],
        participants=visit.participants,
        organiser=host.union.name[:100],
        by=by,
        publish=publish,
    )
    ExchangeVisit.objects.filter(pk=visit.pk).update(activity=visit.activity)
    return visit


@transaction.atomic
def exchange_visit_log(
    *,
    host: Station,
    guest: Station,
    visited_on: dt.date,
    summary: str = "",
    participants: int = 0,
    by: AbstractUser | None = None,
) -> ExchangeVisit:
    """Record an exchange visit and log it as an activity of the host's union (idempotent per pair and day)."""
    exchange_visit_check(host=host, guest=guest, by=by)
    visit, _created = ExchangeVisit.objects.update_or_create(
        host=host, guest=guest, visited_on=visited_on, defaults={"summary": summary, "participants": participants}
    )
    return _publish(visit, by=by)


@transaction.atomic
def exchange_visit_save(*, visit: ExchangeVisit, by: AbstractUser | None = None) -> ExchangeVisit:
    """Save a new or corrected visit (the back office) and keep its published activity true."""
    if visit.pk:
        before = ExchangeVisit.objects.select_related("host__union").filter(pk=visit.pk).first()
        if before is not None:
            check_may_edit(by, before.host)
    exchange_visit_check(host=visit.host, guest=visit.guest, by=by)
    visit.full_clean(exclude=["activity"])
    visit.save()
    return _publish(visit, by=by)


def _visits_of(station: Station):
    return ExchangeVisit.objects.filter(Q(host=station) | Q(guest=station)).select_related(
        "host__union", "guest__union", "activity"
    )


def exchange_visits_refresh(*, station: Station) -> None:
    """Rewrite the activities of the station's visits after its name or public access changed
    (a station that became non-public is no longer named; publication is left as it was)."""
    for visit in _visits_of(station):
        _publish(visit, by=None, publish=False)


def exchange_visits_withdraw(*, station: Station | None = None, visits=None) -> None:
    """Take the activities of these visits (or of the station's) off the public feed."""
    for visit in visits if visits is not None else _visits_of(station):
        if visit.activity is not None and visit.activity.is_published:
            core_services.activity_set_published(activity=visit.activity, published=False)


@transaction.atomic
def exchange_visit_delete(*, visit: ExchangeVisit, by: AbstractUser | None = None) -> None:
    """Delete a visit; its activity leaves the public feed (kept as a draft of the host's union)."""
    check_may_edit(by, visit.host)
    exchange_visits_withdraw(visits=[visit])
    visit.delete()
