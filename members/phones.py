"""Pure rules for the roster's personal data: phone numbers normalised and masked."""

import re

_NOT_DIGITS = re.compile(r"\D")


def normalise_phone(raw: str | None) -> str:
    """Digits only, without the country code: '+86 138-0013-8000' → '13800138000'."""
    text = str(raw or "").strip()
    digits = _NOT_DIGITS.sub("", text)
    if text.startswith("+86") or (text.startswith("0086") and len(digits) > 11):
        digits = digits[2:] if text.startswith("+86") else digits[4:]
    elif len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    return digits


def mask_phone(phone: str | None) -> str:
    """'13812345678' → '138****5678'; short numbers keep only their last two digits."""
    phone = str(phone or "")
    if not phone:
        return ""
    if len(phone) >= 7:
        return f"{phone[:3]}****{phone[-4:]}"
    return "*" * max(len(phone) - 2, 0) + phone[-2:]
