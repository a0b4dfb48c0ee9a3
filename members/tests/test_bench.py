"""The roster's scale seeder and benchmark run end to end at a tiny size (no timing asserted)."""

import io

import pytest

from members import bench, scale
from members.models import Member
from unionportal.core.models import Union


@pytest.mark.django_db
def test_scale_and_bench_small():
    scale.run({"member_unions": 1500, "members": 60}, io.StringIO())
    root = Union.objects.get(name=scale.ROOT_NAME)
    assert Union.objects.filter(path__startswith=root.path, depth=3).count() == 1500
    assert Union.objects.get(pk=root.pk).numchild == 2
    scale.run({"member_unions": 1500, "members": 90}, io.StringIO())  # grows, never duplicates
    assert Member.objects.count() == 90
    figures = bench.measure()
    assert figures["officer_page_queries"] <= 6 and figures["chair_page_queries"] <= 6
    assert bench.import_time(20) >= 0
    assert Member.objects.count() == 90  # the import was rolled back
    rows = bench.run()
    assert {r["name"] for r in rows} >= {"members: 1,000-row import", "members: search p95 (chair)"}
