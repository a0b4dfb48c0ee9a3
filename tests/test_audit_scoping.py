"""Security audit: cross-union leaks, unscoped writes and 500s on bad input.

Each test names the sibling districts A and B of the root conftest's tree; a user of one must
never read or change a record of the other, and malformed input is a 4xx, never a 500.
TestAdminMatrix (at the end) walks every admin URL of every registered model for each role of
the sibling union, on a world of its own (tests/admin_matrix.py).
"""

import csv
import datetime as dt
import io
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.contrib import admin
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from simple_history.admin import SimpleHistoryAdmin

from contests.models import Category, Contest, Criterion, Entry
from stations import services as station_services
from stations.models import AmenityDelivery, Award, Feedback, Inspection, Station
from studios import services as studio_services
from studios.models import Studio, YearTarget
from unionportal.core.models import Union
from unionportal.core.testing import make_user
from welfare import identity
from welfare import services as welfare_services
from welfare.models import AccessLog, Campaign, Employee, HardshipFile, Visit

from . import admin_matrix as matrix

# --- Small factories (kept local: the apps' fixtures live in their own conftests) ---------------


def _id_number(seq: int) -> str:
    return identity.make_fictional("110105", dt.date(1970, 1, 1) + dt.timedelta(days=seq), seq % 1000)


def _file(union, name: str, seq: int) -> HardshipFile:
    return welfare_services.file_create(
        union=union,
        by=None,
        id_number=_id_number(seq),
        name=name,
        phone=f"139000{seq:05d}",
        members=[{"relation": "self", "yearly_income": 24000}],
    )


def _station(union, name: str, **fields) -> Station:
    defaults = {
        "union": union,
        "name": name,
        "kind": Station.Kind.OUTDOOR,
        "lat": 39.73,
        "lng": 116.14,
        "town": "Town",
        "status": Station.Status.OPEN,
        "is_public": True,
    }
    return station_services.station_save(station=Station(**(defaults | fields)))


def _studio(union, name: str, slug: str) -> Studio:
    studio = studio_services.studio_apply(
        union=union, by=None, leader={"name": f"Leader of {name}"}, name=name, slug=slug, kind=Studio.Kind.WORKER
    )
    Studio.objects.filter(pk=studio.pk).update(status=Studio.Status.ACTIVE, published=True)
    studio.refresh_from_db()
    return studio


def _contest(union, slug: str) -> Contest:
    now = timezone.now()
    contest = Contest.objects.create(
        union=union,
        slug=slug,
        title=f"Contest {slug}",
        entry_opens=now - dt.timedelta(days=21),
        entry_closes=now - dt.timedelta(days=15),
        screening_closes=now - dt.timedelta(days=10),
        vote_opens=now - dt.timedelta(days=5),
        vote_closes=now + dt.timedelta(days=5),
        jury_closes=now + dt.timedelta(days=15),
        results_on=now + dt.timedelta(days=20),
    )
    category = Category.objects.create(contest=contest, name="Efficiency", order=0)
    Criterion.objects.create(contest=contest, name="Novelty", weight=100, max_score=100)
    entry = Entry.objects.create(
        contest=contest, category=category, title=f"Secret entry of {slug}", status=Entry.Status.SUBMITTED
    )
    entry.members.create(name="Li", union=union, is_leader=True)
    return contest


def _xlsx_text(content: bytes) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content), read_only=True)
    return repr([row for ws in wb.worksheets for row in ws.iter_rows(values_only=True)])


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


# --- Welfare ------------------------------------------------------------------------------------


@pytest.fixture
def files(tree):
    return _file(tree.a1g, "Alice Anfang", 1), _file(tree.bg, "Bruno Bsibling", 2)


def test_welfare_sibling_gets_404_on_every_file_endpoint(client, welfare_b, files):
    alice, _bruno = files
    client.force_login(welfare_b)
    assert client.get(reverse("welfare:file_detail", args=[alice.pk])).status_code == 404
    assert client.get(reverse("welfare:file_edit", args=[alice.pk])).status_code == 404
    for name, data in [
        ("file_reveal", {}),
        ("file_category", {"category": "deep", "reason": "x"}),
        ("file_advance", {}),
        ("file_review", {"status": "closed"}),
        ("file_assistance", {"kind": "money", "amount": "100", "date": "2024-01-01"}),
        ("file_edit", {"union": alice.union_id, "name": "Hijacked"}),
    ]:
        assert client.post(reverse(f"welfare:{name}", args=[alice.pk]), data).status_code in (403, 404), name
    alice.refresh_from_db()
    assert alice.name == "Alice Anfang" and alice.category == "" and alice.status == HardshipFile.Status.FILED
    assert not alice.assistance.exists()
    assert not AccessLog.objects.filter(file=alice).exists()


def test_welfare_lists_fragments_and_exports_hold_no_sibling_data(client, welfare_a, files, tree):
    _alice, bruno = files
    Visit.objects.create(union=tree.bg, file=bruno, occasion=Visit.Occasion.SPRING, visitors="Bvisitor")
    client.force_login(welfare_a)
    for url in [
        reverse("welfare:file_list"),
        reverse("welfare:file_list") + "?q=Brun",
        reverse("welfare:review_list"),
        reverse("welfare:notice_list"),
        reverse("welfare:festival_plan"),
        reverse("welfare:visit_list"),
    ]:
        assert b"Bsibling" not in client.get(url).content, url
    assert b"Bsibling" not in client.post(reverse("welfare:worker_search"), {"q": "Brun"}).content
    assert b"Bruno" not in client.post(reverse("welfare:worker_search"), {"q": _id_number(2)}).content
    assert b"Bruno" not in client.post(reverse("welfare:file_list"), {"q": _id_number(2)}).content
    export = client.get(reverse("welfare:file_export"))
    assert export.status_code == 200
    text = _xlsx_text(export.content)
    assert "Alice Anfang" in text and "Bruno" not in text
    report = client.get(reverse("welfare:report"), {"format": "xlsx"})
    assert "Bruno" not in _xlsx_text(report.content)
    rows = list(csv.reader(io.StringIO(_body(client.get(reverse("welfare:visit_export"))).decode("utf-8-sig"))))
    assert len(rows) == 1  # the header only: the visit belongs to B
    # A union of B in the report's period form is refused, not used.
    response = client.get(reverse("welfare:report"), {"union": tree.b.pk})
    assert response.status_code == 200 and b"Bruno" not in response.content


def test_welfare_visit_and_campaign_of_sibling_are_404(client, welfare_b, files, tree):
    alice, _bruno = files
    visit = Visit.objects.create(union=tree.a1g, file=alice, occasion=Visit.Occasion.SPRING)
    campaign = Campaign.objects.create(union=tree.a, title="Masks")
    employee = Employee.objects.create(union=tree.a1g, name="Emp A", staff_number="E1")
    client.force_login(welfare_b)
    assert client.get(reverse("welfare:visit_detail", args=[visit.pk])).status_code == 404
    assert client.get(reverse("welfare:campaign_detail", args=[campaign.pk])).status_code == 404
    url = reverse("welfare:handout_create", args=[campaign.pk, employee.pk])
    assert client.post(url, {"issue_code": "1"}).status_code == 404
    assert b"Masks" not in client.get(reverse("welfare:campaign_list")).content


def test_welfare_visit_form_refuses_a_sibling_file_and_union(client, welfare_b, files, tree):
    alice, _bruno = files
    client.force_login(welfare_b)
    url = reverse("welfare:visit_create")
    client.post(url, {"file": alice.pk, "kind": "worker", "occasion": "spring", "date": "2024-01-05"})
    client.post(url, {"union": tree.a.pk, "kind": "group", "site": "x", "occasion": "spring", "date": "2024-01-05"})
    assert not Visit.objects.exists()
    # Picking the sibling's file through the query string does not show it either.
    assert b"Alice" not in client.get(url, {"file": alice.pk}).content


@pytest.mark.parametrize("who", ["officer_a", "viewer_a", "judge_a", "chair_a"])
def test_welfare_is_closed_to_non_welfare_roles(client, request, files, who):
    alice, _bruno = files
    client.force_login(request.getfixturevalue(who))
    for url in [
        reverse("welfare:file_list"),
        reverse("welfare:file_detail", args=[alice.pk]),
        reverse("welfare:file_export"),
        reverse("welfare:visit_export"),
        reverse("welfare:report"),
    ]:
        assert client.get(url).status_code == 403, (who, url)
    assert client.post(reverse("welfare:worker_search"), {"q": "Alice"}).status_code == 403


@pytest.mark.parametrize("who", ["officer_a", "viewer_a", "judge_a", "welfare_b"])
def test_welfare_admin_is_closed_to_others(client, request, files, who):
    alice, _bruno = files
    client.force_login(request.getfixturevalue(who))
    change = client.get(reverse("admin:welfare_hardshipfile_change", args=[alice.pk]))
    assert change.status_code in (302, 403, 404)
    assert b"Alice" not in change.content
    history = client.get(reverse("admin:welfare_hardshipfile_history", args=[alice.pk]))
    assert history.status_code in (302, 403, 404) and b"Alice" not in history.content
    changelist = client.get(reverse("admin:welfare_hardshipfile_changelist"))
    assert b"Alice" not in changelist.content


def test_welfare_worker_search_by_full_id_is_logged(client, welfare_a, files):
    """A look-up by a full ID number through the visit form's search is a look at personal data."""
    alice, _bruno = files
    client.force_login(welfare_a)
    response = client.post(reverse("welfare:worker_search"), {"q": _id_number(1)})
    assert b"Alice" in response.content
    assert AccessLog.objects.filter(action=AccessLog.Action.SEARCH, union=alice.union).count() == 1
    # A name fragment is not a look-up by ID number: not logged as one.
    client.post(reverse("welfare:worker_search"), {"q": "Ali"})
    assert AccessLog.objects.filter(action=AccessLog.Action.SEARCH).count() == 1


def test_welfare_clear_id_never_in_pages_or_exports(client, welfare_a, files):
    alice, _bruno = files
    number = _id_number(1)
    client.force_login(welfare_a)
    for response in [
        client.get(reverse("welfare:file_detail", args=[alice.pk])),
        client.get(reverse("welfare:file_list")),
        client.post(reverse("welfare:worker_search"), {"q": "Alice"}),
        client.get(reverse("admin:welfare_hardshipfile_change", args=[alice.pk])),
        client.get(reverse("admin:welfare_hardshipfile_history", args=[alice.pk])),
    ]:
        assert number.encode() not in response.content
    assert number not in _xlsx_text(client.get(reverse("welfare:file_export")).content)
    # Without the permission, asking for the revealed export is refused.
    assert client.get(reverse("welfare:file_export"), {"reveal": "1"}).status_code == 403


@pytest.mark.parametrize(
    "path",
    [
        "/desk/welfare/files/?page=abc",
        "/desk/welfare/files/?page=-1&status=nonsense&category=%00",
        "/desk/welfare/visits/?page=999999&occasion=x",
        "/desk/welfare/report/?union=abc&start=notadate&end=2024-13-45",
        "/desk/welfare/report/?union=999999",
        "/desk/welfare/access-log/?page=x&action=zzz",
        "/desk/visits/new/?file=abc",
        "/desk/welfare/photos/999999/huge.jpg",
        "/desk/welfare/files/99999999999999999999999/",
        "/desk/welfare/visits/99999999999999999999999/",
        "/desk/welfare/campaigns/99999999999999999999999/handout/99999999999999999999999/",
    ],
)
def test_welfare_malformed_query_strings_are_not_500(client, superuser, path):
    client.force_login(superuser)
    assert client.get(path).status_code < 500


# --- Admin history (django-simple-history): scoped like the change form -------------------------


def test_history_revert_needs_the_change_permission(client, viewer_a, tree):
    """The history form of simple-history saves on POST: a viewer must not revert a record."""
    studio = _studio(tree.a1, "Studio of A", "studio-a")
    first = studio.history.earliest()
    studio.name = "Renamed since"
    studio.save()
    client.force_login(viewer_a)
    url = reverse("admin:studios_studio_simple_history", args=[studio.pk, first.history_id])
    assert client.get(url).status_code == 200  # viewing an old version is fine
    client.post(url, {"name": "Studio of A", "slug": "studio-a", "union": tree.a1.pk, "kind": studio.kind})
    studio.refresh_from_db()
    assert studio.name == "Renamed since"


def test_history_views_of_sibling_are_refused(client, officer_b, tree):
    studio = _studio(tree.a1, "Studio of A", "studio-a")
    record = studio.history.latest()
    client.force_login(officer_b)
    r = client.get(reverse("admin:studios_studio_history", args=[studio.pk]))
    assert r.status_code in (302, 403, 404) and b"Studio of A" not in r.content
    url = reverse("admin:studios_studio_simple_history", args=[studio.pk, record.history_id])
    r = client.get(url)
    assert r.status_code in (302, 403, 404) and b"Studio of A" not in r.content
    r = client.post(url, {"name": "Hijacked", "slug": "studio-a", "union": tree.bg.pk, "kind": studio.kind})
    assert r.status_code in (302, 403, 404)
    studio.refresh_from_db()
    assert studio.name == "Studio of A" and studio.union_id == tree.a1.pk


def test_history_page_of_a_model_without_simple_history_is_not_500(client, officer_a, officer_b, tree):
    """Station has no HistoricalRecords: its admin "History" link showed a 500 to everyone."""
    station = _station(tree.a, "Station of A", is_public=False, status=Station.Status.PLANNED)
    client.force_login(officer_a)
    assert client.get(reverse("admin:stations_station_history", args=[station.pk])).status_code == 200
    client.force_login(officer_b)
    r = client.get(reverse("admin:stations_station_history", args=[station.pk]))
    assert r.status_code in (302, 403, 404) and b"Station of A" not in r.content


@pytest.mark.parametrize(
    "path",
    [
        "/admin/stations/station/abc/history/",
        "/admin/stations/station/1/history/abc/",
        "/admin/stations/station/abc/history/1/",
        "/admin/welfare/hardshipfile/abc/history/",
        "/admin/welfare/hardshipfile/abc/history/xyz/",
        "/admin/studios/studio/abc/history/",
        "/admin/core/union/abc/history/",
        "/admin/core/union/1/history/abc/",
    ],
)
def test_admin_history_views_with_malformed_ids_are_not_500(client, superuser, tree, path):
    client.force_login(superuser)
    assert client.get(path).status_code in (302, 404)


# --- Stations -----------------------------------------------------------------------------------


@pytest.fixture
def stations_ab(tree):
    from stations.amenities import ensure_amenities

    ensure_amenities()
    return _station(tree.a, "Alpha Station"), _station(tree.b, "Beta Station", is_public=False)


def test_station_admin_refuses_a_station_of_the_sibling_union(client, officer_a, stations_ab):
    """Station foreign keys in the back office (raw id fields) take only stations the user may edit."""
    from stations.models import Amenity

    _alpha, beta = stations_ab
    client.force_login(officer_a)
    client.post(
        reverse("admin:stations_award_add"),
        {"station": beta.pk, "level": "district", "year": 2024, "title": "Planted award"},
    )
    client.post(
        reverse("admin:stations_amenitydelivery_add"),
        {"station": beta.pk, "amenity": Amenity.objects.first().pk, "quantity": 3, "delivered_on": "2024-01-01"},
    )
    client.post(
        reverse("admin:stations_inspection_add"),
        {
            "station": beta.pk,
            "inspected_on": "2024-01-01",
            "inspector_name": "x",
            "items-TOTAL_FORMS": 0,
            "items-INITIAL_FORMS": 0,
        },
    )
    client.post(
        reverse("admin:stations_exchangevisit_add"),
        {"host": beta.pk, "guest": stations_ab[0].pk, "visited_on": "2024-01-01", "participants": 3},
    )
    assert not Award.objects.filter(station=beta).exists()
    assert not AmenityDelivery.objects.filter(station=beta).exists()
    assert not Inspection.objects.filter(station=beta).exists()
    assert not beta.hosted_visits.exists()


def test_station_records_admin_is_read_only_for_officers(client, officer_a, superuser, stations_ab):
    """Awards and exchange visits have desk pages: officers are refused in the admin, even for their
    own station; the superuser's admin still writes (through the services)."""
    alpha, beta = stations_ab
    gamma = _station(beta.union, "Gamma Public Station")
    award = {"station": alpha.pk, "level": "district", "year": 2024, "title": "Own award"}
    visit = {"host": alpha.pk, "guest": gamma.pk, "visited_on": "2024-01-01", "participants": 3, "summary": ""}
    client.force_login(officer_a)
    assert client.post(reverse("admin:stations_award_add"), award).status_code == 403
    assert client.post(reverse("admin:stations_exchangevisit_add"), visit).status_code == 403
    assert not Award.objects.exists() and not alpha.hosted_visits.exists()
    client.force_login(superuser)
    assert client.post(reverse("admin:stations_award_add"), award).status_code == 302
    assert Award.objects.filter(station=alpha, title="Own award").exists()
    assert client.post(reverse("admin:stations_exchangevisit_add"), visit).status_code == 302
    assert alpha.hosted_visits.filter(guest=gamma).exists()


def test_station_desk_and_admin_do_not_show_the_sibling(client, officer_a, stations_ab):
    alpha, beta = stations_ab
    fb = Feedback.objects.create(station=beta, rating=1, message="Beta secret complaint")
    client.force_login(officer_a)
    assert b"Beta Station" not in client.get(reverse("stations:desk_list")).content
    assert b"Beta secret" not in client.get(reverse("stations:inbox") + "?status=all").content
    r = client.post(reverse("stations:feedback_answer", args=[fb.pk]), {"answer": "hijack", "close": "on"})
    assert r.status_code == 404
    fb.refresh_from_db()
    assert fb.status != Feedback.Status.CLOSED and "hijack" not in (fb.answer or "")
    assert client.get(reverse("stations:detail", args=[beta.pk])).status_code == 404
    assert b"Beta Station" not in client.get(reverse("admin:stations_station_changelist")).content
    r = client.get(reverse("admin:stations_station_change", args=[beta.pk]))
    assert r.status_code in (302, 403, 404) and b"Beta Station" not in r.content


# --- Studios ------------------------------------------------------------------------------------


@pytest.fixture
def studios_ab(tree):
    return _studio(tree.a1, "Alpha Studio", "alpha"), _studio(tree.bg, "Beta Studio", "beta")


def test_studio_desk_of_sibling_is_404(client, officer_a, studios_ab):
    _alpha, beta = studios_ab
    client.force_login(officer_a)
    for name in ("desk_detail", "desk_export", "desk_targets", "desk_achievement_add", "desk_member_add"):
        assert client.get(reverse(f"studios:{name}", args=[beta.pk])).status_code == 404, name
    r = client.post(reverse("studios:desk_member_add", args=[beta.pk]), {"name": "Mole", "role": "member"})
    assert r.status_code == 404
    assert not beta.members.filter(name="Mole").exists()
    assert b"Beta Studio" not in client.get(reverse("studios:desk_list")).content


def test_studio_target_assessment_with_a_malformed_id_is_not_500(client, superuser, studios_ab):
    alpha, _beta = studios_ab
    YearTarget.objects.create(studio=alpha, year=2024, target="t", target_count=1)
    client.force_login(superuser)
    url = reverse("studios:desk_targets", args=[alpha.pk])
    assert client.post(url, {"action": "met", "target": "abc"}).status_code == 404
    assert client.post(url, {"action": "met", "target": ""}).status_code == 404


def test_studio_target_of_another_studio_cannot_be_assessed(client, officer_a, studios_ab, tree):
    alpha, beta = studios_ab
    target_b = YearTarget.objects.create(studio=beta, year=2024, target="t", target_count=1)
    client.force_login(officer_a)
    r = client.post(reverse("studios:desk_targets", args=[alpha.pk]), {"action": "met", "target": target_b.pk})
    assert r.status_code == 404
    target_b.refresh_from_db()
    assert target_b.assessment == YearTarget._meta.get_field("assessment").default


# --- Contests -----------------------------------------------------------------------------------


def test_contest_desk_of_sibling_is_404(client, officer_b, tree):
    contest = _contest(tree.a, "c-a")
    entry = contest.entries.get()
    client.force_login(officer_b)
    assert client.get(reverse("contests:desk_contest", args=[contest.slug])).status_code == 404
    assert client.get(reverse("contests:desk_export", args=[contest.slug])).status_code == 404
    r = client.post(reverse("contests:desk_screen", args=[contest.slug, entry.pk]), {"decision": "accept"})
    assert r.status_code == 404
    assert client.post(reverse("contests:desk_compute", args=[contest.slug])).status_code == 404
    assert client.post(reverse("contests:desk_publish", args=[contest.slug]), {"publish": "1"}).status_code == 404
    entry.refresh_from_db()
    assert entry.status == Entry.Status.SUBMITTED
    # A submitted (not yet accepted) entry is not public.
    assert client.get(reverse("contests:entry", args=[contest.slug, entry.pk])).status_code == 404
    assert b"Secret entry" not in client.get(reverse("admin:contests_entry_changelist")).content


def test_contest_vote_with_malformed_entry_is_not_500(client, tree):
    contest = _contest(tree.a, "c-v")
    client.force_login(make_user("voter"))
    r = client.post(reverse("contests:vote", args=[contest.slug]), {"entry": "abc"})
    assert r.status_code == 302


def test_assistance_amount_is_scoped_money(client, welfare_a, files):
    """Sanity: welfare_a's own POSTs still work after the fixes (no over-tightening)."""
    alice, _bruno = files
    client.force_login(welfare_a)
    r = client.post(
        reverse("welfare:file_assistance", args=[alice.pk]),
        {"kind": alice.assistance.model.Kind.values[0], "amount": "100.00", "date": "2024-01-01"},
    )
    assert r.status_code == 302
    assert alice.assistance.get().amount == Decimal("100.00")


# --- Admin raw id fields: the label beside the box is looked up unscoped by Django -------------


def test_raw_id_label_does_not_show_a_sibling_file(client, welfare_a, files):
    """Visits have a desk page, so the admin is read-only for welfare staff: posting another union's
    file id is refused outright, and neither the add form nor the refusal echoes its name."""
    _alice, bruno = files
    client.force_login(welfare_a)
    page = client.get(reverse("admin:welfare_visit_add"), {"file": bruno.pk})
    assert page.status_code == 403
    assert b"Bsibling" not in page.content and bruno.id_number_masked.encode() not in page.content
    response = client.post(
        reverse("admin:welfare_visit_add"),
        {
            "union": "",
            "file": bruno.pk,
            "kind": "worker",
            "occasion": "spring",
            "date": "2024-01-05",
            "photos-TOTAL_FORMS": 0,
            "photos-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 403
    assert not Visit.objects.exists()
    assert b"Bsibling" not in response.content and bruno.id_number_masked.encode() not in response.content


def test_raw_id_label_does_not_show_a_sibling_station(client, officer_a, stations_ab):
    _alpha, beta = stations_ab
    client.force_login(officer_a)
    response = client.post(reverse("admin:stations_award_add"), {"station": beta.pk, "title": ""})
    assert response.status_code == 403  # awards have a desk page: the admin is read-only for staff
    assert b"Beta Station" not in response.content


def test_demand_point_import_cannot_overwrite_the_siblings_point(officer_a, tree):
    import tablib

    from stations.models import DemandPoint
    from stations.resources import DemandPointResource

    theirs = DemandPoint.objects.create(
        union=tree.b, name="Their point", kind=DemandPoint.Kind.values[0], lat=39.7, lng=116.1, workers=5
    )
    data = tablib.Dataset(
        [theirs.pk, "District A", "Hijacked", DemandPoint.Kind.values[0], 39.7, 116.1, 9],
        headers=["id", "union", "name", "kind", "lat", "lng", "workers"],
    )
    DemandPointResource(user=officer_a).import_data(data, dry_run=False)
    theirs.refresh_from_db()
    assert theirs.name == "Their point" and theirs.union_id == tree.b.pk


def test_admin_search_by_full_id_is_logged_and_scoped(client, welfare_a, files):
    """The back office's search by a full ID number is a look at personal data, like the desk's;
    it is posted, so the number never lands in an address (a GET with one is not searched)."""
    alice, bruno = files
    client.force_login(welfare_a)
    url = reverse("admin:welfare_hardshipfile_changelist")
    refused = client.get(url, {"q": _id_number(1)})
    assert refused.status_code in (200, 302) and _id_number(1) not in refused.get("Location", "")
    assert b"Alice" not in refused.content
    assert not AccessLog.objects.filter(action=AccessLog.Action.SEARCH).exists()
    search = reverse("admin:welfare_hardshipfile_idsearch")
    response = client.post(search, {"id_number": _id_number(1)}, follow=True)
    assert b"Alice" in response.content
    assert all(_id_number(1) not in location for location, _status in response.redirect_chain)
    assert AccessLog.objects.filter(action=AccessLog.Action.SEARCH, union=alice.union).count() == 1
    response = client.post(search, {"id_number": _id_number(2)}, follow=True)
    assert b"Bsibling" not in response.content
    assert not AccessLog.objects.filter(union=bruno.union).exists()
    searches = AccessLog.objects.filter(action=AccessLog.Action.SEARCH).count()
    client.get(url, {"q": "Alice"})  # a name is not a look-up by ID number
    assert AccessLog.objects.filter(action=AccessLog.Action.SEARCH).count() == searches


def test_public_station_stats_do_not_name_a_non_public_station(client, tree):
    """The public stats page and its export name stations by visits: only public ones may be named."""
    from stations.models import CheckIn

    hidden = _station(tree.b, "Hidden Beta Station", is_public=False, status=Station.Status.PLANNED)
    shown = _station(tree.a, "Shown Alpha Station")
    for n in range(3):
        CheckIn.objects.create(station=hidden, at=timezone.now(), client=f"h{n}")
    CheckIn.objects.create(station=shown, at=timezone.now(), client="s")
    page = client.get(reverse("stations:stats"))
    assert b"Shown Alpha Station" in page.content
    assert b"Hidden Beta Station" not in page.content
    assert "Hidden Beta Station" not in _xlsx_text(client.get(reverse("stations:stats_export")).content)


# --- Malformed input on the other apps' pages: a 4xx or a page, never a 500 --------------------


@pytest.fixture
def fuzz_world(tree):
    from stations.amenities import ensure_amenities

    ensure_amenities()
    station = _station(tree.a, "Fuzz Station")
    studio = _studio(tree.a1, "Fuzz Studio", "fuzz")
    contest = _contest(tree.a, "fuzz-c")
    return station, studio, contest


JUNK = "page=abc&status=%00&q=%27%22%3C&kind=x&amenity=zz&open_now=2&town=%FF&compliance=fail_zz"


MALFORMED_URLS = [
    "/stations/?" + JUNK,
    "/stations/nearby?lat=abc&lng=1e999&limit=-1&amenity=x",
    "/stations/nearby?lat=nan&lng=inf",
    "/stations/desk/?" + JUNK,
    "/stations/desk/feedback/?" + JUNK,
    "/stations/desk/coverage/?distance=abc",
    "/stations/desk/coverage/?distance=-5",
    "/stations/99999999999999999999999/",
    "/studios/desk/99999999999999999999999/",
    "/studios/?" + JUNK + "&union=abc&field=zz&level=zz",
    "/studios/desk/?" + JUNK,
    "/contests/desk/?" + JUNK,
    "/admin/stations/station/?" + JUNK + "&union__id__exact=abc",
    "/admin/stations/station/abc/change/",
    "/admin/studios/studio/?o=abc&p=x",
    "/admin/welfare/hardshipfile/?status=zzz&q=%00",
    "/admin/welfare/visit/?q=" + "9" * 18,
]


def test_malformed_query_strings_are_not_500(client, officer_a, superuser, fuzz_world):
    for user in (officer_a, superuser):
        client.force_login(user)
        for url in MALFORMED_URLS:
            assert client.get(url).status_code < 500, (user.username, url)


def test_malformed_posts_are_not_500(client, officer_a, fuzz_world):
    station, studio, contest = fuzz_world
    fb = Feedback.objects.create(station=station, rating=3, message="m")
    client.force_login(officer_a)
    posts = [
        (reverse("stations:feedback", args=[station.pk]), {"rating": "abc", "problem": "zz"}),
        (reverse("stations:feedback_answer", args=[fb.pk]), {"answer": "x" * 100000, "close": "maybe"}),
        (reverse("studios:desk_status", args=[studio.pk]), {"status": "zz"}),
        (reverse("studios:desk_plaque", args=[studio.pk]), {"on": "never", "participants": "-x"}),
        (reverse("studios:desk_targets", args=[studio.pk]), {"action": "target", "year": "abc"}),
        (reverse("studios:desk_targets", args=[studio.pk]), {"action": "support", "union": "abc", "amount": "1e9999"}),
        (reverse("studios:desk_targets", args=[studio.pk]), {"action": "zzz"}),
        (reverse("studios:desk_achievement_add", args=[studio.pk]), {"members": ["abc"], "date": "x"}),
        (reverse("contests:desk_screen", args=[contest.slug, contest.entries.get().pk]), {"decision": "zz"}),
        (reverse("contests:desk_publish", args=[contest.slug]), {"publish": "zz"}),
        (reverse("contests:vote", args=[contest.slug]), {"entry": "9" * 40}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code < 500, url


# --- Forms that name a union: another union's id is refused ---------------------------------------


def test_welfare_file_cannot_be_opened_in_or_moved_to_the_sibling(client, welfare_a, files, tree):
    alice, _bruno = files
    client.force_login(welfare_a)
    form = {"name": "Moved", "gender": "f", "notice_days": 5, "rigid_expenses": 0, "accident_loss": 0}
    form |= {"m-TOTAL_FORMS": 0, "m-INITIAL_FORMS": 0}
    client.post(reverse("welfare:file_edit", args=[alice.pk]), form | {"union": tree.bg.pk})
    alice.refresh_from_db()
    assert alice.union_id == tree.a1g.pk and alice.name == "Alice Anfang"
    client.post(reverse("welfare:file_create"), form | {"union": tree.b.pk, "id_number": _id_number(7)})
    assert not HardshipFile.objects.filter(union__in=[tree.b, tree.bg], name="Moved").exists()
    # The same form with one's own union goes through: the refusals above are the union's doing.
    client.post(reverse("welfare:file_edit", args=[alice.pk]), form | {"union": tree.a1.pk})
    alice.refresh_from_db()
    assert alice.union_id == tree.a1.pk and alice.name == "Moved"


def test_admin_union_choices_exclude_the_sibling(client, officer_a, tree):
    client.force_login(officer_a)
    # Studios have a desk page: the admin is read-only for officers, whatever the union.
    r = client.post(
        reverse("admin:studios_studio_add"),
        {"name": "Planted", "slug": "planted", "kind": Studio.Kind.WORKER, "level": "", "union": tree.b.pk},
    )
    assert r.status_code == 403
    assert not Studio.objects.filter(slug="planted").exists()
    # Stations have their desk pages now: the admin refuses officers as well.
    r = client.post(
        reverse("admin:stations_station_add"),
        {"union": tree.b.pk, "name": "Planted station", "kind": Station.Kind.OUTDOOR, "lat": 39.7, "lng": 116.1},
    )
    assert r.status_code == 403
    assert not Station.objects.filter(name="Planted station").exists()


def test_raw_id_labels_of_exchange_guest_and_inspector_are_scoped(client, officer_a, officer_b, stations_ab, tree):
    """A typed id shows the name of a station or user only when the user may see it."""
    from stations.models import Station

    alpha, beta = stations_ab  # beta: union B's station, not public
    public_b = _station(tree.b, "Gamma Public Station")
    client.force_login(officer_a)
    # Exchange visits have a desk page: the officer's admin refuses the form, naming nobody.
    response = client.get(reverse("admin:stations_exchangevisit_add"), {"host": alpha.pk, "guest": beta.pk})
    assert response.status_code == 403 and b"Beta Station" not in response.content
    assert Station.objects.get(pk=public_b.pk).is_public

    page = client.get(reverse("admin:stations_inspection_add"), {"inspector": officer_b.pk}).content
    assert b"officer_b" not in page
    page = client.get(reverse("admin:stations_inspection_add"), {"inspector": officer_a.pk}).content
    assert b"officer_a" in page


# --- The admin matrix: every admin URL × every role of the sibling union ---------------------------------
#
# One record of every admin-registered model lives in union A's subtree (tests/admin_matrix.py
# builds them once for the class). For each model admin, URL kind and user of sibling union B
# (its chair, officer, viewer, judge, welfare staff, and a staff account with no role), the
# answer must be a refusal (403, 404, a redirect to the login or the admin index) or a page
# that shows nothing of A; never a 500; and A's record is the same after every POST.

MATRIX_CELLS = [(label, kind) for label, model, ma in matrix.registered() for kind in matrix.cell_kinds(model, ma)]


@pytest.fixture(scope="class")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        world = matrix.build_world()
        yield world
        transaction.set_rollback(True)


def _admin_of(label):
    model = apps.get_model(label)
    return model, admin.site._registry[model]


@pytest.mark.django_db
class TestAdminMatrix:
    def test_every_admin_model_has_a_record_in_the_world(self, world):
        """A model newly put in the admin needs its record of A here, else its URLs go unchecked."""
        missing = [label for label, _m, _ma in matrix.registered() if label not in world.records]
        assert not missing

    @pytest.mark.parametrize("label, kind", MATRIX_CELLS, ids=[f"{label}-{kind}" for label, kind in MATRIX_CELLS])
    def test_sibling_sees_and_changes_nothing_of_a(self, world, client, label, kind):
        """One cell per model admin and URL kind; its message names each role that got through."""
        model, model_admin = _admin_of(label)
        client.raise_request_exception = False
        problems = []
        for who in matrix.SIBLINGS:
            # Each role starts from A's records as built: what one role changed is rolled back.
            with transaction.atomic():
                client.force_login(world.users[who])
                problems += [f"[{who}] {p}" for p in matrix.Walker(world, client, model, model_admin).run(kind)]
                transaction.set_rollback(True)
        assert not problems, "\n".join(problems)

    @pytest.mark.parametrize("label, kind", MATRIX_CELLS, ids=[f"{label}-{kind}" for label, kind in MATRIX_CELLS])
    def test_superuser_reaches_the_same_pages(self, world, client, label, kind):
        """The matrix's URLs are the right ones: a superuser gets the pages (so a refusal above means something)."""
        model, model_admin = _admin_of(label)
        obj = world.record(label)
        su = matrix.superuser_request(world.users["root"])
        client.force_login(world.users["root"])
        link = f"/admin/{model._meta.app_label}/{model._meta.model_name}/{obj.pk}/".encode()
        changelist = matrix.admin_url(model, "changelist")
        if kind == "changelist":
            page = client.get(changelist)
            assert page.status_code == 200
            if terms := matrix.search_terms(world, model_admin, obj):
                page = client.get(changelist, {"q": terms[0]})
                assert page.status_code == 200
            assert link in page.content
        elif kind == "add":
            expected = 200 if model_admin.has_add_permission(su) else 403
            url = matrix.admin_url(model, "add")
            assert client.get(url).status_code == expected
            initial = {f.name: r.pk for f in matrix.fk_fields(model) if (r := matrix.related_record(world, f))}
            assert client.get(url, initial).status_code == expected
        elif kind == "change":
            page = client.get(matrix.admin_url(model, "change", obj.pk))
            assert page.status_code == 200
            assert str(obj).encode() in page.content or escape(str(obj)).encode() in page.content
        elif kind == "delete":
            expected = 200 if model_admin.has_delete_permission(su, obj) else 403
            assert client.get(matrix.admin_url(model, "delete", obj.pk)).status_code == expected
        elif kind == "history":
            assert client.get(matrix.admin_url(model, "history", obj.pk)).status_code == 200
        elif kind == "version":
            url = f"{matrix.admin_url(model, 'history', obj.pk)}{matrix.version_id(obj)}/"
            versioned = matrix.has_simple_history(model) and isinstance(model_admin, SimpleHistoryAdmin)
            # Without simple-history the address is Django's old "<id>/" form: a redirect, or a 404.
            assert client.get(url).status_code in ((200,) if versioned else (302, 404))
        elif kind == "shortcut":
            response = client.get(matrix.shortcut_url(obj))
            if hasattr(obj, "get_absolute_url"):
                assert response.status_code == 302 and response["Location"].endswith(obj.get_absolute_url())
            else:
                assert response.status_code == 404
        elif kind == "autocomplete":
            for name in matrix.autocomplete_fields_of(model):
                query = {"app_label": model._meta.app_label, "model_name": model._meta.model_name}
                response = client.get(reverse("admin:autocomplete"), query | {"field_name": name, "term": ""})
                assert response.status_code == 200, name
                related = matrix.related_record(world, model._meta.get_field(name))
                ids = [row["id"] for row in response.json()["results"]]
                assert related is None or str(related.pk) in ids or response.json()["pagination"]["more"], name
        elif kind == "actions":
            page = client.get(changelist).content
            for name in model_admin.get_actions(su):
                assert f'value="{name}"'.encode() in page, name
        elif kind == "extra":
            for pattern in matrix.extra_patterns(model_admin):
                url = f"{changelist}{re.sub(r'<[^>]+>', str(obj.pk), pattern)}"
                status = client.get(url).status_code
                assert status == 200 if pattern in ("export/", "import/") else status < 500, url
                if pattern == "export/":
                    export = client.post(url, matrix.export_data(model_admin, obj.pk))
                    assert export.status_code == 200
                    assert matrix.TOKEN in _body(export).decode("utf-8-sig").lower() or label not in world.scoped
        else:
            pytest.fail(f"unknown kind {kind}")

    # --- treebeard's views of the union tree ---

    def _paths(self):
        return dict(Union.objects.values_list("pk", "path"))

    @pytest.mark.parametrize("who", [*matrix.SIBLINGS, "a_chair", "a_officer"])
    def test_nobody_but_a_superuser_moves_a_union(self, world, client, who):
        t = world.tree
        user = world.a_users[who[2:]] if who.startswith("a_") else world.users[who]
        client.raise_request_exception = False
        client.force_login(user)
        before = self._paths()
        problems = []
        for node, target in [(t.a, t.b), (t.a1, t.bg), (t.b, t.a), (t.bg, t.a1g), (t.a1g, t.a)]:
            response = client.post(
                "/admin/core/union/move/", {"node": node.pk, "target": target.pk, "relation": "child"}
            )
            if response.status_code not in (403, 404):
                problems.append(f"{node.name} under {target.name}: {response.status_code}")
        assert not problems
        assert self._paths() == before

    @pytest.mark.parametrize("who", matrix.SIBLINGS)
    def test_children_of_a_union_of_a_are_refused(self, world, client, who):
        t = world.tree
        client.raise_request_exception = False
        client.force_login(world.users[who])
        problems = []
        for parent in [t.a.pk, t.a1.pk, t.a1g.pk, "abc", "²"]:
            response = client.get(f"/admin/core/union/children/{parent}/")
            if response.status_code not in (403, 404):
                problems.append(f"children/{parent}/: {response.status_code} {matrix.leaks(world, response.content)}")
        # The common parent's children are A and B: answered, if at all, without A.
        response = client.get(f"/admin/core/union/children/{t.city.pk}/")
        if problem := matrix.verdict(world, response):
            problems.append(f"children/{t.city.pk}/ (the common parent): {problem}")
        assert not problems

    def test_superuser_moves_and_lists_children(self, world, client):
        t = world.tree
        client.force_login(world.users["root"])
        response = client.get(f"/admin/core/union/children/{t.a.pk}/")
        assert response.status_code == 200 and "Qxazv Street" in response.json()["result_html"]
        response = client.post("/admin/core/union/move/", {"node": t.bg.pk, "target": t.a1.pk, "relation": "child"})
        assert response.status_code == 200
        assert Union.objects.get(pk=t.bg.pk).path.startswith(t.a1.path)

    @pytest.mark.parametrize("who", matrix.SIBLINGS)
    def test_admin_index_and_app_pages_show_nothing_of_a(self, world, client, who):
        client.raise_request_exception = False
        client.force_login(world.users[who])
        urls = [reverse("admin:index"), reverse("admin:jsi18n"), reverse("admin:password_change")]
        urls += [reverse("admin:app_list", args=[label]) for label in {m._meta.app_label for m in admin.site._registry}]
        problems = [f"{url}: {p}" for url in urls if (p := matrix.verdict(world, client.get(url)))]
        assert not problems
