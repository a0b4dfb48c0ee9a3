"""Map tile providers. Stations store WGS-84; providers drawing GCJ-02 get shifted markers."""

from django.conf import settings
from django.utils.translation import gettext as _

TILE_PROVIDERS: dict[str, dict] = {
    "osm": {
        "url": "https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        "attribution": "&copy; OpenStreetMap {contributors}",
        "subdomains": "abc",
        "crs": "wgs84",
        "max_zoom": 19,
    },
    "amap": {
        "url": "https://webrd0{s}.is.autonavi.com/appmaptile?lang=zh_cn&size=1&scale=1&style=8&x={x}&y={y}&z={z}",
        "attribution": "&copy; {autonavi}",
        "subdomains": "1234",
        "crs": "gcj02",
        "max_zoom": 18,
    },
    "tianditu": {
        # Tianditu draws CGCS2000, which matches WGS-84 to within centimetres; needs a key in MAP_TILE_URL.
        "url": "https://t{s}.tianditu.gov.cn/DataServer?T=vec_w&x={x}&y={y}&l={z}",
        "attribution": "&copy; {tianditu}",
        "subdomains": "01234567",
        "crs": "wgs84",
        "max_zoom": 18,
    },
}


def tile_config() -> dict:
    """What the map script needs: tile URL, attribution, and whether to shift markers to GCJ-02."""
    name = getattr(settings, "MAP_TILE_PROVIDER", "osm")
    provider = dict(TILE_PROVIDERS.get(name, TILE_PROVIDERS["osm"]))
    override = getattr(settings, "MAP_TILE_URL", "")
    if override:
        provider["url"] = override
    provider["provider"] = name if name in TILE_PROVIDERS else "osm"
    # Leaflet's own controls speak English: the map script sets these (per request's language).
    provider["attribution"] = provider["attribution"].format(
        contributors=_("contributors"), autonavi=_("AutoNavi"), tianditu=_("Tianditu")
    )
    provider["labels"] = {"zoom_in": _("Zoom in"), "zoom_out": _("Zoom out"), "prefix": _("Leaflet map library")}
    return provider
