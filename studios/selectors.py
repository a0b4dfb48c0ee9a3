"""Reads of the studios app that aggregate or decide who sees what.

Views, the admin, the registry cards and the services' permission checks read through here,
so "which studios may this user see or act on" and "what does a profile count" have one answer.
"""

import datetime as dt

from django.contrib.auth.models import AbstractUser
from django.db.models import Count, Exists, Max, OuterRef, Prefetch, Q, QuerySet, Subquery, Sum
from django.db.models.functions import ExtractYear, Length, Substr
from django.utils.translation import gettext as _

from unionportal.core.ids import parse_id
from unionportal.core.models import Role, Union
from unionportal.core.scoping import has_role, holds_any, union_scope
from unionportal.core.text import bars

from .models import Achievement, FieldOfWork, Member, Studio, StudioPhoto, SupportRecord, YearTarget

# Results that count towards a yearly target: industry level or above.
TARGET_LEVELS = (Achievement.Level.INTERNATIONAL, Achievement.Level.NATIONAL, Achievement.Level.INDUSTRY)


# --- Who may act ---------------------------------------------------------------------------


def union_parent(union: Union) -> Union | None:
    if union.depth <= 1:
        return None
    return Union.objects.filter(path=union.path[: -Union.steplen]).first()


def can_review(user: AbstractUser | None, studio: Studio) -> bool:
    """Only a higher union reviews: a chair or officer of a strict ancestor of the owning union."""
    if user is None or not user.is_authenticated:
        return False
    if user.is_superuser:
        return True
    parent = union_parent(studio.union)
    return parent is not None and has_role(user, parent, Role.EDIT_ROLES)


def can_edit(user: AbstractUser | None, studio: Studio) -> bool:
    return Studio.objects.editable_by(user).filter(pk=studio.pk).exists()


# --- Desk ----------------------------------------------------------------------------------


def leader_name() -> Subquery:
    return Subquery(Member.objects.filter(studio=OuterRef("pk"), role=Member.Role.LEADER).values("name")[:1])


def cover_thumbnail() -> Subquery:
    return Subquery(StudioPhoto.objects.filter(studio=OuterRef("pk")).order_by("pk").values("thumbnail")[:1])


def visible_studio(*, user: AbstractUser, pk) -> Studio | None:
    """A studio the user may see on the desk (any status), by an id read from a URL or form."""
    studio_id = parse_id(pk)
    if studio_id is None:
        return None
    return Studio.objects.visible_to(user).select_related("union").filter(pk=studio_id).first()


def editable_studio(*, user: AbstractUser, pk) -> Studio | None:
    studio_id = parse_id(pk)
    if studio_id is None:
        return None
    return Studio.objects.editable_by(user).select_related("union").filter(pk=studio_id).first()


def desk_studios(*, user: AbstractUser, status: str | None = None, q: str = "") -> QuerySet:
    """The desk list: studios of the user's subtrees, filtered by status and search."""
    studios = Studio.objects.visible_to(user).select_related("union").annotate(leader_name=leader_name())
    if status in Studio.Status.values:
        studios = studios.filter(status=status)
    if q:
        studios = studios.filter(search_filter(q))
    return studios.order_by("name", "pk")


def reviewable(*, user: AbstractUser) -> QuerySet:
    """Applications this user's higher union may review: the owning union's parent is in scope."""
    parent_in_scope = union_scope(user, Role.EDIT_ROLES).filter(
        path=Substr(OuterRef("union__path"), 1, Length(OuterRef("union__path")) - Union.steplen)
    )
    qs = Studio.objects.filter(status=Studio.Status.APPLYING)
    if user.is_superuser:
        return qs
    return qs.filter(Exists(parent_in_scope))


def desk_count(user: AbstractUser) -> int | None:
    """The desk card: studios are for officers, chairs and viewers; welfare staff and judges see no card."""
    if not holds_any(user, (Role.Kind.CHAIR, Role.Kind.OFFICER, Role.Kind.VIEWER)):
        return None
    return Studio.objects.visible_to(user).count()


# --- Public pages ------------------------------------------------------------------------------


def search_filter(q: str) -> Q:
    """Name, leader and their pinyin (the search text), the host company (the owning union's name)
    and the fields of work; every word must match one of them (`中建 低碳`)."""
    words = q.strip().lower()[:50].split()
    match = Q()
    for word in words:
        in_fields = Studio.fields_of_work.through.objects.filter(
            studio_id=OuterRef("pk"), fieldofwork__name__icontains=word
        )
        match &= (
            Q(search_text__contains=word) | Q(name__icontains=word) | Q(union__name__icontains=word) | Exists(in_fields)
        )
    return match


def active_public_count() -> int:
    return Studio.objects.public().filter(status=Studio.Status.ACTIVE).count()


def public_list_stamp() -> str:
    """The freshness stamp of the unfiltered public list: number of studios and the latest change."""
    stamp = Studio.objects.public().aggregate(n=Count("pk"), last=Max("updated_at"))
    last = stamp["last"].timestamp() if stamp["last"] else 0
    return f"{stamp['n']}:{last}"


def public_fields_of_work() -> list[FieldOfWork]:
    return list(FieldOfWork.objects.filter(studios__in=Studio.objects.public()).distinct())


def union_choices_for_public() -> list[Union]:
    """Unions that own a public studio, or have one in their subtree (for the list filter): the
    owners' tree paths and every prefix of them, in two index reads. (A correlated EXISTS per
    union took over 5 s a page once the city had 100,000 unions.)"""
    step = Union.steplen
    owners = set(Studio.objects.public().order_by().values_list("union__path", flat=True).distinct())
    paths = {path[:end] for path in owners for end in range(step, len(path) + 1, step)}
    return list(Union.objects.filter(path__in=sorted(paths)).only("pk", "name", "path", "depth"))


def public_studios(*, filters: dict, unions: list[Union]) -> QuerySet:
    """Public studios with their leader and cover, narrowed by the list's (cleaned) filters."""
    studios = (
        Studio.objects.public().select_related("union").annotate(leader_name=leader_name(), cover=cover_thumbnail())
    )
    if filters.get("q", "").strip():
        studios = studios.filter(search_filter(filters["q"]))
    if filters.get("kind"):
        studios = studios.filter(kind=filters["kind"])
    if filters.get("level"):
        studios = studios.filter(level=filters["level"])
    if filters.get("field"):
        studios = studios.filter(
            pk__in=Studio.fields_of_work.through.objects.filter(fieldofwork__slug=filters["field"]).values("studio_id")
        )
    union_id = parse_id(filters.get("union"))
    chosen = next((u for u in unions if u.pk == union_id), None)
    if chosen is not None:
        studios = studios.filter(union__path__startswith=chosen.path)
    return studios.prefetch_related(Prefetch("fields_of_work", queryset=FieldOfWork.objects.all()))


def public_profile(*, slug: str) -> dict | None:
    """Everything a public profile shows, or None when the studio is not public."""
    studio = (
        Studio.objects.public()
        .select_related("union")
        .prefetch_related("fields_of_work", "photos")
        .filter(slug=slug)
        .first()
    )
    if studio is None:
        return None
    members = list(studio.members.all())
    figures = studio_figures(studio=studio)
    recent = list(studio.achievements.all()[:10])
    return {
        "studio": studio,
        "leader": next((m for m in members if m.is_leader), None),
        "members": [m for m in members if not m.is_leader],
        "counts": figures["counts"],
        "by_type": figures["by_type"],
        "before_founding": figures["before_founding"],
        "year_bars": figures["year_bars"],
        "recent": recent,
        "targets": list(studio.targets.all()[:5]),
        "timeline": timeline(studio=studio, recent=recent),
    }


def timeline(*, studio: Studio, recent: list[Achievement]) -> list[tuple[dt.date, str, str]]:
    items = []
    if studio.founded_on:
        items.append((studio.founded_on, _("Studio founded"), ""))
    if studio.plaque_on:
        items.append((studio.plaque_on, _("Plaque ceremony"), studio.union.name))
    for a in recent:
        items.append((a.date, a.get_type_display(), a.title))
    items.sort(key=lambda i: i[0], reverse=True)
    return items


# --- Figures of a profile ----------------------------------------------------------------


def studio_counts(*, studio: Studio) -> dict[str, int]:
    """The headline counts, computed from the records in one aggregate query."""
    type_counts = {f"type_{t}": Count("pk", filter=Q(type=t)) for t in Achievement.Type.values}
    return Achievement.objects.filter(studio=studio).aggregate(
        total=Count("pk"),
        ip=Count("pk", filter=Q(type__in=Achievement.IP_TYPES)),
        patents=Count("pk", filter=Q(type__in=Achievement.PATENT_TYPES)),
        standards=Count("pk", filter=Q(type__in=Achievement.STANDARD_TYPES)),
        **type_counts,
    )


def studio_years(*, studio: Studio) -> list[dict]:
    """Achievements per year (one query), every year from the founding year to the latest result.

    Results dated before the founding year are left out (the profile says how many there are).
    """
    rows = dict(
        Achievement.objects.filter(studio=studio)
        .annotate(year=ExtractYear("date"))
        .values("year")
        .annotate(n=Count("pk"))
        .values_list("year", "n")
    )
    return _years_from_founding(studio, rows)


def _years_from_founding(studio: Studio, per_year: dict[int, int]) -> list[dict]:
    first = studio.founded_on.year if studio.founded_on else min(per_year, default=None)
    if first is None:
        return []
    last = max([first, *per_year])
    return [{"year": y, "n": per_year.get(y, 0)} for y in range(first, last + 1)]


# Rows of the profile's table: each headline group with the types it adds up, then the rest.
_GROUPS = (
    ("ip", Achievement.IP_TYPES),
    ("standards", Achievement.STANDARD_TYPES),
)


def studio_figures(*, studio: Studio) -> dict:
    """Every figure of a profile from one aggregate query, so the headline, the table and the
    chart cannot disagree: `counts` (headline), `by_type` (table rows: label, count, indent),
    `year_bars` (the chart: per year from the founding year) and `before_founding` (results
    not charted)."""
    counts = studio_counts(studio=studio)
    labels = dict(Achievement.Type.choices)
    # The type "IP result" is what is left of the IP results once patents and copyrights are
    # counted apart; under the headline's own label it read as a second, smaller total.
    labels[Achievement.Type.IP_RESULT] = _("Other IP results")
    headline = {"ip": _("IP results"), "standards": _("Standards led or co-authored")}
    by_type, grouped = [], set()
    for key, types in _GROUPS:
        by_type.append((headline[key], counts[key], False))
        for t in types:
            by_type.append((labels[t], counts[f"type_{t}"], True))
            grouped.add(t)
    by_type += [(labels[t], counts[f"type_{t}"], False) for t in Achievement.Type.values if t not in grouped]
    years = studio_years(studio=studio)
    charted = sum(r["n"] for r in years)
    return {
        "counts": counts,
        "by_type": by_type,
        "before_founding": counts["total"] - charted,
        # The per-year chart, bars the page draws itself: (year, count, height in % of the best year).
        "year_bars": bars([(str(r["year"]), r["n"]) for r in years]),
    }


def member_in_studio(*, studio: Studio, pk) -> Member | None:
    """A member of this studio by an id read from a URL or form (None for a malformed or foreign id)."""
    member_id = parse_id(pk)
    if member_id is None:
        return None
    return Member.objects.filter(studio=studio, pk=member_id).first()


def support_totals(*, studios) -> list[dict]:
    """Support given per year and kind, with amounts (one query)."""
    labels = dict(SupportRecord.Kind.choices)
    rows = list(
        SupportRecord.objects.filter(studio__in=studios)
        .annotate(year=ExtractYear("date"))
        .values("year", "kind")
        .annotate(n=Count("pk"), amount=Sum("amount"))
        .order_by("-year", "kind")
    )
    for r in rows:
        r["kind_label"] = labels.get(r["kind"], r["kind"])
    return rows


# --- Yearly targets ----------------------------------------------------------------------


def year_results(*, studio: Studio, year: int) -> int:
    """Results of a year that count towards the target: industry level or above (one query)."""
    return Achievement.objects.filter(studio=studio, date__year=year, level__in=TARGET_LEVELS).count()


def targets_with_results(*, studio: Studio) -> list[YearTarget]:
    """The studio's targets, each with `results` (what counts towards it) and `short` (below target)."""
    targets = list(studio.targets.select_related("assessed_by"))
    per_year = dict(
        Achievement.objects.filter(studio=studio, level__in=TARGET_LEVELS, date__year__in=[t.year for t in targets])
        .annotate(year=ExtractYear("date"))
        .values_list("year")
        .annotate(n=Count("pk"))
        .values_list("year", "n")
    )
    for t in targets:
        t.results = per_year.get(t.year, 0)
        t.short = t.results < t.target_count
    return targets


def target_in_studio(*, studio: Studio, pk) -> YearTarget | None:
    """A target of this studio by an id read from a form (None for a malformed or foreign id)."""
    target_id = parse_id(pk)
    if target_id is None:
        return None
    return YearTarget.objects.filter(studio=studio, pk=target_id).first()


# --- Year-end report ------------------------------------------------------------------------


def yearend_studios(*, union, year: int) -> dict:
    """Studios of the union's subtree by kind, and their achievements dated in `year` by type
    (two flat queries)."""
    studios = dict(
        Studio.objects.filter(union__path__startswith=union.path).order_by().values_list("kind").annotate(n=Count("pk"))
    )
    achievements = dict(
        Achievement.objects.filter(studio__union__path__startswith=union.path, date__year=year)
        .order_by()
        .values_list("type")
        .annotate(n=Count("pk"))
    )
    return {"studios": studios, "achievements": achievements}
