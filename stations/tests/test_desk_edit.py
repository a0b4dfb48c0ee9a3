"""The desk's station page and its edits (details, status, amenities; the week's hours and
exceptions; a 七有 inspection with photos): scoped to the user's subtree, through services."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from stations import services
from stations.models import HoursException, Inspection, InspectionPhoto, OpeningHours, Station, StationAmenity
from stations.tests.test_queries import grow
from unionportal.core.testing import clear_caches


def url(name, station):
    return reverse(f"stations:{name}", args=[station.pk])


def jpeg(name="p.jpg") -> SimpleUploadedFile:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, format="JPEG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/jpeg")


def details(station, **changes) -> dict:
    data = {
        "name": station.name,
        "kind": station.kind,
        "host_type": station.host_type,
        "status": station.status,
        "is_public": "on" if station.is_public else "",
        "signage": "",
        "town": station.town,
        "address": station.address,
        "lat": station.lat,
        "lng": station.lng,
        "phone": station.phone,
        "founded_on": "",
        "description": "",
    }
    return {k: v for k, v in (data | changes).items() if v != ""}


def week(**ranges) -> dict:
    """week(d0=[("06:00", "01:00")], open_24h=True) -> the grid's POST data (no exceptions)."""
    data = {"exc-TOTAL_FORMS": "0", "exc-INITIAL_FORMS": "0", "exc-MIN_NUM_FORMS": "0", "exc-MAX_NUM_FORMS": "60"}
    if ranges.pop("open_24h", False):
        data["week-open_24h"] = "on"
    for day, spans in ranges.items():
        for i, (opens, closes) in enumerate(spans):
            data[f"week-{day}_opens_{i}"] = opens
            data[f"week-{day}_closes_{i}"] = closes
    return data


def seven(**overrides) -> dict:
    data = {"inspected_on": "2026-11-20"}
    for code in Inspection.Item.values:
        data[f"item_{code}"] = "pass"
    return data | overrides


# --- Station page and details ------------------------------------------------------------


def test_desk_station_page_scoped(client, make_station, tree, officer_a, officer_b, viewer_a):
    station = make_station(union=tree.a1, name="A1 Station")
    client.force_login(officer_b)
    for name in ("desk_station", "station_edit", "station_hours", "inspection_new"):
        assert client.get(url(name, station)).status_code == 404
    client.force_login(viewer_a)
    r = client.get(url("desk_station", station))
    assert r.status_code == 200
    assert not r.context["may_edit"]
    assert client.get(url("station_edit", station)).status_code == 403  # viewers edit nothing
    client.force_login(officer_a)
    r = client.get(url("desk_station", station))
    assert r.context["may_edit"]
    assert b'id="edit-hours"' in r.content
    assert client.get("/stations/desk/99999999999999999999/").status_code == 404


def test_sibling_union_cannot_post_an_edit(client, make_station, tree, officer_b):
    station = make_station(union=tree.a1, name="A1 Station")
    client.force_login(officer_b)
    r = client.post(url("station_edit", station), details(station, name="Taken over"))
    assert r.status_code == 404
    assert Station.objects.get(pk=station.pk).name == "A1 Station"


def test_edit_details_status_and_amenities(client, make_station, officer_a, amenities, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    station = make_station(name="Old name", amenity_codes=["water", "seats"])
    StationAmenity.objects.filter(station=station, amenity__code="water").update(quantity=5)
    client.force_login(officer_a)
    r = client.get(url("station_edit", station))
    assert r.status_code == 200
    # ISO value in the date input even in Chinese (else the browser drops 2026/11/30)
    station.founded_on = dt.date(2026, 11, 30)
    station.save()
    r = client.get(url("station_edit", station), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert b'type="date"' in r.content
    assert b'value="2026-11-30"' in r.content
    data = details(
        station,
        name="New name",
        status=Station.Status.SUSPENDED,
        founded_on="2025-01-02",
        amenities=[amenities["water"].pk, amenities["microwave"].pk],
    )
    r = client.post(url("station_edit", station), data)
    assert r.status_code == 302, r.context["form"].errors
    station.refresh_from_db()
    assert (station.name, station.status, station.founded_on) == ("New name", "suspended", dt.date(2025, 1, 2))
    assert "new" in station.search_text  # derived columns through station_save
    offered = dict(StationAmenity.objects.filter(station=station).values_list("amenity__code", "quantity"))
    assert offered == {"water": 5, "microwave": 1}  # kept quantity, new one, seats gone


def test_bad_details_are_refused_and_nothing_saved(client, make_station, officer_a):
    station = make_station(name="Kept")
    client.force_login(officer_a)
    r = client.post(url("station_edit", station), details(station, name="Changed", lat="95", founded_on="2026-13-40"))
    assert r.status_code == 400
    assert set(r.context["form"].errors) == {"lat", "founded_on"}
    assert Station.objects.get(pk=station.pk).name == "Kept"


def test_hiding_a_station_from_the_desk_logs_the_public_change(client, make_station, officer_a):
    station = make_station(name="Public")
    client.force_login(officer_a)
    r = client.post(url("station_edit", station), details(station, is_public=""))
    assert r.status_code == 302
    assert station.access_changes.get().is_public is False


# --- Hours ---------------------------------------------------------------------------------


def test_week_grid_saves_overnight_and_split_ranges(client, make_station, officer_a):
    station = make_station(hours=[(0, "08:00", "20:00")])
    stamp = Station.objects.get(pk=station.pk).updated_at
    client.force_login(officer_a)
    r = client.get(url("station_hours", station))
    assert b'value="08:00"' in r.content
    r = client.post(
        url("station_hours", station),
        week(d0=[("06:00", "01:00")], d2=[("08:00", "12:00"), ("14:00", "18:00")]),
    )
    assert r.status_code == 302
    rows = list(OpeningHours.objects.filter(station=station).values_list("weekday", "opens", "closes"))
    assert rows == [
        (0, dt.time(6), dt.time(1)),
        (2, dt.time(8), dt.time(12)),
        (2, dt.time(14), dt.time(18)),
    ]
    assert Station.objects.get(pk=station.pk).updated_at > stamp  # the page stamp moved


def test_open_24h_from_the_grid(client, make_station, officer_a):
    station = make_station(hours=[(0, "08:00", "20:00")])
    client.force_login(officer_a)
    assert client.post(url("station_hours", station), week(open_24h=True)).status_code == 302
    station.refresh_from_db()
    assert station.open_24h
    assert not station.hours.exists()


@pytest.mark.parametrize(
    ("ranges", "message"),
    [
        ({"d1": [("08:00", "12:00"), ("11:00", "18:00")]}, "the ranges overlap"),
        ({"d1": [("08:00", "")]}, "give both the opening and the closing time"),
        ({"d1": [("20:00", "09:00")], "d2": [("08:00", "12:00")]}, "runs into the next day"),
    ],
)
def test_bad_weeks_are_refused_whole(client, make_station, officer_a, ranges, message):
    station = make_station(hours=[(0, "08:00", "20:00")])
    client.force_login(officer_a)
    r = client.post(url("station_hours", station), week(**ranges))
    assert r.status_code == 400
    assert message in r.content.decode()
    assert list(station.hours.values_list("weekday", flat=True)) == [0]  # nothing changed


def test_exceptions_added_changed_and_removed(client, make_station, officer_a):
    station = make_station(open_24h=True)
    today = timezone.localdate()
    old = HoursException.objects.create(station=station, date=today + dt.timedelta(days=3), closed=True, note="x")
    client.force_login(officer_a)
    holiday = (today + dt.timedelta(days=10)).isoformat()
    data = week(open_24h=True) | {
        "exc-TOTAL_FORMS": "3",
        "exc-INITIAL_FORMS": "1",
        "exc-0-id": old.pk,
        "exc-0-date": old.date.isoformat(),
        "exc-0-closed": "on",
        "exc-0-DELETE": "on",
        "exc-1-date": holiday,
        "exc-1-closed": "on",
        "exc-1-note": "Spring Festival",
        "exc-2-date": (today + dt.timedelta(days=11)).isoformat(),
        "exc-2-opens": "10:00",
        "exc-2-closes": "02:00",
    }
    r = client.post(url("station_hours", station), data)
    assert r.status_code == 302, r.content.decode()[:3000]
    rows = list(station.exceptions.values_list("date", "closed", "opens", "closes", "note"))
    assert rows == [
        (dt.date.fromisoformat(holiday), True, None, None, "Spring Festival"),
        (today + dt.timedelta(days=11), False, dt.time(10), dt.time(2), ""),
    ]


def test_exception_without_hours_or_closed_is_refused(client, make_station, officer_a):
    station = make_station(open_24h=True)
    client.force_login(officer_a)
    data = week(open_24h=True) | {"exc-TOTAL_FORMS": "1", "exc-0-date": "2030-01-01", "exc-0-opens": "10:00"}
    r = client.post(url("station_hours", station), data)
    assert r.status_code == 400
    assert "Closed all day, or give the opening and closing time." in r.content.decode()
    assert not station.exceptions.exists()


def test_check_week_rule_in_the_service(make_station):
    station = make_station()
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.station_hours_set(
            station=station, open_24h=False, weekly=[(0, dt.time(8), dt.time(12)), (0, dt.time(9), dt.time(10))]
        )
    with pytest.raises(ValidationError):
        services.station_hours_set(station=station, open_24h=False, weekly=[(7, dt.time(8), dt.time(12))])


def test_hours_service_refuses_another_unions_officer(make_station, tree, officer_b):
    from django.core.exceptions import PermissionDenied

    station = make_station(union=tree.a)
    with pytest.raises(PermissionDenied):
        services.station_hours_set(station=station, open_24h=True, weekly=[], by=officer_b)


# --- Inspection ----------------------------------------------------------------------------


def test_inspection_with_a_photo_of_the_failed_item_listed_until_reinspection(client, make_station, officer_a):
    station = make_station(name="Checked")
    client.force_login(officer_a)
    r = client.get(url("inspection_new", station))
    assert b'accept="image/*"' in r.content
    assert b"capture" not in r.content  # the gallery is allowed
    data = seven(item_sign="fail", note_sign="Sign faded", photos_sign=jpeg())
    r = client.post(url("inspection_new", station), data)
    assert r.status_code == 302
    station.refresh_from_db()
    inspection = station.latest_inspection
    assert not inspection.passed_all
    assert inspection.items.count() == 7
    assert InspectionPhoto.objects.get().item.item == "sign"
    page = client.get(url("desk_station", station))
    assert [f["code"] for f in page.context["failing"]] == ["sign"]
    assert "Sign faded" in page.content.decode()
    assert Station.objects.failing("sign").filter(pk=station.pk).exists()
    r = client.post(url("inspection_new", station), seven(inspected_on="2026-11-25"))
    assert r.status_code == 302
    assert client.get(url("desk_station", station)).context["failing"] == []


def test_inspection_needs_all_seven_and_a_photo_per_failed_item(client, make_station, officer_a):
    station = make_station()
    client.force_login(officer_a)
    data = seven(item_rules="fail")
    del data["item_venue"]
    r = client.post(url("inspection_new", station), data)
    assert r.status_code == 400
    errors = r.context["form"].errors
    assert "Mark this item passed or failed." in errors["item_venue"]
    assert "Add a photo of the failed item." in errors["photos_rules"]
    assert not Inspection.objects.exists()


def test_inspection_refuses_a_non_image(client, make_station, officer_a):
    station = make_station()
    client.force_login(officer_a)
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    r = client.post(url("inspection_new", station), seven(item_sign="fail", photos_sign=bad))
    assert r.status_code == 400
    assert not Inspection.objects.exists()


def test_inspection_date_is_iso_in_chinese(client, make_station, officer_a, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    station = make_station()
    client.force_login(officer_a)
    r = client.get(url("inspection_new", station))
    assert f'value="{timezone.localdate().isoformat()}"'.encode() in r.content


# --- Query counts ----------------------------------------------------------------------------


def _count(client, path) -> int:
    clear_caches()
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(path)
    assert r.status_code == 200
    return len(ctx.captured_queries)


def test_desk_list_and_station_page_flat(client, tree, officer_a, amenities, make_station):
    grow(tree.a, 30)
    station = make_station(name="Counted", amenity_codes=["water"], hours=[(0, "08:00", "12:00")])
    services.inspection_record(
        station=station,
        inspected_on=dt.date(2026, 1, 1),
        results={c: (c != "sign", "") for c in Inspection.Item.values},
    )
    client.force_login(officer_a)
    few = {p: _count(client, p) for p in ("/stations/desk/", url("desk_station", station))}
    grow(tree.a1, 300)
    for day in range(1, 7):
        OpeningHours.objects.create(station=station, weekday=day, opens=dt.time(8), closes=dt.time(12))
        HoursException.objects.create(station=station, date=timezone.localdate() + dt.timedelta(days=day), closed=True)
    services.inspection_record(
        station=station,
        inspected_on=dt.date(2026, 2, 1),
        results=dict.fromkeys(Inspection.Item.values, (False, "")),
    )
    many = {p: _count(client, p) for p in few}
    assert many == few


def test_new_station_on_the_desk_in_own_unions_only(client, tree, officer_a, amenities):
    client.force_login(officer_a)
    r = client.get(reverse("stations:station_new"))
    assert set(r.context["form"].fields["union"].queryset) == {tree.a, tree.a1, tree.a1g}
    data = {
        "union": tree.a1.pk,
        "name": "Brand new",
        "kind": Station.Kind.WARM,
        "host_type": Station.HostType.OTHER,
        "status": Station.Status.OPEN,
        "is_public": "on",
        "lat": "39.7",
        "lng": "116.1",
        "amenities": [amenities["water"].pk],
    }
    r = client.post(reverse("stations:station_new"), data | {"union": tree.b.pk})
    assert r.status_code == 400  # a sibling union is not a choice
    assert not Station.objects.exists()
    r = client.post(reverse("stations:station_new"), data)
    station = Station.objects.get()
    assert r.status_code == 302
    assert r["Location"] == url("station_hours", station)
    assert station.union == tree.a1
    assert list(station.station_amenities.values_list("amenity__code", flat=True)) == ["water"]
    assert station.initials  # derived columns


def test_viewers_cannot_add_stations(client, viewer_a):
    client.force_login(viewer_a)
    assert client.get(reverse("stations:station_new")).status_code == 403
    assert b'id="new-station"' not in client.get("/stations/desk/").content
