"""Reads of the core that aggregate or decide who sees what; views and admins call these."""

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import models
from django.urls import NoReverseMatch, reverse

from . import pagecache, registry
from .ids import parse_id
from .models import Activity, Role, Union
from .scoping import holds_any, role_kinds, union_scope

FIGURES_CACHE_SECONDS = 60


def _figure_href(url: str | None) -> str | None:
    if not url:
        return None
    name, _, query = url.partition("?")
    try:
        return reverse(name) + (f"?{query}" if query else "")
    except NoReverseMatch:
        return None


def home_figures() -> list[tuple[str, object, int, str | None]]:
    """The public figures of the home page as (key, label, value, link to the public page).

    Computed from the records, but not on every view: counting a national table for each
    visitor would make the front page the slowest page of the portal."""
    # Recounted once per FIGURES_CACHE_SECONDS slot, the slot the home page's cache follows.
    slot = pagecache.bucket(FIGURES_CACHE_SECONDS)
    values = cache.get_or_set(
        f"home:figures:{slot}", lambda: {f.key: f.value() for f in registry.FIGURES}, 2 * FIGURES_CACHE_SECONDS
    )
    return [
        (f.key, f.label, values[f.key] if f.key in values else f.value(), _figure_href(f.url)) for f in registry.FIGURES
    ]


LINK_CHOICES_LIMIT = 300  # per kind in the desk form's select; a typed-in id in scope still counts


def linked_activities(*, station=None, studio=None, contest=None, limit: int = 5) -> list[Activity]:
    """The latest published activities about a station, studio or contest (one query): what
    its public page lists under "Activities here". Drafts never show."""
    links = {"station": station, "studio": studio, "contest": contest}
    given = {name: obj for name, obj in links.items() if obj is not None}
    if len(given) != 1:
        return []
    ((name, obj),) = given.items()
    pk = obj.pk if hasattr(obj, "pk") else obj
    return list(
        Activity.objects.published()
        .filter(**{f"{name}_id": pk})
        .only("pk", "title", "kind", "starts_at", "status", "published_at")
        .order_by("-starts_at", "-pk")[:limit]
    )


def activity_about(activity: Activity) -> tuple[str, object, str | None] | None:
    """What a published page may say the activity is about: (kind, record, public url or None).

    A station that is not public, or a studio not (or no longer) published, is named nowhere
    public: then None. Reads the links loaded with the activity (select_related)."""
    if activity.station_id:
        station = activity.station
        if station.is_public and station.status in station.PUBLIC_STATUSES:
            return "station", station, station.get_absolute_url()
        return None
    if activity.studio_id:
        studio = activity.studio
        return ("studio", studio, studio.get_absolute_url()) if studio.is_public else None
    if activity.contest_id:
        return "contest", activity.contest, activity.contest.get_absolute_url()
    return None


def _link_related() -> list[str]:
    return ["station", "studio", "contest"]


def activity_link_options(*, user, current: Activity | None = None) -> dict[str, list[tuple[int, str]]]:
    """What the desk form offers an activity to be about: the stations, studios and contests of
    the unions the user may edit (the current link always included), as {kind: [(pk, name)]}."""
    from contests.models import Contest
    from stations.models import Station
    from studios.models import Studio

    options = {}
    for name, qs, label in (
        ("station", Station.objects.editable_by(user).order_by("sort_name", "pk"), "name"),
        ("studio", Studio.objects.editable_by(user).order_by("name", "pk"), "name"),
        ("contest", Contest.objects.editable_by(user).order_by("-entry_opens", "-pk"), "title"),
    ):
        rows = list(qs.values_list("pk", label)[:LINK_CHOICES_LIMIT])
        pk = getattr(current, f"{name}_id", None) if current is not None else None
        if pk and pk not in {r[0] for r in rows}:
            rows += list(qs.model.objects.filter(pk=pk).values_list("pk", label))
        options[name] = rows
    return options


def activity_link_target(*, user, kind: str, pk) -> object | None:
    """The station, studio or contest of `kind` with `pk` if the user may edit it, else None."""
    from contests.models import Contest
    from stations.models import Station
    from studios.models import Studio

    models_by_kind = {"station": Station, "studio": Studio, "contest": Contest}
    model = models_by_kind.get(kind)
    pk = parse_id(pk)
    if model is None or pk is None:
        return None
    return model.objects.editable_by(user).filter(pk=pk).first()


def activities_stamp() -> tuple:
    """What moves when an activity changes: the latest write to any activity and the number
    published (the freshness stamp of the home page and the activity feed)."""
    row = Activity.objects.order_by().aggregate(
        last=models.Max("updated_at"), n=models.Count("pk", filter=models.Q(status=Activity.Status.PUBLISHED))
    )
    return (str(row["last"]), row["n"])


def latest_activities(*, limit: int = 6) -> models.QuerySet:
    return Activity.objects.published().select_related("union")[:limit]


def activity_feed(*, kind: str | None) -> models.QuerySet:
    """Published activities, newest first, of one kind when `kind` is a known kind."""
    activities = Activity.objects.published().select_related("union", *_link_related()).prefetch_related("photos")
    if kind in Activity.Kind.values:
        activities = activities.filter(kind=kind)
    return activities


def activity_for_page(*, pk: int, user) -> tuple[Activity | None, bool]:
    """The activity a visitor may read (published, or within their scope) and whether they may edit it."""
    activity = (
        Activity.objects.select_related("union", *_link_related()).prefetch_related("photos").filter(pk=pk).first()
    )
    if activity is None:
        return None, False
    if not activity.is_published and not Activity.objects.visible_to(user).filter(pk=pk).exists():
        return None, False
    return activity, Activity.objects.editable_by(user).filter(pk=pk).exists()


def desk_cards(*, user) -> list[tuple[object, int, str]]:
    """(label, count, url name) of the desk's cards; a card for other roles, or counting None,
    is not for this user."""
    return [
        (c.label, n, c.url_name)
        for c in registry.DESK_CARDS
        if (c.roles is None or holds_any(user, c.roles)) and (n := c.count(user)) is not None
    ]


def desk_links(*, user) -> list[registry.NavLink]:
    """The desk links this user's roles open (never one that would answer "no access")."""
    if not holds_any(user, None):
        return []
    return [n for n in registry.NAV if n.desk and (n.roles is None or holds_any(user, n.roles))]


def desk_actions(*, user) -> tuple[registry.NavLink | None, list[registry.NavLink]]:
    """The desk's buttons as (main task, the others).

    The main task is the first link marked `primary` for one of the user's roles; failing that,
    the first link limited to roles the user holds (the task that is theirs alone), so that a
    welfare worker sees "Log a visit" first and a viewer, who only reads, sees no main button."""
    links = desk_links(user=user)
    kinds = set(role_kinds(user))
    if user.is_superuser:
        kinds |= set(Role.Kind.values)
    main = next((n for n in links if kinds & set(n.primary)), None)
    if main is None:
        main = next((n for n in links if n.roles is not None and kinds & set(n.roles)), None)
    return main, [n for n in links if n is not main]


def recent_activities(*, user, limit: int = 8) -> models.QuerySet:
    # The few activities first, then their unions: joined before the LIMIT, PostgreSQL would read
    # the union of every activity in a large scope (5,000 of them: 11 ms against 6).
    return Activity.objects.visible_to(user).prefetch_related("union")[:limit]


def users_visible_to(user, roles: Iterable[str] | None = None) -> models.QuerySet:
    """Accounts `user` may see by name: holders of a role in a union of the user's subtrees
    (where the user holds one of `roles`; any role when None). Superusers see every account."""
    User = get_user_model()
    if user is None or not user.is_authenticated or not user.is_active:
        return User.objects.none()
    if user.is_superuser:
        return User.objects.all()
    holders = Role.objects.filter(union__in=union_scope(user, roles)).values("user_id")
    return User.objects.filter(pk__in=holders)


# --- Union search (the union dropdowns of large scopes) -------------------------------------

UNION_SEARCH_LIMIT = 20
UNION_SEARCH_MAX_Q = 50  # characters of a search term read


def union_search(
    *, user, roles: Iterable[str] | None, q: str, within_id: int | None = None, limit: int = UNION_SEARCH_LIMIT
) -> list:
    """The unions of the user's scope for `roles` (any role when None), within the subtree of
    union `within_id` when given, whose name holds `q`, nearest the top first: [{"id", "name",
    "parent"}], the parent's name (when the parent is in the scope too) telling apart unions of
    the same name. For the search box of a union dropdown (unionportal.core.unionchoice)."""
    q = q.strip()
    if not q:
        return []
    scope = union_scope(user, roles)
    found = scope.filter(name__icontains=q)
    if within_id is not None:
        top = Union.objects.filter(pk=within_id).values_list("path", flat=True).first()
        if top is None:
            return []
        found = found.filter(path__startswith=top)
    found = list(found.order_by("depth", "path")[:limit])
    step = Union.steplen
    parents = dict(scope.filter(path__in={u.path[:-step] for u in found if u.depth > 1}).values_list("path", "name"))
    return [{"id": u.pk, "name": u.name, "parent": parents.get(u.path[:-step], "")} for u in found]


# --- Year-end report -----------------------------------------------------------------------

YEAREND_CHOICES_CAP = 300


def yearend_union(*, user, pk):
    """The union the user asked the year-end report for, if it lies in their subtree; else None
    (an unknown id and a sibling's id look the same)."""
    from .ids import parse_id
    from .models import Union

    pk = parse_id(pk)
    if pk is None:
        return None
    return Union.objects.visible_to(user).filter(pk=pk).first()


def yearend_unions(*, user) -> list:
    """The unions offered in the report's chooser: the user's own role unions and two levels
    below them (a city chair's subtree may hold 100,000 unions; any other one of the subtree
    is still reachable by its id)."""
    from django.db.models import Min

    from .models import Union

    scope = Union.objects.visible_to(user)
    if user.is_superuser:
        top = Union.objects.aggregate(d=Min("depth"))["d"] or 1
    else:
        top = Role.objects.filter(user_id=user.pk).aggregate(d=Min("union__depth"))["d"] or 1
    return list(scope.filter(depth__lte=top + 2).only("pk", "name", "depth", "path")[:YEAREND_CHOICES_CAP])


def yearend_activities(*, union, year: int) -> dict:
    """Published activities of the union's subtree held in `year`: kind -> (count, participants)."""
    from django.db.models import Count, Sum

    from .yearend import year_bounds

    start, end = year_bounds(year)
    rows = (
        Activity.objects.published()
        .filter(union__path__startswith=union.path, starts_at__gte=start, starts_at__lt=end)
        .order_by()
        .values_list("kind")
        .annotate(n=Count("pk"), people=Sum("participants"))
    )
    return {kind: (n, people or 0) for kind, n, people in rows}
