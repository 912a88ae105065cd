"""Matching typed Latin letters against the pinyin of Han text, and against word initials.

A folded text is encoded once, at index time, as a sequence of tokens: each Han character
becomes its readings (at most `MAX_READINGS`, from pypinyin's heteronyms, toneless, `ü` as
`v`), each Latin word stays itself. Typed letters match a run of consecutive tokens when they
spell, token by token, a non-empty prefix of one reading of each: `taifeng`, `tfyw`, `taif`
and `tfengyw` all match 台风延误, and `tdc` matches "typhoon delay compensation". The last
token may be cut anywhere, so extending a query can only narrow its matches.

The encoding is text, so one compiled regular expression tells whether a document matches;
the index finds the candidates to ask about from its token pairs.

Initials are the first letter of each reading, which is what pypinyin's Style.FIRST_LETTER
gives; readings are looked up once per distinct character and cached.

This module does not choose a reading from context (no phrase dictionary), does not accept
tones, and does not correct misspelt pinyin.
"""

from __future__ import annotations

import os
import re
from functools import lru_cache

os.environ.setdefault("PYPINYIN_NO_PHRASES", "1")
"""Characters are converted one at a time, so pypinyin's phrase dictionary (some 45 MB
resident) would never be consulted; a process that wants it sets the variable to "" first."""

from pypinyin import Style, pinyin  # noqa: E402  (after the switch above)

from cs_console.kb.normalize import HAN, HAN_RANGES, WORD_CLASS

MAX_READINGS = 2
"""Readings kept per polyphonic character: 重 is zhong and chong, 行 is xing and hang."""

TOKEN = "\x02"
"""Separates tokens in a code; several may stand together."""
READING = "\x01"
"""Separates the readings of one Han character in a code."""

TOKENS = re.compile(rf"[{HAN_RANGES}]|{WORD_CLASS}+")
"""A token: one Han character, or one Latin word."""


@lru_cache(maxsize=None)
def readings(char: str) -> tuple[str, ...]:
    """The toneless readings of one Han character, most common first, at most MAX_READINGS."""
    found = pinyin(char, style=Style.NORMAL, heteronym=True, errors="ignore")
    distinct = dict.fromkeys(r for r in (found[0] if found else ()) if r.isascii() and r.isalpha())
    return tuple(distinct)[:MAX_READINGS]


def spellings(token: str) -> tuple[str, ...]:
    """What a token can be typed as: a Han character's readings, or a Latin word itself."""
    return readings(token) if HAN.match(token) else (token,)


class _CodeTable(dict):
    """str.translate table from characters to code pieces, filled on first sight of each,
    with each Han character's first `kept` readings (None: all)."""

    def __init__(self, kept: int | None) -> None:
        super().__init__()
        self._kept = kept

    def __missing__(self, codepoint: int) -> str:
        char = chr(codepoint)
        if HAN.match(char):
            piece = TOKEN + READING.join(readings(char)[: self._kept] or (char,)) + TOKEN
        elif re.match(WORD_CLASS, char):
            piece = char
        else:
            piece = TOKEN
        self[codepoint] = piece
        return piece


_TABLE = _CodeTable(None)
_FIRST_TABLE = _CodeTable(1)


def encode(folded: str) -> str:
    """The code of a folded text: its tokens, TOKEN between them, a Han character's readings
    separated by READING. One str.translate, so encoding a whole corpus is cheap."""
    return folded.translate(_TABLE)


def encode_first(folded: str) -> str:
    """The code of a folded text with each Han character's first (most common) reading only."""
    return folded.translate(_FIRST_TABLE)


_START = f"(?<![^{READING}{TOKEN}])"
"""At the start of a reading."""

_JUMP = f"(?:[^{TOKEN}]*{TOKEN}+(?:[^{READING}{TOKEN}]*{READING})*?)?"
"""Optionally leave the current token for the start of one reading of the next one."""


@lru_cache(maxsize=512)
def pattern(term: str) -> re.Pattern[str]:
    """Matches a code that `term` (folded letters and digits) spells, as described above."""
    letters = [re.escape(c) for c in term]
    return re.compile(_START + letters[0] + "".join(_JUMP + c for c in letters[1:]))


def spans(term: str, folded: str) -> list[tuple[int, int]]:
    """Where in `folded` the leftmost match of `term` lies: whole Han characters, and the
    typed prefix of each Latin word; empty when it does not match."""
    tokens = [(m.start(), m.group(), spellings(m.group())) for m in TOKENS.finditer(folded)]
    for first in range(len(tokens)):
        used = _spell(term, tokens, first)
        if used:
            return [
                (start, start + (1 if HAN.match(text) else count))
                for (start, text, _), count in zip(tokens[first:], used)
            ]
    return []


def _spell(term: str, tokens: list, index: int) -> list[int] | None:
    """How many letters of `term` each token from `index` on supplies, or None."""
    if index == len(tokens):
        return None
    for reading in tokens[index][2]:
        common = 0
        while common < min(len(reading), len(term)) and reading[common] == term[common]:
            common += 1
        for count in range(common, 0, -1):
            if count == len(term):
                return [count]
            rest = _spell(term[count:], tokens, index + 1)
            if rest:
                return [count, *rest]
    return None
