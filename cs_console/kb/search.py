"""The knowledge-base search index behind the agent's search box and template picker.

An agent types a few letters or characters and expects, on every keystroke, the articles and
templates they mean: by Chinese characters, full pinyin, pinyin initials, English words, word
initials, or an English word typed with a slip. This module answers that from memory.

How a query is answered:

* The query is folded (NFKC, case folding, full-width to half-width) and split into terms:
  runs of Han characters and runs of letters and digits. Every term must match (AND), in
  any field.
* Each term is looked up through a fixed list of *sources*, one per way of matching in one
  field, each with a level: exact or prefix title (100), word start in the title (90) and
  in the tags (85), substring of a title word (80) and of a tag word (75), pinyin or word
  initials in the title (70) and tags (65), subsequence of a title word (60), word start
  in the body (55), substring of a body word (50), and typo corrections in the title (45),
  tags (40) and body (35). A Han term matches anywhere in a field as a "word", since
  Chinese has no spaces to start words at.
* A document's level is the lowest, over the query's terms, of each term's best level.
  Levels are visited from the top and stop as soon as enough documents have been found, so
  a short query never pays for substring, body or typo look-ups it cannot show.
* Within a level, at most `SHORTLIST` documents (fewest-used-last: slots are numbered by
  uses) are ranked by rapidfuzz closeness of query and title, in steps of a tenth; the
  agent's language and then usage counts only break ties within a step. Scores never
  cross levels.

Candidates come from an inverted index of Latin words per field (prefix, substring,
subsequence and typo matches all go through the word list, never the documents), from a
binary search over the sorted titles, and from C-speed regular-expression scans over the
concatenated folded texts (Han terms) or pinyin codes (`cs_console.kb.pinyin`). Each
(term, source) result is cached; when the next keystroke extends a term and the cached set
is small, the new set is found by checking only those documents, which is the same set a
fresh look-up gives.

An empty query (or one with no letters, digits or Han characters) returns the most-used
documents, most-used first, or nothing when no document has been used.

This module does not rank by term frequency, read synonyms, stem English or segment
Chinese into words; it keeps no history beyond its cache and persists nothing.
"""

from __future__ import annotations

import heapq
import re
from bisect import bisect_left, insort
from collections import OrderedDict, defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import islice, repeat

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from cs_console.kb import pinyin
from cs_console.kb.normalize import HAN, WORD_CLASS, WORDS, fold, fold_with_origins, is_han, terms

SHORTLIST = 1000
"""Most documents of one level that are ranked by closeness; the rest wait behind them."""

NARROW_LIMIT = 4000
"""Largest cached set that a longer term checks document by document rather than looking up."""

CACHE_ITEMS = 400_000
"""Total document numbers the (term, source) cache may hold."""

TYPO_MIN = 4
SUBSTRING_MIN = 2
SUBSEQUENCE_MIN = 3


@dataclass(frozen=True)
class Hit:
    id: str
    kind: str
    score: float
    title: str
    title_spans: tuple[tuple[int, int], ...]
    """(start, end) character spans of the original title that matched, for highlighting."""


@dataclass(frozen=True)
class _Source:
    level: int
    field: str
    way: str


TITLE_PREFIX = _Source(100, "title", "prefix")
_HAN_SOURCES = (TITLE_PREFIX, _Source(90, "title", "word"), _Source(85, "tags", "word"),
                _Source(55, "body", "word"))
_LATIN_SOURCES = (
    TITLE_PREFIX,
    _Source(90, "title", "word"),
    _Source(85, "tags", "word"),
    _Source(80, "title", "substring"),
    _Source(75, "tags", "substring"),
    _Source(70, "title", "pinyin"),
    _Source(65, "tags", "pinyin"),
    _Source(60, "title", "subsequence"),
    _Source(55, "body", "word"),
    _Source(50, "body", "substring"),
    _Source(45, "title", "typo"),
    _Source(40, "tags", "typo"),
    _Source(35, "body", "typo"),
)
_WORD_SOURCES = {"title": _Source(90, "title", "word"), "tags": _Source(85, "tags", "word")}
_MIN_LENGTH = {"substring": SUBSTRING_MIN, "subsequence": SUBSEQUENCE_MIN, "typo": TYPO_MIN}
_PINYIN_LEVELS = {70, 65}


def _sources(term: str) -> tuple[_Source, ...]:
    if is_han(term):
        return _HAN_SOURCES
    return tuple(s for s in _LATIN_SOURCES if len(term) >= _MIN_LENGTH.get(s.way, 1))


@lru_cache(maxsize=512)
def _word_start(term: str) -> re.Pattern[str]:
    return re.compile(f"(?<!{WORD_CLASS}){re.escape(term)}")


@lru_cache(maxsize=512)
def _subsequence(term: str) -> re.Pattern[str]:
    """The letters of `term` in order inside one word, each captured for highlighting."""
    return re.compile(f"{WORD_CLASS}*?".join(f"({re.escape(c)})" for c in term))


@lru_cache(maxsize=512)
def _han_scan(term: str) -> re.Pattern[str]:
    return re.compile(re.escape(term) + f"[^{_END}]*{_END}(\\d+)")


_ASCII_WORDS = re.compile("[a-z0-9]+")
_LAST = "\U0010ffff"
_PAIR = "\x02"
"""Joins two consecutive tokens into a pair key."""
_END = "\x00"
"""Ends one document's text in a scanned concatenation; folded texts never contain it."""


class _Vocabulary:
    """The tokens of one field (Latin words, and Han characters where the field keeps them),
    each with the slots it occurs in, and look-ups over the token list rather than the texts."""

    def __init__(self) -> None:
        self.postings: defaultdict[str, list[int]] = defaultdict(list)
        self._sorted: list[str] = []
        self._joined: str | None = None

    def learn(self, tokens: list[str]) -> None:
        """Take note of tokens that were new to `postings`."""
        if tokens:
            self._sorted.extend(tokens)
            self._sorted.sort()
            self._joined = None

    def with_prefix(self, prefix: str) -> list[str]:
        words = self._sorted
        return words[bisect_left(words, prefix) : bisect_left(words, prefix + _LAST)]

    def containing(self, part: str) -> list[str]:
        joined, found = self._joined_words(), []
        at = joined.find(part)
        while at >= 0:
            start = joined.rfind("\n", 0, at) + 1
            end = joined.find("\n", at)
            found.append(joined[start:end])
            at = joined.find(part, end)
        return found

    def with_subsequence(self, term: str) -> list[str]:
        joined, found = self._joined_words(), []
        for match in _subsequence(term).finditer(joined):
            start = joined.rfind("\n", 0, match.start()) + 1
            found.append(joined[start : joined.find("\n", match.end())])
        return list(dict.fromkeys(found))

    def slots(self, tokens: Iterable[str]) -> set[int]:
        get = self.postings.get
        return set().union(*filter(None, map(get, tokens)))

    def _joined_words(self) -> str:
        if self._joined is None:
            self._joined = "\n" + "\n".join(self._sorted) + "\n"
        return self._joined


def _new_keys(mapping: dict, before: int) -> list[str]:
    return list(islice(mapping, before, None))


class _TokenField(_Vocabulary):
    """Title or tags: Latin words and Han characters as tokens, pairs of consecutive tokens,
    and each slot's pinyin code. Pairs serve Han terms (character bigrams) and pinyin."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self.codes: list[str] = []
        self.pairs: defaultdict[str, list[int]] = defaultdict(list)
        self._by_initials: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
        self._readings: list[tuple[str, str]] = []

    def extend(self, texts: list[str]) -> None:
        first = len(self.texts)
        self.texts.extend(texts)
        self.codes.extend(map(pinyin.encode, texts))
        tokens_before, pairs_before = len(self.postings), len(self.pairs)
        token_list, pair_list = self.postings.__getitem__, self.pairs.__getitem__
        append, find, join = list.append, pinyin.TOKENS.findall, _PAIR.join
        for slot, text in enumerate(texts, first):
            tokens = find(text)
            if tokens:
                deque(map(append, map(token_list, set(tokens)), repeat(slot)), 0)
                pairs = set(map(join, zip(tokens, tokens[1:])))
                deque(map(append, map(pair_list, pairs), repeat(slot)), 0)
        new_tokens = _new_keys(self.postings, tokens_before)
        self.learn(new_tokens)
        self._learn_readings([t for t in new_tokens if HAN.match(t)])
        self._learn_pairs(_new_keys(self.pairs, pairs_before))

    def clear(self, slot: int) -> None:
        self.texts[slot] = self.codes[slot] = ""

    def _learn_readings(self, chars: list[str]) -> None:
        if chars:
            self._readings.extend((r, c) for c in chars for r in pinyin.readings(c))
            self._readings.sort()

    def _learn_pairs(self, keys: list[str]) -> None:
        index = self._by_initials
        initials = _initials
        for key in keys:
            first, second = key.split(_PAIR)
            for a in initials(first):
                for b in initials(second):
                    index[a + b].append((key, first))

    def han_slots(self, term: str) -> set[int]:
        """Slots whose text contains the Han term, through its characters and bigrams."""
        if len(term) == 1:
            return set(self.postings.get(term, ()))
        get = self.pairs.get
        lists = sorted((get(term[i] + _PAIR + term[i + 1], ()) for i in range(len(term) - 1)), key=len)
        texts = self.texts
        return {slot for slot in set(lists[0]).intersection(*lists[1:]) if term in texts[slot]}

    def pinyin_slots(self, term: str, word_slots: set[int]) -> set[int]:
        """Slots whose code `term` spells (see `cs_console.kb.pinyin`). `word_slots` are those
        with a Latin word starting with `term`, the one-token matches among Latin words."""
        found = set(word_slots)
        readings = self._readings
        start = bisect_left(readings, (term,))
        chars = {c for _, c in readings[start : bisect_left(readings, (term + _LAST,), start)]}
        found |= self.slots(chars)
        get, pattern, codes = self.pairs.get, pinyin.pattern(term), self.codes
        for cut in range(1, len(term)):
            head = term[:cut]
            keys = [
                key
                for key, first in self._by_initials.get(term[0] + term[cut], ())
                if cut == 1 or any(s.startswith(head) for s in pinyin.spellings(first))
            ]
            candidates = set().union(*map(get, keys)) - found
            if cut + 1 == len(term):
                found |= candidates
            else:
                found.update(slot for slot in candidates if pattern.search(codes[slot]))
        return found


@lru_cache(maxsize=None)
def _initials(token: str) -> frozenset[str]:
    return frozenset(s[0] for s in pinyin.spellings(token))


class _BodyField(_Vocabulary):
    """The body: Latin words as tokens; Han terms are found by scanning the concatenated
    bodies that hold any non-ASCII text, which costs far less to build than bigrams would."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []
        self._blob: str | None = None

    def extend(self, texts: list[str]) -> None:
        first = len(self.texts)
        self.texts.extend(texts)
        before = len(self.postings)
        token_list, append = self.postings.__getitem__, list.append
        ascii_words, words = _ASCII_WORDS.findall, WORDS.findall
        for slot, text in enumerate(texts, first):
            found = ascii_words(text) if text.isascii() else words(text)
            if found:
                deque(map(append, map(token_list, set(found)), repeat(slot)), 0)
        self.learn(_new_keys(self.postings, before))
        self._blob = None

    def clear(self, slot: int) -> None:
        self.texts[slot] = ""
        self._blob = None

    def han_slots(self, term: str) -> set[int]:
        if self._blob is None:
            self._blob = "".join(
                [f"{text}{_END}{slot}{_PAIR}" for slot, text in enumerate(self.texts) if not text.isascii()]
            )
        return set(map(int, _han_scan(term).findall(self._blob)))


class SearchIndex:
    """Articles and templates, searchable as described in the module docstring.

    A document is a mapping with `id`, `kind` ("article" or "template"), `title`, `body`,
    `tags` (list of str), and optionally `lang` ("zh"/"en", else guessed from the title) and
    `uses` (int, default 0).
    """

    def __init__(self, docs: Iterable[Mapping]) -> None:
        self._ids: list[str] = []
        self._kinds: list[str] = []
        self._titles: list[str] = []
        self._langs: list[str] = []
        self._uses: list[int] = []
        self._slot_of: dict[str, int] = {}
        self._dead: set[int] = set()
        self._title = _TokenField()
        self._tags = _TokenField()
        self._body = _BodyField()
        self._fields = {"title": self._title, "tags": self._tags, "body": self._body}
        self._by_title: list[tuple[str, int]] = []
        self._cache: OrderedDict[tuple[str, _Source], set[int]] = OrderedDict()
        self._cached_items = 0
        self._typos: dict[str, frozenset[str]] = {}
        self._buckets: dict[str, list[str]] = {}
        self._popular: list[int] | None = None
        self._add(sorted(docs, key=lambda d: -int(d.get("uses") or 0)))
        self._by_title.sort()

    def __len__(self) -> int:
        return len(self._slot_of)

    # -- keeping it current --------------------------------------------------------------

    def upsert(self, doc: Mapping) -> None:
        """Add a document, or replace the one with the same id."""
        if doc["id"] in self._slot_of:
            self.remove(doc["id"])
        insort(self._by_title, self._add([doc])[0])
        self._changed()

    def remove(self, doc_id: str) -> None:
        """Forget a document; an unknown id is not an error."""
        slot = self._slot_of.pop(doc_id, None)
        if slot is None:
            return
        del self._by_title[bisect_left(self._by_title, (self._title.texts[slot], slot))]
        for field in self._fields.values():
            field.clear(slot)
        self._dead.add(slot)
        self._changed()

    def _add(self, docs: list[Mapping]) -> list[tuple[str, int]]:
        """Give each document the next slot; returns their (folded title, slot) entries."""
        first = len(self._ids)
        titles = [str(doc["title"]) for doc in docs]
        folded = [_clean(fold(title)) for title in titles]
        for slot, doc in enumerate(docs, first):
            self._slot_of[doc["id"]] = slot
        self._ids.extend(doc["id"] for doc in docs)
        self._kinds.extend(doc["kind"] for doc in docs)
        self._titles.extend(titles)
        self._langs.extend(
            doc.get("lang") or ("zh" if HAN.search(title) else "en") for doc, title in zip(docs, titles)
        )
        self._uses.extend(int(doc.get("uses") or 0) for doc in docs)
        self._title.extend(folded)
        self._tags.extend([_clean(fold("\n".join(doc.get("tags") or ()))) for doc in docs])
        self._body.extend([_clean(fold(doc.get("body") or "")) for doc in docs])
        entries = list(zip(folded, range(first, first + len(docs))))
        self._by_title.extend(entries)
        return entries

    def _changed(self) -> None:
        self._cache.clear()
        self._cached_items = 0
        self._typos.clear()
        self._buckets.clear()
        self._popular = None

    # -- searching -----------------------------------------------------------------------

    def search(self, query: str, limit: int = 20, lang: str | None = None) -> list[Hit]:
        """The best `limit` documents for `query`, best first; `lang` is the agent's language."""
        if limit <= 0:
            return []
        folded = fold(query)
        wanted = terms(folded)
        if not wanted:
            return self._most_used(limit, lang)
        plan = {term: _sources(term) for term in wanted}
        levels = sorted({s.level for sources in plan.values() for s in sources}, reverse=True)
        matched: dict[str, set[int]] = {term: set() for term in wanted}
        found: set[int] = set()
        groups: list[tuple[int, set[int]]] = []
        for level in levels:
            for term, sources in plan.items():
                for source in sources:
                    if source.level == level:
                        matched[term] |= self._matches(term, source)
            pool = set.intersection(*sorted(matched.values(), key=len))
            if len(pool) > len(found):
                groups.append((level, pool - found))
                found = pool
            if len(found) >= limit:
                break
        return self._rank(groups, folded, wanted, limit, lang)

    def _matches(self, term: str, source: _Source) -> set[int]:
        """Slots where `term` matches through `source`, from the cache when possible."""
        key = (term, source)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        if source.way != "typo":
            for cut in range(len(term) - 1, 0, -1):
                shorter = self._cache.get((term[:cut], source))
                if shorter is not None:
                    if len(shorter) <= NARROW_LIMIT:
                        found = {slot for slot in shorter if self._holds(term, source, slot)}
                    break
        if found is None:
            found = self._look_up(term, source)
            found -= self._dead
        self._remember(key, found)
        return found

    def _remember(self, key: tuple[str, _Source], found: set[int]) -> None:
        self._cache[key] = found
        self._cached_items += len(found)
        while self._cached_items > CACHE_ITEMS and len(self._cache) > 1:
            _, evicted = self._cache.popitem(last=False)
            self._cached_items -= len(evicted)

    def _look_up(self, term: str, source: _Source) -> set[int]:
        field = self._fields[source.field]
        way = source.way
        if way == "prefix":
            titles = self._by_title
            start = bisect_left(titles, (term,))
            return {slot for _, slot in titles[start : bisect_left(titles, (term + _LAST,), start)]}
        if way == "word":
            return field.han_slots(term) if is_han(term) else field.slots(field.with_prefix(term))
        if way == "substring":
            return field.slots(field.containing(term))
        if way == "pinyin":
            return field.pinyin_slots(term, self._matches(term, _WORD_SOURCES[source.field]))
        if way == "subsequence":
            return field.slots(field.with_subsequence(term))
        return field.slots(self._typo_words(term))

    def _holds(self, term: str, source: _Source, slot: int) -> bool:
        """Whether `term` matches `slot` through `source`: the look-up, for one document."""
        field = self._fields[source.field]
        text = field.texts[slot]
        way = source.way
        if way == "prefix":
            return text.startswith(term)
        if way == "word":
            return term in text if is_han(term) else _word_start(term).search(text) is not None
        if way == "substring":
            return term in text
        if way == "pinyin":
            return pinyin.pattern(term).search(field.codes[slot]) is not None
        return _subsequence(term).search(text) is not None

    def _typo_words(self, term: str) -> frozenset[str]:
        """Words of any field within one edit (two from 8 letters) of `term` or of its
        length's prefix of them; transpositions count as one edit."""
        found = self._typos.get(term)
        if found is None:
            bucket = self._bucket(term[0])
            width = len(term)
            edits = 1 if width < 8 else 2
            whole = process.extract(term, bucket, scorer=OSA.distance, score_cutoff=edits, limit=None)
            cut = process.extract(
                term, [w[:width] for w in bucket], scorer=OSA.distance, score_cutoff=edits, limit=None
            )
            found = frozenset(bucket[index] for _, _, index in whole + cut)
            self._typos[term] = found
        return found

    def _bucket(self, initial: str) -> list[str]:
        """Every word of every field that starts with `initial`: typos rarely hit the first letter."""
        bucket = self._buckets.get(initial)
        if bucket is None:
            bucket = sorted({w for field in self._fields.values() for w in field.with_prefix(initial)})
            self._buckets[initial] = bucket
        return bucket

    # -- ranking -------------------------------------------------------------------------

    def _rank(self, groups, folded: str, wanted: list[str], limit: int, lang: str | None) -> list[Hit]:
        chosen: list[tuple[float, int]] = []
        titles = self._fields["title"]
        for level, slots in groups:
            room = limit - len(chosen)
            if room <= 0:
                break
            shortlist = sorted(slots) if len(slots) <= SHORTLIST else heapq.nsmallest(SHORTLIST, slots)
            if level in _PINYIN_LEVELS:
                letters = "".join(t for t in wanted if not is_han(t))
                ratios = [
                    max(fuzz.ratio(letters, key) for key in _spellings(titles.codes[slot]))
                    for slot in shortlist
                ]
            else:
                ratios = [fuzz.ratio(folded, titles.texts[slot]) for slot in shortlist]
            ranked = (
                (level + self._nudge(ratio, slot, lang), -slot) for ratio, slot in zip(ratios, shortlist)
            )
            chosen.extend(heapq.nlargest(room, ranked))
        return [self._hit(score, -negated, wanted) for score, negated in chosen]

    def _nudge(self, ratio: float, slot: int, lang: str | None) -> float:
        """Closeness in steps of a tenth, then language, then uses, then exact closeness;
        always below 0.55, so never enough to cross a level."""
        uses = self._uses[slot]
        return (
            0.05 * int(ratio // 10)
            + (0.03 if lang is not None and self._langs[slot] == lang else 0.0)
            + 0.015 * uses / (uses + 10)
            + 0.00004 * (ratio % 10)
        )

    def _most_used(self, limit: int, lang: str | None) -> list[Hit]:
        if self._popular is None:
            used = [slot for slot, uses in enumerate(self._uses) if uses > 0 and slot not in self._dead]
            self._popular = sorted(used, key=lambda slot: (-self._uses[slot], slot))
        popular = self._popular
        if len(popular) > limit:
            floor = self._uses[popular[limit - 1]]
            end = limit
            while end < len(popular) and self._uses[popular[end]] == floor:
                end += 1
            popular = popular[:end]
        scored = sorted(((self._nudge(0.0, slot, lang), -slot) for slot in popular), reverse=True)
        return [self._hit(score, -negated, []) for score, negated in scored[:limit]]

    def _hit(self, score: float, slot: int, wanted: list[str]) -> Hit:
        title = self._titles[slot]
        folded, origins = fold_with_origins(title)
        spans: list[tuple[int, int]] = []
        for term in wanted:
            spans.extend(self._spans(term, folded))
        merged: list[tuple[int, int]] = []
        for start, end in sorted(spans):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
            else:
                merged.append((start, end))
        return Hit(
            id=self._ids[slot],
            kind=self._kinds[slot],
            score=round(score, 5),
            title=title,
            title_spans=tuple(dict.fromkeys((origins[a], origins[b - 1] + 1) for a, b in merged)),
        )

    def _spans(self, term: str, folded: str) -> list[tuple[int, int]]:
        """Where `term` shows in a folded title: occurrences, else pinyin or initials, else
        letters of one word, else the words it was corrected to."""
        found = _occurrences(term, folded)
        if found or is_han(term):
            return found
        found = pinyin.spans(term, folded)
        if found:
            return found
        match = _subsequence(term).search(folded) if len(term) >= SUBSEQUENCE_MIN else None
        if match:
            return [match.span(group) for group in range(1, len(term) + 1)]
        return [
            span
            for word in self._typos.get(term, ())
            for span in _occurrences(word, folded)
            if span[0] == 0 or not re.match(WORD_CLASS, folded[span[0] - 1])
        ]


def _occurrences(part: str, text: str) -> list[tuple[int, int]]:
    found = []
    at = text.find(part)
    while at >= 0:
        found.append((at, at + len(part)))
        at = text.find(part, at + len(part))
    return found


def _spellings(code: str) -> tuple[str, str]:
    """A title's pinyin initials and full pinyin (first readings; Latin words as they are)."""
    firsts = [token.split(pinyin.READING, 1)[0] for token in code.split(pinyin.TOKEN) if token]
    return "".join(f[0] for f in firsts), "".join(firsts)


def _clean(folded: str) -> str:
    """A folded text safe to concatenate for scanning: no END characters inside."""
    return folded.replace(_END, " ") if _END in folded else folded
