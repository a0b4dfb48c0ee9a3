"""Reads of the roster that decide who is whom and who sees what."""

from django.db.models import Q

from unionportal.core.models import Role, Union

from .models import Member
from .phones import normalise_phone


def roster_match(*, phone: str = "", email: str = "") -> Member | None:
    """The active, not yet linked roster entry with this phone (normalised) or email (any case).

    None when nothing matches, or when more than one entry does (ambiguous: an officer must
    sort the roster out first)."""
    phone = normalise_phone(phone)
    email = (email or "").strip()
    condition = Q()
    if phone:
        condition |= Q(phone=phone)
    if email:
        condition |= Q(email__iexact=email)
    if not condition:
        return None
    found = list(Member.objects.active().filter(condition, user__isnull=True).select_related("union")[:2])
    return found[0] if len(found) == 1 else None


def verified_union(user) -> Union | None:
    """The union in which `user` is an active member linked to their account, else None."""
    if user is None or not user.is_authenticated:
        return None
    member = Member.objects.active().filter(user_id=user.pk, verified_at__isnull=False).select_related("union").first()
    return member.union if member is not None else None


def editable_unions(user):
    """The unions whose roster `user` may change (chair or officer of the subtree)."""
    from unionportal.core.scoping import union_scope

    return union_scope(user, Role.EDIT_ROLES)


def users_of_subtree(user):
    """Accounts of the unions `user` runs: holders of a role there, or linked roster members."""
    from django.contrib.auth import get_user_model

    User = get_user_model()
    if user is None or not user.is_authenticated:
        return User.objects.none()
    if user.is_superuser:
        return User.objects.all()
    scope = editable_unions(user)
    return User.objects.filter(
        Q(pk__in=Role.objects.filter(union__in=scope).values("user_id"))
        | Q(pk__in=Member.objects.active().filter(union__in=scope, user__isnull=False).values("user_id"))
    )


def desk_roster(*, user, q: str = "", status: str = ""):
    """The roster entries `user` may see, searched by name (prefix), card number or full phone."""
    members = Member.objects.visible_to(user).select_related("union")
    if status in Member.Status.values:
        members = members.filter(status=status)
    q = (q or "").strip()
    if q:
        condition = Q(name__startswith=q) | Q(card_number=q)
        phone = normalise_phone(q)
        if len(phone) >= 7 and phone == q.replace(" ", "").replace("-", "").removeprefix("+86"):
            condition |= Q(phone=phone)
        members = members.filter(condition)
    return members


def desk_transfers(*, user):
    """(incoming, outgoing): pending transfers into and out of the unions `user` runs."""
    from .models import Transfer

    scope = editable_unions(user)
    pending = Transfer.objects.pending().select_related("member", "from_union", "to_union")
    if user.is_superuser:
        return pending, Transfer.objects.none()
    return pending.filter(to_union__in=scope), pending.filter(from_union__in=scope).exclude(to_union__in=scope)


def desk_users(*, user, q: str = ""):
    """Accounts of the user's subtree, with their roles and roster entry."""
    users = users_of_subtree(user).select_related("member__union").prefetch_related("union_roles__union")
    q = (q or "").strip()
    if q:
        users = users.filter(Q(username__istartswith=q) | Q(first_name__startswith=q))
    return users.order_by("username")
