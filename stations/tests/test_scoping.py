"""Stations, inspections and reports are seen and changed only within the owning union's subtree."""

import datetime as dt

import pytest
from django.urls import reverse

from stations import services
from stations.models import Feedback, Inspection, Station

ALL_PASS = dict.fromkeys(Inspection.Item.values, (True, ""))


@pytest.fixture
def pair(make_station, tree):
    a = make_station(name="A station", union=tree.a1)
    b = make_station(name="B station", union=tree.bg)
    return a, b


def test_station_querysets(pair, officer_a, officer_b, viewer_a, superuser):
    a, b = pair
    assert list(Station.objects.visible_to(officer_a)) == [a]
    assert list(Station.objects.visible_to(officer_b)) == [b]
    assert list(Station.objects.editable_by(viewer_a)) == []
    assert Station.objects.visible_to(superuser).count() == 2


def test_inspections_scoped_and_compliance(pair, officer_a, officer_b):
    a, b = pair
    failing = dict(ALL_PASS, sign=(False, "sign missing"))
    services.inspection_record(station=a, inspected_on=dt.date(2022, 11, 1), results=ALL_PASS, by=officer_a)
    services.inspection_record(station=a, inspected_on=dt.date(2022, 12, 1), results=failing, by=officer_a)
    assert list(Inspection.objects.visible_to(officer_b)) == []
    assert Inspection.objects.visible_to(officer_a).count() == 2
    a.refresh_from_db()
    assert a.latest_inspection.inspected_on == dt.date(2022, 12, 1) and not a.latest_inspection.passed_all
    assert list(Station.objects.failing("sign")) == [a]
    assert list(Station.objects.failing("venue")) == []
    assert list(Station.objects.never_inspected()) == [b]
    with pytest.raises(Exception, match="PermissionDenied|^$"):
        services.inspection_record(station=b, inspected_on=dt.date(2022, 12, 1), results=ALL_PASS, by=officer_a)


def test_inspection_needs_all_seven_items(pair, officer_a):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Every item must be checked"):
        services.inspection_record(station=pair[0], inspected_on=dt.date(2022, 1, 1), results={"venue": (True, "")})
    assert not Inspection.objects.exists()


def test_compliance_desk_list(client, pair, officer_a):
    client.force_login(officer_a)
    r = client.get(reverse("stations:desk_list"), {"compliance": "never"})
    assert [s.name for s in r.context["page"]] == ["A station"]


def test_inbox_scoped_answer_and_close(client, pair, officer_a, officer_b):
    a, b = pair
    fa = services.feedback_submit(station=a, rating=None, problem="water", message="A broken")
    fb = services.feedback_submit(station=b, rating=None, problem="water", message="B broken")
    client.force_login(officer_a)
    html = client.get(reverse("stations:inbox")).content.decode()
    assert "A broken" in html and "B broken" not in html
    # Answering another union's report is a 404.
    assert client.post(reverse("stations:feedback_answer", args=[fb.pk]), {"answer": "x"}).status_code == 404
    client.post(reverse("stations:feedback_answer", args=[fa.pk]), {"answer": "Fixed today", "close": "on"})
    fa.refresh_from_db()
    assert (fa.status, fa.answer, fa.answered_by) == (Feedback.Status.CLOSED, "Fixed today", officer_a)
    assert "A broken" not in client.get(reverse("stations:inbox")).content.decode()  # closed ones leave the open list


def test_viewer_cannot_answer(client, pair, viewer_a):
    fa = services.feedback_submit(station=pair[0], rating=3)
    client.force_login(viewer_a)
    assert client.post(reverse("stations:feedback_answer", args=[fa.pk]), {"answer": "x"}).status_code == 403


def test_admin_changelist_and_change_are_scoped(client, pair, officer_a):
    a, b = pair
    client.force_login(officer_a)
    r = client.get(reverse("admin:stations_station_changelist"))
    assert r.status_code == 200
    assert "A station" in r.content.decode() and "B station" not in r.content.decode()
    assert client.get(reverse("admin:stations_station_change", args=[b.pk])).status_code in (302, 403, 404)
    r = client.get(reverse("admin:stations_feedback_changelist"))
    assert r.status_code == 200


def test_desk_pages_need_a_role(client, db, pair):
    for name in ["stations:desk_list", "stations:inbox", "stations:coverage"]:
        assert client.get(reverse(name)).status_code == 302  # to the login page


def test_public_access_change_is_kept(pair, officer_a):
    a, _b = pair
    services.station_set_public(station=a, is_public=False, by=officer_a, note="closed to the public")
    a.is_public = True
    services.station_save(station=a, by=officer_a)
    changes = list(a.access_changes.order_by("pk").values_list("is_public", "changed_by"))
    assert changes == [(False, officer_a.pk), (True, officer_a.pk)]


def test_exchange_visit_logged_as_activity(pair, tree):
    from unionportal.core.models import Activity

    a, b = pair
    visit = services.exchange_visit_log(host=a, guest=b, visited_on=dt.date(2022, 12, 6), participants=8)
    again = services.exchange_visit_log(host=a, guest=b, visited_on=dt.date(2022, 12, 6), participants=8)
    assert visit.pk == again.pk
    activity = Activity.objects.get(source=f"stations.exchangevisit:{visit.pk}")
    assert activity.kind == Activity.Kind.EXCHANGE and activity.union == tree.a1 and activity.is_published


def test_amenity_delivery_keeps_amenities_true(pair, amenities):
    a, _b = pair
    services.amenity_delivery_record(
        station=a, amenity=amenities["air_pump"], quantity=2, delivered_on=dt.date(2022, 9, 1)
    )
    services.amenity_delivery_record(
        station=a, amenity=amenities["air_pump"], quantity=1, delivered_on=dt.date(2022, 10, 1)
    )
    sa = a.station_amenities.get(amenity__code="air_pump")
    assert sa.quantity == 3 and sa.since == dt.date(2022, 9, 1)
    assert list(Station.objects.with_amenities(["air_pump"])) == [a]
