"""Reads of the accounts app: who is verified, and what a user sees about themself."""

from django.db.models import Count, Max, Min

from .models import OneTimeCode, Profile, SessionRecord


def is_verified_public(user) -> bool:
    """Whether `user` is a verified member of the public: an active account that proved its
    phone or email with a one-time code (sign-up or activation). Contests open to the public
    let them vote."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return Profile.objects.filter(user_id=user.pk, verified_at__isnull=False).exists()


def verified_public_users():
    """The active accounts of the verified public, as a queryset (for a subquery or a filter)."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(is_active=True, account_profile__verified_at__isnull=False)


def own_votes(user) -> list[dict]:
    """The contests `user` voted in: title, slug, first and last ballot, number of ballots."""
    from contests.models import Ballot

    rows = (
        Ballot.objects.filter(voter_id=user.pk)
        .values("contest_id", "contest__title", "contest__slug")
        .annotate(ballots=Count("pk"), first=Min("cast_at"), last=Max("cast_at"))
        .order_by("-last")
    )
    return [
        {
            "contest": row["contest__title"],
            "slug": row["contest__slug"],
            "ballots": row["ballots"],
            "first": row["first"],
            "last": row["last"],
        }
        for row in rows
    ]


def own_feedback(user, *, limit: int = 10) -> list:
    """The station reports `user` sent while signed in, newest first, with the union's answer."""
    from stations.models import Feedback

    return list(
        Feedback.objects.filter(submitted_by_id=user.pk)
        .select_related("station")
        .only("station__name", "created_at", "rating", "problem", "message", "status", "answer")
        .order_by("-created_at")[:limit]
    )


def union_news(user, *, limit: int = 5):
    """Published activities of the union where `user` is a verified member (none otherwise)."""
    from members.selectors import verified_union
    from unionportal.core.models import Activity

    union = verified_union(user)
    if union is None:
        return union, Activity.objects.none()
    return union, Activity.objects.published().filter(union=union).order_by("-starts_at", "-pk")[:limit]


def own_sessions(user) -> list[SessionRecord]:
    """The sessions `user` is signed in with now (ended ones left out)."""
    from .services import session_live

    return [r for r in SessionRecord.objects.filter(user_id=user.pk) if session_live(r.session_key)]


def own_data(user) -> dict:
    """Everything the portal keeps about `user` as a person, for the page and the JSON download."""
    from contests.models import Ballot, Voter
    from members.models import Member
    from stations.models import Feedback
    from unionportal.core.models import Role

    profile = Profile.objects.filter(user_id=user.pk).first()
    targets = {t for t in (user.username.lower(), user.email.lower()) if t}
    if profile is not None:
        targets |= {t for t in (profile.phone, profile.email) if t}
    member = Member.objects.filter(user_id=user.pk).select_related("union").first()
    voter = Voter.objects.filter(user_id=user.pk).select_related("union").first()

    def stamp(value):
        return value.isoformat() if value else None

    return {
        "account": {
            "username": user.username,
            "name": user.get_full_name(),
            "email": user.email,
            "date_joined": stamp(user.date_joined),
            "last_login": stamp(user.last_login),
        },
        "verified_contacts": {
            "phone": profile.phone if profile else "",
            "email": profile.email if profile else "",
            "verified_at": stamp(profile.verified_at) if profile else None,
        },
        "roster_entry": (
            {
                "union": member.union.name,
                "name": member.name,
                "phone": member.phone,
                "email": member.email,
                "card_number": member.card_number,
                "status": member.get_status_display(),
                "joined_on": stamp(member.joined_on),
                "verified_at": stamp(member.verified_at),
            }
            if member
            else None
        ),
        "roles": [
            {"union": role.union.name, "role": role.get_kind_display()}
            for role in Role.objects.filter(user_id=user.pk).select_related("union")
        ],
        "contest_voter": (
            {"union": voter.union.name, "verified": voter.verified, "verified_at": stamp(voter.verified_at)}
            if voter
            else None
        ),
        "ballots": [
            {"contest": b.contest.title, "entry": b.entry.title, "cast_at": stamp(b.cast_at)}
            for b in Ballot.objects.filter(voter_id=user.pk).select_related("contest", "entry").order_by("cast_at")
        ],
        "station_feedback": [
            {
                "station": f.station.name,
                "sent_at": stamp(f.created_at),
                "problem": f.get_problem_display(),
                "message": f.message,
                "contact": f.contact,
                "answer": f.answer,
            }
            for f in Feedback.objects.filter(submitted_by_id=user.pk).select_related("station").order_by("created_at")
        ],
        "sessions": [
            {"signed_in_at": stamp(r.created_at), "address": r.ip_address, "browser": r.user_agent}
            for r in SessionRecord.objects.filter(user_id=user.pk)
        ],
        "one_time_codes": [
            {"purpose": c.get_purpose_display(), "sent_at": stamp(c.created_at), "used_at": stamp(c.used_at)}
            for c in OneTimeCode.objects.filter(target__in=targets)
        ],
    }
