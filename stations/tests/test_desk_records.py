"""The desk's record pages of a station (photos, awards, deliveries, exchange visits), demand
points and imports with opening hours: through services, scoped (another union's: 404), bad
input refused with a message (400) and nothing saved; the admin is read-only for staff now."""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stations import services
from stations.models import (
    AmenityDelivery,
    Award,
    DemandPoint,
    ExchangeVisit,
    OpeningHours,
    Station,
    StationAmenity,
    StationPhoto,
)
from stations.tests.test_desk_edit import jpeg
from unionportal.core.images import clean_image
from unionportal.core.imports import ImportFailed
from unionportal.core.testing import clear_caches


def u(name, *args):
    return reverse(f"stations:{name}", args=args)


# --- Photos ---------------------------------------------------------------------------------


def test_photo_input_allows_the_gallery(client, make_station, officer_a):
    station = make_station()
    client.force_login(officer_a)
    r = client.get(u("station_photos", station.pk))
    assert r.status_code == 200
    html = r.content.decode()
    assert 'type="file"' in html and "capture" not in html


def test_add_caption_order_replace_and_remove_photos(client, make_station, officer_a):
    station = make_station()
    client.force_login(officer_a)
    for caption in ("Front", "Inside"):
        r = client.post(u("station_photos", station.pk), {"image": jpeg(), "caption": caption})
        assert r.status_code == 302
    front, inside = StationPhoto.objects.filter(station=station).order_by("order")
    assert (front.caption, front.order, inside.caption, inside.order) == ("Front", 0, "Inside", 1)
    # move "Inside" up: it comes first
    assert client.post(u("photo_move", station.pk, inside.pk), {"up": "1"}).status_code == 302
    assert list(station.photos.values_list("caption", flat=True)) == ["Inside", "Front"]
    # caption, order and a replacement image in one save; the old file leaves the storage
    old_name = front.image.name
    storage = front.image.storage
    with pytest.MonkeyPatch.context():
        r = client.post(
            u("photo_edit", station.pk, front.pk), {"caption": "Entrance", "order": "0", "image": jpeg("new.jpg")}
        )
    assert r.status_code == 302
    front.refresh_from_db()
    assert front.caption == "Entrance" and front.image.name != old_name
    assert client.post(u("photo_delete", station.pk, inside.pk)).status_code == 302
    assert list(station.photos.values_list("caption", flat=True)) == ["Entrance"]
    del storage  # files are removed on commit (not visible inside the test transaction)


def test_bad_photo_is_refused_with_a_message(client, make_station, officer_a):
    station = make_station()
    client.force_login(officer_a)
    bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
    r = client.post(u("station_photos", station.pk), {"image": bad})
    assert r.status_code == 400
    assert "not a JPEG, PNG or WEBP" in r.content.decode()
    photo = services.station_photo_add(station=station, image=clean_image(jpeg()), by=officer_a)
    r = client.post(u("photo_edit", station.pk, photo.pk), {"caption": "x", "order": "-3"})
    assert r.status_code == 400
    assert not StationPhoto.objects.exclude(pk=photo.pk).exists()


def test_photo_service_caps_the_gallery(make_station, officer_a):
    from django.core.exceptions import ValidationError

    from stations.services.photos import MAX_PHOTOS

    station = make_station()
    image = clean_image(jpeg())
    for _n in range(MAX_PHOTOS):
        services.station_photo_add(station=station, image=image, by=officer_a)
    with pytest.raises(ValidationError):
        services.station_photo_add(station=station, image=image, by=officer_a)


# --- Awards, deliveries, visits -------------------------------------------------------------


def test_awards_add_correct_delete(client, make_station, officer_a):
    station = make_station()
    client.force_login(officer_a)
    r = client.post(u("station_awards", station.pk), {"title": "Best station", "level": "beijing", "year": "2023"})
    assert r.status_code == 302
    award = Award.objects.get(station=station)
    r = client.post(
        u("award_edit", station.pk, award.pk), {"title": "Best station", "level": "national", "year": "2023"}
    )
    assert r.status_code == 302
    award.refresh_from_db()
    assert award.level == "national"
    r = client.post(u("station_awards", station.pk), {"title": "Bad", "level": "district", "year": "1800"})
    assert r.status_code == 400 and "1949" in r.content.decode()
    assert client.post(u("award_delete", station.pk, award.pk)).status_code == 302
    assert not Award.objects.exists()


def test_deliveries_add_to_amenities_and_undo(client, make_station, officer_a, amenities):
    station = make_station()
    client.force_login(officer_a)
    data = {"amenity": amenities["microwave"].pk, "quantity": "2", "delivered_on": "2026-11-01", "note": ""}
    assert client.post(u("station_deliveries", station.pk), data).status_code == 302
    assert StationAmenity.objects.get(station=station, amenity__code="microwave").quantity == 2
    r = client.post(u("station_deliveries", station.pk), data | {"quantity": "0"})
    assert r.status_code == 400
    delivery = AmenityDelivery.objects.get()
    assert client.post(u("delivery_delete", station.pk, delivery.pk)).status_code == 302
    assert not StationAmenity.objects.filter(station=station, amenity__code="microwave").exists()


def test_exchange_visit_with_a_hidden_guest_is_refused_without_naming_it(client, make_station, tree, officer_a):
    host = make_station(union=tree.a1, name="Host")
    guest = make_station(union=tree.b, name="Public Guest")
    hidden = make_station(union=tree.b, name="Hidden Guest", is_public=False)
    client.force_login(officer_a)
    r = client.get(u("station_visits", host.pk))
    assert "Hidden Guest" not in r.content.decode()
    data = {"guest": hidden.pk, "visited_on": "2026-05-01", "participants": "3", "summary": ""}
    r = client.post(u("station_visits", host.pk), data)
    assert r.status_code == 400 and "Hidden Guest" not in r.content.decode()
    r = client.post(u("station_visits", host.pk), data | {"guest": guest.pk})
    assert r.status_code == 302
    visit = ExchangeVisit.objects.get()
    assert visit.activity is not None  # published as an activity of the host's union
    r = client.post(u("visit_edit", host.pk, visit.pk), data | {"guest": guest.pk, "participants": "5"})
    assert r.status_code == 302
    visit.refresh_from_db()
    assert visit.participants == 5
    r = client.post(u("station_visits", host.pk), data | {"guest": guest.pk, "visited_on": "2026/13/01"})
    assert r.status_code == 400
    assert client.post(u("visit_delete", host.pk, visit.pk)).status_code == 302
    assert not ExchangeVisit.objects.exists()


# --- Scoping --------------------------------------------------------------------------------


def test_another_unions_station_and_records_are_404(client, make_station, tree, officer_a, officer_b, amenities):
    station = make_station(union=tree.a1, name="A1 Station")
    other = make_station(union=tree.a1, name="Other A1")
    photo = services.station_photo_add(station=station, image=clean_image(jpeg()))
    award = services.award_save(award=Award(station=station, level="district", year=2024, title="Kept"))
    delivery = services.amenity_delivery_record(
        station=station, amenity=amenities["water"], quantity=1, delivered_on=dt.date(2026, 1, 1)
    )
    visit = services.exchange_visit_log(host=station, guest=other, visited_on=dt.date(2026, 1, 2))
    point = DemandPoint.objects.create(union=tree.a1, name="A1 hub", lat=39.7, lng=116.1)
    client.force_login(officer_b)
    gets = [
        u("station_photos", station.pk),
        u("photo_edit", station.pk, photo.pk),
        u("station_awards", station.pk),
        u("award_edit", station.pk, award.pk),
        u("station_deliveries", station.pk),
        u("station_visits", station.pk),
        u("visit_edit", station.pk, visit.pk),
        u("demand_edit", point.pk),
        u("station_sign", station.pk),
    ]
    for address in gets:
        assert client.get(address).status_code == 404, address
    posts = [
        u("photo_delete", station.pk, photo.pk),
        u("photo_move", station.pk, photo.pk),
        u("award_delete", station.pk, award.pk),
        u("delivery_delete", station.pk, delivery.pk),
        u("visit_delete", station.pk, visit.pk),
        u("demand_delete", point.pk),
    ]
    for address in posts:
        assert client.post(address).status_code == 404, address
    # A record of another station of one's own union is 404 under this station's address too.
    client.force_login(officer_a)
    assert client.get(u("photo_edit", other.pk, photo.pk)).status_code == 404
    assert client.post(u("award_delete", other.pk, award.pk)).status_code == 404
    assert StationPhoto.objects.count() == 1 and Award.objects.count() == 1 and DemandPoint.objects.count() == 1
    assert AmenityDelivery.objects.count() == 1 and ExchangeVisit.objects.count() == 1


def test_viewer_edits_no_records(client, make_station, viewer_a):
    station = make_station()
    client.force_login(viewer_a)
    assert client.get(u("station_photos", station.pk)).status_code == 403
    assert client.get(u("demand_points")).status_code == 403
    assert client.get(u("station_import")).status_code == 403
    assert client.get(u("station_sign", station.pk)).status_code == 200  # the sign is for every desk role


def test_desk_station_page_links_the_record_pages(client, make_station, officer_a):
    station = make_station()
    client.force_login(officer_a)
    html = client.get(u("desk_station", station.pk)).content.decode()
    for name in ("station_photos", "station_awards", "station_visits", "station_deliveries", "station_sign"):
        assert u(name, station.pk) in html
    html = client.get(u("desk_list")).content.decode()
    assert u("station_import") in html and u("demand_points") in html


# --- Demand points --------------------------------------------------------------------------


def test_demand_points_add_edit_delete_scoped(client, tree, officer_a):
    client.force_login(officer_a)
    data = {"union": tree.a1.pk, "name": "Courier hub", "kind": "delivery_hub", "lat": "39.7", "lng": "116.1"}
    r = client.post(u("demand_points"), data | {"workers": "40"})
    assert r.status_code == 302
    point = DemandPoint.objects.get()
    r = client.post(u("demand_edit", point.pk), data | {"workers": "55"})
    assert r.status_code == 302
    point.refresh_from_db()
    assert point.workers == 55
    # a union one may not edit is not a choice; bad coordinates are refused
    assert client.post(u("demand_points"), data | {"union": tree.b.pk, "workers": "1"}).status_code == 400
    assert client.post(u("demand_points"), data | {"lat": "95", "workers": "1"}).status_code == 400
    assert DemandPoint.objects.count() == 1
    assert client.post(u("demand_delete", point.pk)).status_code == 302
    assert not DemandPoint.objects.exists()


# --- Imports with hours ---------------------------------------------------------------------


def sheet(rows, headers=("union", "name", "kind", "lat", "lng", "hours_mon", "hours_sat")):
    book = openpyxl.Workbook()
    ws = book.active
    ws.append(list(headers))
    for row in rows:
        ws.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return SimpleUploadedFile("stations.xlsx", out.getvalue())


def test_import_stations_with_their_hours(client, tree, officer_a, amenities):
    client.force_login(officer_a)
    upload = sheet(
        [
            ("District A", "Import One", "outdoor", 39.7, 116.1, "08:00-12:00, 14:00-20:00", "22:00-02:00"),
            ("District A", "Import Two", "户外劳动者暖心驿站", 39.71, 116.11, "", ""),
        ]
    )
    r = client.post(u("station_import"), {"upload": upload})
    assert r.status_code == 302, r.content.decode()
    one = Station.objects.get(name="Import One")
    hours = [(h.weekday, f"{h.opens:%H:%M}", f"{h.closes:%H:%M}") for h in OpeningHours.objects.filter(station=one)]
    assert hours == [(0, "08:00", "12:00"), (0, "14:00", "20:00"), (5, "22:00", "02:00")]
    assert Station.objects.get(name="Import Two").kind == "outdoor"


@pytest.mark.parametrize(
    ("hours_mon", "message"),
    [("8 to 12", "hours_mon: write the hours as 08:00-20:00"), ("08:00-12:00, 11:00-13:00", "the ranges overlap")],
)
def test_import_with_bad_hours_saves_nothing(client, tree, officer_a, amenities, hours_mon, message):
    client.force_login(officer_a)
    upload = sheet(
        [
            ("District A", "Good", "outdoor", 39.7, 116.1, "08:00-20:00", ""),
            ("District A", "Bad", "outdoor", 39.7, 116.1, hours_mon, ""),
        ]
    )
    r = client.post(u("station_import"), {"upload": upload})
    assert r.status_code == 400
    html = r.content.decode()
    assert "Row 3" in html and message in html
    assert not Station.objects.exists() and not OpeningHours.objects.exists()


def test_import_row_errors_in_chinese(client, tree, officer_a, amenities, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(officer_a)
    upload = sheet([("District B", "Theirs", "outdoor", 39.7, 116.1, "9:00-18:00", "")])
    r = client.post(u("station_import"), {"upload": upload})
    assert r.status_code == 400
    html = r.content.decode()
    assert "第 2 行" in html and "工会不存在或您无权编辑" in html and "没有导入任何数据" in html
    assert not Station.objects.exists()


def test_import_refuses_a_file_that_is_not_a_sheet(client, officer_a):
    client.force_login(officer_a)
    r = client.post(u("station_import"), {"upload": SimpleUploadedFile("x.xlsx", b"garbage")})
    assert r.status_code == 400 and "not an Excel workbook" in r.content.decode()
    r = client.post(u("station_import"), {"upload": ""})
    assert r.status_code == 400


def test_import_service_reads_hours_columns(tree, amenities):
    upload = sheet([("District A", "Svc", "outdoor", 39.7, 116.1, "24:00-06:00", "9：00至17：30")])
    services.station_import(upload=upload, by=None)
    hours = list(OpeningHours.objects.order_by("weekday"))
    assert [(h.weekday, h.opens, h.closes) for h in hours] == [
        (0, dt.time(0, 0), dt.time(6, 0)),
        (5, dt.time(9, 0), dt.time(17, 30)),  # full-width colons, 至
    ]
    with pytest.raises(ImportFailed):
        services.station_import(upload=sheet([("District A", "X", "outdoor", 39.7, 116.1, "25:00-26:00", "")]), by=None)


def test_demand_point_import_on_the_desk(client, tree, officer_a):
    client.force_login(officer_a)
    upload = sheet([("District A", "Hub", 39.7, 116.1, 30)], headers=("union", "name", "lat", "lng", "workers"))
    assert client.post(u("demand_import"), {"upload": upload}).status_code == 302
    assert DemandPoint.objects.get().workers == 30


# --- The admin is read-only for staff now ---------------------------------------------------


def test_record_admins_are_read_only_for_staff(client, make_station, tree, officer_a, superuser, amenities):
    station = make_station(union=tree.a1)
    client.force_login(officer_a)
    posts = [
        ("admin:stations_award_add", {"station": station.pk, "level": "district", "year": 2024, "title": "T"}),
        (
            "admin:stations_amenitydelivery_add",
            {"station": station.pk, "amenity": amenities["water"].pk, "quantity": 1, "delivered_on": "2026-01-01"},
        ),
        ("admin:stations_exchangevisit_add", {"host": station.pk, "guest": station.pk, "visited_on": "2026-01-01"}),
        ("admin:stations_demandpoint_add", {"union": tree.a1.pk, "name": "P", "kind": "other", "lat": 39, "lng": 116}),
    ]
    for name, data in posts:
        assert client.post(reverse(name), data).status_code == 403, name
    assert client.get(reverse("admin:stations_station_import")).status_code == 403
    assert not (Award.objects.exists() or AmenityDelivery.objects.exists() or DemandPoint.objects.exists())
    client.force_login(superuser)
    r = client.post(reverse(posts[0][0]), posts[0][1])
    assert r.status_code == 302 and Award.objects.exists()


# --- Query counts -----------------------------------------------------------------------------


def _queries(client, address) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    clear_caches()
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(address).status_code == 200
    return len(ctx.captured_queries)


def test_record_lists_queries_flat(client, make_station, tree, officer_a, amenities):
    station = make_station()
    guests = [make_station(name=f"Guest {n}") for n in range(3)]
    client.force_login(officer_a)

    def grow(n):
        for i in range(n):
            services.station_photo_add(station=station, image=clean_image(jpeg()))
            services.award_save(award=Award(station=station, level="district", year=2020 + i, title=f"A{i}"))
            services.amenity_delivery_record(
                station=station, amenity=amenities["water"], quantity=1, delivered_on=dt.date(2026, 1, 1 + i)
            )
            services.exchange_visit_log(host=station, guest=guests[i % 3], visited_on=dt.date(2026, 2, 1 + i))
            DemandPoint.objects.create(union=tree.a1, name=f"P{i}", lat=39.7, lng=116.1)

    pages = [
        u("desk_station", station.pk),
        u("station_photos", station.pk),
        u("station_awards", station.pk),
        u("station_deliveries", station.pk),
        u("station_visits", station.pk),
        u("demand_points"),
    ]
    grow(1)
    few = {p: _queries(client, p) for p in pages}
    grow(3)
    assert {p: _queries(client, p) for p in pages} == few


def test_import_template_round_trips(client, tree, officer_a, amenities):
    """The downloadable template, imported as it is, creates its example row (with its hours)."""
    client.force_login(officer_a)
    for what, template, target in (
        ("stations", "station_import_template", "station_import"),
        ("demand", "demand_import_template", "demand_import"),
    ):
        r = client.get(u(template))
        assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
        upload = SimpleUploadedFile(f"{what}.xlsx", r.content)
        r = client.post(u(target), {"upload": upload})
        assert r.status_code == 302, (what, r.content.decode()[-2000:])
    assert Station.objects.get().hours.count() == 3
    assert DemandPoint.objects.count() == 1
    client.force_login(officer_a)
    assert u("station_import_template") in client.get(u("station_import")).content.decode()


def test_desk_menu_links_demand_points_and_import_for_editors_only(tree, officer_a, viewer_a):
    from unionportal.core import selectors as core_selectors

    def links(user):
        return {n.url_name for n in core_selectors.desk_links(user=user)}

    assert {"stations:demand_points", "stations:station_import"} <= links(officer_a)
    assert not {"stations:demand_points", "stations:station_import"} & links(viewer_a)


def test_public_page_shows_the_photos_in_their_order_with_captions(client, make_station, officer_a):
    station = make_station()
    first = services.station_photo_add(station=station, image=clean_image(jpeg()), caption="Front door")
    services.station_photo_add(station=station, image=clean_image(jpeg()), caption="Rest area")
    html = client.get(station.get_absolute_url()).content.decode()
    assert html.index("Front door</figcaption>") < html.index("Rest area</figcaption>")
    services.station_photo_move(photo=first, up=False, by=officer_a)  # the cached page is refreshed
    html = client.get(station.get_absolute_url()).content.decode()
    assert html.index("Rest area</figcaption>") < html.index("Front door</figcaption>")


@pytest.mark.parametrize("role", ["officer_a", "chair_a", "viewer_a"])
def test_every_link_of_the_stations_desk_opens(client, make_station, tree, role, request, amenities):
    """Following every stations link from the desk list and a station's desk pages, as each role,
    finds no 403, 404 or 500 (links a role may not use are not shown to it)."""
    import re

    station = make_station(union=tree.a1, amenity_codes=["water"])
    services.station_photo_add(station=station, image=clean_image(jpeg()))
    services.award_save(award=Award(station=station, level="district", year=2024, title="T"))
    DemandPoint.objects.create(union=tree.a1, name="Hub", lat=39.7, lng=116.1)
    client.force_login(request.getfixturevalue(role))
    seen, todo = set(), [u("desk_list"), u("desk_station", station.pk)]
    while todo:
        address = todo.pop()
        if address in seen:
            continue
        seen.add(address)
        r = client.get(address)
        assert r.status_code == 200, (role, address, r.status_code)
        if not r["Content-Type"].startswith("text/html"):
            continue
        for href in re.findall(r'href="(/stations/[^"#?]*)', r.content.decode()):
            if "/media/" not in href and href not in seen:
                todo.append(href)
    assert len(seen) > 5


def test_visit_form_offers_the_district_and_accepts_any_public_guest(client, make_station, tree, officer_a):
    host = make_station(union=tree.a1, name="Host")
    make_station(union=tree.a, name="Same District")
    far = make_station(union=tree.b, name="Far Public")
    client.force_login(officer_a)
    html = client.get(u("station_visits", host.pk)).content.decode()
    assert "Same District" in html and "Far Public" not in html  # not offered on the phone...
    data = {"guest": far.pk, "visited_on": "2026-05-01", "participants": "2", "summary": ""}
    assert client.post(u("station_visits", host.pk), data).status_code == 302  # ...but accepted
    visit = ExchangeVisit.objects.get()
    assert "Far Public" in client.get(u("visit_edit", host.pk, visit.pk)).content.decode()  # the current guest
