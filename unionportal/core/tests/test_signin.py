"""Sign-in: a throttle per account and per address, bad input as form errors, the client's address."""

import time

import pytest
from axes.models import AccessAttempt
from django.test import RequestFactory
from django.urls import reverse

from unionportal.core.http import client_ip
from unionportal.core.testing import make_user

PASSWORD = "pw-for-tests"  # noqa: S105
THROTTLED = "Too many failed sign-in attempts for this account or from this network."


def _sign_in(client, username, password, address):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


@pytest.mark.django_db
def test_wrong_passwords_from_thirty_addresses_pause_the_account(client, officer_a):
    for n in range(30):
        _sign_in(client, "officer_a", "wrong", f"198.51.100.{n + 1}")
    # Even the right password from yet another address is not checked during the cool-down.
    response = _sign_in(client, "officer_a", PASSWORD, "203.0.113.77")
    assert response.status_code == 429
    assert THROTTLED in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_spraying_twenty_accounts_from_one_address_is_stopped(client, tree):
    users = [make_user(f"worker{n}") for n in range(20)]
    answers = [_sign_in(client, u.username, "Password1", "192.0.2.9").status_code for u in users]
    assert answers[:15] == [200] * 15  # wrong passwords, answered as such
    assert answers[15:] == [429] * 5  # then the address is paused
    assert _sign_in(client, "worker19", PASSWORD, "192.0.2.9").status_code == 429
    # The accounts themselves are not paused: their owners sign in from elsewhere.
    assert _sign_in(client, "worker19", PASSWORD, "192.0.2.10").status_code == 302


@pytest.mark.django_db
def test_the_owner_keeps_signing_in_from_an_address_known_for_the_account(client, officer_a):
    assert _sign_in(client, "officer_a", PASSWORD, "10.1.2.3").status_code == 302
    client.logout()
    for n in range(30):
        _sign_in(client, "officer_a", "wrong", f"198.51.100.{n + 1}")
    assert _sign_in(client, "officer_a", PASSWORD, "203.0.113.77").status_code == 429
    assert _sign_in(client, "officer_a", PASSWORD, "10.1.2.3").status_code == 302


@pytest.mark.django_db
def test_the_pause_is_a_cool_down_not_a_lock(client, officer_a, settings):
    settings.SIGNIN_ACCOUNT_FAILURES, settings.SIGNIN_THROTTLE_SECONDS = 2, 2
    for n in range(2):
        _sign_in(client, "officer_a", "wrong", f"198.51.100.{n + 1}")
    assert _sign_in(client, "officer_a", PASSWORD, "203.0.113.77").status_code == 429
    time.sleep(2.2)
    assert _sign_in(client, "officer_a", PASSWORD, "203.0.113.77").status_code == 302


@pytest.mark.django_db
def test_the_back_office_sign_in_is_throttled_too(client, officer_a):
    for n in range(10):
        client.post("/admin/login/", {"username": "officer_a", "password": "wrong"}, REMOTE_ADDR=f"198.51.100.{n}")
    response = client.post("/admin/login/", {"username": "officer_a", "password": PASSWORD}, REMOTE_ADDR="192.0.2.1")
    assert THROTTLED in response.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.django_db
def test_the_pause_is_explained_in_chinese(client, officer_a, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    for n in range(10):
        _sign_in(client, "officer_a", "wrong", f"198.51.100.{n + 1}")
    page = _sign_in(client, "officer_a", PASSWORD, "203.0.113.77").content.decode()
    assert "登录失败次数过多" in page and "15 分钟" in page


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/accounts/login/", "/admin/login/"])
def test_an_overlong_username_is_a_form_error(client, officer_a, url):
    response = client.post(url, {"username": "u" * 300, "password": "x"})
    assert response.status_code == 200
    assert "Ensure this value has at most 150 characters (it has 300)." in response.content.decode()
    assert not AccessAttempt.objects.exists()  # never reached the backends and their log


@pytest.mark.django_db
def test_a_media_name_longer_than_the_file_system_allows_is_a_404(client, settings):
    settings.DEBUG = False
    assert client.get("/media/" + "a" * 300).status_code == 404
    assert client.get("/media/" + "/".join(["b" * 200] * 3)).status_code == 404
    assert client.get("/media/missing.jpg").status_code == 404


@pytest.mark.django_db
def test_media_still_serves_files(client, settings):
    settings.MEDIA_ROOT.mkdir(parents=True)
    (settings.MEDIA_ROOT / "hello.txt").write_text("hi")
    response = client.get("/media/hello.txt")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"hi"


@pytest.mark.parametrize(
    "forwarded", ["not-an-address", "<script>", "1.2.3.4.5", "999.1.1.1", "x" * 300, "1.2.3.4; DROP TABLE"]
)
def test_a_forwarded_for_that_is_no_address_is_ignored_behind_a_proxy(settings, forwarded):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == "10.0.0.5"


def test_a_forwarded_address_is_normalised(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.5", HTTP_X_FORWARDED_FOR="2001:DB8:0:0::1")
    assert client_ip(request) == "2001:db8::1"


@pytest.mark.django_db
def test_a_forged_forwarded_for_never_becomes_the_logged_address(client, officer_a, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.post(
        reverse("login"),
        {"username": "officer_a", "password": "wrong"},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="evil text",
    )
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == ["10.0.0.5"]
