"""The home page is a way in for riders: a near-me entry to the finder and figures that link."""

from django.urls import reverse

from unionportal.core import registry


def test_home_has_a_find_a_station_near_me_entry(client, db):
    html = client.get("/").content.decode()
    assert f'id="find-near-me" href="{reverse("stations:finder")}#near-me"' in html
    assert "Find a station near me" in html


def test_every_figure_links_to_its_public_page(client, db):
    response = client.get("/")
    figures = response.context["figures"]
    assert {key for key, *_ in figures} >= {"warm_stations", "outdoor_stations", "studios", "contests", "activities"}
    html = response.content.decode()
    for key, _label, _value, href in figures:
        assert href, key
        assert f'data-figure="{key}" href="{href}"' in html
        assert client.get(href).status_code == 200
    hrefs = {key: href for key, *_, href in figures}
    assert hrefs["outdoor_stations"] == reverse("stations:finder") + "?kind=outdoor"
    assert hrefs["studios"] == reverse("studios:list")


def test_a_figure_url_set_before_its_figure_is_kept(monkeypatch):
    monkeypatch.setattr(registry, "FIGURES", [])
    monkeypatch.setattr(registry, "FIGURE_URLS", {})
    registry.figure_url("later", "core:activity_feed")
    registry.figure("later", "Later", lambda: 1)
    assert registry.FIGURES[0].url == "core:activity_feed"
