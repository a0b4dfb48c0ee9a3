from django.urls import reverse

from stations.models import DemandPoint, Inspection, StationPhoto
from unionportal.core.testing import image_upload


def test_coverage_lists_far_demand_points(client, tree, officer_a, officer_b, make_station):
    make_station(lat=39.7300, lng=116.1400)
    make_station(lat=39.7300, lng=116.1500, status="closed")  # closed stations do not count
    DemandPoint.objects.create(union=tree.a1, name="Near hub", lat=39.7350, lng=116.1400)  # ~550 m
    DemandPoint.objects.create(union=tree.a1, name="Far depot", lat=39.7300, lng=116.1520)  # ~1,030 m
    DemandPoint.objects.create(union=tree.b, name="Other district market", lat=30.0, lng=110.0)
    client.force_login(officer_a)
    r = client.get(reverse("stations:coverage"))
    rows = {row["point"].name: row for row in r.context["rows"]}
    assert set(rows) == {"Near hub", "Far depot"}  # scoped
    assert rows["Far depot"]["uncovered"] and not rows["Near hub"]["uncovered"]
    assert 1000 < rows["Far depot"]["distance"] < 1100
    r = client.get(reverse("stations:coverage"), {"distance": "2000"})
    assert r.context["uncovered"] == 0
    assert client.get(reverse("stations:coverage"), {"distance": "abc"}).status_code == 200  # default kept


def test_admin_inspection_keeps_compliance(client, tree, superuser, make_station):
    s = make_station()
    client.force_login(superuser)
    data = {"station": s.pk, "inspected_on": "2022-12-01", "inspector_name": "Li"}
    for code in Inspection.Item.values:
        data |= {f"item_{code}": "fail" if code == "rules" else "pass", f"note_{code}": ""}
    r = client.post(reverse("admin:stations_inspection_add"), data)
    assert r.status_code == 302, r.content.decode()[:2000]
    s.refresh_from_db()
    assert s.latest_inspection is not None and not s.latest_inspection.passed_all
    assert s.latest_inspection.items.count() == 7
    assert list(type(s).objects.failing("rules")) == [s]


def test_admin_photo_upload_goes_through_the_image_pipeline(client, tree, superuser, make_station):
    s = make_station()
    client.force_login(superuser)
    url = reverse("admin:stations_station_change", args=[s.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "new_photos"}
    data |= {"union": s.union_id, "founded_on": "", "new_photos": [image_upload()]}
    for prefix in ["hours", "exceptions", "station_amenities", "photos", "inspections", "awards", "access_changes"]:
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    r = client.post(url, data)
    assert r.status_code == 302, r.content.decode()[:3000]
    photo = StationPhoto.objects.get(station=s)
    assert photo.image.name.endswith(".jpg") and photo.thumbnail.name.endswith("_t.jpg")
