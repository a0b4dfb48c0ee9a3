"""Paper: the printable station sign (A4/A5, vector QR code to the public page) and the desk's
print stylesheet on record pages (station page, inspection record)."""

import datetime as dt
from pathlib import Path

from django.urls import reverse

from stations import services
from stations.models import Inspection
from stations.views.sign import qr_svg_bytes


def test_qr_svg_is_a_vector_code_of_the_public_page(client, make_station):
    station = make_station(name="Sign Station")
    r = client.get(reverse("stations:qr_svg", args=[station.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml"
    body = r.content.decode()
    assert "<svg" in body and "<path" in body and "<image" not in body  # paths, no embedded bitmap
    assert r.content == qr_svg_bytes(f"http://testserver/stations/{station.pk}/")


def test_qr_svg_of_a_hidden_station_is_404_for_the_public(client, make_station, tree):
    station = make_station(union=tree.b, is_public=False)
    assert client.get(reverse("stations:qr_svg", args=[station.pk])).status_code == 404


def test_sign_shows_name_hours_amenities_address_and_qr(client, make_station, officer_a):
    station = make_station(
        name="Gongchen Station",
        address="1 Gongchen Street",
        amenity_codes=["water", "microwave"],
        hours=[(0, "08:00", "20:00"), (5, "22:00", "02:00")],
    )
    client.force_login(officer_a)
    for size, page_css in (("a4", "sign-a4.css"), ("a5", "sign-a5.css")):
        r = client.get(reverse("stations:station_sign", args=[station.pk]), {"size": size})
        assert r.status_code == 200
        html = r.content.decode()
        assert page_css in html
        assert "Gongchen Station" in html and "1 Gongchen Street" in html
        assert "08:00–20:00" in html and "22:00–02:00 (next day)" in html
        assert "Drinking water" in html and "Microwave" in html
        assert reverse("stations:qr_svg", args=[station.pk]) in html
        assert "style=" not in html and "<script>" not in html  # CSP: no inline styles or scripts
    # an unknown size falls back to A4, never a 500
    r = client.get(reverse("stations:station_sign", args=[station.pk]), {"size": "../x"})
    assert r.status_code == 200 and "sign-a4.css" in r.content.decode()


def test_sign_page_css_sets_the_paper_size(settings):
    from django.contrib.staticfiles import finders

    a4 = Path(finders.find("stations/css/sign-a4.css")).read_text()
    a5 = Path(finders.find("stations/css/sign-a5.css")).read_text()
    assert "@page" in a4 and "size: A4" in a4
    assert "@page" in a5 and "size: A5" in a5


def test_sign_is_linked_from_the_desk_station_page(client, make_station, officer_a):
    station = make_station()
    client.force_login(officer_a)
    html = client.get(reverse("stations:desk_station", args=[station.pk])).content.decode()
    assert reverse("stations:station_sign", args=[station.pk]) in html


def test_sign_warns_when_the_station_is_not_public(client, make_station, officer_a):
    station = make_station(is_public=False)
    client.force_login(officer_a)
    r = client.get(reverse("stations:station_sign", args=[station.pk]))
    assert 'id="sign-not-public"' in r.content.decode()


def test_record_pages_load_the_print_stylesheet(client, make_station, officer_a):
    from django.contrib.staticfiles import finders

    station = make_station()
    results = {code: (code != "sign", "") for code in Inspection.Item.values}
    inspection = services.inspection_record(
        station=station, inspected_on=dt.date(2026, 11, 20), results=results, inspector_name="Li"
    )
    client.force_login(officer_a)
    for address in (
        reverse("stations:desk_station", args=[station.pk]),
        reverse("stations:inspection_detail", args=[station.pk, inspection.pk]),
    ):
        html = client.get(address).content.decode()
        assert 'stations/css/print.css" media="print"' in html, address
    css = Path(finders.find("stations/css/print.css")).read_text()
    assert "nav.navbar" in css and ".btn" in css and "display: none" in css


def test_inspection_record_lists_the_seven_items_and_is_scoped(client, make_station, tree, officer_a, officer_b):
    station = make_station(union=tree.a1)
    results = {code: (code != "sign", "faded" if code == "sign" else "") for code in Inspection.Item.values}
    inspection = services.inspection_record(station=station, inspected_on=dt.date(2026, 11, 20), results=results)
    address = reverse("stations:inspection_detail", args=[station.pk, inspection.pk])
    client.force_login(officer_a)
    r = client.get(address)
    assert r.status_code == 200
    assert r.content.decode().count('class="inspection-record-item"') == 7
    assert "faded" in r.content.decode()
    assert address in client.get(reverse("stations:desk_station", args=[station.pk])).content.decode()
    client.force_login(officer_b)
    assert client.get(address).status_code == 404
    client.force_login(officer_a)
    other = make_station(union=tree.a1)
    assert client.get(reverse("stations:inspection_detail", args=[other.pk, inspection.pk])).status_code == 404
