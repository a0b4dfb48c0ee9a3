"""schemathesis over /api/schema/: every operation, generated requests, no 500 and every
response matching the schema. Kept small (a few examples per operation) so it runs in `make test`."""

import pytest
import schemathesis
from django.core import signals
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from stations.models import Station


@pytest.fixture
def api_schema(db, make_station, settings):
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {"DEFAULT_THROTTLE_CLASSES": []}  # noqa: F811
    make_station(name="East", lat=39.9, lng=116.4, hours=[(0, "08:00", "20:00")], amenity_codes=["water"])
    make_station(name="Home", kind=Station.Kind.WORKER_HOME)
    # As Django's test client does: a raw WSGI call must not close the test's connection
    # (on PostgreSQL the test runs inside a transaction on that connection).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/schema/?format=json", get_wsgi_application())
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


SETTINGS = settings(max_examples=4, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))


def test_every_operation_conforms(api_schema):
    # One hypothesis run per operation (schemathesis' lazy pytest fixture loader does not run on pytest 9).
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 18
    for operation in operations:

        @SETTINGS
        @given(case=operation.as_strategy())
        def check(case):
            # The WSGI client does not inflate gzip (SafeGZipMiddleware compresses anonymous
            # answers), so ask for the plain body, as a client without gzip would.
            case.call_and_validate(
                headers={"Accept-Encoding": "identity"}, checks=[not_a_server_error, response_schema_conformance]
            )

        check()


def test_schema_and_docs_served(client):
    r = client.get("/api/schema/?format=json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    assert "/api/v1/stations/nearby/" in paths and "/api/v1/field/visits/{id}/" in paths
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "redoc.standalone.js" in html and "cdn" not in html.lower()
    assert "<script>" not in html  # no inline script: the CSP allows none
