import datetime as dt
import io

import openpyxl
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from stations import coverage
from stations.models import DemandPoint, HoursException, Inspection, StationPhoto
from unionportal.core.testing import image_upload

ALL_DAY = [(d, "00:00", "00:00") for d in range(7)]
DAYTIME = [(d, "08:00", "20:00") for d in range(7)]
WED = dt.date(2026, 11, 25)  # a Wednesday (weekday 2)


def at(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hh, mm)))


def point(union, name, lat, lng) -> DemandPoint:
    return DemandPoint.objects.create(union=union, name=name, lat=lat, lng=lng)


def covered(p, moment, walk_m=1000) -> bool:
    (row,) = coverage.coverage_at([p], moment=moment, walk_m=walk_m)
    return not row["uncovered"]


def test_coverage_lists_far_demand_points(client, tree, officer_a, officer_b, make_station):
    make_station(lat=39.7300, lng=116.1400, hours=ALL_DAY)
    make_station(lat=39.7300, lng=116.1500, status="closed", hours=ALL_DAY)  # closed stations do not count
    point(tree.a1, "Near hub", 39.7350, 116.1400)  # ~550 m straight, ~720 m walk
    point(tree.a1, "Far depot", 39.7300, 116.1520)  # ~1,030 m straight
    point(tree.b, "Other district market", 30.0, 110.0)
    client.force_login(officer_a)
    r = client.get(reverse("stations:coverage"))
    rows = {row["point"].name: row for row in r.context["rows"]}
    assert set(rows) == {"Near hub", "Far depot"}  # scoped
    assert rows["Far depot"]["uncovered"] and not rows["Near hub"]["uncovered"]
    assert 700 < rows["Near hub"]["distance"] < 740  # the walk: straight line x 1.3
    assert rows["Near hub"]["minutes"] == 10  # 720 m at 4.5 km/h
    r = client.get(reverse("stations:coverage"), {"distance": "2000"})
    assert r.context["uncovered"] == 0
    for bad in [{"distance": "abc"}, {"hour": "25"}, {"weekday": "x"}]:
        assert client.get(reverse("stations:coverage"), bad).status_code == 200  # defaults kept
    client.force_login(officer_b)
    r = client.get(reverse("stations:coverage"))
    assert [row["point"].name for row in r.context["rows"]] == ["Other district market"]


def test_covered_at_two_in_the_afternoon_not_at_eleven_at_night(tree, make_station):
    make_station(lat=39.7300, lng=116.1400, hours=DAYTIME)
    p = point(tree.a1, "Hub", 39.7350, 116.1400)
    assert covered(p, at(WED, 14))
    assert not covered(p, at(WED, 23))
    assert not covered(p, at(WED, 20))  # closes at 20:00
    assert covered(p, at(WED, 8))


def test_overnight_range_covers_the_next_early_hours(tree, make_station):
    make_station(lat=39.7300, lng=116.1400, hours=[(1, "06:00", "01:00")])  # Tuesday 06:00 to Wednesday 01:00
    p = point(tree.a1, "Hub", 39.7350, 116.1400)
    assert covered(p, at(WED, 0, 30))  # Wednesday 00:30: Tuesday's range
    assert not covered(p, at(WED, 1, 30))
    assert not covered(p, at(WED, 7))  # no Wednesday hours
    assert covered(p, at(WED - dt.timedelta(days=1), 23))
    profile = coverage.week_profile([p], walk_m=1000, now=at(WED, 12))
    shares = [h["covered"] for h in profile["hours"]]
    assert shares[24 + 5] == 0 and shares[24 + 6] == 1 and shares[48 + 0] == 1 and shares[48 + 1] == 0
    assert sum(shares) == 19  # Tuesday 06:00 to Wednesday 01:00


def test_holiday_closure_uncovers_a_point(tree, make_station):
    s = make_station(lat=39.7300, lng=116.1400, hours=DAYTIME)
    p = point(tree.a1, "Hub", 39.7350, 116.1400)
    HoursException.objects.create(station=s, date=WED, closed=True, note="Holiday")
    assert not covered(p, at(WED, 14))
    assert covered(p, at(WED + dt.timedelta(days=1), 14))
    profile = coverage.week_profile([p], walk_m=1000, now=at(WED, 12))
    assert [h["covered"] for h in profile["hours"][48:72]] == [0] * 24
    assert sum(h["covered"] for h in profile["hours"]) == 6 * 12


def test_reach_is_the_straight_line_times_the_detour_factor(tree, make_station):
    make_station(lat=39.7300, lng=116.1400, hours=ALL_DAY)
    p = point(tree.a1, "Hub", 39.7381, 116.1400)  # ~900 m straight
    assert not covered(p, at(WED, 14))  # 900 x 1.3 = 1,170 m > 1,000 m
    assert covered(p, at(WED, 14), walk_m=1200)
    with override_settings(STATIONS_DETOUR_FACTOR=1.0):
        assert covered(p, at(WED, 14))
    with override_settings(STATIONS_WALK_KMH=6):
        assert coverage.walk_minutes(1000) == 10


def test_week_profile_names_gaps_and_the_stations_that_would_close_them(tree, make_station):
    day = make_station(name="Day station", lat=39.7300, lng=116.1400, hours=DAYTIME)
    late = make_station(name="Late station", lat=39.7300, lng=116.1430, hours=[(d, "08:00", "22:00") for d in range(7)])
    far = make_station(name="Far station", lat=39.80, lng=116.30, hours=ALL_DAY)  # out of reach
    pts = [point(tree.a1, f"P{i}", 39.7320, 116.1410 + i * 0.0005) for i in range(4)]
    profile = coverage.week_profile(pts, walk_m=1000, now=at(WED, 12))
    assert profile["total"] == 4
    by_hour = {h["hour"]: h for h in profile["hours"]}
    assert by_hour[14]["covered"] == 4 and by_hour[21]["covered"] == 4 and by_hour[23]["covered"] == 0
    gap = profile["gaps"][0]
    assert gap["covered"] == 0 and gap["uncovered"] == 4 and gap["uncovered_share"] == 1
    assert [(g["weekday"], g["clock"]) for g in profile["gaps"]] == [(d, 22) for d in range(5)]  # "after 22:00"
    names = [s["station"].name for s in gap["stations"]]
    assert far.name not in names
    assert names[0] in {day.name, late.name} and gap["stations"][0]["points"] == 4
    assert len(names) == 1  # the first station already covers every point


@pytest.mark.parametrize("n", [10, 1000])
def test_query_count_is_flat(tree, make_station, n, settings):
    for i in range(5):
        make_station(lat=39.70 + i * 0.02, lng=116.10 + i * 0.02, hours=DAYTIME)
    DemandPoint.objects.bulk_create(
        DemandPoint(union=tree.a1, name=f"P{i}", lat=39.70 + (i % 50) * 0.002, lng=116.10 + (i // 50) * 0.002)
        for i in range(n)
    )
    pts = list(DemandPoint.objects.all())
    with CaptureQueriesContext(connection) as one:
        coverage.coverage_at(pts, moment=at(WED, 14), walk_m=1000)
    with CaptureQueriesContext(connection) as week:
        coverage.week_profile(pts, walk_m=1000, now=at(WED, 14))
    assert len(one) == 3 and len(week) == 3  # stations, hours, exceptions


def test_coverage_page_switches_the_hour(client, tree, officer_a, make_station):
    make_station(lat=39.7300, lng=116.1400, hours=DAYTIME)
    point(tree.a1, "Hub", 39.7350, 116.1400)
    client.force_login(officer_a)
    url = reverse("stations:coverage")
    r = client.get(url, {"weekday": "2", "hour": "14"})
    assert r.status_code == 200 and r.context["uncovered"] == 0
    r = client.get(url, {"weekday": "2", "hour": "23"})
    assert r.context["uncovered"] == 1
    assert r.context["gaps"] and r.context["gaps"][0]["stations"][0]["station"].name.startswith("Station")
    assert len(r.context["chart"]["values"]) == 168


def test_export_lists_uncovered_points_per_hour_scoped(client, tree, officer_a, officer_b, make_station):
    make_station(lat=39.7300, lng=116.1400, hours=DAYTIME)
    point(tree.a1, "Hub", 39.7350, 116.1400)
    point(tree.a1, "Lonely depot", 39.90, 116.40)
    client.force_login(officer_a)
    r = client.get(reverse("stations:coverage_export"), {"weekday": "2"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
    book = openpyxl.load_workbook(io.BytesIO(r.content))
    assert len(book.sheetnames) == 25  # summary + 24 hours of the weekday
    night = [row[0] for row in book.worksheets[1 + 23].iter_rows(min_row=2, values_only=True)]
    noon = [row[0] for row in book.worksheets[1 + 12].iter_rows(min_row=2, values_only=True)]
    assert sorted(night) == ["Hub", "Lonely depot"] and noon == ["Lonely depot"]
    client.force_login(officer_b)
    book = openpyxl.load_workbook(io.BytesIO(client.get(reverse("stations:coverage_export")).content))
    assert all(ws.max_row == 1 for ws in book.worksheets[1:])  # nothing of the sibling's
    summary = list(book.worksheets[0].iter_rows(min_row=2, values_only=True))
    assert len(summary) == 168 and all(row[3] == 0 for row in summary)


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


def test_public_stats_show_coverage_by_hour_without_demand_details(client, tree, make_station, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "cov"}}
    make_station(lat=39.7300, lng=116.1400, hours=DAYTIME)
    point(tree.a1, "Secret depot", 39.7350, 116.1400)
    point(tree.a1, "Hidden hub", 39.90, 116.40)
    r = client.get(reverse("stations:stats"))
    page = r.content.decode()
    assert "Secret depot" not in page and "Hidden hub" not in page and "39.735" not in page
    values = r.context["chart"]["coverage"]["values"]
    assert len(values) == 168 and max(values) == 50.0 and min(values) == 0.0
    assert r.context["coverage_worst_share"] == 0.0
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"  # right after the English visit
    r = client.get(reverse("stations:stats"))
    assert r.context["chart"]["coverage"]["labels"][0].startswith("星期一")
    assert "按小时" in r.content.decode()  # "Coverage by hour" in Chinese


# --- Anonymous search demand ------------------------------------------------------------------


def test_nearby_search_counts_the_cell_only(client, tree, make_station):
    from stations.models import SearchDemand, search_cell_of

    make_station(lat=39.7300, lng=116.1400)
    for _ in range(3):
        assert client.get(reverse("stations:nearby"), {"lat": "39.9012", "lng": "116.4023"}).status_code == 200
    client.get(reverse("stations:nearby"), {"lat": "39.9013", "lng": "116.4024"})  # same ~500 m cell
    assert client.get(reverse("stations:nearby"), {"lat": "abc", "lng": "116"}).status_code == 400  # not counted
    (row,) = SearchDemand.objects.all()
    assert row.cell == search_cell_of(39.9012, 116.4023) and row.searches == 4
    assert row.day == timezone.localdate()
    assert {f.name for f in SearchDemand._meta.fields} == {"id", "cell", "day", "searches"}  # no user, no point


def test_search_cells_need_five_searches(client, tree, officer_a, officer_b, make_station):
    from stations import services
    from stations.models import SearchDemand, search_cell_of

    make_station(union=tree.a1, lat=39.7300, lng=116.1400, hours=ALL_DAY)
    point(tree.a1, "Hub", 39.7350, 116.1400)
    for _ in range(4):
        services.search_demand_record(lat=39.7600, lng=116.1400)  # ~3 km north: none near
    for _ in range(7):
        services.search_demand_record(lat=39.7310, lng=116.1400)  # beside the station
    cells = coverage.search_cells(user=officer_a, walk_m=1000)
    assert [(c["searches"], c["none_near"]) for c in cells] == [(7, False)]  # 4 searches: not shown
    services.search_demand_record(lat=39.7600, lng=116.1400)
    cells = coverage.search_cells(user=officer_a, walk_m=1000)
    assert [(c["searches"], c["none_near"]) for c in cells] == [(5, True), (7, False)]
    # Counts of older days add up; older than 90 days do not.
    SearchDemand.objects.create(
        cell=search_cell_of(39.80, 116.14), day=timezone.localdate() - dt.timedelta(days=3), searches=3
    )
    SearchDemand.objects.create(
        cell=search_cell_of(39.80, 116.14), day=timezone.localdate() - dt.timedelta(days=95), searches=9
    )
    services.search_demand_record(lat=39.80, lng=116.14)
    services.search_demand_record(lat=39.80, lng=116.14)
    assert (5, True) in [(c["searches"], c["none_near"]) for c in coverage.search_cells(user=officer_a, walk_m=1000)][
        :2
    ]
    client.force_login(officer_a)
    page = client.get(reverse("stations:coverage")).content.decode()
    assert page.count('class="search-cell') == 3
    client.force_login(officer_b)  # far away (tree.b has nothing near): nothing shown
    assert client.get(reverse("stations:coverage")).context["search_cells"] == []


def test_purge_search_demand_keeps_90_days(tree):
    from django.core.management import call_command

    from stations.models import SearchDemand

    today = timezone.localdate()
    for age in (0, 89, 90, 91, 400):
        SearchDemand.objects.create(cell=age, day=today - dt.timedelta(days=age), searches=5)
    out = io.StringIO()
    call_command("purge_search_demand", stdout=out)
    assert "Deleted 2" in out.getvalue()
    assert sorted(SearchDemand.objects.values_list("cell", flat=True)) == [0, 89, 90]
