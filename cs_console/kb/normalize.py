"""Folding text so that what an agent types meets what an author wrote.

Queries and documents are folded the same way: Unicode NFKC (which also turns full-width
letters and digits into their half-width forms) and then case folding; wide punctuation
becomes a space. A folded text splits into terms: runs of Han characters, and runs of
letters and digits of any other script ("Latin" words here). Everything else separates
terms.

This module does not stem, segment Chinese into words, or drop stop words: the index matches
characters and word prefixes, which needs none of that.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

HAN_RANGES = (
    "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
    "\U00020000-\U0002ebef\U00030000-\U0003134f"
)
"""CJK unified ideographs, extension A, compatibility ideographs and the supplementary planes."""

WORD_CLASS = rf"[^\W_{HAN_RANGES}]"
"""One letter or digit of a Latin (non-Han) word."""

HAN = re.compile(rf"[{HAN_RANGES}]")
WORDS = re.compile(rf"{WORD_CLASS}+")
TERMS = re.compile(rf"[{HAN_RANGES}]+|{WORD_CLASS}+")


_WIDE_PUNCTUATION = re.compile("[\u3000\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65]")
"""Full-width and half-width-form punctuation and the ideographic space, which Chinese text
is full of."""


def fold(text: str) -> str:
    """NFKC, then case folding: the one form both sides are compared in. Wide punctuation
    becomes a plain space rather than its ASCII twin: it separates terms either way, and a
    regular-expression substitution is several times cheaper than NFKC over Chinese text."""
    if not text.isascii() and not unicodedata.is_normalized("NFKC", text):
        text = _WIDE_PUNCTUATION.sub(" ", text)
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
    return text.casefold()


def terms(folded: str) -> list[str]:
    """The distinct terms of a folded query, in the order typed; `台风delay` is two terms."""
    return list(dict.fromkeys(TERMS.findall(folded)))


def is_han(term: str) -> bool:
    return HAN.match(term) is not None


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    return fold(char)


def fold_with_origins(text: str) -> tuple[str, list[int]]:
    """`text` folded one character at a time, and for each folded character the index of the
    original character it came from, so that a match in folded text maps back to the
    original (`ß` folds to `ss`; `ﬁ` to `fi`; both letters point at the one original)."""
    if text.isascii():
        return text.lower(), list(range(len(text)))
    pieces: list[str] = []
    origins: list[int] = []
    for index, char in enumerate(text):
        folded = _fold_char(char)
        pieces.append(folded)
        origins.extend([index] * len(folded))
    return "".join(pieces), origins
