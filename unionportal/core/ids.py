"""The one parser for ids and small counts typed by users or put in URLs.

`str.isdigit()` is true for "²" and "٣", which `int()` then refuses or reads as another
number; ids also have to fit the database's 64-bit keys. Every id taken from a query string,
a form field or an admin URL goes through `parse_id`.
"""

import re

_ASCII_DIGITS = re.compile(r"[0-9]{1,19}")
MAX_ID = 2**63 - 1


def parse_id(value, *, maximum: int = MAX_ID) -> int | None:
    """A positive integer id from `value` (ASCII digits only, at most `maximum`), else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value if value is not None else "").strip()
        if not _ASCII_DIGITS.fullmatch(text):
            return None
        number = int(text)
    return number if 1 <= number <= maximum else None


def parse_count(value, *, maximum: int) -> int | None:
    """A whole number 0..maximum (quantities, limits) from ASCII digits, else None."""
    text = str(value if value is not None else "").strip()
    if not _ASCII_DIGITS.fullmatch(text):
        return None
    number = int(text)
    return number if number <= maximum else None
