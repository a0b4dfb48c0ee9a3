"""Pure rules for the contacts a code is sent to: a mainland mobile number or an email address."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from members.phones import normalise_phone

MOBILE = re.compile(r"1[3-9][0-9]{9}")
EMAIL_MAX = 150  # an email becomes the username, which holds 150 characters
INPUT_MAX = 254


def is_email(target: str) -> bool:
    return "@" in target


def parse_target(raw) -> str:
    """The normalised phone ('13800138000') or lower-case email in `raw`, else ValidationError."""
    text = str(raw or "").strip()
    if not text or len(text) > INPUT_MAX or "\x00" in text:
        raise ValidationError(_("Enter a mobile phone number or an email address."), code="target")
    if "@" in text:
        email = text.lower()
        try:
            validate_email(email)
        except ValidationError:
            raise ValidationError(_("Enter a valid email address."), code="target") from None
        if len(email) > EMAIL_MAX:
            raise ValidationError(_("This email address is too long."), code="target")
        return email
    phone = normalise_phone(text)
    if not MOBILE.fullmatch(phone) or re.search(r"[^0-9+\-\s()]", text):
        raise ValidationError(_("Enter an 11-digit mainland mobile number, e.g. 13800138000."), code="target")
    return phone


def mask_target(target: str) -> str:
    """'138****8000' or 'l***@example.com': shown back to the person on the page."""
    if is_email(target):
        local, _at, domain = target.partition("@")
        return f"{local[:1]}***@{domain}"
    return f"{target[:3]}****{target[-4:]}"
