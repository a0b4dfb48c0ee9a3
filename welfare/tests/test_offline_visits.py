"""Offline visit drafts land exactly once: the form's idempotency key (issue #15)."""

import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse

from unionportal.core.models import Role
from unionportal.core.testing import image_upload, make_user
from welfare import services
from welfare.models import Visit, YearlyCap

from .conftest import id_number


@pytest.fixture
def two_files(make_file, tree):
    return make_file(union=tree.a1g, name="Alice A", id_number=id_number(1)), make_file(
        union=tree.bg, name="Bob B", id_number=id_number(2)
    )


def _data(file, key, **extra) -> dict:
    return {
        "file": file.pk,
        "occasion": "spring",
        "date": "2025-01-20",
        "kind": "worker",
        "found": "Roof leaks",
        "money": "500",
        "idempotency_key": str(key),
    } | extra


def test_same_key_posted_twice_logs_one_visit_and_redirects_to_it(client, welfare_a, two_files):
    alice, _bob = two_files
    client.force_login(welfare_a)
    key = uuid.uuid4()
    first = client.post(reverse("welfare:visit_create"), _data(alice, key, photos=image_upload()))
    second = client.post(reverse("welfare:visit_create"), _data(alice, key, photos=image_upload()))
    assert first.status_code == second.status_code == 302
    assert first["Location"] == second["Location"] == alice.get_absolute_url()
    visit = Visit.objects.get()
    assert (visit.idempotency_key, visit.money, visit.photos.count()) == (key, Decimal(500), 1)
    page = client.get(second["Location"]).content.decode()
    assert "This visit was already saved." in page


def test_replay_is_not_refused_by_the_yearly_cap(client, welfare_a, two_files, tree):
    # The second send must find the first visit before counting it against the cap again.
    alice, _bob = two_files
    services.cap_save(cap=YearlyCap(union=tree.city, year=2025, per_household=Decimal(600)), by=None)
    client.force_login(welfare_a)
    key = uuid.uuid4()
    client.post(reverse("welfare:visit_create"), _data(alice, key, money="500"))
    again = client.post(reverse("welfare:visit_create"), _data(alice, key, money="500"))
    assert again.status_code == 302 and Visit.objects.count() == 1


def test_offline_draft_sync_answers_json_and_once(client, welfare_a, two_files):
    alice, _bob = two_files
    client.force_login(welfare_a)
    key = uuid.uuid4()
    url = reverse("welfare:visit_create")
    first = client.post(url, _data(alice, key), headers={"X-Offline-Draft": "1"})
    second = client.post(url, _data(alice, key), headers={"X-Offline-Draft": "1"})
    visit = Visit.objects.get()
    assert (first.status_code, first.json()) == (201, {"ok": True, "url": visit.get_absolute_url(), "replayed": False})
    assert (second.status_code, second.json()["replayed"]) == (200, True)


def test_offline_draft_with_bad_input_gets_json_errors_and_saves_nothing(client, welfare_a, two_files):
    alice, _bob = two_files
    client.force_login(welfare_a)
    response = client.post(
        reverse("welfare:visit_create"), _data(alice, uuid.uuid4(), money="-3"), headers={"X-Offline-Draft": "1"}
    )
    assert response.status_code == 400 and response.json()["ok"] is False
    assert any("negative" in e for e in response.json()["errors"])
    assert not Visit.objects.exists()


def test_bad_key_is_a_form_error_not_a_500(client, welfare_a, two_files):
    client.force_login(welfare_a)
    response = client.post(reverse("welfare:visit_create"), _data(two_files[0], "not-a-uuid"))
    assert response.status_code == 200 and not Visit.objects.exists()


def test_key_never_reaches_a_sibling_unions_visit(client, welfare_a, welfare_b, two_files, tree):
    alice, _bob = two_files
    key = uuid.uuid4()
    client.force_login(welfare_a)
    client.post(reverse("welfare:visit_create"), _data(alice, key))
    visit = Visit.objects.get()
    # welfare_b (the sibling district) sends a group visit of its own under A's key.
    client.force_login(welfare_b)
    group = {"kind": "group", "union": tree.b.pk, "site": "Depot B", "file": "", "found": "B's notes"}
    for headers in ({}, {"X-Offline-Draft": "1"}):
        response = client.post(reverse("welfare:visit_create"), _data(alice, key) | group, headers=headers)
        body = response.content.decode()
        assert response.status_code in (200, 400)
        assert "This form has already been used." in body
        assert "Roof leaks" not in body and "Alice" not in body and visit.get_absolute_url() not in body
    assert Visit.objects.count() == 1


def test_key_of_a_colleague_is_refused_too(client, welfare_a, two_files, tree):
    # Seeing the visit is not enough: only the one who logged it gets it back.
    alice, _bob = two_files
    colleague = make_user("welfare_a2", role=Role.Kind.WELFARE, union=tree.a)
    key = uuid.uuid4()
    client.force_login(welfare_a)
    client.post(reverse("welfare:visit_create"), _data(alice, key))
    client.force_login(colleague)
    response = client.post(reverse("welfare:visit_create"), _data(alice, key, found="Other"))
    assert response.status_code == 200 and "This form has already been used." in response.content.decode()
    assert Visit.objects.count() == 1


def test_service_replay_and_refusal(welfare_a, welfare_b, two_files, tree):
    alice, _bob = two_files
    key = uuid.uuid4()
    first = services.visit_create(union=alice.union, file=alice, by=welfare_a, idempotency_key=key, occasion="spring")
    again = services.visit_create(union=alice.union, file=alice, by=welfare_a, idempotency_key=key, occasion="spring")
    assert again.pk == first.pk and again.replayed and not getattr(first, "replayed", False)
    with pytest.raises(Exception, match="already been used"):
        services.visit_create(union=tree.b, by=welfare_b, idempotency_key=key, kind="group", site="B")


@pytest.mark.django_db(transaction=True)
def test_same_key_sent_concurrently_lands_once(tree, make_file):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs PostgreSQL")
    alice = make_file(union=tree.a1g, name="Alice A", id_number=id_number(1))
    user = make_user("welfare_a", role=Role.Kind.WELFARE, union=tree.a)
    key = uuid.uuid4()
    barrier = threading.Barrier(4)
    answers = []

    def send():
        try:
            c = Client()
            c.force_login(user)
            barrier.wait()
            answers.append(c.post(reverse("welfare:visit_create"), _data(alice, key)).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert answers == [302] * 4
    assert Visit.objects.filter(idempotency_key=key).count() == 1
