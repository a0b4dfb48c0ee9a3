"""Text helpers for search: pinyin of Chinese names, so `lxz` finds 良乡镇."""

from pypinyin import Style, lazy_pinyin


def pinyin_initials(*texts: str) -> str:
    """First letters of the pinyin of each Chinese character, one word per text: 良乡镇 -> lxz.

    Other runs (digits, Latin) come back whole, lower-cased.
    """
    return " ".join(
        "".join(lazy_pinyin(text, style=Style.FIRST_LETTER)).replace(" ", "").lower() for text in texts if text
    )


def pinyin_full(text: str) -> str:
    """The toneless pinyin of a text, run together: 齐贺 -> qihe."""
    return "".join(lazy_pinyin(text or "")).lower()
