"""What the composer points out in a reply before it goes out: red lines and compliance rules.

Red lines are the service standard's forbidden phrases — evasive or dismissive answers
such as "不归我管" or "that's not my job". Compliance prompts come from knowledge-base
articles that carry trigger words: a reply that mentions 含油污水 or "ballast" brings up
the article's rule so the agent checks it before promising anything.

Both match the same way: after NFKC normalisation (full-width letters, compatibility
forms) and case folding, comparing letters and digits only, so spaces, line breaks and
punctuation inside a phrase do not hide it ("that’s  not my job", "不归、我管"). A phrase
that starts or ends with a Latin letter or digit matches whole words only: "ballast" does
not fire on "ballasted" or "ballasts" (list inflections as triggers of their own), because
prompts that fire on the wrong words teach agents to ignore them. Chinese has no word
boundaries, so Chinese phrases match anywhere.

This module only finds; it refuses to block, rewrite or send anything — the agent decides.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the tables' rows, read by attribute only
    from cs_console.storage.models import KbArticle


DEFAULT_RED_LINES: tuple[str, ...] = (
    "不归我管",
    "不是我负责的",
    "这不是我的问题",
    "我也没办法",
    "没办法",
    "不知道",
    "你自己看着办",
    "爱找谁找谁",
    "你应该早点",
    "我们不负责",
    "that's not my job",
    "not my problem",
    "not my department",
    "nothing I can do",
    "nothing we can do",
    "I don't know",
    "calm down",
    "you should have",
    "deal with it",
    "it's your fault",
    "read the manual",
)
"""The service standard's forbidden phrases in both languages; `[composer]` in the config
replaces (`red_lines`) or extends (`extra_red_lines`) them."""

RULE_MAX_CHARS = 160
"""A compliance rule longer than this is cut to its first sentence, then clipped."""

_SENTENCE_END = re.compile(r"[。！？]|[.!?](?=\s|$)")
"""Chinese sentence ends anywhere; Latin ones only before a space, so "3.5 m" stays whole."""
_HEADING = re.compile(r"^\s{0,3}#{1,6}(?:\s|$)")
_LIST_MARK = re.compile(r"^\s*(?:[-*+>]|\d+[.)])\s+")
_EMPHASIS = re.compile(r"(\*\*|__|\*|`)(?=\S)(.+?)(?<=\S)\1")
_LINK = re.compile(r"\[([^\]]+)\]\([^)]*\)")


@dataclass(frozen=True)
class RedLineHit:
    """One red-line phrase found in the text; `start:end` slices the original text."""

    phrase: str
    start: int
    end: int


@dataclass(frozen=True)
class CompliancePrompt:
    """An article whose rule applies to the text, and the trigger that brought it up."""

    article_id: str
    title: str
    rule: str
    trigger: str


@dataclass(frozen=True)
class _Folded:
    """A text's letters and digits after NFKC and case folding, each with its source index."""

    chars: str
    origin: tuple[int, ...]


def _fold_char(char: str) -> str:
    return unicodedata.normalize("NFKC", char).casefold()


def _is_latin_word(char: str) -> bool:
    """A letter or digit of a script that separates words with spaces (not CJK)."""
    return char.isalnum() and not unicodedata.name(char, "").startswith(("CJK", "HIRAGANA", "KATAKANA", "HANGUL"))


def _joins_word(char: str) -> bool:
    """True when `char` beside a Latin phrase would make it part of a longer word.

    CJK characters do not: "检查ballast水" mentions ballast.
    """
    return any(_is_latin_word(c) for c in _fold_char(char))


def _fold(text: str) -> _Folded:
    chars: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        for folded in _fold_char(char):
            if folded.isalnum():
                chars.append(folded)
                origin.append(index)
    return _Folded("".join(chars), tuple(origin))


@lru_cache(maxsize=1024)
def folded_phrase(phrase: str) -> str:
    return _fold(phrase).chars


def _find(text: str, folded: _Folded, phrase: str) -> list[tuple[int, int]]:
    """Spans of `text` where `phrase` occurs, by the rules in the module docstring."""
    needle = folded_phrase(phrase)
    if not needle:
        return []
    whole_start, whole_end = _is_latin_word(needle[0]), _is_latin_word(needle[-1])
    spans = []
    at = folded.chars.find(needle)
    while at >= 0:
        start = folded.origin[at]
        end = folded.origin[at + len(needle) - 1] + 1
        if not (whole_start and start > 0 and _joins_word(text[start - 1])) and not (
            whole_end and end < len(text) and _joins_word(text[end])
        ):
            spans.append((start, end))
        at = folded.chars.find(needle, at + 1)
    return spans


def find_red_lines(text: str, phrases: Iterable[str] = DEFAULT_RED_LINES) -> list[RedLineHit]:
    """Every red-line phrase in `text`, in text order.

    Where one hit lies inside another ("没办法" inside "我也没办法"), only the longer
    one is reported, so the composer marks each stretch of text once.
    """
    folded = _fold(text)
    hits = sorted(
        (RedLineHit(phrase, start, end) for phrase in phrases for start, end in _find(text, folded, phrase)),
        key=lambda hit: (hit.start, -hit.end),
    )
    kept: list[RedLineHit] = []
    for hit in hits:
        if not kept or hit.end > kept[-1].end:
            kept.append(hit)
    return kept


def compliance_prompts(text: str, articles: Iterable[KbArticle]) -> list[CompliancePrompt]:
    """The articles whose trigger words occur in `text`, in the order they first occur.

    Each article is prompted once, with the trigger found earliest. An article whose
    trigger list is not valid JSON (a damaged sync) prompts nothing rather than failing.
    """
    folded = _fold(text)
    found: list[tuple[int, CompliancePrompt]] = []
    for article in articles:
        first: tuple[int, str] | None = None
        for trigger in _triggers(article):
            for start, _end in _find(text, folded, trigger)[:1]:
                if first is None or start < first[0]:
                    first = (start, trigger)
        if first is not None:
            found.append((first[0], CompliancePrompt(article.id, article.title, article_rule(article), first[1])))
    return [prompt for _start, prompt in sorted(found, key=lambda item: item[0])]


def _triggers(article: KbArticle) -> list[str]:
    try:
        triggers = json.loads(article.compliance_triggers or "[]")
    except json.JSONDecodeError:
        return []
    if not isinstance(triggers, list):
        return []
    return [trigger for trigger in triggers if isinstance(trigger, str)]


def article_rule(article: KbArticle) -> str:
    """The article's rule in brief, as plain text: its first paragraph, or first sentence if
    that is long; Markdown emphasis, code marks and links are read as their words."""
    text = "\n".join(line for line in article.body.splitlines() if not _HEADING.match(line))
    paragraph = next((p for p in re.split(r"\n\s*\n", text) if p.strip()), "")
    rule = " ".join(" ".join(_LIST_MARK.sub("", line) for line in paragraph.splitlines()).split())
    rule = _EMPHASIS.sub(r"\2", _LINK.sub(r"\1", rule))
    if not rule:
        return article.title
    if len(rule) > RULE_MAX_CHARS:
        end = _SENTENCE_END.search(rule)
        rule = rule[: end.end()] if end else rule
    if len(rule) > RULE_MAX_CHARS:
        rule = rule[: RULE_MAX_CHARS - 1].rstrip() + "…"
    return rule
