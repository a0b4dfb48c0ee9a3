"""GCJ-02 shift against the published reference points, in Python and in the map script."""

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from stations.geo import gcj02_to_wgs84, haversine_m, wgs84_to_gcj02
from stations.maps import tile_config

# Reference vectors of the eviltransform project (WGS-84 -> GCJ-02).
VECTORS = [
    ((31.1774276, 121.5272106), (31.17530398364597, 121.531541859215)),  # Shanghai
    ((22.543847, 113.912316), (22.540796131694766, 113.9171764808363)),  # Shenzhen
    ((39.911954, 116.377817), (39.91334545536069, 116.38404722455657)),  # Beijing
]
JS = Path(__file__).resolve().parent.parent / "static" / "stations" / "js" / "gcj.js"


@pytest.mark.parametrize(("wgs", "gcj"), VECTORS)
def test_python_matches_reference(wgs, gcj):
    lat, lng = wgs84_to_gcj02(*wgs)
    assert lat == pytest.approx(gcj[0], abs=1e-9) and lng == pytest.approx(gcj[1], abs=1e-9)
    back = gcj02_to_wgs84(*gcj)
    assert haversine_m(*back, *wgs) < 0.5


def test_no_shift_outside_china():
    assert wgs84_to_gcj02(48.8584, 2.2945) == (48.8584, 2.2945)


@pytest.mark.skipif(not shutil.which("node"), reason="node not installed")
def test_javascript_matches_reference():
    vectors = json.dumps([list(w) for w, _g in VECTORS])
    call = "return StationGeo.wgs84ToGcj02(v[0], v[1]);"
    script = JS.read_text() + f"\nconsole.log(JSON.stringify({vectors}.map(function (v) {{ {call} }})));"
    out = json.loads(subprocess.run(["node", "-e", script], capture_output=True, text=True, check=True).stdout)
    for (lat, lng), (_w, gcj) in zip(out, VECTORS, strict=True):
        assert lat == pytest.approx(gcj[0], abs=1e-9) and lng == pytest.approx(gcj[1], abs=1e-9)


def test_haversine_beijing_shanghai():
    # About 1,068 km between the two reference points.
    d = haversine_m(39.91334545536069, 116.38404722455657, 31.17530398364597, 121.531541859215)
    assert 1_060_000 < d < 1_080_000


def test_tile_provider_setting(settings):
    settings.MAP_TILE_PROVIDER = "amap"
    settings.MAP_TILE_URL = ""
    assert tile_config()["crs"] == "gcj02"
    settings.MAP_TILE_PROVIDER = "osm"
    assert tile_config()["crs"] == "wgs84"
    settings.MAP_TILE_URL = "https://tiles.example.org/{z}/{x}/{y}.png"
    assert tile_config()["url"].startswith("https://tiles.example.org")
    settings.MAP_TILE_PROVIDER = "nonsense"
    assert tile_config()["provider"] == "osm"
