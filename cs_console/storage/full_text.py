"""Finding tickets and customers by what was written in them, through the FTS5 indexes.

The indexes (`migrations.SEARCHED` and `ORGANISATION_SEARCHED`) hold the trigrams of every
ticket's number, subject and category, every message and note, every customer's name and
notes, its contacts' names, roles, phones and emails, and its assets' names and IMO numbers; triggers keep them current on every write, local or synced. A word
of three characters or more is one phrase of the index; a shorter one (`台风`, `5g`) is the
trigrams it starts, read from the index's vocabulary (each indexed text is padded, so every
character starts one): `台风` is `"台风中" OR "台风延" OR …`. A one-letter word that starts
more than `PREFIX_TERMS` trigrams is checked with LIKE on the rows the other words found,
or, when it is the only word, on rows scanned newest first until enough are found.

Results come newest first: an index walk in descending rowid, which is the order rows were
written, stops at the limit, so a common word costs no more than a rare one. A ticket found
through several of its messages appears once, at its newest.

Methods of `cs_console.store.Store`, read through `_plain_reads`. It returns its own rows and
knows nothing of the query language (`cs_console.search.query`): a use case translates.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

from cs_console.storage.plain import utc_from_text as _utc
from cs_console.utc import to_text

INDEXED_MIN = 3
"""The shortest word that is a phrase of a trigram index; shorter ones go through its vocabulary."""

PREFIX_TERMS = 200
"""Most trigrams a short word may stand for in a query; `台风` starts a few dozen, a single
common letter thousands, which a LIKE check on fewer rows answers faster."""

NOTHING = "NOTHING"
"""A match expression that no row satisfies: a short word that starts no trigram at all."""

OVERSCAN = 2
"""Messages read per ticket asked for, since a ticket's several messages may all match."""


class TicketHit(NamedTuple):
    """A ticket that matched, with the text it matched in (its subject, or a message)."""

    ticket_id: str
    number: str
    subject: str
    status: str
    priority: str
    customer_name: str
    created_at: datetime
    text: str
    """The subject, or the body of the newest message that matched."""
    source: str
    """"ticket" when the ticket's own fields matched, else the message's kind."""
    said_at: datetime
    """When the matched text was written: the ticket's creation, or the message's."""


class CustomerHit(NamedTuple):
    """A customer that matched: `id` and `name` as on a `Customer`, then its contacts' names,
    phones and emails and its assets (with their IMO numbers), each joined by ", "."""

    id: str
    name: str
    contacts: str
    phones: str
    emails: str
    assets: str
    text: str
    """The fields that were searched, joined by " · ", for the snippet."""


def _joined(expression: str, source: str) -> str:
    """SQL: the customer `c`'s values of `expression` over its rows in `source`, joined by ", "."""
    return f"coalesce((SELECT group_concat({expression}, ', ') FROM {source}), '')"


_LIVE_CONTACTS = "contact k WHERE k.customer_id = c.id AND NOT k.removed"
_LIVE_ASSETS = "asset a WHERE a.customer_id = c.id AND NOT a.removed"
_ASSET_LABEL = "a.name || CASE WHEN a.imo != '' THEN ' (IMO ' || a.imo || ')' ELSE '' END"
_HIT_SQL = (
    f"SELECT c.id, c.name, {_joined('k.name', _LIVE_CONTACTS)}, "
    f"{_joined('p.value', 'contact k, json_each(k.phones) p WHERE k.customer_id = c.id AND NOT k.removed')}, "
    f"{_joined('e.value', 'contact k, json_each(k.emails) e WHERE k.customer_id = c.id AND NOT k.removed')}, "
    f"{_joined(_ASSET_LABEL, _LIVE_ASSETS)}, c.notes FROM customer c WHERE c.id IN (SELECT value FROM json_each(?))"
)
"""A `CustomerHit` of each customer whose id is in a JSON array, and its notes."""

_CUSTOMER_SOURCES = (
    ("customer_search", "customer x", "x.id", "(x.name || x.contact_name || x.phone || x.email || x.sites || x.notes)"),
    ("contact_search", "contact x", "x.customer_id", "(x.name || x.role || x.phones || x.emails)"),
    ("asset_search", "asset x", "x.customer_id", "(x.name || x.imo || x.flag || x.vessel_type)"),
)
"""Where a customer is found: (index, table, the customer's id, the text the index holds): its
own fields, then those of one of its contacts, then those of one of its assets."""


@dataclass(frozen=True)
class TicketFilter:
    """Conditions on the ticket itself; each None or empty one is left out."""

    status: str | None = None
    priority: str | None = None
    channel: str | None = None
    team: str | None = None
    """Part of the team's name."""
    agent: str | None = None
    """Part of the assignee's name."""
    customer: str | None = None
    """Part of the customer's name or of one of its contacts' names."""
    tags: tuple[str, ...] = ()
    """Tags the ticket carries, in normal form (`cs_console.tags`)."""
    created_from: datetime | None = None
    created_before: datetime | None = None
    unfinished_since: datetime | None = None
    """Not resolved or closed, and created before this."""

    def sql(self) -> tuple[str, list]:
        """The conditions on `t` (ticket) and `c` (customer), as SQL and its arguments."""
        where: list[str] = []
        args: list = []
        for column, value in (("t.status", self.status), ("t.priority", self.priority), ("t.channel", self.channel)):
            if value is not None:
                where.append(f"{column} = ?")
                args.append(value)
        if self.team:
            where.append("t.team LIKE ? ESCAPE '\\'")
            args.append(like_pattern(self.team))
        if self.agent:
            where.append("t.assignee_id IN (SELECT id FROM agent WHERE name LIKE ? ESCAPE '\\')")
            args.append(like_pattern(self.agent))
        if self.customer:
            where.append("(c.name LIKE ? ESCAPE '\\' OR c.id IN (SELECT customer_id FROM contact WHERE name LIKE ? "
                         "ESCAPE '\\'))")
            args += [like_pattern(self.customer)] * 2
        for tag in self.tags:
            where.append("t.id IN (SELECT g.ticket_id FROM ticket_tag g WHERE g.tag = ? AND g.active)")
            args.append(tag)
        for condition, moment in (("t.created_at >= ?", self.created_from), ("t.created_at < ?", self.created_before)):
            if moment is not None:
                where.append(condition)
                args.append(to_text(moment))
        if self.unfinished_since is not None:
            where.append("t.status NOT IN ('resolved', 'closed') AND t.created_at < ?")
            args.append(to_text(self.unfinished_since))
        return "".join(" AND " + condition for condition in where), args


def like_pattern(text: str) -> str:
    """A LIKE pattern (with ESCAPE '\\') for `text` anywhere; its `%` and `_` are literal."""
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _phrase(word: str) -> str:
    """`word` as one FTS5 phrase: with the trigram tokenizer, a substring anywhere."""
    return '"' + word.replace('"', '""') + '"'


def match_expression(db, index: str, words: Sequence[str]) -> tuple[str | None, list[str]]:
    """The MATCH expression of `index` for the words it can find (None if none can; NOTHING
    if one can be seen to match nowhere), and the LIKE patterns of those it cannot."""
    parts: list[str] = []
    unindexed: list[str] = []
    for word in words:
        if len(word) >= INDEXED_MIN:
            parts.append(_phrase(word))
            continue
        start = word.lower()
        terms = [row[0] for row in db.execute(
            f"SELECT term FROM {index}_terms WHERE term >= ? AND term < ? LIMIT ?",
            (start, start + "\U0010ffff", PREFIX_TERMS + 1))]
        if not terms:
            return NOTHING, []
        if len(terms) > PREFIX_TERMS:
            unindexed.append(like_pattern(word))
        else:
            parts.append("(" + " OR ".join(map(_phrase, terms)) + ")")
    return (" AND ".join(parts) or None), unindexed


_TICKET_COLUMNS = "t.id, t.number, t.subject, t.status, t.priority, c.name, t.created_at"


class FullText:
    """Full-text search over tickets, messages and customers."""

    def search_tickets(self, words: Sequence[str], ticket_filter: TicketFilter, limit: int) -> list[TicketHit]:
        """Up to `limit` tickets, newest match first, where every word is in the ticket's
        number, subject or category, or all are in one of its messages; and that pass
        `ticket_filter`. With no words, the newest tickets that pass the filter."""
        conditions, args = ticket_filter.sql()
        with self._plain_reads() as db:
            if not words:
                rows = db.execute(
                    f"SELECT {_TICKET_COLUMNS}, t.subject, 'ticket', t.created_at FROM ticket t "
                    f"JOIN customer c ON c.id = t.customer_id WHERE 1{conditions} ORDER BY t.rowid DESC LIMIT ?",
                    (*args, limit),
                ).fetchall()
                return [_ticket_hit(row) for row in rows]
            found = self._matching_rows(db, "ticket_search", "ticket t", "t.subject", "(t.number || ' ' || t.subject "
                                        "|| ' ' || t.category)", "'ticket', t.created_at", words, conditions, args,
                                        limit)
            found += self._matching_rows(db, "message_search", "interaction i", "i.body", "i.body",
                                         "i.kind, i.created_at", words, conditions, args, limit * OVERSCAN)
        newest: dict[str, TicketHit] = {}
        for hit in sorted(map(_ticket_hit, found), key=lambda hit: hit.said_at, reverse=True):
            newest.setdefault(hit.ticket_id, hit)
        return list(newest.values())[:limit]

    @staticmethod
    def _matching_rows(db, index: str, table: str, text: str, searched: str, source: str, words: Sequence[str],
                       conditions: str, args: list, limit: int) -> list:
        """Rows of `table` (the ticket, or an interaction) that contain every word, newest
        first, each with its ticket and customer.

        The walk starts from the index, or, with no word long enough for it, from the table,
        in descending rowid and stops at the limit: driving the join from a list of every
        match instead costs 50 ms for a common word at 10,000 tickets, against 0.7 ms."""
        match, short = match_expression(db, index, words)
        if match == NOTHING:
            return []
        alias = table.split()[1]
        joins = "" if alias == "t" else " JOIN ticket t ON t.id = i.ticket_id"
        likes = "".join(f" AND {searched} LIKE ? ESCAPE '\\'" for _ in short)
        select = f"SELECT {_TICKET_COLUMNS}, {text}, {source} FROM "
        tail = f"{joins} JOIN customer c ON c.id = t.customer_id WHERE "
        if match is None:
            return db.execute(f"{select}{table}{tail}1{likes}{conditions} ORDER BY {alias}.rowid DESC LIMIT ?",
                              (*short, *args, limit)).fetchall()
        return db.execute(
            f"{select}{index} s JOIN {table} ON {alias}.rowid = s.rowid{tail}{index} MATCH ?{likes}{conditions} "
            "ORDER BY s.rowid DESC LIMIT ?",
            (match, *short, *args, limit),
        ).fetchall()

    def search_customers(self, words: Sequence[str], limit: int) -> list[CustomerHit]:
        """Up to `limit` customers, best match first, that hold every word in their own name
        or notes, or in one contact's name, role, phones or emails, or in one asset's name,
        IMO number, flag or type (removed contacts and assets are left out)."""
        with self._plain_reads() as db:
            found: list[str] = []
            for source in _CUSTOMER_SOURCES:
                found += self._customers_matching(db, *source, words, limit)
        return self.customers_by_id(list(dict.fromkeys(found))[:limit])

    @staticmethod
    def _customers_matching(db, index: str, table: str, owner: str, searched: str, words: Sequence[str],
                            limit: int) -> list[str]:
        """Ids of the customers whose rows of `table` hold every word, best first."""
        match, short = match_expression(db, index, words)
        if match == NOTHING:
            return []
        live = "" if table.startswith("customer") else " AND NOT x.removed"
        likes = "".join(f" AND {searched} LIKE ? ESCAPE '\\'" for _ in short) + live
        if match is None:
            rows = db.execute(f"SELECT {owner} FROM {table} WHERE 1{likes} LIMIT ?", (*short, limit))
        else:
            rows = db.execute(f"SELECT {owner} FROM {index} s JOIN {table} ON x.rowid = s.rowid "
                              f"WHERE {index} MATCH ?{likes} ORDER BY s.rank LIMIT ?", (match, *short, limit))
        return [row[0] for row in rows]

    def customer_names(self) -> tuple[int, list[tuple[str, str, str, str]]]:
        """The count of customer changes so far (kept by triggers), and every customer's id,
        name, contacts' names and assets (with IMO numbers), for matching names by pinyin and
        by closeness."""
        with self._plain_reads() as db:
            generation = db.execute("SELECT value FROM meta WHERE key = 'customer_generation'").fetchone()
            rows = db.execute(f"SELECT c.id, c.name, {_joined('k.name', _LIVE_CONTACTS)}, "
                              f"{_joined('a.name || CHAR(32) || a.imo', _LIVE_ASSETS)} FROM customer c "
                              "ORDER BY c.name").fetchall()
        return int(generation[0]) if generation else 0, rows

    def customer_generation(self) -> int:
        """The count of customer changes so far: a cheap test that names read before are current."""
        with self._plain_reads() as db:
            found = db.execute("SELECT value FROM meta WHERE key = 'customer_generation'").fetchone()
        return int(found[0]) if found else 0

    def customers_by_id(self, ids: Sequence[str]) -> list[CustomerHit]:
        """The customers with these ids, in the order given."""
        with self._plain_reads() as db:
            rows = db.execute(_HIT_SQL, (json.dumps(list(ids)),)).fetchall()
        by_id = {row[0]: CustomerHit(*row[:6], " · ".join(part for part in row[1:] if part)) for row in rows}
        return [by_id[i] for i in ids if i in by_id]


def _ticket_hit(row: tuple) -> TicketHit:
    return TicketHit(*row[:6], _utc(row[6]), row[7], row[8], _utc(row[9]))
