"""The n-gram index behind the finder's text search (`q`).

A substring test (`LIKE '%term%'`) cannot use a B-tree index, and trigram indexes find
nothing for the one- and two-character terms that Chinese searches mostly are. So every
station keeps the set of its character pairs ("bigrams") as integer codes in StationGram:

- the bigram ab is coded ord(a) * SPAN + ord(b);
- the last character c of each word is also kept as (c, end) = ord(c) * SPAN, so that every
  character of the text starts at least one kept code, and a one-character term c is the
  index range [ord(c) * SPAN, ord(c) * SPAN + SPAN - 1].

A term then needs at most one index range per pair (or per single character) it holds; the
search reads the postings of the rarest of them and checks the real substring on those rows
only. Words are the pieces between spaces and "|" (search_text joins its parts with " | ").
"""

import re

SPAN = 0x110000  # one past the largest code point
_WORD_SPLIT = re.compile(r"[\s|]+")


def words(text: str) -> list[str]:
    """The pieces of a text between spaces (any, including the ideographic space) and "|"."""
    return [w for w in _WORD_SPLIT.split(text) if w]


def _words(text: str) -> list[str]:
    return [w for w in _WORD_SPLIT.split(text) if w]


def text_codes(*texts: str) -> set[int]:
    """Every code a station's texts hold (bigrams and word ends)."""
    codes = set()
    for text in texts:
        for word in _words(text):
            points = [ord(c) for c in word]
            codes.update(a * SPAN + b for a, b in zip(points, points[1:], strict=False))
            codes.add(points[-1] * SPAN)
    return codes


def term_ranges(term: str) -> list[tuple[int, int]]:
    """The code ranges a station must hold to contain `term` (one per pair, or per lone
    character of a one-character word); empty when the term has no word."""
    ranges = set()
    for word in _words(term):
        points = [ord(c) for c in word]
        if len(points) == 1:
            ranges.add((points[0] * SPAN, points[0] * SPAN + SPAN - 1))
        else:
            ranges.update((a * SPAN + b, a * SPAN + b) for a, b in zip(points, points[1:], strict=False))
    return sorted(ranges)
