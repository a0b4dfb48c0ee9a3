"""Issue #10 for stations: exchange visits never publish hidden stations, public stats count
public stations only, 七有 inspections record all seven items, the admin writes through the
services, ids from input go through the one parser."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from stations import services
from stations.models import AmenityDelivery, ExchangeVisit, Feedback, Inspection, Station
from unionportal.core.models import Activity

DAY = dt.date(2024, 5, 1)
ALL_PASS = dict.fromkeys(Inspection.Item.values, (True, ""))


@pytest.fixture
def visit_stations(make_station, tree):
    return {
        "host": make_station(name="Host Station", union=tree.a1),
        "public_b": make_station(name="Public Beta", union=tree.b),
        "hidden_b": make_station(name="Hidden Beta", union=tree.b, is_public=False),
        "planned_b": make_station(name="Planned Beta", union=tree.b, status=Station.Status.PLANNED),
    }


def _published_text() -> str:
    return " ".join(f"{a.title} {a.place} {a.summary}" for a in Activity.objects.published())


# --- Hole 2: exchange visits ------------------------------------------------------------------


@pytest.mark.parametrize("guest", ["hidden_b", "planned_b"])
def test_a_hidden_station_of_another_union_cannot_be_the_guest(visit_stations, officer_a, guest):
    with pytest.raises(ValidationError) as refused:
        services.exchange_visit_log(
            host=visit_stations["host"], guest=visit_stations[guest], visited_on=DAY, by=officer_a
        )
    assert refused.value.messages == ["The visiting station must be open to the public or one you may see."]
    assert not ExchangeVisit.objects.exists() and not Activity.objects.exists()


def test_a_public_guest_or_one_of_ones_own_is_fine(visit_stations, make_station, officer_a, tree):
    own_hidden = make_station(name="Own Hidden", union=tree.a1, is_public=False)
    services.exchange_visit_log(
        host=visit_stations["host"], guest=visit_stations["public_b"], visited_on=DAY, by=officer_a
    )
    services.exchange_visit_log(host=visit_stations["host"], guest=own_hidden, visited_on=DAY, by=officer_a)
    assert ExchangeVisit.objects.count() == 2
    text = _published_text()
    assert "Public Beta" in text
    # Visible to the user, but not public: the published text does not name it.
    assert "Own Hidden" not in text


def test_a_seeded_visit_never_names_a_hidden_station(visit_stations):
    visit = services.exchange_visit_log(host=visit_stations["host"], guest=visit_stations["hidden_b"], visited_on=DAY)
    assert visit.activity.is_published
    assert "Hidden Beta" not in _published_text()
    assert "a station" in visit.activity.title


def test_a_guest_that_stops_being_public_is_no_longer_named(visit_stations, officer_b):
    guest = visit_stations["public_b"]
    services.exchange_visit_log(host=visit_stations["host"], guest=guest, visited_on=DAY)
    assert "Public Beta" in _published_text()
    services.station_set_public(station=guest, is_public=False, by=officer_b)
    assert "Public Beta" not in _published_text()
    services.station_set_public(station=guest, is_public=True, by=officer_b)
    assert "Public Beta" in _published_text()
    guest.status = Station.Status.CLOSED
    services.station_save(station=guest, by=officer_b)
    assert "Public Beta" not in _published_text()


def test_a_host_that_stops_being_public_is_no_longer_named(visit_stations, officer_a):
    host = visit_stations["host"]
    services.exchange_visit_log(host=host, guest=visit_stations["public_b"], visited_on=DAY)
    host.is_public = False
    services.station_save(station=host, by=officer_a)
    assert "Host Station" not in _published_text()


def test_deleting_a_station_takes_its_visits_off_the_feed(visit_stations, superuser, client):
    visit = services.exchange_visit_log(host=visit_stations["host"], guest=visit_stations["public_b"], visited_on=DAY)
    client.force_login(superuser)
    guest = visit_stations["public_b"]
    r = client.post(reverse("admin:stations_station_delete", args=[guest.pk]), {"post": "yes"})
    assert r.status_code == 302
    assert not Station.objects.filter(pk=guest.pk).exists()
    visit.activity.refresh_from_db()
    assert not visit.activity.is_published


def test_looping_over_ids_on_the_desk_shows_no_hidden_name(client, visit_stations, officer_a):
    client.force_login(officer_a)
    host = visit_stations["host"]
    url = reverse("stations:station_visits", args=[host.pk])
    for station in Station.objects.order_by("pk"):
        r = client.post(url, {"guest": station.pk, "visited_on": "2024-05-01", "participants": 3})
        html = r.content.decode()
        assert "Hidden Beta" not in html and "Planned Beta" not in html
        if station.name in ("Hidden Beta", "Planned Beta"):
            assert r.status_code == 400  # refused, and the error names nothing
    guests = set(ExchangeVisit.objects.values_list("guest__name", flat=True))
    assert guests == {"Public Beta"}
    assert "Hidden Beta" not in _published_text()


# --- Hole 11: public station stats ------------------------------------------------------------


def test_public_stats_count_only_public_stations_per_town(client, make_station, tree):
    make_station(name="Open One", town="Open Town")
    make_station(name="Hidden One", town="Secret Town", is_public=False)
    make_station(name="Hidden Two", town="Open Town", is_public=False)
    make_station(name="Planned One", town="Planned Town", status=Station.Status.PLANNED)
    r = client.get(reverse("stations:stats"))
    assert r.context["by_town"] == [("Open Town", 1)]
    assert "Secret Town" not in r.content.decode() and "Planned Town" not in r.content.decode()
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("stations:stats_export")).content))
    towns = [tuple(row) for row in book["By town"].iter_rows(min_row=2, values_only=True)]
    assert towns == [("Open Town", 1)]


# --- 七有 inspections -------------------------------------------------------------------------


def test_admin_refuses_an_inspection_with_two_of_seven_items(client, make_station, superuser):
    s = make_station()
    client.force_login(superuser)
    data = {"station": s.pk, "inspected_on": "2024-05-01", "inspector_name": "Li"}
    data |= {"item_venue": "pass", "item_sign": "fail"}
    r = client.post(reverse("admin:stations_inspection_add"), data)
    assert r.status_code == 200
    assert "This field is required." in r.content.decode()
    assert not Inspection.objects.exists()


def test_an_inspection_lacking_items_is_failing_not_dropped(make_station, tree):
    """Older data: an inspection without items left both the failing and never-inspected lists."""
    s = make_station()
    empty = Inspection.objects.create(station=s, inspected_on=DAY, passed_all=False)
    services.inspection_refresh_latest(station=s, inspection=empty)
    assert list(Station.objects.never_inspected()) == []
    assert list(Station.objects.failing()) == [s]
    assert list(Station.objects.failing("sign")) == [s]


def test_desk_lists_an_inspection_without_items_as_failing(client, make_station, officer_a):
    s = make_station(name="Half checked")
    empty = Inspection.objects.create(station=s, inspected_on=DAY)
    services.inspection_refresh_latest(station=s, inspection=empty)
    client.force_login(officer_a)
    r = client.get(reverse("stations:desk_list"), {"compliance": "failing"})
    assert [x.name for x in r.context["page"]] == ["Half checked"]


def test_failing_item_filters_only_that_item(make_station, officer_a):
    s, t = make_station(), make_station()
    services.inspection_record(station=s, inspected_on=DAY, results=ALL_PASS | {"sign": (False, "")}, by=officer_a)
    services.inspection_record(station=t, inspected_on=DAY, results=ALL_PASS, by=officer_a)
    assert list(Station.objects.failing("sign")) == [s]
    assert list(Station.objects.failing("venue")) == []
    assert list(Station.objects.failing()) == [s]


def test_an_inspection_update_needs_all_seven_items(make_station, officer_a):
    s = make_station()
    inspection = services.inspection_record(station=s, inspected_on=DAY, results=ALL_PASS, by=officer_a)
    with pytest.raises(ValidationError, match="Every item must be checked"):
        services.inspection_update(
            inspection=inspection, inspected_on=DAY, results={"venue": (False, "")}, by=officer_a
        )
    services.inspection_update(
        inspection=inspection, inspected_on=DAY, results=ALL_PASS | {"venue": (False, "wet")}, by=officer_a
    )
    s.refresh_from_db()
    assert not s.latest_inspection.passed_all and list(Station.objects.failing("venue")) == [s]


def test_deleting_the_latest_inspection_falls_back(client, make_station, superuser, officer_a):
    s = make_station()
    services.inspection_record(station=s, inspected_on=DAY, results=ALL_PASS, by=officer_a)
    late = services.inspection_record(
        station=s, inspected_on=DAY + dt.timedelta(days=1), results=ALL_PASS | {"sign": (False, "")}, by=officer_a
    )
    client.force_login(superuser)
    url = reverse("admin:stations_inspection_change", args=[late.pk])
    form = client.get(url).context["adminform"].form
    assert form.initial["item_sign"] == "fail" and form.initial["item_venue"] == "pass"
    data = {"inspected_on": "2024-05-02", "inspector_name": "Wang"}
    data |= {f"item_{code}": "pass" for code in Inspection.Item.values}
    assert client.post(url, data).status_code == 302
    late.refresh_from_db()
    assert late.passed_all and late.inspector_name == "Wang" and late.items.filter(passed=True).count() == 7
    client.post(reverse("admin:stations_inspection_delete", args=[late.pk]), {"post": "yes"})
    s.refresh_from_db()
    assert s.latest_inspection.inspected_on == DAY and list(Station.objects.failing()) == []


# --- The admin writes through the services ----------------------------------------------------


def test_feedback_admin_is_read_only_for_staff(client, make_station, officer_a, superuser):
    """Reports have a desk page (the inbox): the admin is read-only for staff roles."""
    fb = services.feedback_submit(station=make_station(), rating=None, problem="water")
    client.force_login(officer_a)
    url = reverse("admin:stations_feedback_change", args=[fb.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"answer": "Done", "close": "on"}).status_code == 403
    fb.refresh_from_db()
    assert fb.status == Feedback.Status.NEW
    client.force_login(superuser)
    assert client.post(url, {"answer": "Done", "close": "on"}).status_code == 302
    fb.refresh_from_db()
    assert (fb.status, fb.answer, fb.answered_by) == (Feedback.Status.CLOSED, "Done", superuser)


def test_station_inline_hours_move_the_page_stamp(client, make_station, superuser):
    s = make_station()
    before = s.updated_at
    client.force_login(superuser)
    url = reverse("admin:stations_station_change", args=[s.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "new_photos"}
    data |= {"union": s.union_id, "founded_on": ""}
    for prefix in ["exceptions", "station_amenities", "photos", "inspections", "awards", "access_changes"]:
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    data |= {"hours-TOTAL_FORMS": "1", "hours-INITIAL_FORMS": "0"}
    data |= {"hours-0-weekday": "0", "hours-0-opens": "08:00", "hours-0-closes": "20:00"}
    r = client.post(url, data)
    assert r.status_code == 302, r.content.decode()[:3000]
    s.refresh_from_db()
    assert s.hours.count() == 1 and s.updated_at > before


def test_deleting_a_delivery_takes_its_quantity_back(client, make_station, amenities, officer_a):
    s = make_station()
    services.amenity_delivery_record(station=s, amenity=amenities["air_pump"], quantity=2, delivered_on=DAY)
    wrong = services.amenity_delivery_record(station=s, amenity=amenities["air_pump"], quantity=5, delivered_on=DAY)
    client.force_login(officer_a)  # on the desk (the admin is read-only for staff)
    r = client.post(reverse("stations:delivery_delete", args=[s.pk, wrong.pk]))
    assert r.status_code == 302
    assert AmenityDelivery.objects.count() == 1
    assert s.station_amenities.get(amenity__code="air_pump").quantity == 2


def test_services_refuse_another_unions_station(make_station, tree, officer_a):
    from django.core.exceptions import PermissionDenied

    theirs = make_station(name="Theirs", union=tree.b)
    theirs.name = "Renamed"
    with pytest.raises(PermissionDenied):
        services.station_save(station=theirs, by=officer_a)
    with pytest.raises(PermissionDenied):
        services.station_delete(station=theirs, by=officer_a)
    assert Station.objects.get(pk=theirs.pk).name == "Theirs"


# --- Ids from input ---------------------------------------------------------------------------


@pytest.mark.parametrize("limit", ["²", "0", "101", "-1", "1e2", "99999999999999999999"])
def test_nearby_limit_is_parsed_by_the_one_parser(client, db, limit):
    r = client.get(reverse("stations:nearby"), {"lat": 39.7, "lng": 116.1, "limit": limit})
    assert r.status_code == 400
    assert r.json() == {"error": "limit must be a whole number from 1 to 100.", "code": "bad_request"}


def test_a_station_id_beyond_the_key_range_is_404(client, officer_a):
    assert client.get("/stations/99999999999999999999/").status_code == 404
    assert client.get("/stations/9223372036854775808/qr.png").status_code == 404
    assert client.post("/stations/9223372036854775808/checkin/").status_code == 404
    client.force_login(officer_a)
    assert client.get("/stations/99999999999999999999/").status_code == 404
    assert client.post("/stations/desk/feedback/99999999999999999999/", {"answer": "x"}).status_code == 404


def test_migration_unnames_hidden_stations_in_activities_logged_before(visit_stations, tree):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("stations.migrations.0010_unname_hidden_stations_in_activities")
    guest, host = visit_stations["public_b"], visit_stations["host"]
    kept = services.exchange_visit_log(host=host, guest=visit_stations["public_b"], visited_on=DAY)
    other = services.exchange_visit_log(host=host, guest=visit_stations["planned_b"], visited_on=DAY)
    # As logged before the fix: the names in the published text, then the guest hidden behind its back.
    Activity.objects.filter(pk=other.activity_id).update(title="Exchange visit: Planned Beta visits Host Station")
    Station.objects.filter(pk=guest.pk).update(is_public=False)
    migration.unname(apps, None)
    assert "Public Beta" not in _published_text() and "Planned Beta" not in _published_text()
    assert "Host Station" in _published_text()
    kept.activity.refresh_from_db()
    assert kept.activity.is_published and kept.activity.place == "Host Station"


def test_station_and_inspection_admins_are_read_only_for_staff(client, make_station, officer_a, superuser):
    """Stations (with their hours, exceptions and amenities) and 七有 inspections have desk pages:
    the admin shows them to staff roles but takes no write; superusers keep it."""
    s = make_station(name="Desk edited")
    inspection = services.inspection_record(station=s, inspected_on=DAY, results=ALL_PASS)
    client.force_login(officer_a)
    change = reverse("admin:stations_station_change", args=[s.pk])
    r = client.get(change)
    assert r.status_code == 200
    assert not r.context["has_change_permission"]
    assert all(not f.has_add_permission for f in r.context["inline_admin_formsets"])
    assert client.post(change, {"name": "Renamed", "union": s.union_id}).status_code == 403
    assert client.get(reverse("admin:stations_station_add")).status_code == 403
    assert client.post(reverse("admin:stations_inspection_add"), {"station": s.pk}).status_code == 403
    url = reverse("admin:stations_inspection_delete", args=[inspection.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Station.objects.get(pk=s.pk).name == "Desk edited" and Inspection.objects.count() == 1
    # Imports have a desk page now (stations:station_import): not in the admin for staff.
    assert client.get(reverse("admin:stations_station_import")).status_code == 403
    assert client.get(reverse("stations:station_import")).status_code == 200
    client.force_login(superuser)
    assert client.get(change).context["has_change_permission"]
