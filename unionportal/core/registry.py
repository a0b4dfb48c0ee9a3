"""Extension points through which the domain apps plug into the core.

The core never imports a domain app. Each app has a `portal.py` (discovered at start-up)
that registers what it contributes:

    from unionportal.core import registry

    registry.figure("warm_stations", _("Warm stations"), lambda: Station.objects...count(), order=10)
    registry.desk_card(_("Stations"), lambda user: Station.objects.visible_to(user).count(),
                       url_name="stations:desk_list", order=10)
    registry.nav(_("Station finder"), "stations:finder", order=10)
    registry.nav(_("Log a visit"), "welfare:visit_create", desk=True, roles=WELFARE, primary=WELFARE)  # main task
    registry.demo("stations", seed_stations, order=10)  # seed(stdout) -> None, idempotent
    registry.scale("stations", add_arguments, seed_scale_stations)
    registry.bench_pages(lambda: [("station page", "/stations/1/")])
    registry.bench("nearby", run_nearby_bench)  # -> list[dict] rows for the bench table
    registry.serviced(Station, Inspection)  # written only through stations.services
    registry.yearend_section("stations", _("Stations"), build, order=10)  # in the app's yearend.py
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(order=True)
class Figure:
    order: int
    key: str = field(compare=False)
    label: Any = field(compare=False)
    value: Callable[[], int] = field(compare=False)
    url: str | None = field(compare=False, default=None)  # "app:name" or "app:name?query": the public page


@dataclass(order=True)
class DeskCard:
    order: int
    label: Any = field(compare=False)
    count: Callable[[Any], int] = field(compare=False)
    url_name: str = field(compare=False)
    roles: tuple[str, ...] | None = field(compare=False, default=None)  # None: everyone with a role


@dataclass(order=True)
class NavLink:
    order: int
    label: Any = field(compare=False)
    url_name: str = field(compare=False)
    desk: bool = field(compare=False, default=False)
    roles: tuple[str, ...] | None = field(compare=False, default=None)  # None: everyone
    # The main task of holders of these roles: the desk shows it as its primary button.
    primary: tuple[str, ...] = field(compare=False, default=())


@dataclass(order=True)
class Seeder:
    order: int
    name: str = field(compare=False)
    run: Callable[..., Any] = field(compare=False)


@dataclass(order=True)
class YearendSection:
    order: int
    key: str = field(compare=False)
    label: Any = field(compare=False)
    # build(union=, year=) -> dict (see unionportal.core.yearend): the section's figures over
    # the union's subtree for one calendar year, in a few flat queries.
    build: Callable[..., dict] = field(compare=False)
    # visible(user=, union=) -> bool; None: whoever may see the union (welfare narrows it).
    visible: Callable[..., bool] | None = field(compare=False, default=None)


@dataclass
class ScaleSeeder:
    name: str
    add_arguments: Callable[[Any], None]
    run: Callable[..., Any]


FIGURES: list[Figure] = []
FIGURE_URLS: dict[str, str] = {}
DESK_CARDS: list[DeskCard] = []
NAV: list[NavLink] = []
DEMO: list[Seeder] = []
SCALE: list[ScaleSeeder] = []
BENCH_PAGES: list[Callable[[], list[tuple[str, str]]]] = []
BENCH: list[tuple[str, Callable[[], list[dict]]]] = []
YEAREND: list[YearendSection] = []
# Models whose every write goes through their app's services; a test walks the admin and
# fails when an admin of one of them saves, deletes or runs an action without a service.
SERVICED: set[type] = set()


def _replace(items: list, attr: str, value, new) -> None:
    # Re-registration (e.g. a module imported twice in tests) replaces, never duplicates.
    items[:] = [i for i in items if getattr(i, attr) != value]
    items.append(new)
    if hasattr(new, "order"):
        items.sort()


def figure(key: str, label, value: Callable[[], int], *, url: str | None = None, order: int = 50) -> None:
    """A number on the home page; `url` ("app:name" or "app:name?query") is the public page
    listing what it counts, which the number links to."""
    _replace(FIGURES, "key", key, Figure(order, key, label, value, url or FIGURE_URLS.get(key)))


def figure_url(key: str, url: str) -> None:
    """Link a figure registered (before or after) by another module to its public page."""
    FIGURE_URLS[key] = url
    for f in FIGURES:
        if f.key == key:
            f.url = url


def desk_card(
    label, count: Callable[[Any], int], *, url_name: str, roles: tuple[str, ...] | None = None, order: int = 50
) -> None:
    """A desk card; `roles` shows it only to holders of one of those roles (a count of None hides it too)."""
    _replace(DESK_CARDS, "url_name", url_name, DeskCard(order, label, count, url_name, roles))


def nav(
    label,
    url_name: str,
    *,
    desk: bool = False,
    roles: tuple[str, ...] | None = None,
    primary: tuple[str, ...] = (),
    order: int = 50,
) -> None:
    """A menu link; `roles` limits a desk link to holders of one of those roles (never link a
    user to a page that refuses them). `primary`: the roles whose main task this link is."""
    _replace(NAV, "url_name", url_name, NavLink(order, label, url_name, desk, roles, tuple(primary)))


def demo(name: str, run: Callable[..., Any], *, order: int = 50) -> None:
    _replace(DEMO, "name", name, Seeder(order, name, run))


def scale(name: str, add_arguments: Callable[[Any], None], run: Callable[..., Any]) -> None:
    _replace(SCALE, "name", name, ScaleSeeder(name, add_arguments, run))


def bench_pages(fn: Callable[[], list[tuple[str, str]]]) -> None:
    if fn not in BENCH_PAGES:
        BENCH_PAGES.append(fn)


def bench(name: str, fn: Callable[[], list[dict]]) -> None:
    BENCH[:] = [b for b in BENCH if b[0] != name] + [(name, fn)]


def yearend_section(
    key: str, label, build: Callable[..., dict], *, visible: Callable[..., bool] | None = None, order: int = 50
) -> None:
    """A section of the year-end report (apps register it from their `yearend.py`)."""
    _replace(YEAREND, "key", key, YearendSection(order, key, label, build, visible))


def serviced(*models: type) -> None:
    """Declare that these models are written only through their app's services."""
    SERVICED.update(models)
