"""Writes of the notifications app: who is told what, on which channel; marking as read; digests.

The apps call `notify(...)` inside their services: it queues the fan-out as a Celery task once the
transaction commits (in process without REDIS_URL), so a request never waits for thousands of rows.
`notify_fanout` is the fan-out itself: the recipients, their preferences, one bulk insert, SMS.
"""

import logging
from collections import defaultdict
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractUser
from django.core.mail import get_connection
from django.core.mail.message import EmailMessage
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from unionportal.core.models import Role, Union

from .models import URGENT_EVENTS, Event, Notification, Preference

log = logging.getLogger(__name__)
BATCH = 2000


def ancestor_paths(union: Union, *, include_self: bool = True) -> list[str]:
    step, path = Union.steplen, union.path
    stop = len(path) + (1 if include_self else 0)
    return [path[:i] for i in range(step, stop, step)]


def role_holders(*, union: Union, roles: Iterable[str], ancestors: bool = True):
    """Active users holding one of `roles` in `union` (and, with `ancestors`, in a union above it).

    Never anyone whose roles lie only in a sibling or a lower union: they cannot see the record.
    """
    paths = ancestor_paths(union) if ancestors else [union.path]
    grants = Role.objects.filter(kind__in=list(roles), union__path__in=paths)
    return get_user_model().objects.filter(is_active=True, pk__in=grants.values("user_id"))


def contest_audience(*, contest_id: int):
    """Entrants, judges and verified voters of a contest (voters of the organiser's subtree only)."""
    from contests.models import Contest, Entry, JudgeAssignment, Voter

    contest = Contest.objects.select_related("union").get(pk=contest_id)
    entrants = Entry.objects.filter(contest=contest, submitted_by__isnull=False).values("submitted_by_id")
    judges = JudgeAssignment.objects.filter(contest=contest).values("judge_id")
    voters = Voter.objects.filter(verified=True, union__path__startswith=contest.union.path).values("user_id")
    return (
        get_user_model().objects.filter(is_active=True).filter(Q(pk__in=entrants) | Q(pk__in=judges) | Q(pk__in=voters))
    )


def notify(
    *,
    event: str,
    union: Union | None,
    title: str,
    link: str = "",
    roles: Iterable[str] | None = None,
    ancestors: bool = True,
    user_ids: Iterable[int] = (),
    contest_id: int | None = None,
    key: str = "",
) -> None:
    """Tell the right people about `event`, once the current transaction commits (see notify_fanout)."""
    from .tasks import notify_fanout_task

    kwargs = {
        "event": str(event),
        "union_id": union.pk if union is not None else None,
        "title": str(title)[:200],
        "link": link,
        "roles": [str(r) for r in roles] if roles else [],
        "ancestors": ancestors,
        "user_ids": sorted({int(u) for u in user_ids if u}),
        "contest_id": contest_id,
        "key": key,
    }
    transaction.on_commit(lambda: notify_fanout_task.delay(**kwargs))


def notify_fanout(
    *,
    event: str,
    union_id: int | None,
    title: str,
    link: str = "",
    roles: Iterable[str] = (),
    ancestors: bool = True,
    user_ids: Iterable[int] = (),
    contest_id: int | None = None,
    key: str = "",
) -> int:
    """Create the notifications of one event: returns how many recipients it reached."""
    if event not in Event.values:
        raise ValueError(f"unknown event {event!r}")
    union = Union.objects.filter(pk=union_id).first() if union_id else None
    recipients: set[int] = set()
    if roles and union is not None:
        recipients |= set(role_holders(union=union, roles=roles, ancestors=ancestors).values_list("pk", flat=True))
    if user_ids:
        recipients |= set(
            get_user_model().objects.filter(is_active=True, pk__in=list(user_ids)).values_list("pk", flat=True)
        )
    if contest_id:
        recipients |= set(contest_audience(contest_id=contest_id).values_list("pk", flat=True))
    if not recipients:
        return 0
    if key:  # announced before: not again (the scans run every day). No IN list: a contest
        # stage may reach 100,000 people, past SQLite's limit of bound parameters.
        recipients -= set(Notification.objects.filter(key=key).values_list("recipient_id", flat=True))
    prefs = {p.user_id: p for p in Preference.objects.filter(event=event) if p.user_id in recipients}
    default = Preference.default(event)
    plan, sms_to = [], []  # (recipient, on desk, in the digest): plain tuples, 100,000 of them
    for user_id in sorted(recipients):
        pref = prefs.get(user_id)
        desk, email, sms = (
            (pref.desk, pref.email, pref.sms) if pref else (default["desk"], default["email"], default["sms"])
        )
        if sms and event in URGENT_EVENTS:
            sms_to.append(user_id)
        if desk or email or sms:
            plan.append((user_id, desk, email))
    title = title[:200]
    union_id = union.pk if union is not None else None
    if connection.vendor == "postgresql":
        _copy_notifications(plan, event=event, title=title, link=link, union_id=union_id, key=key)
    else:
        rows = [
            Notification(
                recipient_id=user_id,
                event=event,
                title=title,
                link=link,
                union_id=union_id,
                on_desk=desk,
                digest=email,
                key=key,
            )
            for user_id, desk, email in plan
        ]
        Notification.objects.bulk_create(rows, batch_size=BATCH, ignore_conflicts=bool(key))
    if sms_to:
        _sms_send(user_ids=sms_to, text=Notification(event=event, title=title).text, link=link)
    return len(plan)


def _copy_notifications(plan: list[tuple], *, event: str, title: str, link: str, union_id, key: str) -> None:
    """PostgreSQL: the rows through COPY into a temporary table, then one INSERT ... ON CONFLICT
    DO NOTHING (a key announced meanwhile by another run is skipped, as bulk_create's
    ignore_conflicts does). The ORM's bulk insert spends ~1 ms of Python per row: a contest
    stage to 100,000 people took over a minute; this takes a second or two."""
    if not plan:
        return
    table = Notification._meta.db_table
    columns = ["recipient_id", "event", "title", "link", "union_id", "created_at", "on_desk", "digest", "key"]
    cols = ", ".join(f'"{c}"' for c in columns)
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS notif_fanout")  # a fan-out earlier in the same transaction
        cursor.execute(
            f"CREATE TEMPORARY TABLE notif_fanout ({', '.join(f'{c} text' for c in columns)}) ON COMMIT DROP"
        )
        with cursor.cursor.copy(f"COPY notif_fanout ({cols}) FROM STDIN") as copy:  # noqa: S608 (our names)
            for user_id, desk, email in plan:
                copy.write_row((user_id, event, title, link, union_id, now, desk, email, key))
        casts = {"recipient_id": "bigint", "union_id": "bigint", "created_at": "timestamptz", "on_desk": "boolean",
                 "digest": "boolean"}  # fmt: skip
        select = ", ".join(f'"{c}"::{casts[c]}' if c in casts else f'"{c}"' for c in columns)
        cursor.execute(
            f"INSERT INTO {table} ({cols}) SELECT {select} FROM notif_fanout ON CONFLICT DO NOTHING"  # noqa: S608
        )


def _sms_send(*, user_ids: list[int], text: str, link: str) -> int:
    """Urgent events by SMS, to the verified phones of those who keep the channel on."""
    from accounts.models import Profile
    from accounts.sms import sms_backend

    backend = sms_backend()
    sent = 0
    phones = Profile.objects.filter(user_id__in=user_ids).exclude(phone="").values_list("phone", flat=True)
    with translation.override(settings.LANGUAGE_CODE):
        message = _("UnionPortal: {text}").format(text=text)
    for phone in phones:
        try:
            backend.send(phone, message)
            sent += 1
        except Exception:  # noqa: BLE001 - one refused message must not stop the others
            log.warning("SMS notification to %s not sent", phone[-4:], exc_info=True)
    return sent


@transaction.atomic
def notification_mark_read(*, notification: Notification, by: AbstractUser) -> Notification:
    if notification.recipient_id != by.pk:
        raise Notification.DoesNotExist
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return notification


@transaction.atomic
def notifications_mark_all_read(*, by: AbstractUser) -> int:
    return Notification.objects.filter(recipient=by).unread().update(read_at=timezone.now())


@transaction.atomic
def preferences_save(*, user: AbstractUser, choices: dict[str, dict[str, bool]], by: AbstractUser) -> None:
    """Save a user's channels per event (only the user themselves)."""
    if by.pk != user.pk:
        raise PermissionError
    for event in Event.values:
        chosen = choices.get(event, {})
        values = {
            "desk": bool(chosen.get("desk")),
            "email": bool(chosen.get("email")),
            "sms": bool(chosen.get("sms")) and event in URGENT_EVENTS,
        }
        if values == Preference.default(event):
            Preference.objects.filter(user=user, event=event).delete()
        else:
            Preference.objects.update_or_create(user=user, event=event, defaults=values)


def digest_send(*, now=None) -> int:
    """One email per user listing the notifications not yet emailed; returns the emails sent."""
    now = now or timezone.now()
    pending = (
        Notification.objects.filter(digest=True, emailed_at__isnull=True)
        .select_related("recipient", "recipient__account_profile")
        .order_by("recipient_id", "created_at")
    )
    by_user = defaultdict(list)
    for n in pending.iterator(chunk_size=BATCH):
        by_user[n.recipient].append(n)
    base = getattr(settings, "NOTIFICATIONS_SITE_URL", "").rstrip("/")
    messages, done = [], []
    with translation.override(settings.LANGUAGE_CODE):
        for user, items in by_user.items():
            done.extend(n.pk for n in items)
            profile = getattr(user, "account_profile", None)
            address = (profile.email if profile and profile.email else "") or user.email
            if not address:
                continue
            lines = [f"- {n.text}" + (f"\n  {base}{n.link}" if n.link else "") for n in items]
            body = _("Hello {name},\n\nWhat happened on UnionPortal:\n\n{lines}\n").format(
                name=user.get_full_name() or user.username, lines="\n".join(lines)
            )
            subject = _("UnionPortal: {n} new notifications").format(n=len(items))
            messages.append(EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [address]))
    if messages:
        get_connection().send_messages(messages)
    for i in range(0, len(done), BATCH):
        Notification.objects.filter(pk__in=done[i : i + BATCH]).update(emailed_at=now)
    return len(messages)
