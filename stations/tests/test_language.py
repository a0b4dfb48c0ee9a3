"""Language bugs seen in Chinese: the stats cache keyed by language, Leaflet's controls and the
amenity names translated in the admin and on the desk."""

import json

from django.urls import reverse
from django.utils import translation

from stations.maps import tile_config


def _lang(client, settings, code):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = code


def test_stats_cache_is_kept_per_language(client, make_station, settings):
    make_station(name="One")
    _lang(client, settings, "en")
    r = client.get(reverse("stations:stats"))
    assert ("Outdoor-worker station", 1) in r.context["by_kind"]
    _lang(client, settings, "zh-hans")
    r = client.get(reverse("stations:stats"))  # right after an English visit, within the cache time
    assert ("户外劳动者暖心驿站", 1) in r.context["by_kind"]
    assert "Outdoor-worker station" not in r.content.decode()
    assert r.context["by_status"][1][0] == "运营中"  # Open
    book = client.get(reverse("stations:stats_export"))
    assert book.status_code == 200
    _lang(client, settings, "en")
    assert "Outdoor-worker station" in client.get(reverse("stations:stats")).content.decode()  # its kept English page


def test_leaflet_controls_in_chinese(client, make_station, settings):
    with translation.override("zh-hans"):
        config = tile_config()
    assert config["labels"]["zoom_in"] == "放大" and config["labels"]["zoom_out"] == "缩小"
    assert "OpenStreetMap 贡献者" in config["attribution"]
    with translation.override("en"):
        assert tile_config()["labels"]["zoom_in"] == "Zoom in"
    _lang(client, settings, "zh-hans")
    html = client.get(reverse("stations:finder")).content.decode()
    start = html.index('<script id="tiles" type="application/json">') + len(
        '<script id="tiles" type="application/json">'
    )
    tiles = json.loads(html[start : html.index("</script>", start)])
    assert tiles["labels"]["zoom_in"] == "放大"


def test_amenity_names_in_chinese_in_the_admin_and_on_the_desk(client, make_station, superuser, officer_a, settings):
    station = make_station(amenity_codes=["water"])
    _lang(client, settings, "zh-hans")
    client.force_login(superuser)
    html = client.get(reverse("admin:stations_amenity_changelist")).content.decode()
    assert "直饮水" in html
    html = client.get(reverse("admin:stations_station_change", args=[station.pk])).content.decode()
    assert "直饮水" in html  # the amenity inline's choices
    client.force_login(officer_a)
    for name in ("desk_station", "station_edit", "station_deliveries", "station_sign"):
        html = client.get(reverse(f"stations:{name}", args=[station.pk])).content.decode()
        assert "直饮水" in html and "Drinking water" not in html, name


def test_desk_record_pages_speak_chinese(client, make_station, officer_a, settings, tree):
    """Every new desk page in zh-hans: no English UI word of its own left untranslated."""
    import datetime as dt

    from stations import services
    from stations.models import Award, DemandPoint, Inspection
    from stations.tests.test_desk_edit import jpeg
    from unionportal.core.images import clean_image

    station = make_station(name="站一", amenity_codes=["water"], hours=[(0, "08:00", "20:00")])
    other = make_station(name="站二")
    photo = services.station_photo_add(station=station, image=clean_image(jpeg()), caption="门口")
    award = services.award_save(award=Award(station=station, level="beijing", year=2023, title="最美站点"))
    visit = services.exchange_visit_log(host=station, guest=other, visited_on=dt.date(2026, 5, 1), participants=3)
    point = DemandPoint.objects.create(union=tree.a, name="快递站", lat=39.7, lng=116.1, workers=9)
    inspection = services.inspection_record(
        station=station,
        inspected_on=dt.date(2026, 5, 2),
        results={c: (c != "sign", "") for c in Inspection.Item.values},
    )
    _lang(client, settings, "zh-hans")
    client.force_login(officer_a)
    pages = [
        reverse("stations:desk_station", args=[station.pk]),
        reverse("stations:station_photos", args=[station.pk]),
        reverse("stations:photo_edit", args=[station.pk, photo.pk]),
        reverse("stations:station_awards", args=[station.pk]),
        reverse("stations:award_edit", args=[station.pk, award.pk]),
        reverse("stations:station_deliveries", args=[station.pk]),
        reverse("stations:station_visits", args=[station.pk]),
        reverse("stations:visit_edit", args=[station.pk, visit.pk]),
        reverse("stations:demand_points"),
        reverse("stations:demand_edit", args=[point.pk]),
        reverse("stations:station_import"),
        reverse("stations:demand_import"),
        reverse("stations:station_sign", args=[station.pk]),
        reverse("stations:inspection_detail", args=[station.pk, inspection.pk]),
    ]
    english = [
        ">Save<",
        ">Photos<",
        ">Awards<",
        "Exchange visits",
        "Deliveries",
        "Demand points",
        ">Import<",
        ">Print<",
        "Opening hours",
        "Amenities",
        "Caption",
        "Order",
        "Delivered on",
        "Quantity",
        " participant",
        "Edit",
        "Remove",
        "Move up",
        "Move down",
        "Correct the",
        "Add a",
        "Record a",
        "Columns",
        "Required",
        "Scan:",
        "Inspection record",
        "Inspector",
        "Result",
        "Passed",
        "Failed",
        "Station sign",
        "9 workers",
    ]
    for address in pages:
        r = client.get(address)
        assert r.status_code == 200, address
        html = r.content.decode()
        left = [w for w in english if w in html]
        assert left == [], (address, left, [html[max(0, html.index(w) - 80) : html.index(w) + 40] for w in left])


def test_an_awards_title_is_its_honour_not_a_headline():
    """Without a context the root catalogue's 标题 (a headline) won over the stations' 称号."""
    from django.utils import translation

    from stations.models import Award

    with translation.override("zh-hans"):
        assert str(Award._meta.get_field("title").verbose_name) == "称号"
