"""SMS delivery, pluggable: settings.SMS_BACKEND names a class with `send(phone, text)`.

Backends shipped here:

- `accounts.sms.ConsoleBackend`: prints each message to standard output (development:
  `make run` shows the codes in its terminal);
- `accounts.sms.FileBackend`: writes each message to a file in settings.SMS_FILE_PATH (tests
  read codes from there);
- `accounts.sms.DisabledBackend`: refuses to send (the default with DEBUG off, so that codes
  never end up in a server log by mistake).

A real provider (Aliyun SMS, Tencent Cloud SMS, an operator's gateway...) is a subclass of
`BaseBackend` in the deployment's own module, named in the SMS_BACKEND environment variable:

    class ProviderBackend(BaseBackend):
        def send(self, phone: str, text: str) -> None:
            response = provider_client.send(phone_numbers=phone, content=text)
            if not response.ok:
                raise SmsError(response.message)

`phone` is a normalised mainland mobile number ("13800138000"); `text` is the whole message
in the reader's language. `send` raises `SmsError` (or any exception) when the message was not
accepted: the user is then told to try again later, and the code is not kept.
"""

import json
import sys
import uuid
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string


class SmsError(Exception):
    """The message was not accepted by the backend."""


class BaseBackend:
    """The interface of an SMS backend."""

    def send(self, phone: str, text: str) -> None:
        raise NotImplementedError


class ConsoleBackend(BaseBackend):
    def __init__(self, stream=None):
        self.stream = stream

    def send(self, phone: str, text: str) -> None:
        stream = self.stream or sys.stdout
        stream.write(f"[SMS to {phone}] {text}\n")
        stream.flush()


class FileBackend(BaseBackend):
    """One JSON file per message: {"phone", "text", "sent_at"}, named so that they sort by time."""

    def send(self, phone: str, text: str) -> None:
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        now = timezone.now()
        name = f"{now:%Y%m%d-%H%M%S-%f}-{uuid.uuid4().hex[:8]}.json"
        payload = {"phone": phone, "text": text, "sent_at": now.isoformat()}
        (folder / name).write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")


class DisabledBackend(BaseBackend):
    def send(self, phone: str, text: str) -> None:
        raise SmsError("No SMS backend is configured (set SMS_BACKEND).")


def sms_backend() -> BaseBackend:
    """An instance of the configured backend."""
    return import_string(settings.SMS_BACKEND)()


def file_messages(folder: Path | str | None = None) -> list[dict]:
    """The messages the file backend wrote, oldest first (for tests and development)."""
    folder = Path(folder or settings.SMS_FILE_PATH)
    if not folder.is_dir():
        return []
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.json"))]
