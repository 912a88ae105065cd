"""The knowledge-base search index behind the agent's search box and template picker.

An agent types a few letters or characters and expects, on every keystroke, the articles and
templates they mean: by Chinese characters, full pinyin, pinyin initials, English words, word
initials, or an English word typed with a slip. This module answers that from memory.

How a query is answered:

* The query is folded (`cs_console.kb.normalize`) and split into terms: runs of Han
  characters and runs of letters and digits. Every term must match (AND), in any field.
* Each term is looked up through a fixed list of *sources*, one per way of matching in one
  field, each with a level: title starts with it (100); a word starts with it in the title
  (90) or the tags (85); it is inside a word of the title (80) or the tags (75); pinyin or
  word initials in the title spelt with each character's first reading (70), or only
  through a character's rarer reading (68: 服 read bi, not fu), the same two in the tags
  (65, 63); its letters in order inside a title word (60); a word starts with it in the
  body (55); it is inside a body word (50); a correction of a typo in it is a word of the
  title (45), tags (40) or body (35). A Han term matches anywhere in a field as a "word":
  Chinese has no spaces to start words at.
* A document's level is the lowest, over the query's terms, of each term's best level.
  Levels are visited from the top and the visit stops as soon as enough documents are found,
  so a short query never pays for body or typo look-ups whose results it could not show.
* Within a level, at most `SHORTLIST` documents (the most used first: slots are numbered by
  uses at build time) are ranked by rapidfuzz closeness of query and title, in steps of a
  tenth; the agent's language, then usage counts, only break ties within a step. Nothing
  within a level can lift a document into the level above.

Where candidates come from: an inverted index per field of tokens (Latin words, and in
titles and tags Han characters and pairs of consecutive tokens, which serve as character
bigrams and as pinyin keys); prefix, substring, subsequence and typo matching go through the
sorted token list, never through the documents; titles are also kept sorted for prefix
look-ups. Han terms in bodies are found by one C-speed regular-expression scan over the
concatenated non-ASCII bodies, which is far cheaper to build than body bigrams.

Every (term, source) result is cached. When a keystroke extends a term, the sources that
would otherwise verify or scan documents (pinyin, Han in bodies) check only the documents
the shorter term matched, the way fzf narrows its last result, when those are few; the
outcome is the set a fresh look-up gives. With several terms, the documents that the terms
already typed match in any way bound the look-ups of the term being typed.

An empty query (or one with no letters, digits or Han) returns the most-used documents, most
used first, or nothing when no document has been used yet.

This module does not rank by term frequency, know synonyms, stem English or segment Chinese
into words, and keeps no history beyond its cache. It writes no file: an index pickles
without its caches, and `cs_console.usecases.kb_index_file` saves it beside the database,
keyed by `INDEX_FORMAT`.
"""

from __future__ import annotations

import heapq
import re
import string
from array import array
from bisect import bisect_left, bisect_right
from collections import OrderedDict, defaultdict, deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, chain, islice

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from cs_console import collector
from cs_console.kb import pinyin
from cs_console.kb.normalize import HAN, WORD_CLASS, WORDS, fold, fold_with_origins, is_han, terms

SHORTLIST = 500
"""Most documents of one level ranked by closeness; the less used rest wait behind them."""

NARROW_LIMIT = 2000
"""Largest cached result that a longer term checks document by document."""

CACHE_ITEMS = 200_000
"""Total document numbers the (term, source) cache may hold, some 10 MB at most."""

TYPO_MIN = 4
SUBSTRING_MIN = 3
SUBSEQUENCE_MIN = 3
"""Shortest Latin terms corrected for typos, matched inside words, and matched as letters in
order: shorter ones would match nearly everything."""

TYPO_MEMORY = 1024
"""Terms whose corrections are remembered; all are forgotten when this many are."""

BUILD_CHUNK = 10_000
"""Bodies folded and indexed at a time, so that a build holds few temporary copies."""

INDEX_FORMAT = 3
"""The shape of a `SearchIndex`'s attributes and of the `cs_console.kb.shelf.Shelf` saved
with it. Bump it with any change to them: an index saved by a build of another format is
rebuilt, never loaded."""

BOUNDING_MIN = 2
"""Settled terms at least this long bound a several-term search; one letter matches too much."""


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


_TITLE_PREFIX = _Source(100, "title", "prefix")
_WORD = {"title": _Source(90, "title", "word"), "tags": _Source(85, "tags", "word")}
_FIRST_READINGS = {"title": _Source(70, "title", "pinyin"), "tags": _Source(65, "tags", "pinyin")}
_BODY_WORD = _Source(55, "body", "word")
_HAN_SOURCES = (_TITLE_PREFIX, _WORD["title"], _WORD["tags"], _BODY_WORD)
_LATIN_SOURCES = (
    _TITLE_PREFIX,
    _WORD["title"],
    _WORD["tags"],
    _Source(80, "title", "substring"),
    _Source(75, "tags", "substring"),
    _FIRST_READINGS["title"],
    _Source(68, "title", "readings"),
    _FIRST_READINGS["tags"],
    _Source(63, "tags", "readings"),
    _Source(60, "title", "subsequence"),
    _BODY_WORD,
    _Source(50, "body", "substring"),
    _Source(45, "title", "typo"),
    _Source(40, "tags", "typo"),
    _Source(35, "body", "typo"),
)
_ANY = _Source(0, "any", "any")
"""Stands for every source at once in the cache: a term's matches in any way."""
_MIN_LENGTH = {"substring": SUBSTRING_MIN, "subsequence": SUBSEQUENCE_MIN, "typo": TYPO_MIN}
_PINYIN_LEVELS = frozenset({70, 68, 65, 63})
_PINYIN_WAYS = {"pinyin": True, "readings": False}
"""Whether each pinyin way spells with first readings only: the common reading of a
character outranks its rarer one, so `tbwj` puts 投标文件 (tou biao wen jian) before
合同服务建议, which spells it only as 同服务建 read tong bi wu jian."""


def _sources(term: str) -> tuple[_Source, ...]:
    if is_han(term):
        return _HAN_SOURCES
    return tuple(s for s in _LATIN_SOURCES if len(term) >= _MIN_LENGTH.get(s.way, 1))


def _narrows(term: str, source: _Source) -> bool:
    """Whether a longer term's look-up through `source` is cheaper as a check of the
    shorter term's result than as a fresh look-up: those that scan or verify documents."""
    return source.way in _PINYIN_WAYS or (source.field == "body" and is_han(term))


@lru_cache(maxsize=512)
def _subsequence(term: str) -> re.Pattern[str]:
    """The letters of `term` in order within one line (a word of the joined token list, or
    one word being highlighted), each captured."""
    return re.compile("[^\n]*?".join(f"({re.escape(c)})" for c in term))


_ASCII_SEPARATORS = {c: " " for c in range(128) if chr(c) not in string.ascii_lowercase + string.digits}
"""Every ASCII character but a-z and 0-9 as a space, so that `split` finds an ASCII text's words."""
_LAST = "\U0010ffff"
_PAIR = "\x02"
"""Joins two consecutive tokens into a pair key."""
_END = "\x00"
"""Ends one body in the scanned concatenation; folded texts are cleaned of it."""


@lru_cache(maxsize=512)
def _han_scan(term: str) -> re.Pattern[str]:
    return re.compile(re.escape(term) + f"[^{_END}]*{_END}(\\d+)")


class _Postings:
    """Each key's slots. What a build collects in lists is packed when it ends (`pack`)
    into one array of slots, in key order, and one of where each key's run starts: saved and
    loaded as a few bytes objects, not millions of Python ints (at 100,000 documents the
    whole index unpickles in 0.11 s instead of 0.27 s). Keys added later gather in `added`."""

    def __init__(self) -> None:
        self.added: defaultdict[str, list[int]] = defaultdict(list)
        self._keys: list[str] = []
        self._starts = array("q", [0])
        self._slots = array("i")
        self._rows: dict[str, int] | None = {}

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_rows": None}

    def get(self, key: str, default=None):
        """The slots of `key`, or `default` when none hold it."""
        row, more = self._row_of().get(key), self.added.get(key)
        if row is None:
            return default if more is None else more
        packed = self._slots[self._starts[row] : self._starts[row + 1]]
        return packed if more is None else [*packed, *more]

    def starting_with(self, prefix: str) -> list:
        """The slots of every key starting with `prefix`, as a few lists: the packed keys' as one
        run, since they are packed in key order, then those of keys added since. One slice
        instead of a few thousand lists for a one-letter word look-up: "bid b" 7.3 -> 5.7 ms
        CPU at 100,000 documents, best of five (bench_search's queries)."""
        keys, starts = self._keys, self._starts
        run = self._slots[starts[bisect_left(keys, prefix)] : starts[bisect_left(keys, prefix + _LAST)]]
        return [run, *(slots for key, slots in self.added.items() if key.startswith(prefix))]

    def new_keys(self, before: int) -> list[str]:
        """The keys first seen since `added` had `before` of them."""
        fresh = _new_keys(self.added, before)
        packed = self._row_of()
        return [key for key in fresh if key not in packed] if packed else fresh

    def _row_of(self) -> dict[str, int]:
        """Each packed key's row: made when packing, and after a load on first use (some 10 ms
        at 100,000 documents, which the load is spared)."""
        if self._rows is None:
            self._rows = dict(zip(self._keys, range(len(self._keys))))
        return self._rows

    def pack(self) -> None:
        """Move the lists a build collected into the arrays: once, when the build ends."""
        assert not self._keys, "packed already"
        lists, self.added = self.added, defaultdict(list)
        self._keys = sorted(lists)
        deque(map(self._slots.fromlist, map(lists.__getitem__, self._keys)), 0)  # 2x array(chain(...))
        self._starts = array("q", accumulate(map(len, map(lists.__getitem__, self._keys)), initial=0))
        self._rows = dict(zip(self._keys, range(len(self._keys))))


class _Vocabulary:
    """The tokens of one field, each with the slots it occurs in, and the look-ups that go
    through the sorted token list rather than through the documents."""

    def __init__(self) -> None:
        self.postings = _Postings()
        self._sorted: list[str] = []
        self._joined: str | None = None

    def learn(self, tokens: list[str]) -> None:
        """Take note of tokens new to `postings`."""
        if tokens:
            self._sorted.extend(tokens)
            self._sorted.sort()
            self._joined = None

    def pack(self) -> None:
        """Pack what a build collected (see `_Postings`)."""
        self.postings.pack()

    def with_prefix(self, prefix: str) -> list[str]:
        words = self._sorted
        return words[bisect_left(words, prefix) : bisect_left(words, prefix + _LAST)]

    def containing(self, part: str) -> list[str]:
        joined, found = self._joined_words(), []
        at = joined.find(part)
        while at >= 0:
            end = joined.find("\n", at)
            found.append(joined[joined.rfind("\n", 0, at) + 1 : end])
            at = joined.find(part, end)
        return found

    def with_subsequence(self, term: str) -> list[str]:
        joined, found = self._joined_words(), []
        for match in _subsequence(term).finditer(joined):
            found.append(joined[joined.rfind("\n", 0, match.start()) + 1 : joined.find("\n", match.end())])
        return list(dict.fromkeys(found))

    def slots(self, tokens: Iterable[str], within: set[int] | None = None) -> set[int]:
        """Slots holding any of `tokens` (and in `within`, if given)."""
        return _union(map(self.postings.get, tokens), within)

    def _joined_words(self) -> str:
        if self._joined is None:
            self._joined = "\n" + "\n".join(self._sorted) + "\n"
        return self._joined


def _union(lists: Iterable[list[int] | None], within: set[int] | None) -> set[int]:
    """The slots in any of the posting lists (None for a missing one), within `within`."""
    lists = filter(None, lists)
    return set().union(*lists) if within is None else within.intersection(chain.from_iterable(lists))


def _new_keys(mapping: dict, before: int) -> list[str]:
    """The keys added to a dict since it had `before` of them."""
    return list(islice(mapping, before, None))


class _TokenField(_Vocabulary):
    """Title or tags: Latin words and Han characters as tokens, pairs of consecutive tokens,
    and each slot's folded text and pinyin codes (every reading, and first readings only).
    A `shared` field (tags, which repeat) keeps one copy of each distinct text and code."""

    def __init__(self, shared: bool) -> None:
        super().__init__()
        self._shared: dict[str, tuple[str, str, str, list[str]]] | None = {} if shared else None
        self.texts: list[str] = []
        self.codes: list[str] = []
        self.first_codes: list[str] = []
        self.pairs = _Postings()
        self._by_initials: defaultdict[str, list[tuple[str, str]]] = defaultdict(list)
        """For two initials, (spelling of the first token, pair key) of every pair whose
        tokens start with them, sorted: the candidates for a pinyin term that moves from one
        token to the next after a given number of letters."""
        self._readings: list[tuple[str, str, int]] = []
        """(reading, character, rank of the reading: 0 for the first), sorted."""

    def extend(self, texts: list[str], slots: list[int]) -> None:
        """Index `texts` as the given (new, consecutive) slots. A token twice in one text is
        listed twice, which no union minds."""
        tokens_before, pairs_before = len(self.postings.added), len(self.pairs.added)
        if self._shared is None:
            self._index_each(texts, slots)
        else:
            self._index_distinct(texts, slots)
        new_tokens = self.postings.new_keys(tokens_before)
        self.learn(new_tokens)
        chars = [t for t in new_tokens if HAN.match(t)]
        if chars:
            self._readings.extend((r, c, rank) for c in chars for rank, r in enumerate(pinyin.readings(c)))
            self._readings.sort()
        touched = set()
        for key in self.pairs.new_keys(pairs_before):
            first_token, second_token = key.split(_PAIR)
            for spelling in pinyin.spellings(first_token):
                for b in _initials(second_token):
                    touched.add(spelling[0] + b)
                    self._by_initials[spelling[0] + b].append((spelling, key))
        for initials in touched:
            self._by_initials[initials].sort()

    def _index_each(self, texts: list[str], slots: list[int]) -> None:
        """Index text by text: titles, which seldom repeat."""
        tokens_of, pairs_of, find = self.postings.added, self.pairs.added, pinyin.TOKENS.findall
        for slot, text in zip(slots, texts):
            tokens = find(text)
            for token in tokens:
                tokens_of[token].append(slot)
            for pair in _pairs(tokens):
                pairs_of[pair].append(slot)
        codes = list(map(pinyin.encode, texts))
        self.texts.extend(texts)
        self.codes.extend(codes)
        self.first_codes.extend(map(_first_readings, texts, codes))

    def _index_distinct(self, texts: list[str], slots: list[int]) -> None:
        """Index each distinct text once, for all the slots that hold it: tags, whose 100,000
        texts at 100,000 documents are some 3,500 distinct ones (their share of a build
        0.39 -> 0.15 s CPU, bench_search's corpus)."""
        shared, slots_of_text = self._shared, defaultdict(list)
        for slot, text in zip(slots, texts):
            slots_of_text[text].append(slot)
        tokens_of, pairs_of = defaultdict(list), defaultdict(list)
        for text, its_slots in slots_of_text.items():
            if text not in shared:
                code = pinyin.encode(text)
                shared[text] = (text, code, _first_readings(text, code), pinyin.TOKENS.findall(text))
            tokens = shared[text][3]
            for token in tokens:
                tokens_of[token] += its_slots
            for pair in _pairs(tokens):
                pairs_of[pair] += its_slots
        for found, postings in ((tokens_of, self.postings), (pairs_of, self.pairs)):
            for key, its_slots in found.items():
                its_slots.sort()
                postings.added[key] += its_slots
        for text in texts:
            copy, code, first_code, _ = shared[text]
            self.texts.append(copy)
            self.codes.append(code)
            self.first_codes.append(first_code)

    def pack(self) -> None:
        super().pack()
        self.pairs.pack()

    def clear(self, slot: int) -> None:
        self.texts[slot] = self.codes[slot] = self.first_codes[slot] = ""

    def han_slots(self, term: str, within: set[int] | None = None) -> set[int]:
        """Slots whose text contains the Han term, found through its characters and bigrams."""
        if len(term) == 1:
            return self.slots((term,), within)
        get = self.pairs.get
        lists = sorted((get(term[i] + _PAIR + term[i + 1], ()) for i in range(len(term) - 1)), key=len)
        candidates = set(lists[0]).intersection(*lists[1:])
        if within is not None:
            candidates &= within
        texts = self.texts
        return {slot for slot in candidates if term in texts[slot]}

    def pinyin_slots(self, term: str, known: set[int], first: bool, within: set[int] | None = None) -> set[int]:
        """Slots whose code `term` spells (see `cs_console.kb.pinyin`), with `first` readings
        only or with any. `known` match already: with first readings, those with a Latin word
        starting with `term` (its one-token matches among words); with any, the first
        readings' matches. A match over two tokens is read off the pairs; one over more is
        checked document by document, among those holding a pair that fits its start and one
        that may go on."""
        readings = self._readings
        start = bisect_left(readings, (term,))
        matching = readings[start : bisect_left(readings, (term + _LAST,), start)]
        chars = {c for _, c, rank in matching if not rank}
        if not first:  # the characters spelt with a first reading are in `known` already
            chars = {c for _, c, rank in matching if rank} - chars
        found = self.slots(chars, within)
        found |= known
        pattern, codes = pinyin.pattern(term), self.first_codes if first else self.codes
        for cut in range(1, len(term)):
            head, rest = term[:cut], term[cut:]
            whole, partly = [], []
            for spelling, key in self._pairs_from(head, rest[0]):
                first_token, second = key.split(_PAIR)
                if first and spelling != pinyin.spellings(first_token)[0]:
                    continue
                spelt = pinyin.spellings(second)[:1] if first else pinyin.spellings(second)
                (whole if any(s.startswith(rest) for s in spelt) else partly).append(key)
            found |= _union(map(self.pairs.get, whole), within)
            if partly:
                candidates = _union(map(self.pairs.get, partly), within)
                candidates -= found
                onward = [self._pairs_from(rest[:used], rest[used]) for used in range(1, len(rest))]
                candidates &= _union((self.pairs.get(key) for _, key in chain(*onward)), None)
                found.update(slot for slot in candidates if pattern.search(codes[slot]))
        return found

    def _pairs_from(self, head: str, initial: str) -> list[tuple[str, str]]:
        """(spelling, key) of the pairs whose first token has a spelling starting with
        `head` and whose second token has a spelling starting with `initial`."""
        entries = self._by_initials.get(head[0] + initial)
        if not entries:
            return []
        start = bisect_left(entries, (head,))
        return entries[start : bisect_left(entries, (head + _LAST,), start)]


def _first_readings(folded: str, code: str) -> str:
    """The code of `folded` with first readings only, given its code with every reading: that
    same code when no character has a second reading, as in every ASCII title, which is then
    neither encoded again nor kept twice (0.11 -> 0.07 s CPU for 100,000 titles)."""
    return pinyin.encode_first(folded) if pinyin.READING in code else code


def _pairs(tokens: list[str]) -> Iterable[str]:
    """The keys of each two consecutive tokens."""
    return map(_PAIR.join, zip(tokens, tokens[1:]))


@lru_cache(maxsize=None)
def _initials(token: str) -> frozenset[str]:
    return frozenset(s[0] for s in pinyin.spellings(token))


class _BodyField(_Vocabulary):
    """The body: Latin words as tokens. Han terms are found by scanning the concatenation
    of the bodies that hold any non-ASCII text; nothing else of the bodies is kept. New
    bodies are appended to it; a removed body stays in it, since the index drops removed
    slots from every result."""

    def __init__(self) -> None:
        super().__init__()
        self._blob = ""
        self._starts = array("q")
        self._ends = array("q")

    def extend(self, texts: list[str], slots: list[int]) -> None:
        """Index `texts` as the given (new, consecutive) slots."""
        before = len(self.postings.added)
        slots_of = self.postings.added
        pieces, length = [], len(self._blob)
        for slot, text in zip(slots, texts):
            for word in set(_words(text)):
                slots_of[word].append(slot)
            if text.isascii():
                self._starts.append(-1)
                self._ends.append(-1)
            else:
                piece = f"{text}{_END}{slot}{_PAIR}"
                pieces.append(piece)
                self._starts.append(length)
                self._ends.append(length + len(text))
                length += len(piece)
        self.learn(self.postings.new_keys(before))
        self._blob += "".join(pieces)

    def __getstate__(self) -> dict:
        """The scanned bodies saved as UTF-16, which loads in 10 ms at 100,000 documents
        against 41 ms for a pickled str (17 MB of UTF-8 to decode)."""
        return {**self.__dict__, "_blob": self._blob.encode("utf-16-le", "surrogatepass")}

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state, _blob=state["_blob"].decode("utf-16-le", "surrogatepass"))

    def clear(self, slot: int) -> None:
        self._starts[slot] = self._ends[slot] = -1

    def contains(self, slot: int, term: str) -> bool:
        start = self._starts[slot]
        return start >= 0 and self._blob.find(term, start, self._ends[slot]) >= 0

    def han_slots(self, term: str, within: set[int] | None = None) -> set[int]:
        if within is not None:
            return {slot for slot in within if self.contains(slot, term)}
        return set(map(int, _han_scan(term).findall(self._blob)))


def _words(folded: str) -> list[str]:
    """The Latin words of a folded text. An ASCII text is split rather than scanned with
    WORDS: 0.31 -> 0.20 s CPU for the 45,000 ASCII bodies of bench_search's 100,000."""
    return folded.translate(_ASCII_SEPARATORS).split() if folded.isascii() else WORDS.findall(folded)


class _SortedTitles:
    """Folded titles in order, with their slots alongside, for "the title starts with"."""

    def __init__(self) -> None:
        self._titles: list[str] = []
        self._slots = array("i")

    def fill(self, titles: list[str]) -> None:
        """Take every slot's title at once (slot i has titles[i])."""
        self._slots = array("i", sorted(range(len(titles)), key=titles.__getitem__))
        self._titles = [titles[slot] for slot in self._slots]

    def insert(self, title: str, slot: int) -> None:
        at = bisect_right(self._titles, title)
        self._titles.insert(at, title)
        self._slots.insert(at, slot)

    def remove(self, title: str, slot: int) -> None:
        at = self._slots.index(slot, bisect_left(self._titles, title))
        del self._titles[at], self._slots[at]

    def starting_with(self, prefix: str) -> list[int]:
        start = bisect_left(self._titles, prefix)
        return self._slots[start : bisect_left(self._titles, prefix + _LAST, start)]


class SearchIndex:
    """Articles and templates, searchable as the module docstring describes.

    A document is a mapping with `id`, `kind` ("article" or "template"), `title`, `body`,
    `tags` (list of str), and optionally `lang` ("zh"/"en"; guessed from the title when
    absent) and `uses` (int, default 0).
    """

    def __init__(self, docs: Iterable[Mapping]) -> None:
        self._ids: list[str] = []
        self._kinds: list[str] = []
        self._titles: list[str] = []
        self._langs: list[str] = []
        self._uses: list[int] = []
        self._slot_of: dict[str, int] | None = {}
        """Each live document's slot; made again on first need after a load (`_slot_map`)."""
        self._dead: set[int] = set()
        self._title = _TokenField(shared=False)
        self._tags = _TokenField(shared=True)
        self._body = _BodyField()
        self._fields = {"title": self._title, "tags": self._tags, "body": self._body}
        self._sorted_titles = _SortedTitles()
        self._cache: OrderedDict[tuple[str, _Source], set[int]] = OrderedDict()
        self._cached_items = 0
        self._typos: dict[str, frozenset[str]] = {}
        self._buckets: dict[str, list[str]] = {}
        self._popular: list[int] | None = None
        ordered = sorted(docs, key=lambda d: -int(d.get("uses") or 0))
        # gc paused: build 3.68 s -> 3.38 s CPU at 100k documents (bench_search)
        with collector.paused():
            self._add(ordered)
            for field in self._fields.values():
                field.pack()
        self._sorted_titles.fill(self._title.texts)

    def __len__(self) -> int:
        return len(self._ids) - len(self._dead)

    def __getstate__(self) -> dict:
        """What pickling keeps: everything but the per-query caches, which refill as the agent types,
        and the slot of each id, quicker to make again than to load."""
        state = self.__dict__.copy()
        state.update(_cache=OrderedDict(), _cached_items=0, _typos={}, _buckets={}, _popular=None, _slot_of=None)
        return state

    # -- keeping it current --------------------------------------------------------------

    def upsert(self, doc: Mapping) -> None:
        """Add a document, or replace the one with the same id."""
        self.remove(doc["id"])
        slot = self._add([doc])
        self._sorted_titles.insert(self._title.texts[slot], slot)
        self._changed()

    def remove(self, doc_id: str) -> None:
        """Forget a document; an unknown id is not an error. Its slot is never reused: the
        postings that still name it are filtered out of every result."""
        slot = self._slot_map().pop(doc_id, None)
        if slot is None:
            return
        self._sorted_titles.remove(self._title.texts[slot], slot)
        for field in self._fields.values():
            field.clear(slot)
        self._dead.add(slot)
        self._changed()

    def _add(self, docs: list[Mapping]) -> int:
        """Give each document the next slot; returns the first one. Bodies are folded and
        indexed BUILD_CHUNK at a time, so that a build holds few folded copies of them."""
        first = len(self._ids)
        slots = list(range(first, first + len(docs)))
        titles = [str(doc["title"]) for doc in docs]
        folded = [_clean(fold(title)) for title in titles]
        folded = [f if f != t else t for f, t in zip(folded, titles)]
        self._slot_map().update(zip((doc["id"] for doc in docs), slots))
        self._ids.extend(doc["id"] for doc in docs)
        self._kinds.extend(doc["kind"] for doc in docs)
        self._titles.extend(titles)
        self._langs.extend(doc.get("lang") or ("zh" if HAN.search(t) else "en") for doc, t in zip(docs, titles))
        self._uses.extend(int(doc.get("uses") or 0) for doc in docs)
        self._title.extend(folded, slots)
        self._tags.extend(_folded_tags(docs), slots)
        for start in range(0, len(docs), BUILD_CHUNK):
            bodies = [_clean(fold(doc.get("body") or "")) for doc in docs[start : start + BUILD_CHUNK]]
            self._body.extend(bodies, slots[start : start + BUILD_CHUNK])
        return first

    def _slot_map(self) -> dict[str, int]:
        if self._slot_of is None:
            dead = self._dead
            self._slot_of = {doc_id: slot for slot, doc_id in enumerate(self._ids) if slot not in dead}
        return self._slot_of

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
        settled = [t for t in wanted[:-1] if len(t) >= BOUNDING_MIN or is_han(t)]
        bound = self._bound(settled)
        settled_up_to = {term: settled[: at + 1] for at, term in enumerate(settled)}
        within = bound if bound is not None and len(bound) <= NARROW_LIMIT else None
        plan = [(term, _sources(term)) for term in wanted]
        levels = sorted({s.level for _, sources in plan for s in sources}, reverse=True)
        matched = [set() for _ in wanted]
        found: set[int] = set()
        groups: list[tuple[int, set[int]]] = []
        corrected: set[str] = set()
        for level in levels:
            for (term, sources), into in zip(plan, matched):
                for source in sources:
                    if source.level == level:
                        if source.way == "typo":
                            corrected.add(term)
                        got = self._settled_matches(settled_up_to[term], source) if term in settled_up_to \
                            else self._matches(term, source, within)
                        into |= got if bound is None else bound.intersection(got)
            pool = set.intersection(*sorted(matched, key=len)) if len(matched) > 1 else matched[0]
            if len(pool) > len(found):
                groups.append((level, pool - found))
                found = set(pool)
            if len(found) >= limit:
                break
        return self._rank(groups, folded, wanted, frozenset(corrected), limit, lang)

    def _bound(self, settled: list[str]) -> set[int] | None:
        """The documents that every settled term matches in some way: with several terms,
        those before the last (the one being typed) that are long enough to be selective.
        A superset of any answer, kept across keystrokes, and far smaller than what a short
        term matches, so the other terms are looked up within it.

        Cached under the space-joined terms (no term holds a space). A term newly settled
        is looked up within the bound of those before it when that is small, as the term
        being typed is (`_settled_matches`): at 100,000 documents, best of five, "satellite
        phone s" 8.7 -> 6.1 ms CPU and "satellite phone sign" 4.4 -> 3.8 ms, where "phone"
        was looked up unbounded in every field and way (bench_search's queries)."""
        if not settled:
            return None
        key = (" ".join(settled), _ANY)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found
        before = self._bound(settled[:-1])
        term = settled[-1]
        if before is not None and len(before) > NARROW_LIMIT:
            found = before & self._bound([term])
        else:
            found = set().union(*(self._settled_matches(settled, s) for s in _sources(term)))
        self._remember(key, found)
        return found

    def _settled_matches(self, settled: list[str], source: _Source) -> set[int]:
        """The last settled term's matches through `source`, or only those within the bound
        of the terms before it when that is small: then cached under the space-joined terms,
        as the next keystrokes look them up again. Never fewer than the answer needs."""
        if len(settled) == 1:
            return self._matches(settled[0], source)
        before = self._bound(settled[:-1])
        if len(before) > NARROW_LIMIT:
            return self._matches(settled[-1], source)
        key = (" ".join(settled), source)
        found = self._cache.get(key)
        if found is None:
            found = self._matches(settled[-1], source, before)
            self._remember(key, found)
        else:
            self._cache.move_to_end(key)
        return found

    def _matches(self, term: str, source: _Source, within: set[int] | None = None) -> set[int]:
        """Slots where `term` matches through `source` (those in `within`, if given), from
        the cache or by narrowing a shorter term's cached result when possible. Results
        restricted to `within` are not cached."""
        key = (term, source)
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
            return found if within is None else within.intersection(found)
        if within is not None:
            return self._look_up(term, source, within) - self._dead
        if _narrows(term, source):
            for cut in range(len(term) - 1, 0, -1):
                shorter = self._cache.get((term[:cut], source))
                if shorter is not None:
                    if len(shorter) <= NARROW_LIMIT:
                        found = self._narrow(term, source, shorter)
                    break
        if found is None:
            found = self._look_up(term, source, None)
            found -= self._dead
        self._remember(key, found)
        return found

    def _remember(self, key: tuple[str, _Source], found: set[int]) -> None:
        """Cache a result, forgetting the least recently used beyond CACHE_ITEMS."""
        self._cache[key] = found
        self._cached_items += len(found)
        while self._cached_items > CACHE_ITEMS and len(self._cache) > 1:
            self._cached_items -= len(self._cache.popitem(last=False)[1])

    def _look_up(self, term: str, source: _Source, within: set[int] | None) -> set[int]:
        field = self._fields[source.field]
        way = source.way
        if way == "prefix":
            found = self._sorted_titles.starting_with(term)
            return set(found) if within is None else within.intersection(found)
        if way == "word":
            if is_han(term):
                return field.han_slots(term, within)
            return _union(field.postings.starting_with(term), within)
        if way == "substring":
            return field.slots(field.containing(term), within)
        if way in _PINYIN_WAYS:
            first = _PINYIN_WAYS[way]
            known = self._matches(term, _WORD[source.field] if first else _FIRST_READINGS[source.field], within)
            return field.pinyin_slots(term, known, first, within)
        if way == "subsequence":
            return field.slots(field.with_subsequence(term), within)
        return field.slots(self._typo_words(term), within)

    def _narrow(self, term: str, source: _Source, shorter: set[int]) -> set[int]:
        """The look-up of `term` through a source that `_narrows`, given the result for a
        prefix of it: only those documents can match."""
        if source.way in _PINYIN_WAYS:
            words = self._matches(term, _WORD[source.field])
            field = self._fields[source.field]
            search, codes = pinyin.pattern(term).search, field.first_codes if _PINYIN_WAYS[source.way] else field.codes
            found = set(words)
            found.update(slot for slot in shorter - words if search(codes[slot]))
            return found
        contains = self._body.contains
        return {slot for slot in shorter if contains(slot, term)}

    def _typo_words(self, term: str) -> frozenset[str]:
        """Words of any field within one edit (two from 8 letters) of `term`, or whose first
        len(term) letters are; a transposition is one edit."""
        found = self._typos.get(term)
        if found is None:
            bucket = self._bucket(term[0])
            width = len(term)
            edits = 1 if width < 8 else 2
            whole = process.extract(term, bucket, scorer=OSA.distance, score_cutoff=edits, limit=None)
            heads = [w[:width] for w in bucket]
            cut = process.extract(term, heads, scorer=OSA.distance, score_cutoff=edits, limit=None)
            found = frozenset(bucket[index] for _, _, index in whole + cut)
            if len(self._typos) >= TYPO_MEMORY:
                self._typos.clear()
            self._typos[term] = found
        return found

    def _bucket(self, initial: str) -> list[str]:
        """Every token of every field starting with `initial`: typos seldom hit the first letter."""
        bucket = self._buckets.get(initial)
        if bucket is None:
            bucket = sorted({w for field in self._fields.values() for w in field.with_prefix(initial)})
            self._buckets[initial] = bucket
        return bucket

    # -- ranking -------------------------------------------------------------------------

    def _rank(self, groups, folded: str, wanted: list[str], corrected: frozenset[str], limit: int,
              lang: str | None) -> list[Hit]:
        chosen: list[tuple[float, int]] = []
        ratio = fuzz.ratio
        for level, slots in groups:
            room = limit - len(chosen)
            if room <= 0:
                break
            shortlist = slots if len(slots) <= SHORTLIST else heapq.nsmallest(SHORTLIST, slots)
            if level in _PINYIN_LEVELS:
                query, keys = "".join(t for t in wanted if not is_han(t)), self._title.codes
            else:
                query, keys = folded, self._title.texts
            ranked = [(level + self._nudge(ratio(query, keys[slot]), slot, lang), -slot) for slot in shortlist]
            chosen.extend(heapq.nlargest(room, ranked))
        return [self._hit(score, -negated, wanted, corrected) for score, negated in chosen]

    def _nudge(self, ratio: float, slot: int, lang: str | None) -> float:
        """Closeness in steps of a tenth, then the agent's language, then uses, then the rest
        of closeness; below 0.55 in all, so a document never climbs a level."""
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
        return [self._hit(score, -negated, [], frozenset()) for score, negated in scored[:limit]]

    def _hit(self, score: float, slot: int, wanted: list[str], corrected: frozenset[str]) -> Hit:
        """`corrected`: the terms this search looked up typos of, whose corrections may be highlighted."""
        title = self._titles[slot]
        folded, origins = fold_with_origins(title)
        merged: list[tuple[int, int]] = []
        for start, end in sorted(span for term in wanted for span in self._spans(term, folded, term in corrected)):
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

    def _spans(self, term: str, folded: str, corrected: bool) -> list[tuple[int, int]]:
        """Where `term` shows in a folded title, the sources' way round: at word starts, else
        inside words, else its pinyin or initials, else its letters in one word, else the
        words it was corrected to, when this search looked its typos up (`corrected`)."""
        found = _occurrences(term, folded)
        if is_han(term):
            return found
        starts = [span for span in found if _at_word_start(folded, span[0])]
        if starts:
            return starts
        if found and len(term) >= SUBSTRING_MIN:
            return found
        found = pinyin.spans(term, folded)
        if found:
            return found
        if len(term) >= SUBSEQUENCE_MIN:
            for word in WORDS.finditer(folded):
                match = _subsequence(term).search(word.group())
                if match:
                    return [(word.start() + a, word.start() + b) for a, b in map(match.span, range(1, len(term) + 1))]
        if not corrected:
            return []
        return [
            span
            for word in self._typo_words(term)
            for span in _occurrences(word, folded)
            if _at_word_start(folded, span[0])
        ]


def _occurrences(part: str, text: str) -> list[tuple[int, int]]:
    found = []
    at = text.find(part)
    while at >= 0:
        found.append((at, at + len(part)))
        at = text.find(part, at + len(part))
    return found


_WORD_CHAR = re.compile(WORD_CLASS)


def _at_word_start(text: str, at: int) -> bool:
    return at == 0 or _WORD_CHAR.match(text, at - 1) is None


def _folded_tags(docs: list[Mapping]) -> list[str]:
    """Each document's tags folded as one text. Tags repeat, so each distinct text is folded
    once and kept once (100,000 documents' tags are some 3,500 texts in bench_search's corpus)."""
    folded: dict[str, str] = {}
    texts = []
    for doc in docs:
        joined = "\n".join(doc.get("tags") or ())
        if joined not in folded:
            folded[joined] = _clean(fold(joined))
        texts.append(folded[joined])
    return texts


def _clean(folded: str) -> str:
    """A folded text safe to concatenate for scanning: no _END characters inside."""
    return folded.replace(_END, " ") if _END in folded else folded
