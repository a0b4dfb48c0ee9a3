"""Email codes through Django's SMTP backend to a real SMTP server (aiosmtpd) on a free port."""

import email
import email.policy
import re
import socket

import pytest
from aiosmtpd.controller import Controller
from django.core.exceptions import ValidationError
from django.utils import translation

from accounts import services
from accounts.models import OneTimeCode

pytestmark = pytest.mark.django_db


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
        self.messages.append(
            (envelope.rcpt_tos, email.message_from_bytes(envelope.content, policy=email.policy.default))
        )
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp(settings):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = controller.hostname, controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.DEFAULT_FROM_EMAIL = "UnionPortal <noreply@unionportal.test>"
    yield inbox
    controller.stop()


def test_code_arrives_by_smtp_in_chinese(smtp):
    with translation.override("zh-hans"):
        services.code_send(purpose=OneTimeCode.Purpose.RESET, target="li.lei@example.com", address="10.0.0.1")
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert recipients == ["li.lei@example.com"]
    assert message["Subject"] == "您的工会服务平台验证码"
    body = message.get_content()
    assert "10分钟" in body and "重置密码" in body
    code = re.search(r"\b(\d{6})\b", body).group(1)
    assert services.code_check(
        purpose=OneTimeCode.Purpose.RESET, target="li.lei@example.com", code=code, address="10.0.0.1"
    )


def test_smtp_down_is_a_clear_error_and_keeps_no_code(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_TIMEOUT = "127.0.0.1", free_port(), 2
    with pytest.raises(ValidationError) as exc:
        services.code_send(purpose=OneTimeCode.Purpose.SIGNUP, target="li.lei@example.com", address="10.0.0.1")
    assert exc.value.code == "delivery"
    assert not OneTimeCode.objects.exists()
