"""Reads of the notifications app."""

from .models import URGENT_EVENTS, Event, Notification, Preference


def unread_count(*, user) -> int:
    if user is None or not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user).on_desk().unread().count()


def desk_notifications(*, user):
    return Notification.objects.filter(recipient=user).on_desk()


def preference_rows(*, user) -> list[dict]:
    """One row per event: its label, whether SMS is offered, and the user's channels."""
    saved = {p.event: p for p in Preference.objects.filter(user=user)}
    rows = []
    for event, label in Event.choices:
        p = saved.get(event)
        values = {"desk": p.desk, "email": p.email, "sms": p.sms} if p else Preference.default(event)
        rows.append({"event": event, "label": label, "urgent": event in URGENT_EVENTS, **values})
    return rows
