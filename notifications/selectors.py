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


AUDIT_UNION_CHOICES_CAP = 300


def audit_union_choices(*, user) -> list:
    """The unions offered in the audit trail's union filter, in one query: the chair's own role
    unions and two levels below them (a city chair's subtree may hold 100,000 unions, and the
    page must stay one screen; any other union of the subtree is still reachable by its id)."""
    from django.db.models import Min, Subquery, Value
    from django.db.models.functions import Coalesce

    from unionportal.core.models import Role, Union
    from unionportal.core.scoping import union_scope

    if user.is_superuser:
        top = Union.objects.order_by().annotate(one=Value(1)).values("one").annotate(d=Min("depth")).values("d")
    else:
        top = (
            Role.objects.filter(user_id=user.pk, kind=Role.Kind.CHAIR)
            .order_by()
            .values("user_id")
            .annotate(d=Min("union__depth"))
            .values("d")
        )
    scope = union_scope(user, [Role.Kind.CHAIR])
    return list(
        scope.filter(depth__lte=Coalesce(Subquery(top[:1]), 1) + 2)
        .order_by("path")
        .only("pk", "name", "depth", "path")[:AUDIT_UNION_CHOICES_CAP]
    )


def audit_union(*, user, pk: int):
    """A union of the chair's subtree by id, or None (a sibling's id finds nothing)."""
    from unionportal.core.models import Role
    from unionportal.core.scoping import union_scope

    return union_scope(user, [Role.Kind.CHAIR]).filter(pk=pk).first()
