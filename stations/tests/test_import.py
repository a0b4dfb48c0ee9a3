"""Excel import of an officer's station sheet: preview, per-row errors, nothing saved when a row is wrong."""

import io

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stations.models import DemandPoint, Station
from stations.resources import DemandPointResource, StationResource

HEADERS = [
    "id",
    "union",
    "name",
    "kind",
    "host_type",
    "town",
    "address",
    "lat",
    "lng",
    "phone",
    "status",
    "founded_on",
    "signage",
    "is_public",
    "open_24h",
    "amenities",
]


def row(union, name, **kw):
    return row_of(union=union, name=name, **kw)


def row_of(**kw):
    values = {
        "id": "",
        "union": "District A",
        "name": "Station",
        "kind": "outdoor",
        "host_type": "gas_station",
        "town": "良乡镇",
        "address": "",
        "lat": 39.73,
        "lng": 116.14,
        "phone": "",
        "status": "open",
        "founded_on": "",
        "signage": 1,
        "is_public": 1,
        "open_24h": 0,
        "amenities": "water,seats",
    } | kw
    return [values[h] for h in HEADERS]


def sheet(*rows) -> tablib.Dataset:
    return tablib.Dataset(*rows, headers=HEADERS)


def test_good_sheet_imports_with_derived_columns_and_amenities(tree, officer_a, amenities):
    result = StationResource(user=officer_a).import_data(
        sheet(row("District A", "良乡镇加油站驿站"), row("Street A1", "拱辰书店驿站", kind="Outdoor-worker station")),
        dry_run=False,
    )
    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows
    s = Station.objects.get(name="良乡镇加油站驿站")
    assert s.initials.startswith("lxzjyzyz") and s.cell != 0
    assert sorted(s.station_amenities.values_list("amenity__code", flat=True)) == ["seats", "water"]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"lat": "abc"}, "lat"),
        ({"lat": 95}, "less than or equal to 90"),
        ({"kind": "castle"}, "Unknown value: castle"),
        ({"union": "District B"}, "Unknown union, or one you may not edit: District B"),
        ({"amenities": "water,jacuzzi"}, "Unknown amenity codes: jacuzzi"),
        ({"name": ""}, "name"),
    ],
)
def test_one_bad_row_saves_nothing_and_is_named(tree, officer_a, amenities, bad, message):
    data = sheet(row("District A", "Good 1"), row_of(**({"name": "Bad"} | bad)), row("District A", "Good 2"))
    result = StationResource(user=officer_a).import_data(data, dry_run=False)
    assert result.has_validation_errors() or result.has_errors()
    assert not Station.objects.exists()
    invalid = result.invalid_rows
    assert [r.number for r in invalid] == [2]
    assert message.lower() in str(invalid[0].error_dict).lower()


def test_import_cannot_overwrite_another_unions_station(tree, officer_a, make_station):
    theirs = make_station(name="Theirs", union=tree.b)
    data = sheet(row("District A", "Hijacked", id=theirs.pk))
    result = StationResource(user=officer_a).import_data(data, dry_run=False)
    theirs.refresh_from_db()
    assert theirs.name == "Theirs" and theirs.union == tree.b
    assert result.has_errors() or result.has_validation_errors() or Station.objects.filter(name="Hijacked").count() <= 1


def test_admin_import_preview_names_the_bad_row(client, tree, officer_a, amenities):
    client.force_login(officer_a)
    data = sheet(row("District A", "Good 1"), row("District A", "Bad", lat="north"))
    upload = SimpleUploadedFile("stations.xlsx", data.export("xlsx"), content_type="application/octet-stream")
    url = reverse("admin:stations_station_import")
    formats = client.get(url).context["form"].fields["format"].choices
    xlsx = next(value for value, label in formats if "xlsx" in str(label).lower())
    r = client.post(url, {"import_file": upload, "format": xlsx, "resource": "0"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Errors" in html or "error" in html.lower()
    assert "north" in html
    assert not Station.objects.exists()


def test_station_export_is_scoped(client, tree, officer_a, make_station):
    make_station(name="Mine", union=tree.a1)
    make_station(name="Theirs", union=tree.b)
    client.force_login(officer_a)
    url = reverse("admin:stations_station_export")
    formats = client.get(url).context["form"].fields["format"].choices
    xlsx = next(value for value, label in formats if "xlsx" in str(label).lower())
    r = client.post(url, {"format": xlsx, "resource": "0", **{f"stationresource_{h}": "on" for h in HEADERS}})
    assert r.status_code == 200
    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(r.content)).worksheets[0]
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "Mine" in values and "Theirs" not in values


def test_demand_points_import(tree, officer_a):
    data = tablib.Dataset(
        ["", "District A", "Hub", "delivery_hub", 39.7, 116.1, 50],
        headers=["id", "union", "name", "kind", "lat", "lng", "workers"],
    )
    result = DemandPointResource(user=officer_a).import_data(data, dry_run=False)
    assert not result.has_validation_errors()
    assert DemandPoint.objects.get().name == "Hub"
