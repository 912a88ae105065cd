"""Search everything on the device: tickets, every message and note, and customers.

The search screen asks this once per query, from a worker. The query is parsed
(`cs_console.search.query`); the store finds tickets and customers through its full-text
indexes (`cs_console.storage.full_text`); customers are also found by the pinyin or the
initials of their name (the knowledge base's matching, `cs_console.kb.pinyin`) and by a
name typed with a slip (rapidfuzz). Each result carries a snippet with the matched words
marked.

`find_customers` is the same customer matching for the new-ticket form's picker.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from rapidfuzz import fuzz, process

from cs_console.kb import pinyin
from cs_console.kb.normalize import WORDS, fold
from cs_console.search.query import SearchQuery, parse
from cs_console.search.snippet import snippet
from cs_console.storage.full_text import CustomerHit, TicketFilter
from cs_console.store import Store

RESULT_LIMIT = 100
"""Results per search: tickets newest first, after the customers that matched."""
CUSTOMER_LIMIT = 10
CLOSE_ENOUGH = 75
"""Least rapidfuzz ratio (0-100) at which a typed word counts as a word of a customer's name
with a slip: `meridain` is 87.5 from `meridian`, `meridan` 93."""
OVERDUE_AFTER = timedelta(days=7)
"""`is:overdue`: not resolved or closed a week after it came in (the 7 of 1-3-7)."""


@dataclass(frozen=True)
class Found:
    """One result line: a ticket or a customer."""

    kind: str
    """"ticket" or "customer"."""
    id: str
    title: str
    """The ticket's number and subject, or the customer's name."""
    detail: str
    """The ticket's status and customer, or the customer's contact."""
    snippet: str
    spans: tuple[tuple[int, int], ...]
    at: datetime | None
    """When the matched text was written (tickets only)."""


def search_everything(store: Store, text: str, limit: int = RESULT_LIMIT, now: datetime | None = None) -> list[Found]:
    """What `text` finds: matching customers first (none when it has filters, which only
    tickets have), then tickets newest first.

    Raises:
        QueryError: a filter in `text` is unknown or has a bad value.
    """
    query = parse(text)
    if query.empty:
        return []
    found: list[Found] = []
    if not query.has_filters:
        found += [_customer_found(hit, query.words) for hit in find_customers(store, " ".join(query.words))]
    hits = store.search_tickets(query.words, ticket_filter(query, now or datetime.now(UTC)), limit)
    for hit in hits:
        shown, spans = snippet(hit.text, query.words)
        found.append(Found("ticket", hit.ticket_id, f"{hit.number} {hit.subject}",
                           f"{hit.status} · {hit.priority} · {hit.customer_name}", shown, tuple(spans), hit.said_at))
    return found[:limit]


def ticket_filter(query: SearchQuery, now: datetime) -> TicketFilter:
    """The store's conditions for the query's filters; dates are whole UTC days."""
    def day(value, offset: int = 0) -> datetime | None:
        return None if value is None else datetime.combine(value, datetime.min.time(), UTC) + timedelta(days=offset)

    return TicketFilter(
        status=query.status, priority=query.priority, channel=query.channel, team=query.team, agent=query.agent,
        customer=query.customer, tags=query.tags, created_from=day(query.after, 1), created_before=day(query.before),
        unfinished_since=now - OVERDUE_AFTER if query.overdue else None,
    )


def find_customers(store: Store, text: str, limit: int = CUSTOMER_LIMIT) -> list[CustomerHit]:
    """Customers `text` names, best first: by their name or notes, or a contact's name, role,
    phone or email, or an asset's name or IMO number; then by the pinyin or initials of their
    name or a contact's; then by a name, vessel or site typed with a slip."""
    words = text.split()
    if not words:
        return []
    chosen = {hit.id: hit for hit in store.search_customers(words, limit)}
    if len(chosen) < limit:
        names = _names_of(store)
        extra = [cid for cid in names.by_pinyin(words) + names.by_closeness(text) if cid not in chosen]
        for hit in store.customers_by_id(list(dict.fromkeys(extra))[:limit - len(chosen)]):
            chosen[hit.id] = hit
    return list(chosen.values())[:limit]


class CustomerNames:
    """Every customer's name, contacts' names and assets, made ready once for pinyin and for typo
    matching; read again only when a customer changed (`Store.customer_generation`)."""

    def __init__(self, generation: int, rows: Sequence[tuple[str, str, str, str]]) -> None:
        self.generation = generation
        self._codes = [(cid, pinyin.encode(fold(f"{name} {contact}"))) for cid, name, contact, _ in rows]
        owners: dict[str, list[str]] = {}
        for cid, name, _, sites in rows:
            for word in dict.fromkeys(WORDS.findall(fold(f"{name} {sites}"))):
                owners.setdefault(word, []).append(cid)
        self._owners = owners
        self._words = list(owners)

    def by_pinyin(self, words: Sequence[str]) -> list[str]:
        """Ids of customers whose name or contact every (Latin) word spells in pinyin or initials."""
        folded = [fold(w) for w in words]
        if not all(w.isascii() and w.isalnum() for w in folded):
            return []
        patterns = [pinyin.pattern(w) for w in folded]
        return [cid for cid, code in self._codes if all(p.search(code) for p in patterns)]

    def by_closeness(self, text: str) -> list[str]:
        """Ids of customers each of whose typed words is a word of their name or of a vessel
        or site with a slip, the closest first: `meridain` and `Meridan Bulk` both name
        Meridian Bulk Carriers, `Fjordvik Suporter` the owner of PSV Fjordvik Supporter."""
        scores: dict[str, float] | None = None
        for typed in WORDS.findall(fold(text)):
            close: dict[str, float] = {}
            for word, score, _ in process.extract(typed, self._words, scorer=fuzz.ratio, limit=None,
                                                  score_cutoff=CLOSE_ENOUGH):
                for cid in self._owners[word]:
                    close[cid] = max(close.get(cid, 0.0), score)
            scores = close if scores is None else {cid: scores[cid] + close[cid] for cid in scores.keys() & close.keys()}
        found = scores or {}
        return sorted(found, key=lambda cid: -found[cid])


_names: dict[str, CustomerNames] = {}
"""Per database file, the names last read."""
_names_lock = threading.Lock()


def _names_of(store: Store) -> CustomerNames:
    with _names_lock:
        held = _names.get(str(store.path))
        if held is None or held.generation != store.customer_generation():
            held = _names[str(store.path)] = CustomerNames(*store.customer_names())
        return held


def _customer_found(hit: CustomerHit, words: Sequence[str]) -> Found:
    shown, spans = snippet(hit.text, words)
    return Found("customer", hit.id, hit.name, hit.contacts, shown, tuple(spans), None)
