"""The change log: every synced row's latest change number, and pages read back from it.

Writing: `Log.touch` gives a row a new number (its old one disappears: state, not history);
a batch's lines are kept in its `Log` and written at its end with executemany.
When a ticket changes hands or customer, its whole family (customer and its contacts and
assets, messages, events, tags, reminders, links) is touched too, so a device that gains the ticket receives all of it, and the
previous holder gets one last look at the ticket (`record_exit`) so it leaves their queue.

Reading: `read_page` walks the numbers after a device's cursors (one for tickets and
what they need, one for the knowledge base and templates, which wait until the tickets are
down), keeps the rows in the caller's scope, skips rows the device itself made (it already
has them), and stops at the byte budget. Rows a page refers to whose own number still lies ahead (a ticket updated
after its messages) ride along, so every page can be stored on its own. A read walks no
further than the counter's value when it starts (every number up to it is committed), and
a stream read to its end moves the cursor to that value, past the changes outside the
caller's scope: the next read starts there instead of walking them again, and a device
with nothing new since costs one query. It refuses to decide what a change means; `merge` does.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, bindparam, insert, literal, or_, select, union_all, update
from sqlmodel import Session, col

from cs_console.server.db import NEWEST, Numbers, changes, scope_exits
from cs_console.server.known import rows_where_in
from cs_console.server.scope import (
    ORGANISATION_PARTS,
    Caller,
    exit_clause,
    mail_problem_clause,
    review_clause,
    ticket_clause,
)
from cs_console.storage.models import (
    Asset,
    Attachment,
    Contact,
    Interaction,
    KbProposal,
    MailProblem,
    Reminder,
    Review,
    Ticket,
    TicketEvent,
    TicketLink,
    TicketTag,
)
from cs_console.sync import codec
from cs_console.sync.schema import ENTITIES, TICKET_CHILDREN, to_wire

READ_CHUNK = 400
"""Log entries read per query while filling a page."""

LIBRARY = ("kb_article", "template", "macro")
"""The low-priority, pull-only stream every account receives, after its tickets. (Agents
are everyone's too, but travel with the tickets: screens need their names.)"""


_UNCHANGED = "unchanged"

_Key = tuple[str, str]
"""(entity, entity id): one line of the log."""

READ_IDS = 500
"""Ids per `IN (...)` when reading log lines: well under every backend's parameter limit."""


_LINES = select(changes.c.entity, changes.c.entity_id, changes.c.seq, changes.c.origin).where(
    changes.c.entity.in_(bindparam("entities", expanding=True)),
    changes.c.entity_id.in_(bindparam("ids", expanding=True)),
)
"""Both key columns, so the primary key's index answers it: asked by id alone, SQLite and
PostgreSQL read the whole log, and a sync cost 5.4 ms more at 8,000 tickets (and more with each)."""


_RENUMBER = (
    update(changes)
    .where(changes.c.entity == bindparam("b_entity"), changes.c.entity_id == bindparam("b_entity_id"))
    .values(seq=bindparam("b_seq"), ticket_id=bindparam("b_ticket_id"), origin=bindparam("b_origin"))
)
_ADD_LINES = insert(changes)
"""Both built once: building a statement cost more than running it on a sync's few lines."""


class Log:
    """The change-log lines of one write transaction, kept until `write` and written with
    one executemany UPDATE and one INSERT, instead of an UPDATE (and maybe an INSERT) per row.

    Numbers are still handed out at each `touch`, so their order is the order of the writes.
    `read` the lines a batch will touch up front: what is not read is read on demand.
    """

    def __init__(self, session: Session, numbers: Numbers) -> None:
        self._session, self._numbers = session, numbers
        self._logged: dict[_Key, tuple[int, str | None] | None] = {}
        """Lines as the database holds them (None: no line yet)."""
        self._pending: dict[_Key, tuple[int, str | None, str | None]] = {}
        """Lines written since: (seq, ticket_id, origin)."""

    def read(self, keys: Iterable[_Key]) -> None:
        """Read the database's lines for these keys, one query per 500 keys (ids are UUIDs, so
        pairing each of the chunk's entities with each of its ids finds few lines more)."""
        wanted = sorted(set(keys) - self._logged.keys())
        for start in range(0, len(wanted), READ_IDS):
            chunk = wanted[start : start + READ_IDS]
            entities = sorted({entity for entity, _ in chunk})
            ids = sorted({entity_id for _, entity_id in chunk})
            found = {(row.entity, row.entity_id): (row.seq, row.origin)
                     for row in self._session.execute(_LINES, {"entities": entities, "ids": ids})}
            self._logged.update((key, found.get(key)) for key in chunk)

    def previous(self, entity: str, entity_id: str) -> tuple[int, str | None] | None:
        """A row's current change number and origin device, if it has been logged."""
        key = (entity, entity_id)
        if key in self._pending:
            seq, _, origin = self._pending[key]
            return seq, origin
        if key not in self._logged:
            self.read([key])
        return self._logged[key]

    def touch(self, entity: str, entity_id: str, ticket_id: str | None = None, origin: str | None = None) -> int:
        """Give a row the next change number; returns it.

        `origin` is the device that already holds the row exactly as it is now; pass
        `_UNCHANGED` when the row itself did not change, so whoever held it still does.
        """
        seq = self._numbers.next()
        if origin == _UNCHANGED:
            current = self.previous(entity, entity_id)
            origin = current[1] if current else None
        self._pending[(entity, entity_id)] = (seq, ticket_id, origin)
        return seq

    def write(self) -> None:
        """Write every pending line: one executemany UPDATE for lines that exist, one INSERT."""
        self.read(self._pending)
        lines = [
            {"b_entity": entity, "b_entity_id": entity_id, "b_seq": seq, "b_ticket_id": ticket_id, "b_origin": origin}
            for (entity, entity_id), (seq, ticket_id, origin) in self._pending.items()
        ]
        existing = [line for line in lines if self._logged[(line["b_entity"], line["b_entity_id"])] is not None]
        new = [line for line in lines if self._logged[(line["b_entity"], line["b_entity_id"])] is None]
        if existing:
            self._session.connection().execute(_RENUMBER, existing)
        if new:
            self._session.connection().execute(
                _ADD_LINES,
                [{"entity": line["b_entity"], "entity_id": line["b_entity_id"], "seq": line["b_seq"],
                  "ticket_id": line["b_ticket_id"], "origin": line["b_origin"]} for line in new],
            )
        for key, (seq, _, origin) in self._pending.items():
            self._logged[key] = (seq, origin)
        self._pending.clear()

    def touch_family(self, ticket: Ticket, *, new: bool = False, new_customer: bool = False) -> None:
        """Re-log a ticket's customer and history, for devices the ticket has just reached.

        A ticket `new` to the server has no history here yet (a message naming a ticket
        the server lacks is refused), so only its customer is re-logged; a `new_customer`,
        not yet in the database, has no contacts or assets there either. Rows the session
        holds unflushed are not found: flush first.
        """
        self.touch("customer", ticket.customer_id, origin=_UNCHANGED)
        for model, entity in () if new_customer else ((Contact, "contact"), (Asset, "asset")):
            ids = list(self._session.execute(select(model.id).where(model.customer_id == ticket.customer_id)).scalars())
            self.read((entity, row_id) for row_id in ids)
            for row_id in ids:
                self.touch(entity, row_id, origin=_UNCHANGED)
        if new:
            return
        for model, entity in ((Interaction, "interaction"), (TicketEvent, "ticket_event"), (TicketTag, "ticket_tag"),
                              (Reminder, "reminder"), (TicketLink, "ticket_link"), (KbProposal, "kb_proposal"),
                              (Attachment, "attachment")):
            ids = list(self._session.execute(select(model.id).where(model.ticket_id == ticket.id)).scalars())
            self.read((entity, row_id) for row_id in ids)
            for row_id in ids:
                self.touch(entity, row_id, ticket.id, origin=_UNCHANGED)


def touch(
    session: Session,
    numbers: Numbers,
    entity: str,
    entity_id: str,
    ticket_id: str | None = None,
    origin: str | None = None,
) -> int:
    """Log one row's change now, outside a batch (accounts, the server's own rows)."""
    log = Log(session, numbers)
    seq = log.touch(entity, entity_id, ticket_id, origin)
    log.write()
    return seq


def record_exit(session: Session, numbers: Numbers, ticket_id: str, agent_id: str | None, team: str) -> None:
    """The ticket left the scope of `agent_id` (or of `team`'s pool when None)."""
    session.execute(scope_exits.insert().values(seq=numbers.next(), ticket_id=ticket_id, agent_id=agent_id, team=team))


@dataclass(frozen=True)
class Page:
    rows: dict[str, tuple[dict, ...]]
    """Entity to wire rows, parents before children."""
    cursor: int
    library_cursor: int
    more: bool


def _not_from(device_id):
    return or_(changes.c.origin.is_(None), changes.c.origin != device_id)


@functools.cache
def _entries_statement(role: str, library: bool):
    """The query of one stream's next log entries for callers of `role`, built once (every
    sync runs it): the caller, the device and the bounds are bound parameters."""
    caller = Caller(agent_id=bindparam("agent_id"), name="", role=role, team=bindparam("team"))
    after, head = bindparam("after"), bindparam("head")
    logged = select(changes.c.seq, changes.c.entity, changes.c.entity_id).where(
        changes.c.seq > after, changes.c.seq <= head, _not_from(bindparam("device_id"))
    )
    if library:
        return logged.where(changes.c.entity.in_(LIBRARY)).order_by(changes.c.seq).limit(READ_CHUNK)
    logged = logged.where(changes.c.entity.not_in(LIBRARY))
    scope = ticket_clause(caller)
    if scope is not None:
        entity, ticket_id = _unindexed(changes.c.entity), _unindexed(changes.c.ticket_id)
        logged = logged.where(
            or_(
                entity == "agent",
                ticket_id.in_(select(Ticket.id).where(scope)),
                and_(entity == "customer", changes.c.entity_id.in_(select(Ticket.customer_id).where(scope))),
                *(and_(entity == name, changes.c.entity_id.in_(
                    select(model.id).where(col(model.customer_id).in_(select(Ticket.customer_id).where(scope)))))
                  for name, model in (("contact", Contact), ("asset", Asset))),
                and_(entity == "mail_problem",
                     changes.c.entity_id.in_(select(MailProblem.id).where(mail_problem_clause(caller)))),
                and_(entity == "review",
                     changes.c.entity_id.in_(select(Review.id).where(review_clause(caller)))),
            )
        )
    exits = select(scope_exits.c.seq, literal("ticket").label("entity"), scope_exits.c.ticket_id).where(
        scope_exits.c.seq > after, scope_exits.c.seq <= head, exit_clause(caller)
    )
    first = [select(*part.c) for part in (
        logged.order_by(changes.c.seq).limit(READ_CHUNK).subquery(),
        exits.order_by(scope_exits.c.seq).limit(READ_CHUNK).subquery())]
    both = union_all(*first).subquery()
    return select(both.c.seq, both.c.entity, both.c.entity_id).order_by(both.c.seq).limit(READ_CHUNK)


def _unindexed(column):
    """`column` as an expression no index answers, so the log is read in change order from
    the cursor, each entry checked against the caller's scope, and each part stops at
    READ_CHUNK entries. Left indexable, SQLite answered the scope's OR from its side: every
    change ever made to each of the caller's tickets and customers, on every sync. With the
    ticket's scope indexes (`db.SCOPE_INDEXES`), a steady sync on a server of 20,000 tickets
    cost 20.2 ms of CPU against 44.8 (6.7 once the log's lines are read by key, `_LINES`)."""
    return column.concat("")


def _entries_after(
    session: Session, caller: Caller, device_id: str, after: int, head: int, library: bool
) -> list[tuple[int, str, str]]:
    """The next log entries of one stream up to `head`: the tickets' (with scope exits) or the library's."""
    values = {"after": after, "head": head, "device_id": device_id, "agent_id": caller.agent_id, "team": caller.team}
    return [tuple(row) for row in session.execute(_entries_statement(caller.role, library), values)]


def _load(session: Session, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict]:
    """Current wire rows for (entity, id) keys; rows that no longer exist are left out."""
    wanted: dict[str, set[str]] = {}
    for entity, entity_id in keys:
        wanted.setdefault(entity, set()).add(entity_id)
    found: dict[tuple[str, str], dict] = {}
    for entity, ids in wanted.items():
        model = ENTITIES[entity].model
        ordered = sorted(ids)
        for start in range(0, len(ordered), 500):
            for row in session.scalars(rows_where_in(model, "id"), {"ids": ordered[start : start + 500]}):
                found[(entity, row.id)] = to_wire(row)
    return found


def _pending(session: Session, device_id: str, after: int, entity: str, ids: set[str]) -> set[str]:
    """Those of `ids` whose latest change lies after the cursor and is not the device's own."""
    if not ids:
        return set()
    query = select(changes.c.entity_id).where(
        changes.c.entity == entity, changes.c.entity_id.in_(sorted(ids)), changes.c.seq > after, _not_from(device_id)
    )
    return {row[0] for row in session.execute(query)}


def _parents(session: Session, device_id: str, after: int, page: dict[tuple[str, str], dict]) -> None:
    """Add to `page` the tickets, customers and agents its rows name that the device may lack."""
    rows = list(page.items())
    tickets = {row["ticket_id"] for (entity, _), row in rows if entity in TICKET_CHILDREN}
    tickets -= {entity_id for (entity, entity_id) in page if entity == "ticket"}
    page.update(_load(session, (("ticket", t) for t in _pending(session, device_id, after, "ticket", tickets))))
    customers = {row["customer_id"] for (entity, _), row in page.items() if entity in ("ticket", *ORGANISATION_PARTS)}
    for entity, name in (("contact", "contact_id"), ("asset", "asset_id")):
        named = {row[name] for (kind, _), row in page.items() if kind == "ticket" and row.get(name)}
        named -= {entity_id for (kind, entity_id) in page if kind == entity}
        page.update(_load(session, ((entity, i) for i in _pending(session, device_id, after, entity, named))))
    agents = {
        row.get(name)
        for (entity, _), row in page.items()
        for name in ("assignee_id", "author_id", "agent_id", "reviewer_id")
        if entity in TICKET_CHILDREN or entity == "ticket"
    }
    for entity, ids in (("customer", customers), ("agent", agents - {None})):
        ids -= {entity_id for (kind, entity_id) in page if kind == entity}
        page.update(_load(session, ((entity, i) for i in _pending(session, device_id, after, entity, ids))))


class _Filler:
    """Fills one page up to its byte budget from one stream after another."""

    def __init__(self, session: Session, caller: Caller, device_id: str, budget: int, head: int) -> None:
        self.session, self.caller, self.device_id, self.budget = session, caller, device_id, budget
        self.head = head
        self.page: dict[tuple[str, str], dict] = {}
        self.size = 0

    def fill(self, after: int, library: bool) -> tuple[int, bool]:
        """Add the stream's rows after `after`; returns the stream's new cursor and whether
        it has more than fitted. A stream read to its end leaves the cursor at the head."""
        last = after
        while True:
            if last >= self.head:
                return last, False
            entries = _entries_after(self.session, self.caller, self.device_id, last, self.head, library)
            if not entries:
                return self.head, False
            rows = _load(self.session, ((entity, entity_id) for _, entity, entity_id in entries))
            for seq, entity, entity_id in entries:
                row = rows.get((entity, entity_id))
                if row is not None and (entity, entity_id) not in self.page:
                    cost = len(codec.pack(row))
                    if self.page and self.size + cost > self.budget:
                        return last, True
                    self.page[(entity, entity_id)] = row
                    self.size += cost
                last = seq
            if len(entries) < READ_CHUNK:
                return self.head, False


def read_page(session: Session, caller: Caller, device_id: str, cursor: int, library_cursor: int, budget: int,
              head: int | None = None) -> Page:
    """The changes in the caller's scope after the two cursors, up to `budget` packed bytes.

    Tickets and everything they need come first; the library (knowledge base, templates)
    fills what room is left once the tickets are all down, so a bulk import of articles
    never holds back a customer's message. A page holds at least one row, so a row
    larger than the budget still gets through. The read walks up to `head`, a change number
    up to which everything is committed (default: the counter's value).
    """
    if head is None:
        head = session.execute(NEWEST).scalar_one()
    filler = _Filler(session, caller, device_id, budget, head)
    cursor_after, more = filler.fill(cursor, library=False)
    library_after = library_cursor
    if not more:
        library_after, more = filler.fill(library_cursor, library=True)
    _parents(session, device_id, cursor, filler.page)
    grouped: dict[str, list[dict]] = {}
    for (entity, _), row in filler.page.items():
        grouped.setdefault(entity, []).append(row)
    ordered = {entity: tuple(grouped[entity]) for entity in ENTITIES if entity in grouped}
    return Page(rows=ordered, cursor=cursor_after, library_cursor=library_after, more=more)
