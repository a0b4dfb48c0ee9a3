"""Celery tasks: the fan-out of one event, and the daily scans and jobs of the beat schedule.

The scans read the apps' models and announce each finding once (a key per file, station or item).
"""

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.db.models import F, Max, Q
from django.urls import reverse
from django.utils import timezone

from unionportal.core.models import Role

from . import services
from .models import Event

log = logging.getLogger(__name__)
STALE_DAYS = 30
DEFAULT_PURGE_YEARS = 5
UNFIXED_DAYS = 30
EDITORS = [str(k) for k in Role.EDIT_ROLES]


@shared_task(name="notifications.fanout")
def notify_fanout_task(**kwargs) -> int:
    return services.notify_fanout(**kwargs)


@shared_task(name="notifications.overdue_reviews")
def overdue_reviews(today=None) -> int:
    """Hardship files past their yearly review: the welfare staff of the union and above."""
    from welfare.models import HardshipFile

    today = today or timezone.localdate()
    n = 0
    for f in HardshipFile.objects.overdue_for_review(today).select_related("union").only("pk", "union", "review_due"):
        n += services.notify_fanout(
            event=Event.REVIEW_OVERDUE,
            union_id=f.union_id,
            title=f"#{f.pk}",  # no name: the digest and SMS leave the portal
            link=reverse("welfare:file_detail", args=[f.pk]),
            roles=[Role.Kind.WELFARE],
            key=f"review:{f.pk}:{f.review_due:%Y-%m-%d}",
        )
    return n


@shared_task(name="notifications.stale_stations")
def stale_stations(now=None) -> int:
    """Open stations older than 30 days with no check-in in the last 30 days."""
    from stations.models import Station

    now = now or timezone.now()
    since = now - dt.timedelta(days=STALE_DAYS)
    stations = (
        Station.objects.filter(status=Station.Status.OPEN, created_at__lt=since)
        .annotate(last=Max("checkins__at"))
        .filter(Q(last__isnull=True) | Q(last__lt=since))
        .only("pk", "name", "union")
    )
    n = 0
    for s in stations:
        n += services.notify_fanout(
            event=Event.STATION_STALE,
            union_id=s.union_id,
            title=s.name,
            link=reverse("stations:desk_station", args=[s.pk]),
            roles=EDITORS,
            key=f"stale:{s.pk}:{s.last:%Y-%m-%d}" if s.last else f"stale:{s.pk}:never",
        )
    return n


@shared_task(name="notifications.unfixed_items")
def unfixed_items(today=None) -> int:
    """A failed 七有 item of a station's latest inspection, inspected 30 days ago or more."""
    from stations.models import InspectionItem, Station

    today = today or timezone.localdate()
    items = InspectionItem.objects.filter(
        passed=False,
        inspection__inspected_on__lte=today - dt.timedelta(days=UNFIXED_DAYS),
        inspection__station__latest_inspection=F("inspection"),
        inspection__station__status=Station.Status.OPEN,
    ).select_related("inspection__station")
    n = 0
    for item in items:
        station = item.inspection.station
        n += services.notify_fanout(
            event=Event.ITEM_UNFIXED,
            union_id=station.union_id,
            title=f"{station.name} · {item.get_item_display()}",
            link=reverse("stations:desk_station", args=[station.pk]),
            roles=EDITORS,
            key=f"item:{item.pk}",
        )
    return n


@shared_task(name="notifications.contest_stages")
def contest_stages(now=None) -> int:
    """Entries open, vote open, results out: the entrants, judges and voters, once per stage."""
    from contests.models import Contest

    now = now or timezone.now()
    recent = now - dt.timedelta(days=2)  # a stage that began long ago is old news
    n = 0
    stages = (
        ("entry", "entry_opens", Q(entry_opens__range=(recent, now))),
        ("vote", "vote_opens", Q(vote_opens__range=(recent, now))),
        ("results", "results_published_at", Q(results_published=True, results_published_at__range=(recent, now))),
    )
    for stage, _field, condition in stages:
        for contest in Contest.objects.filter(condition):
            n += contest_stage_announce(contest=contest, stage=stage)
    return n


def contest_stage_announce(*, contest, stage: str) -> int:
    from contests.models import Contest

    label = dict(Contest.Stage.choices).get(stage, stage)
    return services.notify_fanout(
        event=Event.CONTEST_STAGE,
        union_id=contest.union_id,
        title=f"{contest.title} · {label}",
        link=contest.get_absolute_url(),
        contest_id=contest.pk,
        key=f"contest:{contest.pk}:{stage}",
    )


@shared_task(name="notifications.purge_welfare")
def purge_welfare(years: int | None = None) -> int:
    """The retention purge of `manage.py purge_welfare`: anonymises closed files only when the union
    has decided the period (WELFARE_PURGE_YEARS, or `years`); otherwise counts them and logs it."""
    from welfare import services as welfare_services

    years = years if years is not None else settings.WELFARE_PURGE_YEARS
    apply = bool(years)
    years = years or DEFAULT_PURGE_YEARS
    today = timezone.localdate()
    try:
        before = today.replace(year=today.year - years)
    except ValueError:  # 29 February
        before = today.replace(year=today.year - years, day=28)
    n = welfare_services.files_purge(closed_before=before, apply=apply)
    log.warning("purge_welfare: %d closed files %s", n, "anonymised" if apply else "due (WELFARE_PURGE_YEARS unset)")
    return n


@shared_task(name="notifications.purge_search_demand")
def purge_search_demand() -> int:
    """Anonymous nearby-search counts are kept 90 days (`manage.py purge_search_demand`)."""
    from stations.services.search_demand import search_demand_purge

    return search_demand_purge()


@shared_task(name="notifications.purge_accounts")
def purge_accounts() -> int:
    """Expired one-time codes and ended sessions' records go (`manage.py purge_accounts`)."""
    from accounts.services import accounts_purge

    return sum(accounts_purge())


@shared_task(name="notifications.email_digest")
def email_digest() -> int:
    return services.digest_send()
