import csv
import io
import json

import pytest

from stations import services

pytestmark = pytest.mark.django_db


def _body(r) -> str:
    return b"".join(r.streaming_content).decode()


def test_geojson_is_valid_feature_collection(client, make_station):
    make_station(name="East", lat=39.9, lng=116.4, amenity_codes=["water"], hours=[(0, "08:00", "20:00")])
    make_station(name="Hidden", is_public=False)
    r = client.get("/stations.geojson")
    assert r.status_code == 200 and r["Content-Type"].startswith("application/geo+json")
    assert "license" in r["Link"] and r["X-License"]
    doc = json.loads(_body(r))
    assert doc["type"] == "FeatureCollection" and doc["license"]
    assert len(doc["features"]) == 1
    f = doc["features"][0]
    assert f["type"] == "Feature" and f["geometry"]["type"] == "Point"
    lng, lat = f["geometry"]["coordinates"]
    assert (lat, lng) == (39.9, 116.4)  # RFC 7946: WGS-84, longitude first
    p = f["properties"]
    assert p["name"] == "East" and p["amenities"] == ["water"] and p["hours"] == "Mo 08:00-20:00"
    assert p["lat_gcj02"] != p["lat_wgs84"]


def test_csv_columns_for_bulk_import(client, make_station):
    make_station(name="East", lat=39.9, lng=116.4, phone="010-1")
    r = client.get("/stations.csv")
    rows = list(csv.DictReader(io.StringIO(_body(r).lstrip("\ufeff"))))
    assert list(rows[0])[:7] == ["name", "address", "lng", "lat", "phone", "category", "hours"]
    assert rows[0]["name"] == "East" and rows[0]["phone"] == "010-1"
    assert float(rows[0]["lat_wgs84"]) == 39.9 and float(rows[0]["lat"]) != 39.9  # lat/lng are GCJ-02


def test_etag_304_and_change(client, make_station):
    s = make_station()
    r = client.get("/stations.geojson")
    etag = r["ETag"]
    assert client.get("/stations.geojson", HTTP_IF_NONE_MATCH=etag).status_code == 304
    s.name = "Renamed"
    services.station_save(station=s)
    assert client.get("/stations.geojson", HTTP_IF_NONE_MATCH=etag).status_code == 200
    csv_etag = client.get("/stations.csv")["ETag"]
    assert csv_etag != etag
    assert client.get("/stations.csv", HTTP_IF_NONE_MATCH=csv_etag).status_code == 304


def test_open_data_rows_come_in_chunks_each_with_its_own_hours_and_amenities(make_station):
    """selectors.open_data_rows: public stations only, in id order across chunks; each row's
    hours in the week's order and amenities in the amenities' order, none borrowed from a
    neighbour in the same chunk."""
    import datetime as dt

    from stations import selectors
    from stations.models import Amenity

    a = make_station(
        name="A",
        amenity_codes=["first_aid", "water"],
        hours=[(2, "08:00", "12:00"), (0, "09:00", "17:00"), (0, "07:00", "08:00")],
    )
    make_station(name="Hidden", is_public=False, amenity_codes=["water"], hours=[(1, "08:00", "09:00")])
    make_station(name="B")
    make_station(name="C", open_24h=True, amenity_codes=["water"])
    rows = list(selectors.open_data_rows(chunk=2))
    assert [r["name"] for r in rows] == ["A", "B", "C"] and rows[0]["pk"] == a.pk
    assert rows[0]["hours"] == [
        (0, dt.time(7), dt.time(8)),
        (0, dt.time(9), dt.time(17)),
        (2, dt.time(8), dt.time(12)),
    ]
    in_order = list(
        Amenity.objects.filter(code__in=["first_aid", "water"]).order_by("order").values_list("code", flat=True)
    )
    assert rows[0]["amenities"] == in_order
    assert rows[1]["hours"] == [] and rows[1]["amenities"] == []
    assert rows[2]["amenities"] == ["water"] and rows[2]["open_24h"] is True
