import datetime as dt

import pytest

from stations import services
from stations.amenities import ensure_amenities
from stations.models import Amenity, OpeningHours, Station, StationAmenity


@pytest.fixture
def amenities(db):
    ensure_amenities()
    return {a.code: a for a in Amenity.objects.all()}


@pytest.fixture
def make_station(tree, amenities):
    """make_station(union=..., name=..., lat=..., lng=..., amenities=[codes], hours=[(weekday, "08:00", "20:00")])."""
    counter = {"n": 0}

    def make(*, union=None, amenity_codes=(), hours=None, **fields) -> Station:
        counter["n"] += 1
        defaults = {
            "union": union or tree.a,
            "name": f"Station {counter['n']}",
            "kind": Station.Kind.OUTDOOR,
            "lat": 39.73,
            "lng": 116.14,
            "town": "Town",
            "status": Station.Status.OPEN,
            "is_public": True,
        }
        station = services.station_save(station=Station(**(defaults | fields)))
        for code in amenity_codes:
            StationAmenity.objects.create(station=station, amenity=amenities[code])
        for weekday, opens, closes in hours or []:
            OpeningHours.objects.create(
                station=station,
                weekday=weekday,
                opens=dt.time.fromisoformat(opens),
                closes=dt.time.fromisoformat(closes),
            )
        return station

    return make
