"""Reads of the roster that decide who is whom and who sees what."""

from django.db.models import Q

from unionportal.core.models import Union

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
