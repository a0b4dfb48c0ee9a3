"""On PostgreSQL the fan-out writes its rows through COPY and one INSERT ... ON CONFLICT."""

import pytest
from django.db import connection

from notifications.models import Event, Notification
from notifications.services import notify_fanout
from unionportal.core.models import Role
from unionportal.core.testing import build_tree, make_user

pytestmark = [pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgres_only(db):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL")


def test_copy_fanout_writes_each_recipient_once_with_its_fields():
    tree = build_tree()
    chairs = [make_user(f"chair{i}", role=Role.Kind.CHAIR, union=tree.a) for i in range(3)]
    make_user("other", role=Role.Kind.CHAIR, union=tree.b)
    kwargs = {
        "event": Event.STATION_FEEDBACK,
        "union_id": tree.a1.pk,
        "title": "T" * 300,
        "link": "/x",
        "roles": ["chair"],
    }
    assert notify_fanout(**kwargs, key="k1") == 3
    assert notify_fanout(**kwargs, key="k1") == 0  # the key: told once
    assert notify_fanout(**kwargs) == 3  # no key: told again
    rows = Notification.objects.filter(key="k1")
    assert sorted(rows.values_list("recipient_id", flat=True)) == sorted(u.pk for u in chairs)
    first = rows.first()
    assert (first.event, first.link, first.union_id, len(first.title)) == (
        Event.STATION_FEEDBACK,
        "/x",
        tree.a1.pk,
        200,
    )
    assert first.created_at is not None and first.read_at is None and first.on_desk and first.digest
