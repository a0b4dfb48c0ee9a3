"""ID numbers (居民身份证号码, GB 11643-1999): validation, masking, encryption and keyed lookup.

The clear number never reaches the database or a log: it is stored encrypted with Fernet
and found again through an HMAC-SHA256 of the normalised number. Both keys are derived from
`settings.WELFARE_DATA_KEY`, which comes from the environment.

Key rotation: `settings.WELFARE_DATA_KEYS` lists the secrets newest first. Numbers are
written under the first and read under any (MultiFernet); a lookup searches the keyed hash
of every listed secret (`lookup_hashes`), so files not yet moved by `manage.py rotate_keys`
are still found. Once every record is under the newest secret, drop the old ones.
"""

import base64
import datetime as dt
import functools
import hashlib
import hmac

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"


def check_char(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits."""
    return CHECK_CHARS[sum(int(c) * w for c, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalise(value: str) -> str:
    return (value or "").strip().replace(" ", "").upper()


def validate_id_number(value: str) -> str:
    """Return the normalised number or raise a ValidationError that says what is wrong."""
    number = normalise(value)
    if len(number) != 18:
        raise ValidationError(
            _("An ID number has 18 characters; this one has %(n)d.") % {"n": len(number)}, code="id_length"
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(_("An ID number is 17 digits followed by a digit or X."), code="id_chars")
    try:
        dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise ValidationError(_("The date of birth in this ID number does not exist."), code="id_birth") from None
    if check_char(number[:17]) != number[17]:
        raise ValidationError(
            _("The last character of this ID number does not match its checksum; please check for a typo."),
            code="id_checksum",
        )
    return number


def mask(number: str) -> str:
    """`110***********123X`: the first three and the last four characters only."""
    number = normalise(number)
    if len(number) < 8:
        return "*" * len(number)
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def mask_name(name: str) -> str:
    """Public-notice form of a name, as Chinese notices print it: the first and the last
    character, a star for each one between (张*明, 欧**国); a two-character name keeps its
    surname only (张*). Colleagues can still recognise a name to object to; nobody else can."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


@functools.cache
def _keys(secret: str) -> tuple[bytes, bytes]:
    root = hashlib.sha256(secret.encode()).digest()
    enc = hmac.new(root, b"welfare-fernet", hashlib.sha256).digest()
    mac = hmac.new(root, b"welfare-lookup", hashlib.sha256).digest()
    return base64.urlsafe_b64encode(enc), mac


def data_secrets() -> list[str]:
    """The data secrets, newest first. WELFARE_DATA_KEYS counts only while it starts with
    WELFARE_DATA_KEY (settings keeps them so); a WELFARE_DATA_KEY set on its own wins."""
    primary = settings.WELFARE_DATA_KEY
    listed = [k for k in getattr(settings, "WELFARE_DATA_KEYS", None) or [] if k]
    if not listed or listed[0] != primary:
        return [primary]
    return list(dict.fromkeys(listed))


def key_id(secret: str) -> str:
    """A short public name of a secret (for logs and checkpoints; reveals nothing usable)."""
    return hmac.new(hashlib.sha256(secret.encode()).digest(), b"welfare-key-id", hashlib.sha256).hexdigest()[:12]


@functools.cache
def _fernets(secrets_: tuple[str, ...]) -> tuple[MultiFernet, Fernet]:
    fernets = [Fernet(_keys(s)[0]) for s in secrets_]
    return MultiFernet(fernets), fernets[0]


def _fernet() -> MultiFernet:
    return _fernets(tuple(data_secrets()))[0]


def encrypt(number: str) -> str:
    return _fernet().encrypt(normalise(number).encode()).decode()


def decrypt(token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def is_current(token: str) -> bool:
    """Whether the token is already under the newest secret (a rotation skips it)."""
    try:
        _fernets(tuple(data_secrets()))[1].decrypt(token.encode())
    except InvalidToken:
        return False
    return True


def rotator():
    """For `manage.py rotate_keys`: a function from a stored token to (new token, new lookup hash)
    under the newest secret, or None when the token needs nothing (already under the newest
    secret) or cannot be moved (under no listed secret). The keys are resolved once, not per call."""
    secrets_ = data_secrets()
    newest = Fernet(_keys(secrets_[0])[0])
    previous = [s for s in secrets_[1:] if s != secrets_[0]]
    older = MultiFernet([Fernet(_keys(s)[0]) for s in previous]) if previous else None
    mac_key = _keys(secrets_[0])[1]

    def rotate(token: str) -> tuple[str, str] | None:
        # Only the older keys are tried: a token they do not read is under the newest key
        # already or under no listed key, and stays. (Trying the newest key first cost every
        # moved file a failed decryption: a fifth of the rotation's time.)
        if older is None:
            return None
        try:
            number = older.decrypt(token.encode())
        except InvalidToken:
            return None
        return newest.encrypt(number).decode(), hmac.new(mac_key, number, hashlib.sha256).hexdigest()

    return rotate


def keyed_hash(value: str, secret: str | None = None) -> str:
    """HMAC-SHA256 (hex) of a value under the lookup key of `secret` (default: the newest)."""
    return hmac.new(_keys(secret or data_secrets()[0])[1], value.encode(), hashlib.sha256).hexdigest()


def keyed_hashes(value: str) -> list[str]:
    """The value's keyed hash under every secret in use, newest first: what a lookup searches."""
    return [keyed_hash(value, s) for s in data_secrets()]


def lookup_hash(number: str) -> str:
    """The keyed hash under which a number is found again (hex, 64 characters; newest secret)."""
    return keyed_hash(normalise(number))


def lookup_hashes(number: str) -> list[str]:
    """Every keyed hash the number may be stored under while a rotation runs (filter with __in)."""
    return keyed_hashes(normalise(number))


def make_fictional(region: str, birth: dt.date, seq: int) -> str:
    """A well-formed ID number for demo and test data (region code, birth date, sequence)."""
    first17 = f"{region[:6]:0>6}{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + check_char(first17)
