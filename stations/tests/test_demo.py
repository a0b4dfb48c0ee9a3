import io

import pytest
from django.core.management import call_command

from stations.models import AmenityDelivery, Award, ExchangeVisit, Inspection, OpeningHours, Station
from unionportal.core import registry
from unionportal.core.demo import seed as core_seed
from unionportal.core.testing import seeded_for_module


def _seed():
    from stations.demo import seed

    core_seed(io.StringIO())
    seed(io.StringIO())


@pytest.fixture(scope="module")
def _seeded_once(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo's unions and stations, once for the module (rolled back after it)."""
    yield from seeded_for_module(django_db_blocker, tmp_path_factory.mktemp("media"), _seed)


@pytest.fixture
def seeded(_seeded_once, db):
    return None


def snapshot():
    from django.db.models import Max

    from unionportal.core.models import Activity

    return (
        Station.objects.aggregate(m=Max("updated_at"))["m"],
        Activity.objects.aggregate(m=Max("updated_at"))["m"],
        Station.objects.count(),
        OpeningHours.objects.count(),
        AmenityDelivery.objects.count(),
        Inspection.objects.count(),
        Award.objects.count(),
        ExchangeVisit.objects.count(),
    )


def test_demo_figures_and_idempotent(seeded):
    figures = {f.key: f.value() for f in registry.FIGURES}
    assert figures["warm_stations"] == 804
    assert figures["worker_homes"] == 54
    assert figures["outdoor_stations"] == 49
    assert Station.objects.filter(kind=Station.Kind.MODEL_HOME).count() == 8
    assert Station.objects.filter(kind=Station.Kind.WARM).count() == 755
    outdoor = Station.objects.filter(kind=Station.Kind.OUTDOOR)
    assert outdoor.values("town").distinct().count() == 8
    assert set(outdoor.values_list("host_type", flat=True)) == {
        "community",
        "gas_station",
        "delivery",
        "bookstore",
        "barber",
        "supermarket",
    }
    assert not outdoor.filter(signage=False).exists()
    # Inside Fangshan district.
    assert not Station.objects.exclude(lat__range=(39.4, 40.0), lng__range=(115.4, 116.4)).exists()
    assert ExchangeVisit.objects.get().host.awards.filter(level="national").exists()
    before = snapshot()
    from stations.demo import seed

    seed(io.StringIO())
    assert snapshot() == before


def test_demo_stations_are_found_by_full_pinyin_and_two_words(seeded):
    """seed_demo yields the derived search data: full pinyin and several words find its stations."""
    public = Station.objects.public()
    assert public.search("liangxiang").exists()
    assert not public.search("liangxiang").exclude(search_text__contains="良乡").exists()
    both = public.search("拱辰 加油站")
    assert both.exists()
    assert all("拱辰" in s.search_text and "加油站" in s.search_text for s in both)


def test_stats_page_says_804_and_54(client, seeded):
    r = client.get("/stations/stats/")
    assert (r.context["warm"], r.context["homes"]) == (804, 54)


def test_seed_scale_spreads_stations(seeded):
    out = io.StringIO()
    call_command("seed_scale", "--stations", "300", stdout=out, stderr=io.StringIO())
    assert Station.objects.count() == 858 + 300
    scaled = Station.objects.exclude(union__name__contains="房山")
    assert scaled.values("cell").distinct().count() > 50
