"""The roster desk: scoping (sibling → 404), masking, import all or nothing, bad input → 400."""

import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from members import services
from members.models import Member, Transfer
from unionportal.core.models import AuditEntry, Role

pytestmark = pytest.mark.django_db


def xlsx(rows, name="roster.xlsx") -> SimpleUploadedFile:
    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    buf = io.BytesIO()
    book.save(buf)
    return SimpleUploadedFile(name, buf.getvalue())


def test_list_masks_phones_and_is_scoped(client, tree, officer_a, make_member):
    make_member(union=tree.a1g, name="Li Lei", phone="13812345678")
    make_member(union=tree.bg, name="Sibling Person", phone="13987654321")
    client.force_login(officer_a)
    page = client.get(reverse("members:member_list")).content.decode()
    assert "Li Lei" in page and "138****5678" in page and "13812345678" not in page
    assert "Sibling Person" not in page


def test_search_by_name_card_and_phone(client, tree, officer_a, make_member):
    make_member(name="Li Lei", phone="13812345678", card_number="K-1")
    make_member(name="Han Meimei", phone="13900000000", card_number="K-2")
    client.force_login(officer_a)
    for q in ("Li", "K-1", "138 1234 5678"):
        page = client.get(reverse("members:member_list"), {"q": q}).content.decode()
        assert "Li Lei" in page and "Han Meimei" not in page, q


def test_detail_shows_the_full_phone_to_the_subtree_and_404_to_a_sibling(
    client, tree, officer_a, officer_b, make_member
):
    member = make_member(phone="13812345678")
    client.force_login(officer_a)
    assert "13812345678" in client.get(member.get_absolute_url()).content.decode()
    client.force_login(officer_b)
    for name in ("member_detail", "member_edit"):
        assert client.get(reverse(f"members:{name}", args=[member.pk])).status_code == 404
    for name in ("member_status", "transfer_release"):
        assert client.post(reverse(f"members:{name}", args=[member.pk]), {"status": "left"}).status_code == 404
    member.refresh_from_db()
    assert member.is_active


@pytest.mark.parametrize("actor", ["viewer_a", "welfare_a", "judge_a"])
def test_other_roles_never_see_the_roster(client, request, tree, make_member, actor):
    member = make_member(phone="13812345678")
    client.force_login(request.getfixturevalue(actor))
    assert client.get(reverse("members:member_list")).status_code == 403
    assert client.get(member.get_absolute_url()).status_code == 403
    assert client.get(reverse("members:member_export")).status_code == 403


def test_list_queries_flat(client, tree, officer_a, make_member, django_assert_num_queries):
    client.force_login(officer_a)
    make_member()
    # 1 session, 2 user, 3 role kinds (the desk check, then cached for the menu), 4 the paths
    # of the user's role unions (the scope), 5 the capped count, 6 the page of members JOIN union
    with django_assert_num_queries(6):
        client.get(reverse("members:member_list"))
    for _ in range(30):
        make_member()
    with django_assert_num_queries(6):
        client.get(reverse("members:member_list"))


def test_list_count_is_capped(client, settings, tree, officer_a, make_member, monkeypatch):
    from members import views

    monkeypatch.setattr(views, "COUNT_CAP", 3)
    for _ in range(5):
        make_member()
    client.force_login(officer_a)
    page = client.get(reverse("members:member_list")).content.decode()
    assert "More than 3 members" in page


def test_create_edit_and_bad_input_is_400(client, tree, officer_a):
    client.force_login(officer_a)
    url = reverse("members:member_new")
    ok = client.post(url, {"union": tree.a1g.pk, "name": "Li Lei", "phone": "138 1234 5678", "joined_on": "2023-05-01"})
    assert ok.status_code == 302
    member = Member.objects.get()
    assert member.phone == "13812345678"
    bad = client.post(url, {"union": tree.a1g.pk, "name": "Han", "phone": "12"})
    assert bad.status_code == 400 and "not a mainland mobile" in bad.content.decode()
    foreign = client.post(url, {"union": tree.bg.pk, "name": "Han"})
    assert foreign.status_code == 400
    edit = client.post(reverse("members:member_edit", args=[member.pk]), {"name": "Li Lei", "joined_on": "not a date"})
    assert edit.status_code == 400
    assert Member.objects.count() == 1


def test_export_is_logged(client, tree, officer_a, make_member):
    make_member(name="Li Lei", phone="13812345678")
    client.force_login(officer_a)
    response = client.get(reverse("members:member_export"))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert [c.value for c in sheet[2]][:2] == ["Li Lei", "13812345678"]
    entry = AuditEntry.objects.get(action=services.ACTION_EXPORT)
    assert entry.by == officer_a and "1 rows" in entry.detail


def test_import_all_or_nothing_with_row_errors(client, tree, officer_a):
    client.force_login(officer_a)
    url = reverse("members:member_import")
    bad = xlsx(
        [
            ["Name", "Mobile phone", "Member card number"],
            ["Li Lei", "13812345678", "C1"],
            ["", "13900000000", "C2"],
            ["Han", "123", "C3"],
        ]
    )
    response = client.post(url, {"union": tree.a1g.pk, "spreadsheet": bad})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Row 3" in page and "Row 4" in page and "Row 2" not in page
    assert not Member.objects.exists()
    good = xlsx([["姓名", "手机号", "会员证号"], ["李雷", "13812345678", "C1"], ["韩梅梅", "13900000000", "C2"]])
    response = client.post(url, {"union": tree.a1g.pk, "spreadsheet": good})
    assert response.status_code == 302
    assert Member.objects.filter(union=tree.a1g).count() == 2
    assert AuditEntry.objects.filter(action=services.ACTION_IMPORT, by=officer_a).exists()
    assert Member.objects.get(card_number="C1").history.get().history_user == officer_a


def test_import_refuses_duplicates_in_the_file_and_on_the_rosters(client, tree, officer_a, make_member):
    make_member(union=tree.bg, phone="13700000000", card_number="TAKEN")
    client.force_login(officer_a)
    rows = [
        ["Name", "Mobile phone", "Member card number"],
        ["A", "13812345678", "C1"],
        ["B", "13812345678", "C2"],
        ["C", "13700000000", "C3"],
        ["D", "", "TAKEN"],
    ]
    response = client.post(reverse("members:member_import"), {"union": tree.a1g.pk, "spreadsheet": xlsx(rows)})
    page = response.content.decode()
    assert response.status_code == 400
    assert "Row 3: Phone number 138****5678 is also in row 2." in page
    assert "Row 4: Phone number 137****0000 is already on a roster." in page
    assert "Row 5: Member card number TAKEN is already on a roster." in page
    assert "Row 2" not in page.replace("in row 2", "")
    assert Member.objects.count() == 1


def test_import_errors_in_chinese(client, settings, tree, officer_a):
    settings.LANGUAGE_CODE = "zh-hans"
    client.force_login(officer_a)
    bad = xlsx([["姓名", "手机号"], ["李雷", "12345"]])
    response = client.post(
        reverse("members:member_import"), {"union": tree.a1g.pk, "spreadsheet": bad}, HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    page = response.content.decode()
    assert response.status_code == 400 and "第 2 行" in page and "手机号" in page


def test_import_refuses_garbage_and_other_unions(client, tree, officer_a):
    client.force_login(officer_a)
    url = reverse("members:member_import")
    garbage = SimpleUploadedFile("roster.xlsx", b"not a workbook at all")
    assert client.post(url, {"union": tree.a1g.pk, "spreadsheet": garbage}).status_code == 400
    good = xlsx([["Name"], ["Li Lei"]])
    assert client.post(url, {"union": tree.bg.pk, "spreadsheet": good}).status_code == 400
    assert not Member.objects.exists()


def test_transfer_on_the_desk(client, tree, officer_a, officer_b, make_member):
    member = make_member()
    client.force_login(officer_a)
    bad = client.post(reverse("members:transfer_release", args=[member.pk]), {"to_union": "No Such Union"})
    assert bad.status_code == 400
    ok = client.post(reverse("members:transfer_release", args=[member.pk]), {"to_union": "Grassroots Bg"})
    assert ok.status_code == 302
    transfer = Transfer.objects.get()
    # The old side may not accept its own release.
    client.post(reverse("members:transfer_decide", args=[transfer.pk, "accept"]))
    assert Transfer.objects.get().is_pending
    client.force_login(officer_b)
    assert "Member 1" in client.get(reverse("members:transfer_list")).content.decode()
    assert client.post(reverse("members:transfer_decide", args=[transfer.pk, "bogus"])).status_code == 404
    client.post(reverse("members:transfer_decide", args=[transfer.pk, "accept"]))
    assert Member.objects.get(union=tree.bg).name == member.name


def test_transfer_invisible_to_uninvolved_unions(client, tree, officer_a, make_member):
    from unionportal.core.models import Union
    from unionportal.core.testing import make_user

    other = Union.objects.add_child(tree.city, {"name": "District C", "kind": Union.Kind.DISTRICT})
    officer_c = make_user("officer_c", role=Role.Kind.OFFICER, union=other)
    transfer = services.transfer_release(member=make_member(), to_union=tree.bg, by=officer_a)
    client.force_login(officer_c)
    assert client.post(reverse("members:transfer_decide", args=[transfer.pk, "accept"])).status_code == 404


def test_invite_and_grant_on_the_desk(client, tree, officer_a, officer_b):
    client.force_login(officer_a)
    response = client.post(
        reverse("members:member_invite"), {"union": tree.a1g.pk, "name": "Han", "phone": "13900001111"}
    )
    assert response.status_code == 302
    assert client.post(reverse("members:member_invite"), {"union": tree.a1g.pk, "name": "Nobody"}).status_code == 400
    response = client.post(
        reverse("members:user_new"),
        {"union": tree.a1.pk, "username": "lilei", "name": "Li Lei", "phone": "13812345678"},
    )
    assert response.status_code == 302
    user = Member.objects.get(phone="13812345678").user
    url = reverse("members:user_detail", args=[user.pk])
    assert client.post(url, {"union": tree.a1.pk, "kind": "chair"}).status_code == 400
    assert client.post(url, {"union": tree.a1.pk, "kind": "viewer"}).status_code == 302
    assert Role.objects.filter(user=user, kind="viewer", union=tree.a1).exists()
    client.force_login(officer_b)
    assert client.get(url).status_code == 404
    assert client.post(reverse("members:user_deactivate", args=[user.pk])).status_code == 404
    role = Role.objects.get(user=user)
    assert client.post(reverse("members:role_remove", args=[role.pk])).status_code == 404
    user.refresh_from_db()
    assert user.is_active


def test_chair_cannot_grant_themself_welfare_on_the_desk(client, tree, chair_a):
    client.force_login(chair_a)
    response = client.post(reverse("members:user_detail", args=[chair_a.pk]), {"union": tree.a.pk, "kind": "welfare"})
    assert response.status_code == 400
    assert not Role.objects.filter(user=chair_a, kind="welfare").exists()


def test_deactivate_on_the_desk(client, tree, officer_a):
    user = services.user_create(union=tree.a1, by=officer_a, username="lilei", name="Li", phone="13812345678")
    client.force_login(officer_a)
    assert "lilei" in client.get(reverse("members:user_list")).content.decode()
    client.post(reverse("members:user_deactivate", args=[user.pk]))
    user.refresh_from_db()
    assert not user.is_active


def test_page_in_chinese(client, settings, tree, officer_a, make_member):
    settings.LANGUAGE_CODE = "zh-hans"
    make_member()
    client.force_login(officer_a)
    page = client.get(reverse("members:member_list"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "会员名册" in page


def test_a_large_scope_types_the_union_name(client, tree, officer_a, monkeypatch):
    from members import forms

    monkeypatch.setattr(forms, "UNION_SELECT_MAX", 1)
    client.force_login(officer_a)
    url = reverse("members:member_invite")
    assert 'name="union" type="text"' in client.get(url).content.decode().replace(
        'type="text" name="union"', 'name="union" type="text"'
    )
    assert client.post(url, {"union": "Grassroots Bg", "name": "Han", "phone": "13900001111"}).status_code == 400
    assert client.post(url, {"union": "Grassroots A1g", "name": "Han", "phone": "13900001111"}).status_code == 302
    assert Member.objects.get().union == tree.a1g


def test_desk_card_and_menu_for_chairs_and_officers_only(client, tree, officer_a, viewer_a, make_member):
    make_member()
    client.force_login(officer_a)
    page = client.get(reverse("core:desk")).content.decode()
    assert reverse("members:member_list") in page and reverse("members:user_list") in page
    client.force_login(viewer_a)
    page = client.get(reverse("core:desk")).content.decode()
    assert reverse("members:member_list") not in page


def test_odd_input_never_500(client, tree, officer_a, make_member):
    member = make_member()
    client.force_login(officer_a)
    lst = reverse("members:member_list")
    for params in ({"page": "abc"}, {"page": "99999"}, {"status": "bogus"}, {"q": "x" * 500}):
        assert client.get(lst, params).status_code == 200, params
    assert client.get(lst, {"q": "\x00"}).status_code == 400
    assert client.post(reverse("members:member_status", args=[member.pk]), {"status": "transferred"}).status_code == 302
    member.refresh_from_db()
    assert member.is_active
    assert client.post(reverse("members:member_import"), {"union": "abc"}).status_code == 400
    assert (
        client.post(reverse("members:user_new"), {"union": tree.a.pk, "username": "a b", "name": "X"}).status_code
        == 400
    )
    url = reverse("members:user_detail", args=[officer_a.pk])
    assert client.post(url, {"union": tree.a.pk, "kind": "emperor"}).status_code == 400
    assert client.get(reverse("members:member_export"), {"status": "bogus"}).status_code == 200
