"""Issue #10 (integrity) for studios: rules held by the services whoever calls, capped imports,
one id parser, private applications kept to their union's line, the admin writing through services."""

import datetime as dt
import io
import time
import zipfile

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from studios import services
from studios.models import Achievement, FieldOfWork, Member, Review, Studio, StudioPhoto, YearTarget
from unionportal.core.models import Role
from unionportal.core.testing import image_upload, make_user

pytestmark = pytest.mark.django_db


def _xlsx_bytes(rows) -> bytes:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()


def _result(studio, year: int, level: str = Achievement.Level.INDUSTRY) -> Achievement:
    return services.achievement_add(
        studio=studio,
        by=None,
        type=Achievement.Type.STANDARD_LED,
        title=f"S {year} {level}",
        date=dt.date(year, 5, 1),
        level=level,
    )


# --- Rule: a yearly target is met only when the year's results reach it, or by a recorded override --


@pytest.fixture
def target(tree, make_studio):
    studio = make_studio(union=tree.a1)
    return services.target_set(studio=studio, year=2023, target="2 industry results", target_count=2, by=None)


def test_target_is_not_met_with_fewer_results_than_expected(target, officer_a):
    _result(target.studio, 2023)
    _result(target.studio, 2023, level=Achievement.Level.ENTERPRISE)  # below industry level: does not count
    _result(target.studio, 2022)  # another year
    with pytest.raises(ValidationError, match="Only 1 results at industry level or above are recorded for 2023"):
        services.target_assess(target=target, met=True, evidence="We tried", by=officer_a)
    target.refresh_from_db()
    assert target.assessment == YearTarget.Assessment.PENDING
    # "Behind" needs no override.
    services.target_assess(target=target, met=False, evidence="One of two", by=officer_a)
    target.refresh_from_db()
    assert target.assessment == YearTarget.Assessment.BEHIND and target.results_counted == 1


def test_override_reason_is_recorded_with_its_officer(target, officer_a):
    services.target_assess(
        target=target, met=True, evidence="Pilot line", override_reason="Results filed in January", by=officer_a
    )
    target.refresh_from_db()
    assert target.assessment == YearTarget.Assessment.MET
    assert (target.results_counted, target.override_reason, target.assessed_by) == (
        0,
        "Results filed in January",
        officer_a,
    )
    assert target.history.latest().override_reason == "Results filed in January"
    with pytest.raises(ValidationError, match="already been assessed"):
        services.target_assess(target=target, met=False, evidence="x", by=officer_a)


def test_target_met_by_its_results_needs_no_override(target, officer_a):
    _result(target.studio, 2023)
    _result(target.studio, 2023, level=Achievement.Level.NATIONAL)
    services.target_assess(target=target, met=True, evidence="Two standards", override_reason="unused", by=officer_a)
    target.refresh_from_db()
    assert target.assessment == YearTarget.Assessment.MET and target.results_counted == 2
    assert target.override_reason == ""  # nothing was overridden


def test_desk_says_why_a_target_cannot_be_marked_met_and_takes_an_override(client, target, officer_a):
    url = reverse("studios:desk_targets", args=[target.studio.pk])
    client.force_login(officer_a)
    body = client.get(url).content.decode()
    assert "The recorded results fall short of the target" in body
    response = client.post(url, {"action": "met", "target": target.pk, "evidence": "Trust us"}, follow=True)
    body = response.content.decode()
    assert "Only 0 results at industry level or above are recorded for 2023; 2 expected." in body
    assert "give the reason for the override" in body
    target.refresh_from_db()
    assert target.assessment == YearTarget.Assessment.PENDING
    response = client.post(
        url,
        {"action": "met", "target": target.pk, "evidence": "Trust us", "override_reason": "Counted at group level"},
        follow=True,
    )
    body = response.content.decode()
    target.refresh_from_db()
    assert target.assessment == YearTarget.Assessment.MET and target.assessed_by == officer_a
    assert "by override: Counted at group level" in body and "Assessed by officer_a" in body


def test_admin_cannot_change_an_assessed_target(client, superuser, target, officer_a):
    _result(target.studio, 2023), _result(target.studio, 2023)
    services.target_assess(target=target, met=True, evidence="Two standards", by=officer_a)
    client.force_login(superuser)
    url = reverse("admin:studios_studio_change", args=[target.studio.pk])
    data = _admin_form_data(client.get(url))
    row = _row_prefix(data, "targets", target.pk)
    data[f"{row}-target"] = "Rewritten afterwards"
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert "The target of 2023 has been assessed and can no longer change." in response.content.decode()
    target.refresh_from_db()
    assert target.target == "2 industry results"


# --- Hole 9: the achievement import reads through the capped pipeline -------------------------


def _bomb_xlsx() -> SimpleUploadedFile:
    """A real workbook whose sheet is padded to ~48 MB of XML: about 50 KB on the wire."""
    source = zipfile.ZipFile(io.BytesIO(_xlsx_bytes([["type", "title", "date"]])))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"</sheetData>", b" " * (48 * 1024 * 1024) + b"</sheetData>")
            out.writestr(info.filename, data)
    return SimpleUploadedFile("bomb.xlsx", buf.getvalue(), content_type="application/octet-stream")


def test_a_spreadsheet_bomb_is_refused_fast(client, make_studio, officer_a):
    studio = make_studio()
    upload = _bomb_xlsx()
    assert upload.size < 150 * 1024
    client.force_login(officer_a)
    started = time.monotonic()
    response = client.post(reverse("studios:desk_import", args=[studio.pk]), {"file": upload})
    elapsed = time.monotonic() - started
    body = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported" in body and "This workbook is too large once unpacked." in body
    assert elapsed < 3, elapsed
    assert not studio.achievements.exists()


def test_an_id_column_is_refused(make_studio, officer_a):
    studio = make_studio()
    rows = [["id", "type", "title", "date"], [9223372036854775806, "paper", "Planted", "2022-01-01"]]
    with pytest.raises(services.AchievementImportError) as exc:
        services.achievements_import(
            studio=studio, upload=SimpleUploadedFile("l.xlsx", _xlsx_bytes(rows)), by=officer_a
        )
    assert exc.value.row_errors == [(1, "Ids cannot be imported: remove the column “id”.")]
    assert not studio.achievements.exists()


def test_import_keeps_chinese_headers_and_row_messages(make_studio, officer_a):
    studio = make_studio(leader={"name": "齐贺"})
    rows = [
        ["类型", "标题", "日期", "级别", "成员"],
        ["主编标准", "标准一", "2021-03-01", "行业级", "齐贺"],
        ["nonsense", "", "never", None, "无名"],
    ]
    with pytest.raises(services.AchievementImportError) as exc:
        services.achievements_import(
            studio=studio, upload=SimpleUploadedFile("l.xlsx", _xlsx_bytes(rows)), by=officer_a
        )
    ((n, message),) = exc.value.row_errors
    assert n == 3 and "unknown type “nonsense”" in message and "the title is empty" in message
    assert "not members of this studio: 无名" in message
    assert not studio.achievements.exists()  # the good row 2 was rolled back with the file
    assert (
        services.achievements_import(
            studio=studio, upload=SimpleUploadedFile("l.xlsx", _xlsx_bytes(rows[:2])), by=officer_a
        )
        == 1
    )
    assert studio.achievements.get().level == Achievement.Level.INDUSTRY


# --- Hole 12: ids read from input go through parse_id --------------------------------------------


@pytest.mark.parametrize("bad", ["²", "٣", "-1", "0", "1e3", "99999999999999999999999"])
def test_malformed_target_ids_are_404_not_500(client, target, officer_a, bad):
    client.force_login(officer_a)
    response = client.post(reverse("studios:desk_targets", args=[target.studio.pk]), {"action": "met", "target": bad})
    assert response.status_code == 404
    target.refresh_from_db()
    assert target.assessment == YearTarget.Assessment.PENDING


def test_other_ids_from_input_are_form_errors(client, tree, make_studio, officer_a):
    studio = make_studio(union=tree.a1)
    client.force_login(officer_a)
    response = client.post(
        reverse("studios:desk_achievement_add", args=[studio.pk]),
        {"type": "paper", "title": "T", "date": "2022-01-01", "level": "national", "members": ["²"]},
    )
    assert response.status_code == 200 and not studio.achievements.exists()
    response = client.post(
        reverse("studios:desk_targets", args=[studio.pk]),
        {"action": "support", "union": "²", "kind": "funding", "date": "2022-01-01", "amount": "5"},
    )
    assert response.status_code == 200 and not studio.support.exists()
    assert client.get(reverse("studios:list"), {"union": "²"}).status_code == 200
    assert client.get(f"/studios/desk/{'9' * 30}/").status_code == 404


# --- Hole 10: a private application stays within its union's line ------------------------------


def test_private_application_is_hidden_from_other_unions(client, tree, make_studio, officer_a, officer_b):
    studio = make_studio(
        union=tree.a1, name="Secret Lab Application", slug="secret-lab", status=Studio.Status.APPLYING, published=False
    )
    ct = ContentType.objects.get_for_model(Studio)
    desk_pages = [
        reverse(f"studios:{name}", args=[studio.pk])
        for name in ("desk_detail", "desk_targets", "desk_export", "desk_import", "desk_member_add")
    ]
    admin_pages = [
        reverse("admin:studios_studio_change", args=[studio.pk]),
        reverse("admin:studios_studio_history", args=[studio.pk]),
        reverse("admin:studios_studio_delete", args=[studio.pk]),
        reverse("admin:view_on_site", args=[ct.pk, studio.pk]),
        reverse("admin:studios_studio_changelist") + "?q=secret",
        reverse("admin:studios_member_changelist") + f"?studio__id__exact={studio.pk}",
        reverse("admin:studios_achievement_add") + f"?studio={studio.pk}",
    ]
    # Public pages: nobody sees an application.
    for user in (None, officer_b, officer_a):
        client.logout()
        if user:
            client.force_login(user)
        assert client.get(reverse("studios:detail", args=["secret-lab"])).status_code == 404
        assert client.get(reverse("studios:qr", args=["secret-lab"])).status_code == 404
    client.force_login(officer_b)
    for url in desk_pages + admin_pages:
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code in (200, 302, 403, 404), url
        assert "secret-lab" not in body and "Secret Lab" not in body, url
        assert "secret-lab" not in response.get("Location", ""), url
        if url in desk_pages:
            assert response.status_code == 404, url
    # Its own line (the district above the street) sees it, on the desk and in the back office.
    client.force_login(officer_a)
    assert client.get(studio.get_desk_url()).status_code == 200
    response = client.get(reverse("admin:view_on_site", args=[ct.pk, studio.pk]))
    assert response.status_code == 302 and response["Location"].endswith("/studios/secret-lab/")


def test_admin_querysets_and_view_permission_follow_the_union_line(rf, tree, make_studio, officer_a, officer_b):
    from django.contrib import admin

    studio = make_studio(union=tree.a1, status=Studio.Status.APPLYING, published=False)
    member = studio.members.get()
    for model, obj in ((Studio, studio), (Member, member)):
        model_admin = admin.site._registry[model]
        for user, sees in ((officer_a, True), (officer_b, False)):
            request = rf.get("/admin/")
            request.user = user
            assert model_admin.get_queryset(request).filter(pk=obj.pk).exists() is sees
            assert model_admin.has_view_permission(request, obj) is sees
            assert model_admin.has_change_permission(request, obj) is False  # desk pages exist: read-only


# --- The admin writes through the services ------------------------------------------------------


def _admin_form_data(response) -> dict:
    """What the browser would post back from an admin change page, unchanged."""
    data: dict = {}

    def put(form):
        for name in form.fields:
            value = form[name].value()
            key = form.add_prefix(name)
            if value is None or hasattr(value, "url") or (hasattr(value, "name") and hasattr(value, "read")):
                data[key] = ""
            elif isinstance(value, bool):
                if value:
                    data[key] = "on"
            elif isinstance(value, list | tuple):
                data[key] = [str(getattr(v, "pk", v)) for v in value]
            elif isinstance(value, dt.date):
                data[key] = value.isoformat()
            else:
                data[key] = str(getattr(value, "pk", value))

    put(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data[f"{formset.prefix}-TOTAL_FORMS"] = str(len(formset.initial_forms))
        data[f"{formset.prefix}-INITIAL_FORMS"] = str(len(formset.initial_forms))
        for form in formset.initial_forms:
            put(form)
    return data


def _row_prefix(data: dict, prefix: str, pk: int) -> str:
    return next(
        k[: -len("-id")] for k, v in data.items() if k.startswith(f"{prefix}-") and k.endswith("-id") and v == str(pk)
    )


def test_studio_added_in_the_admin_is_an_application(client, tree, superuser):
    client.force_login(superuser)
    data = {
        "name": "Back Office Studio",
        "slug": "",
        "kind": Studio.Kind.WORKER,
        "level": "enterprise",
        "union": tree.a1.pk,
    }
    for prefix in ("members", "photos", "targets", "support", "achievements", "reviews"):
        data |= {f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"}
    data |= {
        "members-TOTAL_FORMS": "1",
        "members-0-name": "Dr Root",
        "members-0-role": "leader",
        "members-0-education": "doctorate",
        "members-0-political_status": "party",
        "members-0-order": "0",
    }
    response = client.post(reverse("admin:studios_studio_add"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    studio = Studio.objects.get(name="Back Office Studio")
    assert studio.status == Studio.Status.APPLYING and studio.slug and studio.created_by == superuser
    assert studio.reviews.filter(action=Review.Action.SUBMITTED, by=superuser).exists()
    assert "dr root" in studio.search_text  # the leader added in the inline is searchable


def test_admin_cannot_change_the_kind_of_an_approved_studio(client, superuser, make_studio):
    studio = make_studio(kind=Studio.Kind.WORKER)
    client.force_login(superuser)
    url = reverse("admin:studios_studio_change", args=[studio.pk])
    data = _admin_form_data(client.get(url))
    data["kind"] = Studio.Kind.PARTY_PHD
    response = client.post(url, data, follow=True)
    assert "An approved studio keeps the kind it was approved with." in response.content.decode()
    studio.refresh_from_db()
    assert studio.kind == Studio.Kind.WORKER


def test_renaming_a_field_of_work_refreshes_cached_profiles(client, officer_a, make_studio):
    studio = make_studio()
    field = FieldOfWork.objects.create(name="Low carbon", slug="low-carbon")
    studio.fields_of_work.add(field)
    services.studio_touch(studio_ids=[studio.pk])
    assert "Low carbon" in client.get(studio.get_absolute_url()).content.decode()  # now cached
    client.force_login(officer_a)  # fields of work have no desk page: officers keep them in the admin
    response = client.post(
        reverse("admin:studios_fieldofwork_change", args=[field.pk]), {"name": "Zero carbon", "slug": "zero-carbon"}
    )
    assert response.status_code == 302
    client.logout()
    body = client.get(studio.get_absolute_url()).content.decode()
    assert "Zero carbon" in body and "Low carbon" not in body


def test_photo_deleted_in_the_admin_takes_its_files(client, superuser, make_studio, django_capture_on_commit_callbacks):
    studio = make_studio()
    from unionportal.core.images import clean_image

    (photo,) = services.studio_add_photos(studio=studio, photos=[clean_image(image_upload())], by=None)
    storage, names = photo.image.storage, (photo.image.name, photo.thumbnail.name)
    assert all(storage.exists(n) for n in names)
    client.force_login(superuser)
    url = reverse("admin:studios_studio_change", args=[studio.pk])
    data = _admin_form_data(client.get(url))
    data[f"{_row_prefix(data, 'photos', photo.pk)}-DELETE"] = "on"
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    assert not StudioPhoto.objects.filter(pk=photo.pk).exists()
    assert not any(storage.exists(n) for n in names)


def test_member_inline_edit_goes_through_the_service(client, superuser, make_studio):
    studio = make_studio(leader={"name": "Old Leader"})
    leader = studio.members.get()
    client.force_login(superuser)
    url = reverse("admin:studios_studio_change", args=[studio.pk])
    data = _admin_form_data(client.get(url))
    data[f"{_row_prefix(data, 'members', leader.pk)}-name"] = "Qi He"
    assert client.post(url, data).status_code == 302
    studio.refresh_from_db()
    assert "qi he" in studio.search_text and "old leader" not in studio.search_text


def test_staff_roles_read_the_studio_admin_only(client, tree, make_studio):
    studio = make_studio(union=tree.a1)
    officer = make_user("a1_officer", role=Role.Kind.OFFICER, union=tree.a1)
    client.force_login(officer)
    url = reverse("admin:studios_studio_change", args=[studio.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "Changed"}).status_code == 403
    assert (
        client.post(reverse("admin:studios_member_delete", args=[studio.members.get().pk]), {"post": "yes"}).status_code
        == 403
    )
    studio.refresh_from_db()
    assert studio.name != "Changed" and studio.members.exists()


def test_a_second_leader_is_refused_with_a_clear_message(client, superuser, make_studio):
    studio = make_studio()
    with pytest.raises(ValidationError, match="A studio has one leader"):
        services.member_add(studio=studio, by=None, name="Second", role=Member.Role.LEADER)
    client.force_login(superuser)
    url = reverse("admin:studios_studio_change", args=[studio.pk])
    data = _admin_form_data(client.get(url))
    data |= {
        "members-TOTAL_FORMS": str(int(data["members-TOTAL_FORMS"]) + 1),
        "members-1-name": "Second",
        "members-1-role": "leader",
        "members-1-education": "other",
        "members-1-political_status": "masses",
        "members-1-order": "0",
    }
    response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert "A studio has one leader: change the current leader&#x27;s role first." in response.content.decode()
    assert studio.members.count() == 1
