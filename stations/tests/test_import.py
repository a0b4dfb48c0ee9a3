"""Spreadsheet import of stations and demand points: through the core pipeline (no id column,
row-level errors, nothing saved when a row is wrong), every row saved through the services."""

import io

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from stations import services
from stations.models import DemandPoint, Station
from stations.resources import DemandPointResource, StationResource
from unionportal.core.imports import ImportFailed

HEADERS = [
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


def row_of(headers=HEADERS, **kw):
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
    return [values[h] for h in headers]


def upload(*rows, headers=HEADERS, name="stations.xlsx") -> SimpleUploadedFile:
    data = tablib.Dataset(*rows, headers=headers)
    content = data.export("xlsx") if name.endswith(".xlsx") else data.export("csv").encode()
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def test_good_sheet_imports_with_derived_columns_and_amenities(tree, officer_a, amenities):
    sheet = upload(
        row("District A", "良乡镇加油站驿站"), row("Street A1", "拱辰书店驿站", kind="Outdoor-worker station")
    )
    saved = services.station_import(upload=sheet, by=officer_a)
    assert len(saved) == 2
    s = Station.objects.get(name="良乡镇加油站驿站")
    assert s.initials.startswith("lxzjyzyz") and s.cell != 0
    assert list(Station.objects.search("拱辰书店")) == [Station.objects.get(name="拱辰书店驿站")]
    assert sorted(s.station_amenities.values_list("amenity__code", flat=True)) == ["seats", "water"]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ({"lat": "abc"}, "lat: not a number"),
        ({"lat": 95}, "less than or equal to 90"),
        ({"kind": "castle"}, "unknown value “castle”"),
        ({"union": "District B"}, "Unknown union, or one you may not edit: District B"),
        ({"amenities": "water,jacuzzi"}, "Unknown amenity codes: jacuzzi"),
        ({"name": ""}, "name"),
    ],
)
def test_one_bad_row_saves_nothing_and_is_named(tree, officer_a, amenities, bad, message):
    sheet = upload(row("District A", "Good 1"), row_of(**({"name": "Bad"} | bad)), row("District A", "Good 2"))
    with pytest.raises(ImportFailed) as failed:
        services.station_import(upload=sheet, by=officer_a)
    assert not Station.objects.exists()
    assert [n for n, _m in failed.value.row_errors] == [3]  # the header is row 1
    assert message.lower() in failed.value.row_errors[0][1].lower()


def test_an_id_column_is_refused_and_station_creation_still_works(tree, officer_a, amenities, make_station):
    """Hole 5: an imported id 9223372036854775806 moved the key sequence to its end."""
    headers = ["id", *HEADERS]
    sheet = upload(row_of(headers=headers, id=9223372036854775806, name="Far away"), headers=headers)
    with pytest.raises(ImportFailed) as failed:
        services.station_import(upload=sheet, by=officer_a)
    assert failed.value.row_errors == [(1, "Ids cannot be imported: remove the column “id”.")]
    assert not Station.objects.exists()
    created = make_station(name="Created after")
    assert created.pk < 9223372036854775806


def test_admin_import_refuses_an_id_column(client, tree, superuser, amenities, make_station):
    client.force_login(superuser)
    headers = ["ID", *HEADERS]
    sheet = upload(row_of(headers=["id", *HEADERS], id=9223372036854775806), headers=headers)
    r = client.post(reverse("admin:stations_station_import"), {"import_file": sheet})
    assert r.status_code == 200
    assert "Ids cannot be imported" in r.content.decode()
    assert not Station.objects.exists()
    assert make_station(name="Still fine").pk < 9223372036854775806


def test_resources_do_not_import(tree, officer_a, make_station):
    """The export resources are no second import path (ids or not)."""
    theirs = make_station(name="Theirs", union=tree.b)
    data = tablib.Dataset([theirs.pk, "District A", "Hijacked"], headers=["id", "union", "name"])
    result = StationResource(user=officer_a).import_data(data, dry_run=False)
    assert result.has_errors()
    theirs.refresh_from_db()
    assert theirs.name == "Theirs" and theirs.union == tree.b
    assert not Station.objects.filter(name="Hijacked").exists()
    result = DemandPointResource(user=officer_a).import_data(data, dry_run=False)
    assert result.has_errors() and not DemandPoint.objects.exists()


def test_admin_import_names_the_bad_row(client, tree, superuser, amenities):
    client.force_login(superuser)  # staff import on the desk (test_desk_records)
    sheet = upload(row("District A", "Good 1"), row("District A", "Bad", lat="north"))
    url = reverse("admin:stations_station_import")
    assert client.get(url).status_code == 200
    r = client.post(url, {"import_file": sheet})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Row 3:" in html and "lat: not a number" in html
    assert not Station.objects.exists()
    r = client.post(url, {"import_file": upload(row("District A", "Good 1"), name="s.csv")})
    assert r.status_code == 302
    assert Station.objects.get().name == "Good 1"


def test_viewer_cannot_import(client, tree, viewer_a, amenities):
    client.force_login(viewer_a)
    r = client.post(reverse("admin:stations_station_import"), {"import_file": upload(row("District A", "X"))})
    assert r.status_code == 403
    assert not Station.objects.exists()


def test_station_export_is_scoped(client, tree, officer_a, make_station):
    make_station(name="Mine", union=tree.a1)
    make_station(name="Theirs", union=tree.b)
    client.force_login(officer_a)
    url = reverse("admin:stations_station_export")
    formats = client.get(url).context["form"].fields["format"].choices
    xlsx = next(value for value, label in formats if "xlsx" in str(label).lower())
    fields = ["id", *HEADERS]
    r = client.post(url, {"format": xlsx, "resource": "0", **{f"stationresource_{h}": "on" for h in fields}})
    assert r.status_code == 200
    import openpyxl

    ws = openpyxl.load_workbook(io.BytesIO(r.content)).worksheets[0]
    values = [c.value for row in ws.iter_rows() for c in row]
    assert "Mine" in values and "Theirs" not in values
    assert "District A" in values or "Street A1" in values  # the union by name


def test_demand_points_import(tree, officer_a):
    headers = ["union", "name", "kind", "lat", "lng", "workers"]
    saved = services.demand_point_import(
        upload=upload(["District A", "Hub", "delivery_hub", 39.7, 116.1, 50], headers=headers), by=officer_a
    )
    assert [p.name for p in saved] == ["Hub"]
    assert DemandPoint.objects.get().workers == 50
    with pytest.raises(ImportFailed) as failed:
        services.demand_point_import(
            upload=upload(["District B", "Theirs", "market", 39.7, 116.1, "²"], headers=headers), by=officer_a
        )
    assert [n for n, _m in failed.value.row_errors] == [2]
    assert DemandPoint.objects.count() == 1
