from stations.tests.conftest import amenities, make_station  # noqa: F401 - shared builders
