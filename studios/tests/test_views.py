import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from studios import selectors, services
from studios.models import Achievement, Member, Studio
from unionportal.core.testing import bomb_upload, clear_caches, fake_image_upload, image_upload

pytestmark = pytest.mark.django_db


def xlsx(rows) -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return SimpleUploadedFile("list.xlsx", buf.getvalue(), content_type="application/octet-stream")


# --- Public pages ------------------------------------------------------------------------


def test_list_filters_and_search(client, tree, make_studio):
    phd = make_studio(name="齐贺党员博士创新工作室", kind=Studio.Kind.PARTY_PHD, leader={"name": "齐贺"}, union=tree.a1)
    craft = make_studio(name="Craft Studio", kind=Studio.Kind.CRAFTSMAN, level=Studio.Level.MUNICIPAL, union=tree.bg)
    hidden = make_studio(name="Hidden Studio", published=False)
    applying = make_studio(name="Applying Studio", status=Studio.Status.APPLYING, published=True)

    body = client.get(reverse("studios:list")).content.decode()
    assert phd.name in body and craft.name in body
    assert hidden.name not in body and applying.name not in body

    body = client.get(reverse("studios:list"), {"kind": "party_phd"}).content.decode()
    assert phd.name in body and craft.name not in body
    body = client.get(reverse("studios:list"), {"level": "municipal"}).content.decode()
    assert craft.name in body and phd.name not in body
    body = client.get(reverse("studios:list"), {"union": tree.a.pk}).content.decode()  # A's subtree
    assert phd.name in body and craft.name not in body
    for q in ("qh", "齐贺", "QiHe"):
        body = client.get(reverse("studios:list"), {"q": q}).content.decode()
        assert phd.name in body and craft.name not in body, q


def test_union_filter_offers_the_owners_and_their_ancestors_only(tree, make_studio):
    from studios.selectors import union_choices_for_public

    make_studio(union=tree.a1g)
    make_studio(union=tree.bg, published=False)
    make_studio(union=tree.b, status=Studio.Status.APPLYING, published=True)
    chosen = union_choices_for_public()
    assert [u.pk for u in chosen] == [tree.city.pk, tree.a.pk, tree.a1.pk, tree.a1g.pk]  # tree order


def test_list_field_filter(client, make_studio):
    from studios.models import FieldOfWork

    low = FieldOfWork.objects.create(name="Low carbon", slug="low-carbon")
    a, b = make_studio(name="Alpha"), make_studio(name="Beta")
    a.fields_of_work.add(low)
    body = client.get(reverse("studios:list"), {"field": "low-carbon"}).content.decode()
    assert "Alpha" in body and "Beta" not in body
    assert b.pk  # Beta exists and is public, only filtered out


def test_bad_filter_values_do_not_fail(client, make_studio):
    make_studio(name="Alpha")
    for params in ({"kind": "nope"}, {"union": "999999"}, {"field": "x"}, {"q": "a" * 500}, {"page": "zz"}):
        assert client.get(reverse("studios:list"), params).status_code == 200


def test_profile_shows_counts_people_without_private_data(client, make_studio, add_achievements):
    studio = make_studio(name="Profile Studio", leader={"name": "Qi He", "phone": "13800001111", "title": "Chief"})
    services.member_add(studio=studio, name="Wang Lei", phone="13900002222")
    add_achievements(studio, Achievement.Type.PATENT_GRANTED, 4)
    add_achievements(studio, Achievement.Type.STANDARD_LED, 2)
    response = client.get(studio.get_absolute_url())
    body = response.content.decode()
    assert response.status_code == 200
    assert 'data-count="ip">4<' in body and 'data-count="patents">4<' in body and 'data-count="standards">2<' in body
    assert "Qi He" in body and "Wang Lei" in body and "Chief" in body
    assert "13800001111" not in body and "13900002222" not in body
    assert 'class="studio-bar"' in body and "echarts" not in body  # bars drawn by the page, no chart script
    assert "<script>" not in body


def test_unpublished_or_inactive_profile_is_404(client, make_studio):
    for studio in (
        make_studio(published=False),
        make_studio(status=Studio.Status.APPLYING),
        make_studio(status=Studio.Status.REVOKED),
    ):
        assert client.get(studio.get_absolute_url()).status_code == 404
        assert client.get(reverse("studios:qr", args=[studio.slug])).status_code == 404


def test_qr_code_is_a_png(client, make_studio):
    studio = make_studio()
    response = client.get(reverse("studios:qr", args=[studio.slug]))
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.content.startswith(b"\x89PNG")


def test_profile_in_chinese(client, make_studio):
    studio = make_studio()
    client.cookies["django_language"] = "zh-hans"
    body = client.get(studio.get_absolute_url()).content.decode()
    assert "知识产权成果" in body and "受理专利" in body


# --- Query counts ------------------------------------------------------------------------


def test_list_queries_flat(client, make_studio, django_assert_num_queries):
    from studios.models import FieldOfWork

    field = FieldOfWork.objects.create(name="F", slug="f")
    for _i in range(5):
        make_studio().fields_of_work.add(field)
    # 1 page-cache stamp (count, latest change), then on a cache miss: 2 fields of work with
    # public studios, 3 the unions owning public studios, 4 those unions and their ancestors,
    # 5 count, 6 page of studios JOIN union (+ leader and cover subqueries), 7 their fields of work
    with django_assert_num_queries(7):
        assert client.get(reverse("studios:list")).status_code == 200
    studio = Studio.objects.first()
    rows = [
        Studio(
            name=f"Bulk {i}", slug=f"bulk-{i}", kind=studio.kind, union=studio.union, status="active", published=True
        )
        for i in range(495)
    ]
    made = Studio.objects.bulk_create(rows)
    Member.objects.bulk_create(Member(studio=s, name=f"L{s.pk}", role="leader") for s in made)
    Studio.fields_of_work.through.objects.bulk_create(
        Studio.fields_of_work.through(studio_id=s.pk, fieldofwork_id=field.pk) for s in made
    )
    assert Studio.objects.public().count() == 500
    clear_caches()  # bulk_create bypasses the services: count the render, not the cached page
    with django_assert_num_queries(7):
        assert client.get(reverse("studios:list")).status_code == 200
    # A filtered page is cached too (its whitelisted parameters in the key): the same six queries.
    clear_caches()
    with django_assert_num_queries(7):
        assert client.get(reverse("studios:list"), {"kind": studio.kind, "q": "bulk", "field": "f"}).status_code == 200
    with django_assert_num_queries(0):  # the cached page; its stamp kept a few seconds
        assert client.get(reverse("studios:list"), {"kind": studio.kind, "q": "bulk", "field": "f"}).status_code == 200


def test_profile_queries_flat(client, make_studio, add_achievements, django_assert_num_queries):
    studio = make_studio()
    services.member_add(studio=studio, name="Member One")
    add_achievements(studio, Achievement.Type.PATENT_GRANTED, 10)
    # 1 page-cache stamp (pk, updated_at), then on a miss: 2 studio JOIN union, 3 its fields of
    # work, 4 its photos, 5 members, 6 counts (one aggregate), 7 achievements per year,
    # 8 latest achievements, 9 yearly targets, 10 activities about the studio
    with django_assert_num_queries(10):
        assert client.get(studio.get_absolute_url()).status_code == 200
    add_achievements(studio, Achievement.Type.PAPER, 990)
    services.studio_touch(studio_ids=[studio.pk])
    assert studio.achievements.count() == 1000
    with django_assert_num_queries(10):  # studio_touch forgot the kept stamp
        body = client.get(studio.get_absolute_url()).content.decode()
    assert ">1000<" in body
    # Unchanged since: the cached page, its stamp kept a few seconds: no query.
    with django_assert_num_queries(0):
        assert ">1000<" in client.get(studio.get_absolute_url()).content.decode()


def test_cached_profile_follows_changes_and_has_each_visitors_token(client, make_studio, officer_a):
    studio = make_studio()
    url = studio.get_absolute_url()
    first = client.get(url)
    assert 'data-count="ip">0<' in first.content.decode()
    second = client.get(url)  # from the cache
    body = second.content.decode()
    # No form on the profile since the language switcher became a link; tests/test_pagecache.py
    # checks each visitor's own token on a cached page that has one.
    assert "__studios_csrf__" not in body and "__portal_csrf__" not in body
    services.achievement_add(studio=studio, by=officer_a, type="patent_granted", title="P", date=dt.date(2023, 1, 1))
    assert 'data-count="ip">1<' in client.get(url).content.decode()
    # A signed-in user never gets the anonymous page (their name is in the menu).
    client.force_login(officer_a)
    assert "officer_a" in client.get(url).content.decode()
    # A studio taken off the public list answers 404 once its kept stamp is gone (a write
    # outside the services: within pagecache.STAMP_TTL seconds).
    client.logout()
    Studio.objects.filter(pk=studio.pk).update(published=False)
    clear_caches()
    assert client.get(url).status_code == 404


# --- Desk: scoping, achievement form, uploads, import, export -----------------------------


def test_desk_scoping(client, tree, make_studio, officer_a, officer_b):
    mine = make_studio(union=tree.a1, name="Mine")
    theirs = make_studio(union=tree.bg, name="Theirs")
    client.force_login(officer_a)
    body = client.get(reverse("studios:desk_list")).content.decode()
    assert "Mine" in body and "Theirs" not in body
    assert client.get(theirs.get_desk_url()).status_code == 404
    for name in ("desk_achievement_add", "desk_import", "desk_export", "desk_member_add", "desk_photos_add"):
        assert client.get(reverse(f"studios:{name}", args=[theirs.pk])).status_code == 404, name
        assert client.get(reverse(f"studios:{name}", args=[mine.pk])).status_code == 200, name
    response = client.post(reverse("studios:desk_achievement_add", args=[theirs.pk]), {"type": "paper", "title": "x"})
    assert response.status_code == 404
    assert not theirs.achievements.exists()


def test_viewer_cannot_add(client, make_studio, viewer_a):
    studio = make_studio()
    client.force_login(viewer_a)
    assert client.get(studio.get_desk_url()).status_code == 200
    assert client.get(reverse("studios:desk_achievement_add", args=[studio.pk])).status_code == 403


def test_anonymous_is_sent_to_login(client, make_studio):
    studio = make_studio()
    response = client.get(studio.get_desk_url())
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_admin_changelist_is_scoped(client, tree, make_studio, officer_a, add_achievements):
    mine, theirs = make_studio(union=tree.a1, name="Mine"), make_studio(union=tree.bg, name="Theirs")
    add_achievements(theirs, Achievement.Type.PAPER, 1)
    client.force_login(officer_a)
    body = client.get(reverse("admin:studios_studio_changelist")).content.decode()
    assert "Mine" in body and "Theirs" not in body
    assert client.get(reverse("admin:studios_studio_change", args=[theirs.pk])).status_code in (302, 403, 404)
    assert client.get(reverse("admin:studios_studio_change", args=[mine.pk])).status_code == 200
    body = client.get(reverse("admin:studios_achievement_changelist")).content.decode()
    assert "paper 0" not in body


def test_officer_adds_achievement_with_pdf(client, make_studio, officer_a):
    studio = make_studio()
    leader = studio.members.get()
    client.force_login(officer_a)
    pdf = SimpleUploadedFile("patent.pdf", b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n", content_type="application/pdf")
    response = client.post(
        reverse("studios:desk_achievement_add", args=[studio.pk]),
        {
            "type": "patent_granted",
            "title": "A granted patent",
            "number": "ZL2022",
            "date": "2022-05-01",
            "level": "national",
            "members": [leader.pk],
            "attachment": pdf,
        },
    )
    assert response.status_code == 302
    a = studio.achievements.get()
    assert a.title == "A granted patent" and list(a.members.all()) == [leader] and a.attachment.name.endswith(".pdf")
    assert a.created_by == officer_a
    assert selectors.studio_counts(studio=studio)["patents"] == 1


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        (fake_image_upload, "Only PDF files and JPEG, PNG or WEBP images are accepted."),
        (bomb_upload, "Only PDF files and JPEG, PNG or WEBP images are accepted."),
        (
            lambda: SimpleUploadedFile("x.pdf", b"%PDF-1.4 truncated", content_type="application/pdf"),
            "This PDF file is damaged.",
        ),
    ],
)
def test_bad_attachments_are_rejected(client, make_studio, officer_a, upload, message):
    studio = make_studio()
    client.force_login(officer_a)
    response = client.post(
        reverse("studios:desk_achievement_add", args=[studio.pk]),
        {"type": "paper", "title": "Paper", "date": "2022-05-01", "level": "national", "attachment": upload()},
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not studio.achievements.exists()


def test_bad_achievement_input_is_a_message_not_a_500(client, make_studio, officer_a):
    studio = make_studio()
    client.force_login(officer_a)
    response = client.post(
        reverse("studios:desk_achievement_add", args=[studio.pk]),
        {"type": "nope", "title": "", "date": "yesterday", "benefit_amount": "-5"},
    )
    assert response.status_code == 200 and "Please correct the errors below." in response.content.decode()
    assert not studio.achievements.exists()


@pytest.mark.parametrize("upload", [fake_image_upload, bomb_upload])
def test_bad_photos_are_rejected(client, make_studio, officer_a, upload):
    studio = make_studio()
    client.force_login(officer_a)
    response = client.post(reverse("studios:desk_photos_add", args=[studio.pk]), {"photos": [upload()]})
    assert response.status_code == 200
    assert not studio.photos.exists()


def test_good_photo_is_reencoded(client, make_studio, officer_a):
    studio = make_studio()
    client.force_login(officer_a)
    response = client.post(
        reverse("studios:desk_photos_add", args=[studio.pk]), {"photos": [image_upload(fmt="PNG")], "caption": "Team"}
    )
    assert response.status_code == 302
    photo = studio.photos.get()
    assert photo.image.name.endswith(".jpg") and photo.thumbnail.name.endswith("_t.jpg")
    assert "Team" in client.get(studio.get_absolute_url()).content.decode()


def test_member_with_bad_photo_is_not_saved(client, make_studio, officer_a):
    studio = make_studio()
    client.force_login(officer_a)
    response = client.post(
        reverse("studios:desk_member_add", args=[studio.pk]),
        {
            "name": "New",
            "role": "member",
            "education": "master",
            "political_status": "masses",
            "order": 0,
            "photo_upload": fake_image_upload(),
        },
    )
    assert response.status_code == 200
    assert not studio.members.filter(name="New").exists()


def test_import_all_or_nothing(client, make_studio, officer_a):
    studio = make_studio(leader={"name": "Qi He"})
    wang = services.member_add(studio=studio, name="Wang")
    client.force_login(officer_a)
    url = reverse("studios:desk_import", args=[studio.pk])
    header = ["type", "title", "number", "date", "level", "members", "benefit_amount", "benefit_note"]
    bad = xlsx(
        [
            header,
            ["patent_granted", "Good row", "ZL1", "2022-01-05", "national", "Qi He", None, None],
            ["nonsense", "", None, "not a date", "galactic", "Nobody", "-3", None],
        ]
    )
    response = client.post(url, {"file": bad})
    body = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported" in body and "Row 3" in body
    assert "unknown type" in body and "the title is empty" in body and "not a date" in body
    assert "not members of this studio: Nobody" in body
    assert not studio.achievements.exists()

    good = xlsx(
        [
            header,
            ["patent_granted", "Row one", "ZL1", dt.datetime(2022, 1, 5), "National", "Qi He\uff0cWang", None, None],
            ["Standard led", "Row two", "T/CECS 1", "2021-03-01", None, None, "12.5", "Saves energy"],
            ["\u4e3b\u7f16\u6807\u51c6", "Row three", "T/CECS 2", "2021/04/01", None, None, None, None],
        ]
    )
    response = client.post(url, {"file": good})
    assert response.status_code == 302
    assert studio.achievements.count() == 3  # the third row's type is given by its Chinese label
    assert set(studio.achievements.get(title="Row one").members.values_list("name", flat=True)) == {"Qi He", wang.name}
    counts = selectors.studio_counts(studio=studio)
    assert (counts["patents"], counts["standards"]) == (1, 2)


def test_import_rejects_non_excel(client, make_studio, officer_a):
    studio = make_studio()
    client.force_login(officer_a)
    url = reverse("studios:desk_import", args=[studio.pk])
    fake = SimpleUploadedFile("list.xlsx", b"not a zip at all", content_type="application/octet-stream")
    response = client.post(url, {"file": fake})
    assert response.status_code == 200 and "not an Excel workbook" in response.content.decode()
    response = client.post(url, {"file": SimpleUploadedFile("list.csv", b"a,b")})
    assert "Upload an Excel workbook (.xlsx)." in response.content.decode()


def test_export_round_trips(client, make_studio, officer_a, add_achievements):
    studio = make_studio()
    add_achievements(studio, Achievement.Type.PATENT_GRANTED, 3)
    client.force_login(officer_a)
    response = client.get(reverse("studios:desk_export", args=[studio.pk]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert sheet.max_row == 4
    other = make_studio()
    upload = SimpleUploadedFile("back.xlsx", response.content)
    assert services.achievements_import(studio=other, upload=upload, by=officer_a) == 3
    assert selectors.studio_counts(studio=other)["patents"] == 3


# --- Desk workflow through the pages ------------------------------------------------------


def test_apply_review_plaque_through_pages(client, tree, officer_a):
    from unionportal.core.models import Role
    from unionportal.core.testing import make_user

    a1_officer = make_user("a1_officer", role=Role.Kind.OFFICER, union=tree.a1)
    client.force_login(a1_officer)
    response = client.post(
        reverse("studios:desk_apply"),
        {
            "name": "New PhD Studio",
            "kind": "party_phd",
            "level": "enterprise",
            "union": tree.a1.pk,
            "leader_name": "Dr Li",
            "leader_education": "doctorate",
            "leader_political_status": "party",
        },
    )
    assert response.status_code == 302
    studio = Studio.objects.get(name="New PhD Studio")
    assert studio.status == Studio.Status.APPLYING and not studio.is_public
    # The applicant's own union cannot approve it.
    response = client.post(reverse("studios:desk_review", args=[studio.pk]), {"approve": "1"})
    assert response.status_code == 403
    studio.refresh_from_db()
    assert studio.status == Studio.Status.APPLYING

    client.force_login(officer_a)  # District A is above Street A1
    assert "New PhD Studio" in client.get(reverse("studios:desk_list")).content.decode()
    client.post(reverse("studios:desk_review", args=[studio.pk]), {"approve": "1"})
    studio.refresh_from_db()
    assert studio.status == Studio.Status.APPROVED
    client.post(reverse("studios:desk_plaque", args=[studio.pk]), {"on": "2022-12-16", "place": "Hall"})
    studio.refresh_from_db()
    assert studio.status == Studio.Status.ACTIVE and studio.is_public
    assert client.get(studio.get_absolute_url()).status_code == 200


def test_ineligible_approval_shows_message(client, tree, make_studio, officer_a):
    studio = make_studio(
        kind=Studio.Kind.PARTY_PHD,
        status=Studio.Status.APPLYING,
        published=False,
        leader={"education": "master", "name": "Mr Wang"},
    )
    client.force_login(officer_a)
    response = client.post(reverse("studios:desk_review", args=[studio.pk]), {"approve": "1"}, follow=True)
    assert "must hold a doctorate; Mr Wang does not." in response.content.decode()
    studio.refresh_from_db()
    assert studio.status == Studio.Status.APPLYING


def test_targets_set_by_studio_union_assessed_by_higher_union(client, tree, make_studio, officer_a):
    from unionportal.core.models import Role
    from unionportal.core.testing import make_user

    studio = make_studio(union=tree.a1)
    Achievement.objects.create(
        studio=studio, type="standard_led", title="S", date=dt.date(2023, 5, 1), level="industry"
    )
    a1_officer = make_user("a1_officer", role=Role.Kind.OFFICER, union=tree.a1)
    url = reverse("studios:desk_targets", args=[studio.pk])
    client.force_login(a1_officer)
    response = client.post(
        url, {"action": "target", "year": 2023, "target": "1 industry-leading result", "target_count": 1}
    )
    assert response.status_code == 302
    target = studio.targets.get(year=2023)
    # The studio's own union may not assess itself.
    response = client.post(url, {"action": "met", "target": target.pk, "evidence": "We did it"})
    assert response.status_code == 403
    client.force_login(officer_a)
    body = client.get(url).content.decode()
    assert "1 results at industry level or above recorded; 1 expected." in body
    response = client.post(url, {"action": "met", "target": target.pk, "evidence": ""}, follow=True)
    assert "Give the evidence for the assessment." in response.content.decode()
    client.post(url, {"action": "met", "target": target.pk, "evidence": "Standard S led"})
    target.refresh_from_db()
    assert target.assessment == "met" and target.evidence == "Standard S led"
    # Once assessed, the target no longer changes.
    client.force_login(a1_officer)
    response = client.post(url, {"action": "target", "year": 2023, "target": "Changed", "target_count": 1}, follow=True)
    assert "can no longer change" in response.content.decode()
    target.refresh_from_db()
    assert target.target == "1 industry-leading result"


def test_support_totals_per_year(client, tree, make_studio, officer_a, officer_b):
    studio = make_studio(union=tree.a1)
    url = reverse("studios:desk_targets", args=[studio.pk])
    client.force_login(officer_a)
    for date, amount in (("2022-03-01", "1000"), ("2022-06-01", "500.50"), ("2023-01-01", "200")):
        response = client.post(
            url, {"action": "support", "union": tree.a.pk, "kind": "funding", "date": date, "amount": amount}
        )
        assert response.status_code == 302
    totals = {(r["year"], r["kind"]): (r["n"], r["amount"]) for r in selectors.support_totals(studios=[studio])}
    assert totals[(2022, "funding")] == (2, pytest.approx(1500.50))
    assert totals[(2023, "funding")] == (1, pytest.approx(200))
    # A union outside the studio's line is not offered and is refused.
    response = client.post(
        url, {"action": "support", "union": tree.b.pk, "kind": "funding", "date": "2022-01-01", "amount": "5"}
    )
    assert response.status_code == 200 and studio.support.count() == 3
    response = client.post(
        url, {"action": "support", "union": tree.a.pk, "kind": "funding", "date": "2022-01-01", "amount": "-5"}
    )
    assert response.status_code == 200 and studio.support.count() == 3
    client.force_login(officer_b)
    assert client.get(url).status_code == 404


def test_admin_export_is_scoped(client, tree, make_studio, officer_a):
    mine, theirs = make_studio(union=tree.a1), make_studio(union=tree.bg)
    Achievement.objects.create(studio=mine, type="paper", title="Mine paper", date=dt.date(2022, 1, 1))
    Achievement.objects.create(studio=theirs, type="paper", title="Their paper", date=dt.date(2022, 1, 1))
    client.force_login(officer_a)
    fields = ["id", "studio", "type", "title", "number", "date", "level", "members", "benefit_amount", "benefit_note"]
    data = {"format": "0", "resource": "0"} | {f"achievementresource_{f}": "on" for f in fields}
    response = client.post(reverse("admin:studios_achievement_export"), data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Mine paper" in body and "Their paper" not in body


def test_admin_add_achievement_with_bad_attachment(client, make_studio, officer_a, superuser):
    studio = make_studio()
    data = {"studio": studio.pk, "type": "paper", "title": "T", "date": "2022-01-01", "level": "national"}
    # Achievements have desk pages: the back office is read-only for staff roles.
    client.force_login(officer_a)
    response = client.post(reverse("admin:studios_achievement_add"), data | {"attachment": fake_image_upload()})
    assert response.status_code == 403
    client.force_login(superuser)
    response = client.post(reverse("admin:studios_achievement_add"), data | {"attachment": fake_image_upload()})
    assert response.status_code == 200
    assert "Only PDF files and JPEG, PNG or WEBP images are accepted." in response.content.decode()
    assert not studio.achievements.exists()


def test_desk_list_queries_flat_and_pending_section(client, tree, make_studio, officer_a, django_assert_num_queries):
    from unionportal.core.models import Role
    from unionportal.core.testing import make_user

    make_studio(union=tree.a1, name="Waiting", status=Studio.Status.APPLYING, published=False)
    make_studio(union=tree.a1)
    client.force_login(officer_a)

    def pending_names():
        body = client.get(reverse("studios:desk_list")).content.decode()
        section = body.split('id="pending"', 1)[1].split("</div>", 1)[0] if 'id="pending"' in body else ""
        return section

    assert "Waiting" in pending_names()
    # 1 session, 2 user, 3 role kinds (role_required), 4 count, 5 page of studios JOIN union,
    # 6 applications waiting for this user's review, 7 support totals per year
    with django_assert_num_queries(7):
        client.get(reverse("studios:desk_list"))
    for _i in range(20):
        make_studio(union=tree.a1)
    with django_assert_num_queries(7):
        client.get(reverse("studios:desk_list"))
    # The applicant's own union sees it in its list but not among applications to review.
    a1_officer = make_user("a1_officer", role=Role.Kind.OFFICER, union=tree.a1)
    client.force_login(a1_officer)
    assert "Waiting" not in pending_names()
    assert "Waiting" in client.get(reverse("studios:desk_list"), {"q": "wait"}).content.decode()


def test_scale_seeder(tree):
    from studios import scale

    out = io.StringIO()
    scale.run({"studios": 12, "achievements": 40}, out)
    assert Studio.objects.public().filter(slug__startswith="scale-").count() == 12
    assert Achievement.objects.count() == 40
    assert Member.objects.filter(role="leader", studio__slug__startswith="scale-").count() == 12
    scale.run({"studios": 3}, out)  # a second run adds, never collides on slugs
    assert Studio.objects.filter(slug__startswith="scale-").count() == 15


def test_admin_studio_page_lists_only_latest_achievements(client, make_studio, officer_a, add_achievements):
    studio = make_studio(name="Admin Studio")
    add_achievements(studio, Achievement.Type.PAPER, 60)
    client.force_login(officer_a)
    url = reverse("admin:studios_studio_change", args=[studio.pk])
    response = client.get(url)
    assert response.status_code == 200
    inline = next(f for f in response.context["inline_admin_formsets"] if f.formset.model is Achievement)
    assert inline.formset.queryset.count() == 20
    assert studio.achievements.count() == 60
