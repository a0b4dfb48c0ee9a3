"""Union dropdowns list the top of the user's scope and the chosen union, and accept any union
of the scope by id (unionportal.core.unionchoice)."""

import pytest
from django.urls import reverse

from stations.forms import StationNewForm
from unionportal.core import unionchoice
from unionportal.core.forms import ActivityForm
from unionportal.core.models import Role, Union

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


# --- Finding a union the dropdown does not list -------------------------------------------------


def test_the_dropdown_says_where_to_find_the_other_unions_of_its_scope(tree, officer_a):
    html = str(ActivityForm(user=officer_a)["union"])
    assert 'data-union-search="/desk/unions/?roles=chair%2Cofficer"' in html
    assert f'data-union-search-from="{unionchoice.SHOWN}"' in html


def test_search_finds_unions_of_the_scope_by_name_only(tree, officer_a, officer_b):
    from unionportal.core import selectors

    deep = _chain(tree.a1g, 3)
    found = selectors.union_search(user=officer_a, roles=Role.EDIT_ROLES, q="level 2")
    assert found == [{"id": deep[2].pk, "name": "Level 2", "parent": "Level 1"}]
    assert [u["name"] for u in selectors.union_search(user=officer_a, roles=None, q="Level")] == [
        "Level 0",
        "Level 1",
        "Level 2",
    ]  # nearest the top first
    # A sibling's unions are never found, whatever the name; nor with roles the user lacks.
    assert selectors.union_search(user=officer_a, roles=None, q="District B") == []
    assert selectors.union_search(user=officer_b, roles=None, q="Level") == []
    assert selectors.union_search(user=officer_a, roles=[Role.Kind.WELFARE], q="Level") == []
    # The top of the scope: its parent (the city) is outside the scope, so not named.
    assert selectors.union_search(user=officer_a, roles=None, q="District A") == [
        {"id": tree.a.pk, "name": "District A", "parent": ""}
    ]
    assert selectors.union_search(user=officer_a, roles=None, q="  ") == []


def test_search_endpoint_answers_json_to_staff_only(client, tree, officer_a):
    deep = _chain(tree.a1g, 2)
    url = reverse("core:union_search")
    assert client.get(url, {"q": "Level"}).status_code == 302  # sign in first
    client.force_login(officer_a)
    answer = client.get(url, {"q": "level 1", "roles": "chair,officer"})
    assert answer.status_code == 200 and answer.json() == {
        "results": [{"id": deep[1].pk, "name": "Level 1", "parent": "Level 0"}]
    }
    below = client.get(url, {"q": "Level", "within": deep[0].pk}).json()["results"]
    assert [u["name"] for u in below] == ["Level 0", "Level 1"]
    assert client.get(url, {"q": "Level", "within": tree.b.pk}).json() == {"results": []}
    assert client.get(url, {"q": "Level", "within": 999999}).json() == {"results": []}
    for bad in ({"roles": "king"}, {"within": "x"}, {"within": "-1"}):
        answer = client.get(url, {"q": "Level", **bad})
        assert answer.status_code == 400 and answer.json()["code"] in ("bad_roles", "bad_within")
    assert client.get(url, {"q": "L" * 500}).status_code == 200  # a long term is cut, not an error


def test_a_union_found_by_search_is_accepted_by_the_form(tree, officer_a, monkeypatch):
    monkeypatch.setattr(unionchoice, "SHOWN", 2)
    deep = _chain(tree.a1g, 3)
    from unionportal.core import selectors

    (found,) = selectors.union_search(user=officer_a, roles=Role.EDIT_ROLES, q="Level 2")
    data = {"union": found["id"], "kind": "study", "title": "Found", "starts_at": "2026-11-30T09:00", "participants": 3}
    bound = ActivityForm(data, user=officer_a)
    assert bound.is_valid(), bound.errors
    assert bound.cleaned_data["union"] == deep[2]
