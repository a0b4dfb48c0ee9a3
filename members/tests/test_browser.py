"""End to end on a phone (390x844) in Chinese: an officer imports a roster, invites a member
and grants a role, all on the desk."""

import io

import openpyxl
import pytest
from playwright.sync_api import expect

from members import services
from members.models import Member
from unionportal.core.models import Role

pytestmark = [pytest.mark.browser]


def test_officer_imports_invites_and_grants_in_chinese(
    page, live_server, sign_in, transactional_db, tree, officer_a, settings, tmp_path
):
    settings.LANGUAGE_CODE = "zh-hans"
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "zh-hans", "url": live_server.url}])
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    book = openpyxl.Workbook()
    for row in [
        ["姓名", "手机号", "会员证号", "入会日期"],
        ["李雷", "13812345678", "HY001", "2023-05-01"],
        ["韩梅梅", "13900001111", "HY002", "2023-06-01"],
    ]:
        book.active.append(row)
    roster = tmp_path / "名册.xlsx"
    buf = io.BytesIO()
    book.save(buf)
    roster.write_bytes(buf.getvalue())
    account = services.user_create(union=tree.a1g, by=None, username="wangfang", name="王芳", phone="13700002222")

    sign_in(page, "officer_a")
    page.goto(f"{live_server.url}/members/")
    expect(page.locator("h1")).to_have_text("会员名册")
    page.locator("#import-members").click()
    page.select_option("select[name=union]", str(tree.a1g.pk))
    page.set_input_files("input[name=spreadsheet]", str(roster))
    page.locator("#import-submit").click()
    expect(page.locator(".alert-success")).to_contain_text("已导入 2 名会员")
    table = page.locator("#members")
    expect(table).to_contain_text("李雷")
    expect(table).to_contain_text("138****5678")
    expect(table).not_to_contain_text("13812345678")

    page.locator("#invite-member").click()
    page.select_option("select[name=union]", str(tree.a1g.pk))
    page.fill("input[name=name]", "赵敏")
    page.fill("input[name=phone]", "13600003333")
    page.locator("main button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("已邀请赵敏")
    assert Member.objects.get(phone="13600003333").invited_at is not None

    page.goto(f"{live_server.url}/members/users/")
    page.get_by_role("link", name="wangfang").click()
    page.select_option("#grant-form select[name=union]", str(tree.a1g.pk))
    page.select_option("#grant-form select[name=kind]", "viewer")
    page.locator("#grant-form button[type=submit]").click()
    expect(page.locator(".alert-success")).to_contain_text("角色已授予")
    expect(page.locator("#roles")).to_contain_text("Grassroots A1g")
    assert Role.objects.filter(user=account, union=tree.a1g, kind="viewer").exists()
    # Tap targets on the phone: the grant button is at least 44 px tall.
    assert page.locator("#grant-form button[type=submit]").bounding_box()["height"] >= 44
    assert not errors
