"""Finding knowledge-base articles across languages through a bilingual glossary.

An agent answering an English-speaking master types "oily water" and needs the Chinese
article 含油污水15ppm排放条件 as much as the English one; a Chinese-speaking agent types
台风延误 and may need the English evidence pack. The glossary pairs the domain's terms
(assets/glossary.tsv, extended in config): a query is searched as typed and, when it holds
glossary terms, once more as their counterparts in the other language; the two rankings are
interleaved, the hit in the agent's language first at each step, so both languages reach
the top of the list.

Terms are matched longest first and never overlap: "typhoon delay" is 台风延误, not 台风 and
延误. Latin terms match whole words; Han terms match anywhere (Chinese has no spaces). The
translated query holds only the counterparts: a word with no entry would have to match in
the other language too, and rarely does.

This module does not translate sentences, pick a sense from context, or learn pairs.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from cs_console.kb.normalize import WORD_CLASS, fold, is_han

ALTERNATIVES = "|"
"""Separates several spellings of one side of a pair: `liferaft | life raft`."""
COUNTERPART_DEPTH = 10
"""Hits of each translated term looked at when finding a document's counterpart."""
TRANSLATED_SHARE = 1
"""Hits of the translated query taken after each hit of the query as typed."""


class GlossaryError(ValueError):
    """A glossary line or config entry that is not a pair of terms; the message names it."""


@dataclass(frozen=True)
class Term:
    spellings: tuple[str, ...]
    """Folded, the preferred one first."""
    counterpart: tuple[str, ...]
    """The other language's spellings, folded, the preferred one first."""


def _spellings(side: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(fold(s).strip() for s in side.split(ALTERNATIVES) if s.strip()))


class Glossary:
    """English-Chinese term pairs, looked up in queries."""

    def __init__(self, pairs: Iterable[tuple[str, str]]) -> None:
        self._terms: dict[str, Term] = {}
        for english, chinese in pairs:
            left, right = _spellings(english), _spellings(chinese)
            if not left or not right:
                raise GlossaryError(f"glossary pair {english!r} = {chinese!r}: both sides need a term")
            for ours, theirs in ((left, right), (right, left)):
                for spelling in ours:
                    self._terms[spelling] = Term(ours, theirs)  # a later pair overrides an earlier one
        # Longest first, Latin terms as whole words. A Latin and a Han term never match at one
        # place, so the Latin ones share one pair of word-boundary checks: the shipped glossary
        # compiles in 0.007 s instead of 0.73 s of CPU with a pair around each term, most of
        # the wait for the first result after `k` (bench_search's first_result_after_k_cpu_s).
        latin = sorted((re.escape(s) for s in self._terms if not is_han(s[0])), key=len, reverse=True)
        han = sorted((re.escape(s) for s in self._terms if is_han(s[0])), key=len, reverse=True)
        pieces = [rf"(?<!{WORD_CLASS})(?:{'|'.join(latin)})(?!{WORD_CLASS})"] if latin else []
        pieces += han
        self._pattern = re.compile("|".join(pieces)) if pieces else None

    def __len__(self) -> int:
        return len(self._terms)

    @classmethod
    def from_text(cls, text: str, extra: Mapping[str, str] | None = None) -> Glossary:
        """Pairs from tab-separated lines (English, Chinese; `#` starts a comment line), then
        `extra` (English to Chinese, from config), which overrides a term already there.

        Raises:
            GlossaryError: a line is not two tab-separated terms (the line number says which).
        """
        pairs = []
        for number, line in enumerate(text.splitlines(), 1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            sides = line.split("\t")
            if len(sides) != 2:
                raise GlossaryError(f"glossary line {number}: expected English<TAB>Chinese, got {line!r}")
            pairs.append((sides[0], sides[1]))
        return cls([*pairs, *(extra or {}).items()])

    def terms_in(self, text: str) -> list[Term]:
        """The glossary terms in `text`, in order, longest first where they overlap."""
        if self._pattern is None:
            return []
        return [self._terms[m.group()] for m in self._pattern.finditer(fold(text))]

    def translations(self, query: str) -> list[str]:
        """The query's glossary terms in the other language, as queries: the preferred
        spellings, then (if any term has another) the second ones. Empty when the query
        holds no term."""
        found = self.terms_in(query)
        if not found:
            return []
        first = " ".join(term.counterpart[0] for term in found)
        second = " ".join(term.counterpart[min(1, len(term.counterpart) - 1)] for term in found)
        return list(dict.fromkeys((first, second)))


def interleave(typed: list, translated: Iterable[list], lang_of: Callable[[str], str | None], lang: str | None,
               limit: int) -> list:
    """The hits of the query as typed and of its translations merged: one of each in turn
    (`TRANSLATED_SHARE`), the agent's language first within each turn, no hit twice."""
    others = [hit for hits in translated for hit in hits]
    merged: list = []
    seen: set[str] = set()
    step = 0
    while len(merged) < limit and (step < len(typed) or step * TRANSLATED_SHARE < len(others)):
        turn = typed[step:step + 1] + others[step * TRANSLATED_SHARE:(step + 1) * TRANSLATED_SHARE]
        turn.sort(key=lambda hit: lang is not None and lang_of(hit.id) != lang)
        for hit in turn:
            if hit.id not in seen:
                seen.add(hit.id)
                merged.append(hit)
        step += 1
    return merged[:limit]


def search_across(search: Callable[[str, int], list], glossary: Glossary, query: str, limit: int,
                  lang_of: Callable[[str], str | None], lang: str | None) -> list:
    """`search(query, limit)` (a knowledge-base search), widened across languages by `glossary`."""
    typed = search(query, limit)
    variants = glossary.translations(query)
    if not variants:
        return typed
    return interleave(typed, [search(variant, limit) for variant in variants], lang_of, lang, limit)


def counterpart(search: Callable[[str, int], list], glossary: Glossary, doc_id: str,
                title_of: Callable[[str], str], lang_of: Callable[[str], str | None]) -> str | None:
    """The id of the document in the other language that covers what `doc_id` covers, or
    None: each must be the other's best match (`_best_match`), so a title that shares only
    a common word or two with another ("port", "record") links to nothing."""
    found = _best_match(search, glossary, title_of(doc_id), lang_of, lang_of(doc_id))
    if found is None or _best_match(search, glossary, title_of(found), lang_of, lang_of(found)) != doc_id:
        return None
    return found


def _best_match(search: Callable[[str, int], list], glossary: Glossary, title: str,
                lang_of: Callable[[str], str | None], lang: str | None) -> str | None:
    """The document in another language than `lang` that most of the title's glossary terms,
    translated, find among their first `COUNTERPART_DEPTH` hits, at least two of them (or
    the only one); None when none does."""
    wanted = list(dict.fromkeys(term.counterpart[0] for term in glossary.terms_in(title)))
    votes: Counter[str] = Counter()
    first: dict[str, int] = {}
    for term in wanted:
        for rank, hit in enumerate(search(term, COUNTERPART_DEPTH)):
            if lang_of(hit.id) not in (None, lang):
                votes[hit.id] += 1
                first.setdefault(hit.id, rank)
    best = max(votes, key=lambda found: (votes[found], -first[found]), default=None)
    return best if best is not None and votes[best] >= min(2, len(wanted)) else None
