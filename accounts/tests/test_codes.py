"""One-time codes: stored hashed, 10 minutes, 5 tries, single use, limited per number and address."""

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import services
from accounts.contacts import parse_target
from accounts.models import OneTimeCode
from accounts.sms import BaseBackend

pytestmark = pytest.mark.django_db
ACT = OneTimeCode.Purpose.ACTIVATE
PHONE = "13800138000"


def send(target=PHONE, address="10.0.0.1", purpose=ACT):
    services.code_send(purpose=purpose, target=target, address=address)


def check(code, target=PHONE, address="10.0.0.1", purpose=ACT, **kw):
    return services.code_check(purpose=purpose, target=target, code=code, address=address, **kw)


def test_only_a_keyed_hash_is_stored(last_sms):
    send()
    code = last_sms(PHONE)
    row = OneTimeCode.objects.get()
    assert code not in row.code_hash and code not in row.salt
    assert len(row.code_hash) == 64
    assert row.expires_at - row.created_at == dt.timedelta(minutes=10)


def test_right_code_passes_once(last_sms):
    send()
    code = last_sms()
    assert check(code).used_at is not None
    with pytest.raises(ValidationError) as exc:
        check(code)
    assert exc.value.code == "code"


def test_code_for_another_purpose_or_number_fails(last_sms):
    send()
    code = last_sms()
    with pytest.raises(ValidationError):
        check(code, purpose=OneTimeCode.Purpose.RESET)
    with pytest.raises(ValidationError):
        check(code, target="13900139000")
    assert check(code)


def test_expired_code_fails(last_sms):
    send()
    code = last_sms()
    OneTimeCode.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(ValidationError):
        check(code)


def test_sixth_guess_refused_even_with_the_right_code(last_sms):
    send()
    code = last_sms()
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    for _ in range(5):
        with pytest.raises(ValidationError) as exc:
            check(wrong)
        assert exc.value.code == "code"
    with pytest.raises(ValidationError) as exc:
        check(code)
    assert exc.value.code == "dead"
    assert OneTimeCode.objects.get().used_at is None


def test_a_new_code_replaces_the_old_one(last_sms, settings):
    settings.ACCOUNTS_CODE_INTERVAL = 0  # no pause between the two
    send()
    first = last_sms()
    from django.core.cache import cache

    cache.clear()
    send()
    second = last_sms()
    if first != second:
        with pytest.raises(ValidationError):
            check(first)
    assert check(second)


def test_one_code_a_minute_and_five_an_hour_per_number(settings):
    send()
    with pytest.raises(ValidationError) as exc:
        send(address="10.0.0.2")  # another address does not help
    assert exc.value.code == "throttled"
    from django.core.cache import cache

    for _ in range(4):
        cache.delete(_wait_key(PHONE))
        send()
    cache.delete(_wait_key(PHONE))
    with pytest.raises(ValidationError) as exc:
        send()
    assert exc.value.code == "throttled"
    assert OneTimeCode.objects.count() == 5


def test_twenty_codes_an_hour_per_address():
    for i in range(20):
        send(target=f"1390000{i:04d}")
    with pytest.raises(ValidationError) as exc:
        send(target="13700000000")
    assert exc.value.code == "throttled"
    assert OneTimeCode.objects.count() == 20


def test_wrong_codes_per_address_are_limited(settings, last_sms):
    settings.ACCOUNTS_CHECKS_PER_ADDRESS_HOUR = 3
    send()
    code = last_sms()
    for _ in range(3):
        with pytest.raises(ValidationError):
            check("000000" if code != "000000" else "111111", target="13900000000")
    with pytest.raises(ValidationError) as exc:
        check(code)
    assert exc.value.code == "throttled"
    assert check(code, address="10.9.9.9")


def test_guessing_is_hopeless_within_the_limits():
    """An attacker on one number gets 5 codes an hour × 5 tries: 25 guesses in 1,000,000 an hour."""
    from django.conf import settings

    guesses_per_hour = settings.ACCOUNTS_CODES_PER_TARGET_HOUR * settings.ACCOUNTS_CODE_ATTEMPTS
    assert guesses_per_hour / 1_000_000 <= 0.0001
    # And the code is drawn from the whole space.
    codes = set()
    for i in range(40):
        services.code_send(purpose=ACT, target=f"1370000{i:04d}", address=f"10.1.{i}.1")
    from accounts.sms import file_messages

    for message in file_messages():
        codes.add(message["text"])
    assert len(codes) == 40


def test_garbage_codes_are_refused_without_using_a_try(last_sms):
    send()
    for garbage in ["", "12345", "1234567", "abcdef", "１２３４５６", "12 456", "x" * 10000]:
        with pytest.raises(ValidationError):
            check(garbage)
    assert OneTimeCode.objects.get().attempts == 0
    assert check(last_sms())


def test_failed_delivery_keeps_no_code(settings):
    settings.SMS_BACKEND = "accounts.sms.DisabledBackend"
    with pytest.raises(ValidationError) as exc:
        send()
    assert exc.value.code == "delivery"
    assert not OneTimeCode.objects.exists()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13800138000", "13800138000"),
        ("+86 138-0013-8000", "13800138000"),
        ("0086 13800138000", "13800138000"),
        (" Li@Example.COM ", "li@example.com"),
    ],
)
def test_targets_are_normalised(raw, expected):
    assert parse_target(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "12345", "23800138000", "1380013800a", "abc", "a@b", "\x00", "1" * 10000, "x@" + "y" * 300 + ".com"]
)
def test_bad_targets_are_refused(raw):
    with pytest.raises(ValidationError):
        parse_target(raw)


def _wait_key(target):
    return f"otc:wait:{services._digest(target)}"


def test_sms_backends_are_pluggable(settings, tmp_path):
    import io

    from accounts.sms import ConsoleBackend, sms_backend

    stream = io.StringIO()
    ConsoleBackend(stream=stream).send(PHONE, "code 123456")
    assert stream.getvalue() == f"[SMS to {PHONE}] code 123456\n"
    settings.SMS_BACKEND = "accounts.tests.test_codes.RecordingBackend"
    assert isinstance(sms_backend(), BaseBackend)
    RecordingBackend.sent.clear()
    send()
    assert [phone for phone, _text in RecordingBackend.sent] == [PHONE]
    with pytest.raises(NotImplementedError):
        BaseBackend().send(PHONE, "x")


def test_console_backend_prints_the_code(settings, capsys):
    settings.SMS_BACKEND = "accounts.sms.ConsoleBackend"
    send()
    out = capsys.readouterr().out
    assert f"[SMS to {PHONE}]" in out
    code = re.search(r"\b(\d{6})\b", out).group(1)
    assert check(code)


class RecordingBackend(BaseBackend):
    sent: list = []

    def send(self, phone, text):
        self.sent.append((phone, text))


def test_purge_deletes_old_codes_and_ended_sessions(client, django_user_model):
    import io

    from django.core.management import call_command

    from accounts.models import SessionRecord

    send()
    send(target="13900139000")
    OneTimeCode.objects.filter(target=PHONE).update(expires_at=timezone.now() - dt.timedelta(days=31))
    user = django_user_model.objects.create_user("u", password="x")
    client.force_login(user)
    SessionRecord.objects.create(user=user, session_key="gone-long-ago")
    out = io.StringIO()
    call_command("purge_accounts", "--dry-run", stdout=out)
    assert "Would delete 1 one-time codes and 1 ended session records." in out.getvalue()
    assert OneTimeCode.objects.count() == 2
    call_command("purge_accounts", stdout=io.StringIO())
    assert list(OneTimeCode.objects.values_list("target", flat=True)) == ["13900139000"]
    assert list(SessionRecord.objects.values_list("session_key", flat=True)) == [client.session.session_key]
