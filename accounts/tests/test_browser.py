import pytest
from django.core.cache import cache
from django.urls import reverse

from contests.models import Ballot
from tests.test_phone_pages import TOO_SMALL

from .conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = "13800138000"
NEW_PASSWORD = "Willow-Harbour-58"


def test_member_activates_votes_signs_out_and_resets_the_password_on_a_phone_in_chinese(
    page, live_server, sign_in, settings, tree, roster_member, vote_contest, last_sms
):
    from contests.services import voter_verify

    settings.LANGUAGE_CODE = "zh-hans"
    roster_member(phone=PHONE, name="王芳")

    # Activation: the number the union has on its roster, then the code from the SMS.
    page.goto(f"{live_server.url}{reverse('accounts:activate')}")
    assert page.viewport_size == {"width": 390, "height": 844}
    assert page.evaluate(TOO_SMALL) == []  # every tap target at least 44×44 px
    page.fill("input[name=target]", PHONE)
    page.click("#code-start button[type=submit]")
    page.wait_for_load_state()
    assert "验证码已发送到 138****8000" in page.content()
    assert page.evaluate(TOO_SMALL) == []
    page.fill("input[name=code]", last_sms(PHONE))
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.click("#code-confirm button[type=submit]")
    page.wait_for_load_state()
    assert page.url.endswith(reverse("accounts:home"))
    assert "欢迎！您已是 Grassroots A1g 的认证会员。" in page.content()
    assert "您好，王芳" in page.content()

    # Contest eligibility is the contests' own list of verified voters until the roster is
    # wired into it: the union verifies the activated member as a voter here.
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.get(username=PHONE)
    voter_verify(user=user, union=tree.a1g, by=None)

    entry = vote_contest.entries.first()
    page.goto(f"{live_server.url}{vote_contest.get_absolute_url()}")
    page.click(f"#entry-{entry.pk} button.vote-btn")
    page.wait_for_selector(f"#entry-{entry.pk} button.vote-btn:disabled")
    assert Ballot.objects.filter(voter=user, entry=entry).count() == 1
    page.goto(f"{live_server.url}{reverse('accounts:home')}")
    assert "Five-type innovation contest" in page.locator("#my-votes").inner_text()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert page.evaluate(TOO_SMALL) == []

    # Sign out through the menu.
    page.click(".navbar-toggler")
    page.wait_for_selector("#nav.show")
    button = page.locator("form[action='/accounts/logout/'] button[type=submit]")
    # The button is on top at its centre (document.elementFromPoint), but Playwright's hit
    # check sees the inline form around it while the menu unfolds on a touch screen.
    button.click(force=True)
    page.wait_for_url(f"{live_server.url}/")
    assert page.locator("nav a[href^='/accounts/login/']").count() == 1

    # A minute later (the pause between two codes to one number), the password is forgotten.
    cache.clear()
    page.goto(f"{live_server.url}{reverse('accounts:password_reset')}")
    page.fill("input[name=target]", PHONE)
    page.click("#code-start button[type=submit]")
    page.wait_for_load_state()
    assert "如果 138****8000 有对应账号" in page.content()
    page.fill("input[name=code]", last_sms(PHONE))
    page.fill("input[name=password1]", NEW_PASSWORD)
    page.fill("input[name=password2]", NEW_PASSWORD)
    page.click("#code-confirm button[type=submit]")
    page.wait_for_load_state()
    assert "密码已修改，请用新密码登录。" in page.content()

    sign_in(page, PHONE, NEW_PASSWORD)
    assert page.url.endswith(reverse("accounts:home"))
    assert "您好，王芳" in page.content()
