import csv
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from openpyxl import load_workbook

from unionportal.core.testing import image_upload
from welfare import identity, services
from welfare.models import AccessLog, HardshipFile, Visit

from .conftest import id_number


def _xlsx_text(content: bytes) -> str:
    wb = load_workbook(io.BytesIO(content), read_only=True)
    return repr([row for ws in wb.worksheets for row in ws.iter_rows(values_only=True)])


def _grant_reveal(user):
    user.user_permissions.add(Permission.objects.get(codename="reveal_id_number"))


# --- Scoping --------------------------------------------------------------------------------


@pytest.fixture
def two_files(make_file, tree):
    return make_file(union=tree.a1g, name="Alice A", id_number=id_number(1)), make_file(
        union=tree.bg, name="Bob B", id_number=id_number(2)
    )


def test_list_and_search_are_scoped(client, welfare_a, two_files):
    client.force_login(welfare_a)
    page = client.get(reverse("welfare:file_list")).content.decode()
    assert "Alice A" in page and "Bob B" not in page
    page = client.get(reverse("welfare:file_list"), {"q": "Bob"}).content.decode()
    assert "Bob B" not in page
    page = client.get(reverse("welfare:file_list"), {"q": id_number(2)}).content.decode()
    assert "Bob B" not in page
    fragment = client.get(reverse("welfare:worker_search"), {"q": "B"}).content.decode()
    assert "Bob B" not in fragment


def test_detail_of_sibling_union_is_404(client, welfare_a, welfare_b, two_files):
    alice, bob = two_files
    client.force_login(welfare_b)
    assert client.get(alice.get_absolute_url()).status_code == 404
    assert client.post(reverse("welfare:file_reveal", args=[alice.pk])).status_code in (403, 404)
    assert client.get(reverse("welfare:file_edit", args=[alice.pk])).status_code == 404
    assert client.get(bob.get_absolute_url()).status_code == 200
    assert not AccessLog.objects.filter(file=alice).exists()


def test_officer_sees_nothing_of_welfare(client, officer_a, chair_a, two_files):
    alice, _bob = two_files
    visit = services.visit_create(union=alice.union, file=alice, by=None, occasion=Visit.Occasion.SPRING)
    for user in (officer_a, chair_a):
        client.force_login(user)
        for url in [
            reverse("welfare:file_list"),
            reverse("welfare:visit_list"),
            reverse("welfare:report"),
            reverse("welfare:file_export"),
            reverse("welfare:visit_export"),
            reverse("welfare:visit_create"),
            reverse("welfare:worker_search") + "?q=Alice",
        ]:
            assert client.get(url).status_code == 403, url
        assert client.get(alice.get_absolute_url()).status_code in (403, 404)
        assert client.get(visit.get_absolute_url()).status_code in (403, 404)
        desk = client.get(reverse("core:desk")).content.decode()
        assert "Alice" not in desk
        assert client.get(reverse("admin:welfare_hardshipfile_changelist")).status_code == 403
        assert client.get(reverse("admin:welfare_hardshipfile_change", args=[alice.pk])).status_code in (302, 403)


def test_anonymous_redirected_to_login(client, two_files):
    response = client.get(two_files[0].get_absolute_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_exports_are_scoped_and_masked(client, welfare_a, two_files):
    alice, bob = two_files
    services.visit_create(union=alice.union, file=alice, by=None, occasion=Visit.Occasion.SPRING)
    services.visit_create(union=bob.union, file=bob, by=None, occasion=Visit.Occasion.SPRING)
    client.force_login(welfare_a)
    text = _xlsx_text(client.get(reverse("welfare:file_export")).content)
    assert "Alice A" in text and "Bob B" not in text
    assert identity.mask(id_number(1)) in text and id_number(1) not in text
    text = _xlsx_text(client.get(reverse("welfare:report"), {"format": "xlsx"}).content)
    assert "Alice A" in text and "Bob B" not in text and id_number(1) not in text
    body = b"".join(client.get(reverse("welfare:visit_export")).streaming_content).decode()
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert len(rows) == 2 and "Alice A" in rows[1] and identity.mask(id_number(1)) in rows[1]
    assert "Bob B" not in body and id_number(1) not in body
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT).count() == 3
    assert "Given in visits" in text  # the yearly table of the report


def test_report_totals_by_year_and_union(client, welfare_a, make_file, tree):
    file = make_file(union=tree.a1g)
    other = make_file(union=tree.a1)
    services.visit_create(
        union=tree.a1g,
        file=file,
        by=None,
        occasion="spring",
        date=dt.date(2024, 1, 5),
        money=Decimal(100),
        goods_value=Decimal(50),
    )
    services.visit_create(
        union=tree.a1, file=other, by=None, occasion="illness", date=dt.date(2025, 3, 5), money=Decimal(300)
    )
    services.assistance_add(file=file, by=None, kind="medical", amount=Decimal(1000), date=dt.date(2025, 6, 1))
    client.force_login(welfare_a)
    response = client.get(reverse("welfare:report"), {"start": "2024-01-01", "end": "2025-12-31"})
    years = {r["year"]: r for r in response.context["data"]["years"]}
    assert (years[2024]["visits"], years[2024]["given"]) == (1, Decimal(150))
    assert (years[2025]["visits"], years[2025]["given"], years[2025]["assistance"]) == (1, Decimal(300), Decimal(1000))
    response = client.get(reverse("welfare:report"), {"union": tree.a1g.pk, "start": "2024-01-01", "end": "2025-12-31"})
    assert response.context["data"]["money_total"] == Decimal(100)
    response = client.get(reverse("welfare:report"), {"union": tree.bg.pk})
    assert response.context["union"] is None  # not one of the user's unions: the form refuses it


def test_reveal_needs_permission_and_is_logged(client, welfare_a, two_files):
    alice, _bob = two_files
    client.force_login(welfare_a)
    page = client.get(alice.get_absolute_url()).content.decode()
    assert identity.mask(id_number(1)) in page and id_number(1) not in page
    assert "Reveal" not in page
    assert client.post(reverse("welfare:file_reveal", args=[alice.pk])).status_code == 403
    assert client.get(reverse("welfare:file_export"), {"reveal": "1"}).status_code == 403
    _grant_reveal(welfare_a)
    welfare_a = type(welfare_a).objects.get(pk=welfare_a.pk)
    client.force_login(welfare_a)
    page = client.post(reverse("welfare:file_reveal", args=[alice.pk])).content.decode()
    assert id_number(1) in page
    log = AccessLog.objects.filter(action=AccessLog.Action.REVEAL).get()
    assert (log.file, log.user, log.ip) == (alice, welfare_a, "127.0.0.1")
    text = _xlsx_text(client.get(reverse("welfare:file_export"), {"reveal": "1"}).content)
    assert id_number(1) in text
    assert AccessLog.objects.filter(action=AccessLog.Action.EXPORT, what__contains="revealed").exists()


def test_file_view_logged_with_who_and_where(client, welfare_a, two_files):
    alice, _bob = two_files
    client.force_login(welfare_a)
    client.get(alice.get_absolute_url(), REMOTE_ADDR="10.1.2.3")
    log = AccessLog.objects.get(action=AccessLog.Action.VIEW)
    assert (log.union, log.user, log.username, log.file, log.ip) == (
        alice.union,
        welfare_a,
        "welfare_a",
        alice,
        "10.1.2.3",
    )


def test_search_by_full_id_is_posted_and_logged(client, welfare_a, two_files):
    client.force_login(welfare_a)
    response = client.post(reverse("welfare:file_list"), {"q": id_number(1)})
    assert response.status_code == 200 and "Alice A" in response.content.decode()
    assert AccessLog.objects.filter(action=AccessLog.Action.SEARCH).count() == 1
    # A name search moves to the URL, where paging works; an ID number never does.
    response = client.post(reverse("welfare:file_list"), {"q": "Alice", "status": "filed"})
    assert response.status_code == 302 and response["Location"].endswith("?q=Alice&status=filed")
    fragment = client.post(reverse("welfare:worker_search"), {"q": id_number(1)}).content.decode()
    assert "Alice A" in fragment and id_number(1) not in fragment


# --- Admin ------------------------------------------------------------------------------------


def test_admin_scoped_masked_and_searchable_by_full_id(client, welfare_a, two_files):
    alice, bob = two_files
    client.force_login(welfare_a)
    url = reverse("admin:welfare_hardshipfile_changelist")
    page = client.get(url).content.decode()
    assert "Alice A" in page and "Bob B" not in page
    assert identity.mask(id_number(1)) in page and id_number(1) not in page
    search = reverse("admin:welfare_hardshipfile_idsearch")
    page = client.get(client.post(search, {"id_number": id_number(1)})["Location"]).content.decode()
    assert "Alice A" in page
    page = client.get(client.post(search, {"id_number": id_number(2)})["Location"]).content.decode()
    assert "Bob B" not in page
    change = client.get(reverse("admin:welfare_hardshipfile_change", args=[alice.pk])).content.decode()
    assert id_number(1) not in change
    assert AccessLog.objects.filter(action=AccessLog.Action.VIEW, file=alice).exists()
    assert client.get(reverse("admin:welfare_hardshipfile_change", args=[bob.pk])).status_code in (302, 403, 404)
    history = client.get(reverse("admin:welfare_hardshipfile_history", args=[alice.pk]))
    assert history.status_code == 200 and id_number(1) not in history.content.decode()


def test_admin_edit_encrypts_new_id(client, superuser, two_files):
    # Staff roles read the back office only (files have a desk page); superusers edit, through the services.
    alice, _bob = two_files
    client.force_login(superuser)
    url = reverse("admin:welfare_hardshipfile_change", args=[alice.pk])
    data = {
        "union": alice.union_id,
        "name": "Alice A",
        "id_number": "110105194912310021",
        "status": "filed",
        "stage": "application",
        "rigid_expenses": "0",
        "accident_loss": "0",
        "notice_days": "5",
        "causes": "[]",
        "members-TOTAL_FORMS": "0",
        "members-INITIAL_FORMS": "1",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "1000",
    }
    response = client.post(url, data)
    assert response.status_code == 200
    assert "checksum" in response.content.decode()
    data["id_number"] = "11010519491231002X"
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:3000]
    alice.refresh_from_db()
    assert alice.id_number_masked == "110***********002X"
    assert identity.decrypt(alice.id_number_encrypted) == "11010519491231002X"


def test_access_log_cannot_be_edited_through_admin(client, chair_a, welfare_a, superuser, two_files):
    alice, _bob = two_files
    entry = services.access_log_write(
        user=welfare_a, union=alice.union, action=AccessLog.Action.VIEW, what="File", file=alice
    )
    for user in (chair_a, superuser):
        client.force_login(user)
        assert client.get(reverse("admin:welfare_accesslog_changelist")).status_code == 200
        assert client.get(reverse("admin:welfare_accesslog_add")).status_code == 403
        change = reverse("admin:welfare_accesslog_change", args=[entry.pk])
        page = client.get(change)
        assert page.status_code == 200 and 'name="_save"' not in page.content.decode()
        assert client.post(change, {"what": "changed"}).status_code == 403
        assert (
            client.post(reverse("admin:welfare_accesslog_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
        )
        response = client.post(
            reverse("admin:welfare_accesslog_changelist"),
            {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
        )
        assert response.status_code in (200, 302)
    entry.refresh_from_db()
    assert entry.what == "File"
    client.force_login(welfare_a)
    assert client.get(reverse("admin:welfare_accesslog_changelist")).status_code == 403


def test_chair_sees_own_subtree_log_only(client, chair_a, tree, two_files):
    alice, bob = two_files
    services.access_log_write(user=None, union=alice.union, action=AccessLog.Action.VIEW, what="seen-a", file=alice)
    services.access_log_write(user=None, union=bob.union, action=AccessLog.Action.VIEW, what="seen-b", file=bob)
    client.force_login(chair_a)
    page = client.get(reverse("welfare:access_log")).content.decode()
    assert "seen-a" in page and "seen-b" not in page


# --- Visit form ---------------------------------------------------------------------------


def test_visit_form_minimal_fields_with_photo(client, welfare_a, two_files):
    alice, _bob = two_files
    client.force_login(welfare_a)
    response = client.post(
        reverse("welfare:visit_create"),
        {
            "file": alice.pk,
            "occasion": "spring",
            "date": "2025-01-20",
            "kind": "worker",
            "found": "Roof leaks",
            "money": "500",
            "photos": image_upload(),
        },
    )
    assert response.status_code == 302 and response["Location"] == alice.get_absolute_url()
    visit = Visit.objects.get()
    assert (visit.union, visit.money, visit.photos.count()) == (alice.union, Decimal(500), 1)
    page = client.get(alice.get_absolute_url()).content.decode()
    assert "Roof leaks" in page


def test_visit_form_refuses_other_unions_file(client, welfare_b, two_files):
    alice, _bob = two_files
    client.force_login(welfare_b)
    response = client.post(
        reverse("welfare:visit_create"),
        {"file": alice.pk, "occasion": "spring", "date": "2025-01-20", "kind": "worker"},
    )
    assert response.status_code == 200
    assert "Pick the worker from the search results." in response.content.decode()
    assert not Visit.objects.exists()


def test_visit_form_negative_money_rejected(client, welfare_a, two_files):
    client.force_login(welfare_a)
    response = client.post(
        reverse("welfare:visit_create"),
        {"file": two_files[0].pk, "occasion": "spring", "date": "2025-01-20", "kind": "worker", "money": "-3"},
    )
    assert response.status_code == 200 and not Visit.objects.exists()


def test_file_form_rejects_bad_id_and_income(client, welfare_a, tree, line):
    client.force_login(welfare_a)
    data = {
        "union": tree.a1g.pk,
        "name": "New",
        "region": "Test City",
        "id_number": "110105194912310021",
        "rigid_expenses": "0",
        "accident_loss": "0",
        "notice_days": "5",
        "m-TOTAL_FORMS": "1",
        "m-INITIAL_FORMS": "0",
        "m-0-relation": "self",
        "m-0-yearly_income": "-100",
    }
    page = client.post(reverse("welfare:file_create"), data).content.decode()
    assert "does not match its checksum" in page
    assert "An income cannot be negative." in page
    assert not HardshipFile.objects.exists()
    data |= {"id_number": "11010519491231002X", "m-0-yearly_income": "6000"}
    response = client.post(reverse("welfare:file_create"), data)
    assert response.status_code == 302
    assert HardshipFile.objects.get().suggested_category == HardshipFile.Category.DEEP


# --- Query counts -------------------------------------------------------------------------


def _pages(file, visit):
    return [
        ("file list", reverse("welfare:file_list")),
        ("file page", file.get_absolute_url()),
        ("visit list", reverse("welfare:visit_list")),
        ("report", reverse("welfare:report")),
        ("review list", reverse("welfare:review_list")),
    ]


def test_query_counts_flat_with_10_and_1000_files(
    client, welfare_a, make_file, bulk_files, tree, django_assert_max_num_queries, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    file = make_file()
    visit = services.visit_create(union=tree.a1g, file=file, by=None, occasion=Visit.Occasion.SPRING, photos=[])
    services.assistance_add(file=file, by=None, kind="living", amount=Decimal(10))
    bulk_files(9)
    client.force_login(welfare_a)
    counts = {}
    for label, url in _pages(file, visit):
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts[label] = len(ctx.captured_queries)
    bulk_files(990, start=20000)
    Visit.objects.bulk_create([Visit(union=tree.a1g, file=file, occasion="other") for _ in range(200)])
    for label, url in _pages(file, visit):
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        assert len(ctx.captured_queries) == counts[label], label
    # The file list: 1 session, 2 user, 3 role kinds (role_required), 4 COUNT of the scoped files,
    # 5 the page of files, 6 their unions (after the LIMIT, not joined: see the view).
    with django_assert_num_queries(6):
        client.get(reverse("welfare:file_list"))
    # The file page: 1 session, 2 user, 3 role kinds, 4 the scoped file JOIN union, 5 INSERT of the
    # access log entry, 6 assistance, 7-8 the user's and groups' permissions (may they reveal?),
    # 9 household members, 10 visits JOIN union, 11 their photos (prefetch), 12 events LEFT JOIN user.
    with django_assert_num_queries(12):
        client.get(file.get_absolute_url())
    # The visit list: 1 session, 2 user, 3 role kinds, 4 COUNT of the scoped visits,
    # 5 the page of visits JOIN union LEFT JOIN file.
    with django_assert_num_queries(5):
        client.get(reverse("welfare:visit_list"))
    # The report: 1 session, 2 user, 3 role kinds, 4 files GROUP BY category, status, 5 visits GROUP BY
    # occasion, year, 6 assistance GROUP BY kind, 7 supplies GROUP BY item, 8 assistance GROUP BY year,
    # 9-10 permissions (reveal), 11 the unions of the period form's choices.
    with django_assert_num_queries(11):
        client.get(reverse("welfare:report"))


# --- Translation ----------------------------------------------------------------------------


def test_file_list_in_chinese(client, welfare_a, two_files):
    client.force_login(welfare_a)
    client.cookies["django_language"] = "zh-hans"
    page = client.get(reverse("welfare:file_list")).content.decode()
    assert "困难职工档案" in page


def test_admin_cannot_attach_a_visit_to_another_unions_file(client, superuser, two_files, tree):
    alice, bob = two_files
    client.force_login(superuser)
    data = {
        "union": tree.a1g.pk,
        "file": bob.pk,
        "kind": "worker",
        "occasion": "spring",
        "date": "2025-01-02",
        "group_size": "0",
        "money": "0",
        "goods_value": "0",
        "photos-TOTAL_FORMS": "0",
        "photos-INITIAL_FORMS": "0",
        "photos-MIN_NUM_FORMS": "0",
        "photos-MAX_NUM_FORMS": "1000",
    }
    response = client.post(reverse("admin:welfare_visit_add"), data)
    assert response.status_code == 200 and not Visit.objects.exists()
    data["file"] = alice.pk
    data["union"] = tree.a.pk
    response = client.post(reverse("admin:welfare_visit_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert Visit.objects.get().file == alice


def test_visit_photos_are_private_and_scoped(client, welfare_a, welfare_b, two_files, settings):
    alice, _bob = two_files
    client.force_login(welfare_a)
    client.post(
        reverse("welfare:visit_create"),
        {"file": alice.pk, "occasion": "spring", "date": "2025-01-20", "kind": "worker", "photos": image_upload()},
    )
    photo = Visit.objects.get().photos.get()
    # Stored outside MEDIA_ROOT: nothing serves it publicly.
    assert not photo.image.path.startswith(str(settings.MEDIA_ROOT))
    url = reverse("welfare:visit_photo", args=[photo.pk, "thumb"])
    assert url in client.get(alice.get_absolute_url()).content.decode()
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    client.force_login(welfare_b)
    assert client.get(url).status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_pages_are_not_cached_and_junk_input_is_harmless(client, welfare_a, two_files):
    alice, _bob = two_files
    client.force_login(welfare_a)
    response = client.get(alice.get_absolute_url())
    assert "no-store" in response["Cache-Control"]
    for url in [
        reverse("welfare:visit_create") + "?file=abc",
        reverse("welfare:file_list") + "?page=zzz",
        reverse("welfare:report") + "?start=notadate&union=xyz",
        reverse("welfare:visit_list") + "?occasion=<b>",
    ]:
        assert client.get(url).status_code == 200, url
