"""The apps' own factories, reused to raise each event (imported fixtures are registered here)."""

import pytest

from contests.tests.conftest import make_contest, make_entry, make_judge, make_voter  # noqa: F401
from stations.tests.conftest import amenities, make_station  # noqa: F401
from studios.tests.conftest import make_studio  # noqa: F401
from welfare.tests.conftest import line, make_file  # noqa: F401


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the hooks' on-commit fan-out (eager Celery) at the end of the block."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
