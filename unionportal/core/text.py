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


def bars(rows) -> list[tuple]:
    """(label, count, length in % of the largest count) of each (label, count) row: the bars a
    page draws itself. A count above zero gets at least 1% (it shows); zero gets none."""
    top = max((n for _label, n in rows), default=0) or 1
    return [(label, n, max(1, round(100 * n / top)) if n else 0) for label, n in rows]
