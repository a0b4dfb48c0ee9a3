import io

from django.apps import apps
from django.core.management import call_command

from unionportal.core import registry
from unionportal.core.models import Activity, Role, Union


def _counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def test_seed_demo_builds_the_tree_and_a_second_run_changes_nothing(demo_module, db, client):
    assert Union.objects.get_parent(Union.objects.get(name="房山区总工会")).name == "北京市总工会"
    assert Union.objects.get_parent(Union.objects.get(name="良乡镇总工会")).name == "房山区总工会"
    assert Union.objects.get_parent(Union.objects.get(name="卢沟桥街道总工会")).name == "丰台区总工会"
    beifang = Union.objects.get(name="北方车辆集团工会")
    assert Union.objects.get_children(beifang).count() == 5
    assert set(Role.objects.values_list("kind", flat=True)) == set(Role.Kind.values)
    assert Activity.objects.published().filter(union__name="卢沟桥街道总工会").count() >= 3
    # A demo activity about a station, a studio and a contest, each on its page.
    linked = Activity.objects.published().filter(source__startswith="seed:").select_related("station", "studio")
    assert linked.filter(station__isnull=False).exists() and linked.filter(studio__isnull=False).exists()
    assert linked.filter(contest__isnull=False).exists()
    about_station = linked.filter(station__isnull=False).first()
    assert about_station.title in client.get(about_station.station.get_absolute_url()).content.decode()

    before = _counts()
    out = io.StringIO()
    call_command("seed_demo", stdout=out)
    assert _counts() == before
    assert "unionportal-demo" in out.getvalue()  # passwords are printed for the demo users


def test_home_shows_every_registered_figure_computed(demo_module, db, client):
    page = client.get("/").content.decode()
    for figure in registry.FIGURES:
        value = figure.value()
        assert f'data-figure="{figure.key}"' in page
        assert f">{value}<" in page


def test_home_figures_are_not_recounted_on_every_view(demo_module, db, client, django_assert_max_num_queries):
    client.get("/")
    # 1 latest activities; the figures come from the cache for a minute
    with django_assert_max_num_queries(1):
        client.get("/")
