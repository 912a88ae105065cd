"""The change log: every synced row's latest change number, and pages read back from it.

Writing: `touch` gives a row a new number (its old one disappears: state, not history).
When a ticket changes hands or customer, its whole family (customer, messages, events,
reminders) is touched too, so a device that gains the ticket receives all of it, and the
previous holder gets one last look at the ticket (`record_exit`) so it leaves their queue.

Reading: `read_page` walks the numbers after a device's cursor, keeps the rows in the
caller's scope, skips rows the device itself made (it already has them), and stops at the
byte budget. Rows a page refers to whose own number still lies ahead (a ticket updated
after its messages) ride along, so every page can be stored on its own. It refuses to
decide what a change means; `merge` does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import and_, literal, or_, select, union_all, update
from sqlmodel import Session, col

from cs_console.models import Interaction, Reminder, Ticket, TicketEvent
from cs_console.server.db import Numbers, changes, scope_exits
from cs_console.server.scope import Caller, exit_clause, ticket_clause
from cs_console.sync import codec
from cs_console.sync.schema import ENTITIES, TICKET_CHILDREN, to_wire

READ_CHUNK = 400
"""Log entries read per query while filling a page."""

EVERYONE_READS = ("agent", "kb_article", "template")
"""Entities every account receives: names for the screens, the knowledge base, phrases."""


_UNCHANGED = "unchanged"


def touch(
    session: Session,
    numbers: Numbers,
    entity: str,
    entity_id: str,
    ticket_id: str | None = None,
    origin: str | None = None,
) -> int:
    """Give a row the next change number; returns it.

    `origin` is the device that already holds the row exactly as it is now; pass
    `_UNCHANGED` when the row itself did not change, so whoever held it still does.
    """
    seq = numbers.next()
    values = {"seq": seq, "ticket_id": ticket_id}
    if origin != _UNCHANGED:
        values["origin"] = origin
    where = and_(changes.c.entity == entity, changes.c.entity_id == entity_id)
    if session.execute(update(changes).where(where).values(**values)).rowcount == 0:
        session.execute(changes.insert().values(entity=entity, entity_id=entity_id, **{"origin": None, **values}))
    return seq


def previous(session: Session, entity: str, entity_id: str) -> tuple[int, str | None] | None:
    """A row's current change number and origin device, if it has been logged."""
    row = session.execute(
        select(changes.c.seq, changes.c.origin).where(changes.c.entity == entity, changes.c.entity_id == entity_id)
    ).first()
    return (row.seq, row.origin) if row else None


def touch_family(session: Session, numbers: Numbers, ticket: Ticket) -> None:
    """Re-log a ticket's customer and history, for devices the ticket has just reached."""
    touch(session, numbers, "customer", ticket.customer_id, origin=_UNCHANGED)
    for model, entity in ((Interaction, "interaction"), (TicketEvent, "ticket_event"), (Reminder, "reminder")):
        for (row_id,) in session.execute(select(model.id).where(model.ticket_id == ticket.id)):
            touch(session, numbers, entity, row_id, ticket.id, origin=_UNCHANGED)


def record_exit(session: Session, numbers: Numbers, ticket_id: str, agent_id: str | None, team: str) -> None:
    """The ticket left the scope of `agent_id` (or of `team`'s pool when None)."""
    session.execute(scope_exits.insert().values(seq=numbers.next(), ticket_id=ticket_id, agent_id=agent_id, team=team))


@dataclass(frozen=True)
class Page:
    rows: dict[str, tuple[dict, ...]]
    """Entity to wire rows, parents before children."""
    cursor: int
    more: bool


def _not_from(device_id: str):
    return or_(changes.c.origin.is_(None), changes.c.origin != device_id)


def _entries_after(session: Session, caller: Caller, device_id: str, after: int) -> list[tuple[int, str, str]]:
    scope = ticket_clause(caller)
    logged = select(changes.c.seq, changes.c.entity, changes.c.entity_id).where(
        changes.c.seq > after, _not_from(device_id)
    )
    if scope is not None:
        logged = logged.where(
            or_(
                changes.c.entity.in_(EVERYONE_READS),
                changes.c.ticket_id.in_(select(Ticket.id).where(scope)),
                and_(changes.c.entity == "customer", changes.c.entity_id.in_(select(Ticket.customer_id).where(scope))),
            )
        )
    exits = select(scope_exits.c.seq, literal("ticket").label("entity"), scope_exits.c.ticket_id).where(
        scope_exits.c.seq > after, exit_clause(caller)
    )
    both = union_all(logged, exits).subquery()
    query = select(both.c.seq, both.c.entity, both.c.entity_id).order_by(both.c.seq).limit(READ_CHUNK)
    return [tuple(row) for row in session.execute(query)]


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
            for row in session.scalars(select(model).where(col(model.id).in_(ordered[start : start + 500]))):
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
    customers = {row["customer_id"] for (entity, _), row in page.items() if entity == "ticket"}
    agents = {
        row.get(name)
        for (entity, _), row in page.items()
        for name in ("assignee_id", "author_id", "agent_id")
        if entity in TICKET_CHILDREN or entity == "ticket"
    }
    for entity, ids in (("customer", customers), ("agent", agents - {None})):
        ids -= {entity_id for (kind, entity_id) in page if kind == entity}
        page.update(_load(session, ((entity, i) for i in _pending(session, device_id, after, entity, ids))))


def read_page(session: Session, caller: Caller, device_id: str, cursor: int, budget: int) -> Page:
    """The changes after `cursor` in the caller's scope, up to `budget` packed bytes.

    A page holds at least one row, so a row larger than the budget still gets through.
    """
    page: dict[tuple[str, str], dict] = {}
    size = 0
    last = cursor
    more = False
    while not more:
        entries = _entries_after(session, caller, device_id, last)
        if not entries:
            break
        rows = _load(session, ((entity, entity_id) for _, entity, entity_id in entries))
        for seq, entity, entity_id in entries:
            row = rows.get((entity, entity_id))
            if row is not None and (entity, entity_id) not in page:
                cost = len(codec.pack(row))
                if page and size + cost > budget:
                    more = True
                    break
                page[(entity, entity_id)] = row
                size += cost
            last = seq
        else:
            if len(entries) < READ_CHUNK:
                break
    _parents(session, device_id, cursor, page)
    grouped: dict[str, list[dict]] = {}
    for (entity, _), row in page.items():
        grouped.setdefault(entity, []).append(row)
    ordered = {entity: tuple(grouped[entity]) for entity in ENTITIES if entity in grouped}
    return Page(rows=ordered, cursor=last, more=more)
