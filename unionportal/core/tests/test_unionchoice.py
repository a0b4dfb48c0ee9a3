"""Union dropdowns list the top of the user's scope and the chosen union, and accept any union
of the scope by id (unionportal.core.unionchoice)."""

import pytest

from stations.forms import StationNewForm
from unionportal.core import unionchoice
from unionportal.core.forms import ActivityForm
from unionportal.core.models import Union

pytestmark = pytest.mark.django_db


def _chain(below: Union, n: int) -> list[Union]:
    chain = []
    for i in range(n):
        below = Union.objects.add_child(below, {"name": f"Level {i}", "kind": Union.Kind.GRASSROOTS})
        chain.append(below)
    return chain


def _listed(form) -> list[str]:
    return [label for value, label in form.fields["union"].choices if value != ""]


def test_a_small_scope_is_listed_whole(tree, officer_a):
    _chain(tree.a1g, 3)
    form = ActivityForm(user=officer_a)
    assert _listed(form) == ["District A", "Street A1", "Grassroots A1g", "Level 0", "Level 1", "Level 2"]


def test_a_large_scope_lists_its_top_levels_and_accepts_a_deeper_union_by_id(tree, officer_a, monkeypatch):
    monkeypatch.setattr(unionchoice, "SHOWN", 3)
    deep = _chain(tree.a1g, 3)  # depths 5, 6, 7 below District A (2), Street A1 (3), A1g (4)
    form = ActivityForm(user=officer_a)
    assert _listed(form) == ["District A", "Street A1", "Grassroots A1g"]

    data = {"union": deep[-1].pk, "kind": "study", "title": "Deep", "starts_at": "2026-11-30T09:00", "participants": 12}
    bound = ActivityForm(data, user=officer_a)
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["union"] == deep[-1]
    # Sent back (say, with another field's error), the chosen union stays listed and selected.
    assert _listed(bound) == ["District A", "Street A1", "Level 2"]
    assert f'value="{deep[-1].pk}" selected' in str(bound["union"])


def test_a_union_outside_the_scope_is_neither_listed_nor_accepted(tree, officer_a):
    form = ActivityForm(
        {"union": tree.b.pk, "kind": "study", "title": "B", "starts_at": "2026-11-30T09:00"}, user=officer_a
    )
    assert not form.is_valid() and "union" in form.errors
    assert "District B" not in _listed(form)


def test_the_cap_never_drops_the_chosen_union(tree, officer_a, monkeypatch):
    monkeypatch.setattr(unionchoice, "SHOWN", 2)
    form = StationNewForm(initial={"union": tree.a1g.pk}, user=officer_a)
    assert _listed(form) == ["District A", "Grassroots A1g"]  # the cap, and the chosen one kept
    assert len(form.fields["union"].choices) == 3  # with the empty choice


def test_listing_costs_one_query(tree, officer_a, django_assert_num_queries, monkeypatch):
    monkeypatch.setattr(unionchoice, "SHOWN", 3)
    _chain(tree.a1g, 5)
    form = ActivityForm(user=officer_a)
    with django_assert_num_queries(1):
        html = str(form["union"])
    assert "Level 0" not in html and "Street A1" in html
