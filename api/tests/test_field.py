"""The authenticated API: scoped exactly as the desk (another union's record is a 404),
written through the desk's services, with session (CSRF) or revocable token auth."""

import datetime as dt

import pytest
from django.test import Client

from api.models import ApiToken, token_hash
from stations import services as station_services
from stations.models import Feedback, Inspection
from welfare import services as welfare_services
from welfare.models import AccessLog, Visit

pytestmark = pytest.mark.django_db


@pytest.fixture
def visit_a(tree, welfare_a):
    return welfare_services.visit_create(
        union=tree.a, by=welfare_a, kind=Visit.Kind.GROUP, site="Depot", occasion=Visit.Occasion.values[0]
    )


def test_visits_scoped_as_the_desk(client, visit_a, welfare_a, welfare_b, officer_a):
    client.force_login(welfare_b)
    r = client.get(f"/api/v1/field/visits/{visit_a.pk}/")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    assert client.get("/api/v1/field/visits/").json()["count"] == 0
    client.force_login(welfare_a)
    assert client.get("/api/v1/field/visits/").json()["count"] == 1
    assert client.get(f"/api/v1/field/visits/{visit_a.pk}/").json()["site"] == "Depot"
    assert AccessLog.objects.filter(user=welfare_a).exists()  # every view is logged
    client.force_login(officer_a)  # not welfare staff
    assert client.get("/api/v1/field/visits/").status_code == 403


def test_anonymous_gets_401_or_403_json(client, visit_a):
    r = client.get("/api/v1/field/visits/")
    assert r.status_code in (401, 403)
    assert r.json()["code"] == "not_authenticated"


def test_visit_create_through_the_desk_form_and_service(client, tree, welfare_a, welfare_b):
    client.force_login(welfare_a)
    data = {
        "union": tree.a.pk,
        "kind": "group",
        "site": "Depot",
        "occasion": Visit.Occasion.values[0],
        "date": "2026-11-01",
    }
    r = client.post("/api/v1/field/visits/", data, content_type="application/json")
    assert r.status_code == 201, r.content
    visit = Visit.objects.get(pk=r.json()["id"])
    assert visit.created_by == welfare_a and visit.union == tree.a
    r = client.post("/api/v1/field/visits/", data | {"date": "nope"}, content_type="application/json")
    assert r.status_code == 400 and "date" in r.json()["errors"]
    client.force_login(welfare_b)  # B cannot log a visit in A's union
    r = client.post("/api/v1/field/visits/", data, content_type="application/json")
    assert r.status_code == 400
    assert Visit.objects.count() == 1


def test_session_writes_need_csrf(tree, welfare_a):
    c = Client(enforce_csrf_checks=True)
    c.force_login(welfare_a)
    data = {"union": tree.a.pk, "occasion": Visit.Occasion.values[0], "date": "2026-11-01"}
    r = c.post("/api/v1/field/visits/", data, content_type="application/json")
    assert r.status_code == 403
    assert not Visit.objects.exists()


def test_feedback_answer_scoped(client, make_station, officer_a, officer_b):
    s = make_station()
    fb = station_services.feedback_submit(station=s, rating=2, problem="water")
    client.force_login(officer_b)
    assert client.post(f"/api/v1/field/feedback/{fb.pk}/answer/", {"answer": "x"}).status_code == 404
    assert client.get("/api/v1/field/feedback/").json()["count"] == 0
    client.force_login(officer_a)
    assert client.get("/api/v1/field/feedback/").json()["count"] == 1
    assert client.get("/api/v1/field/feedback/", {"status": "nope"}).status_code == 400
    r = client.post(
        f"/api/v1/field/feedback/{fb.pk}/answer/", {"answer": "Fixed", "close": True}, content_type="application/json"
    )
    assert r.status_code == 200, r.content
    fb.refresh_from_db()
    assert fb.status == Feedback.Status.CLOSED and fb.answer == "Fixed" and fb.answered_by == officer_a


def test_inspection_create_scoped_and_validated(client, make_station, officer_a, officer_b):
    s = make_station()
    items = [{"item": code, "passed": True} for code in Inspection.Item.values]
    data = {"inspected_on": dt.date.today().isoformat(), "items": items}
    client.force_login(officer_b)
    url = f"/api/v1/field/stations/{s.pk}/inspections/"
    assert client.post(url, data, content_type="application/json").status_code == 404
    client.force_login(officer_a)
    r = client.post(url, data, content_type="application/json")
    assert r.status_code == 201, r.content
    assert r.json()["passed_all"] is True
    # a failed item needs a photo, as on the desk
    failed = {**data, "items": [{**items[0], "passed": False}, *items[1:]]}
    r = client.post(url, failed, content_type="application/json")
    assert r.status_code == 400
    assert Inspection.objects.count() == 1
    assert client.post(url, {"items": "x"}, content_type="application/json").status_code == 400


def test_token_create_use_revoke(client, visit_a, welfare_a):
    client.force_login(welfare_a)
    r = client.post("/api/v1/tokens/", {"name": "phone"}, content_type="application/json")
    assert r.status_code == 201
    key, pk = r.json()["key"], r.json()["id"]
    token = ApiToken.objects.get(pk=pk)
    assert token.key_hash == token_hash(key) and key not in token.key_hash  # only the hash is stored
    anon = Client()
    auth = {"HTTP_AUTHORIZATION": f"Token {key}"}
    assert anon.get("/api/v1/field/visits/", **auth).json()["count"] == 1
    assert client.get("/api/v1/tokens/").json()[0]["prefix"] == key[:8]
    assert client.post(f"/api/v1/tokens/{pk}/revoke/").status_code == 200
    r = anon.get("/api/v1/field/visits/", **auth)
    assert r.status_code in (401, 403) and r.json()["code"] == "invalid_token"


def test_cannot_revoke_someone_elses_token(client, welfare_a, welfare_b):
    from api.services import token_create

    token, _key = token_create(name="b", by=welfare_b)
    client.force_login(welfare_a)
    assert client.post(f"/api/v1/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_desk_page_creates_shows_once_and_revokes(client, welfare_a):
    client.force_login(welfare_a)
    r = client.post("/api/tokens/", {"name": "phone"})
    assert r.status_code == 200
    token = ApiToken.objects.get(user=welfare_a)
    key = r.context["key"]
    assert token.key_hash == token_hash(key) and key in r.content.decode()
    assert key not in client.get("/api/tokens/").content.decode()  # shown once
    assert client.post("/api/tokens/", {"name": ""}).status_code == 400
    client.post(f"/api/tokens/{token.pk}/revoke/")
    token.refresh_from_db()
    assert token.revoked_at is not None
