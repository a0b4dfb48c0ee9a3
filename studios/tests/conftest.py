import datetime as dt

import pytest

from studios import services
from studios.models import Achievement, Member, Studio


@pytest.fixture
def make_studio(tree):
    """A studio owned by `union` (District A's street A1 by default), active and published unless told."""
    counter = {"n": 0}

    def make(
        *, union=None, kind=Studio.Kind.WORKER, status=Studio.Status.ACTIVE, published=True, leader=None, **fields
    ):
        counter["n"] += 1
        n = counter["n"]
        leader = {
            "name": f"Leader {n}",
            "education": Member.Education.DOCTORATE,
            "political_status": Member.Political.PARTY,
        } | (leader or {})
        studio = services.studio_apply(
            union=union or tree.a1,
            by=None,
            leader=leader,
            name=fields.pop("name", f"Studio {n}"),
            slug=fields.pop("slug", f"studio-{n}"),
            kind=kind,
            **fields,
        )
        if status != Studio.Status.APPLYING or published:
            Studio.objects.filter(pk=studio.pk).update(status=status, published=published)
            studio.refresh_from_db()
        return studio

    return make


@pytest.fixture
def add_achievements():
    def add(studio, type_, n, *, year=2022):
        Achievement.objects.bulk_create(
            Achievement(studio=studio, type=type_, title=f"{type_} {i}", date=dt.date(year - i % 5, 1 + i % 12, 1))
            for i in range(n)
        )

    return add
