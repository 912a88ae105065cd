"""Applying a device's operations to the central database, all or nothing.

- An operation already applied (by op id) is acknowledged again and changes nothing.
- Mutable rows merge field by field, last writer wins on the hybrid-logical-clock stamps.
  A write that loses to a later one is not dropped silently: the ticket gets an internal
  note, written by the "Sync" agent, naming the field, the losing value and the winner.
- Messages and events are append-only: a row whose id is already here is left alone.
- A stamp far ahead of the server's clock is clamped to it, so one ship whose clock runs
  fast cannot win every conflict until the world catches up.
- A first_response event needs an agent's reply or logged call on the ticket at or before
  it: response-time KPIs read the event, so the server checks it against the reply.
- A merge that closes a loop (two devices offline merged X into Y and Y into X, or round
  three tickets) keeps the later merges: the earliest merge in the loop, by the stamp of
  its `merged_into`, is undone by the server, its duplicate reopened, with a note saying so.
- A new ticket whose number another ticket already has (two devices whose prefixes
  collide) is renumbered, never refused: the server's number comes back down with the
  ticket, and a note on the ticket says what changed.
- Every operation is checked (shape, references, the caller's scope) and any refusal
  refuses the whole batch, naming each refused operation so the device can set it aside.

It refuses to read pages (`changes`) or to know about HTTP (`app`).
"""

from __future__ import annotations

import itertools
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import bindparam, insert, select
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from cs_console.clocks import workflow
from cs_console.server import changes
from cs_console.server.db import Database, Numbers, applied_ops
from cs_console.server.known import Known, storable
from cs_console.server.scope import ORGANISATION_PARTS, Caller, write_problem
from cs_console.storage import hlc
from cs_console.storage.models import Agent, Customer, Interaction, Ticket, TicketEvent
from cs_console.storage.ticket_relations import MAX_CHAIN
from cs_console.sync.errors import BatchRefused, Problem
from cs_console.sync.protocol import SyncRequest
from cs_console.sync.schema import ENTITIES, TICKET_CHILDREN, EntitySpec, to_model_values, to_wire, values_problem
from cs_console.utc import utcnow
from cs_console.vocabulary import FIRST_RESPONSE_KINDS, STATUSES

MAX_CLOCK_AHEAD_MS = 5 * 60 * 1000
"""A stamp more than five minutes ahead of the server is clamped: enough for honest drift
between a ship's clock and ours, far too little to win conflicts for a day."""


SILENT_FIELDS = frozenset({"updated_at"})
"""Fields whose lost writes are bookkeeping, not anyone's decision: no conflict note."""

SERVER_NODE = "server"
SYSTEM_AGENT_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "cs-console:sync-agent"))
SYSTEM_AGENT_NAME = "Sync"
"""The author of the notes the server writes itself (conflicts), so screens show a name."""


@dataclass(frozen=True)
class Outcome:
    acked_through: int | None
    """The highest seq of the request: every operation up to it is now on the server."""
    applied: int
    duplicates: int
    conflicts: int
    settled: tuple[tuple, ...] = ()
    """[op id, field, its value, the value that stays] of each write of the request that lost
    to a later one, bookkeeping fields aside: the device shows them in its outbox."""
    head: int | None = None
    """A change number up to which everything is committed, known from the batch's write
    (None: nothing was written), so the page after it needs no query for one."""


@dataclass(frozen=True)
class Lost:
    """A field write that lost to a later one."""

    field: str
    value: object
    winner: object


class _Batch:
    """The working state of one batch: where it writes, for whom, what it knows, the server's clock."""

    def __init__(self, session: Session, numbers: Numbers, caller: Caller, request: SyncRequest, now_ms: int) -> None:
        self.session = session
        self.numbers = numbers
        self.known = Known(session)
        self.log = changes.Log(session, numbers)
        self.caller = caller
        self.device_id = request.device_id
        self.cursor = request.cursor
        self.now_ms = now_ms
        self.clamps = 0
        self.server_counter = 0
        self.conflicts = 0
        self.settled: list[tuple] = []

    def clamp(self, stamp: hlc.Stamp) -> tuple[hlc.Stamp, bool]:
        """The stamp, or the latest one the server accepts; and whether it was clamped."""
        limit = self.now_ms + MAX_CLOCK_AHEAD_MS
        if stamp.wall_ms <= limit:
            return stamp, False
        self.clamps += 1
        return hlc.Stamp(limit, self.clamps, stamp.node), True

    def server_stamp(self) -> str:
        self.server_counter += 1
        return str(hlc.Stamp(self.now_ms, self.server_counter, SERVER_NODE))


_RECORD_APPLIED = insert(applied_ops)
_APPLIED = select(applied_ops.c.op_id).where(applied_ops.c.op_id.in_(bindparam("ids", expanding=True)))


class _Unplaced(Exception):
    """The database refused a write at a flush shared by several operations."""


def apply_batch(database: Database, caller: Caller, request: SyncRequest, now_ms: int) -> Outcome:
    """Apply the request's operations in seq order in one transaction.

    Rows and references are read once for the whole batch and written at its end. Should
    the database refuse that shared write (a constraint no rule foresaw), the batch is
    applied again, writing after each operation, to name the operation it refuses.

    Raises:
        BatchRefused: some operations were refused; nothing was applied.
    """
    if not request.ops:
        return Outcome(None, 0, 0, 0)
    try:
        return _apply_batch(database, caller, request, now_ms, flush_each=False)
    except _Unplaced:
        return _apply_batch(database, caller, request, now_ms, flush_each=True)


def _apply_batch(database: Database, caller: Caller, request: SyncRequest, now_ms: int, *, flush_each: bool) -> Outcome:
    with database.write() as (session, numbers):
        ids = sorted({op.op_id for op in request.ops})
        done: set[str] = set()
        for start in range(0, len(ids), 500):
            done.update(session.execute(_APPLIED, {"ids": ids[start : start + 500]}).scalars())
        batch = _Batch(session, numbers, caller, request, now_ms)
        todo = []
        for op in sorted(request.ops, key=lambda op: op.seq):
            if op.op_id not in done:
                done.add(op.op_id)
                todo.append(op)
        problems: list[Problem] = []
        with session.no_autoflush:
            _read_ahead(batch, todo)
            for op in todo:
                try:
                    found = _apply(batch, op)
                    if flush_each:
                        batch.known.flush()
                except IntegrityError as error:
                    if not flush_each:
                        raise _Unplaced from error
                    problem = Problem(op.op_id, op.seq, "malformed", f"the database refused it ({error.orig})")
                    raise BatchRefused((problem,)) from None
                if found:
                    problems.append(Problem(op.op_id, op.seq, *found))
            if problems:
                raise BatchRefused(tuple(problems))
            try:
                batch.known.flush()
            except IntegrityError as error:
                raise _Unplaced from error
        batch.log.write()
        if todo:
            session.execute(
                _RECORD_APPLIED,
                [{"op_id": op.op_id, "device_id": request.device_id, "seq": op.seq, "agent_id": caller.agent_id} for op in todo],
            )
    return Outcome(
        acked_through=max(op.seq for op in request.ops),
        applied=len(todo),
        duplicates=len(request.ops) - len(todo),
        conflicts=batch.conflicts,
        settled=tuple(batch.settled),
        head=numbers.newest,
    )


def _read_ahead(batch: _Batch, ops: list) -> None:
    """Read once what the operations will ask about: their rows and change-log lines, the
    rows their fields name, the tickets of the children among them, every ticket naming a
    customer they name, the assignees of all those tickets, the numbers new tickets want,
    the replies on tickets given a first response. Values are not checked yet: those no
    database takes are skipped here and refused by the checks."""
    known = batch.known
    wanted: dict[str, set[str]] = {}
    customers: set[str] = set()
    numbers: set[str] = set()
    answered: set[str] = set()

    def note(into: set[str], value: object) -> None:
        if storable(value):
            into.add(value)

    for op in ops:
        spec = ENTITIES.get(op.entity)
        if spec is None or not isinstance(op.payload, dict) or not storable(op.entity_id):
            continue
        wanted.setdefault(op.entity, set()).add(op.entity_id)
        for name, value in op.payload.items():
            field = spec.fields.get(name)
            if field is not None and field.references:
                note(wanted.setdefault(field.references, set()), value)
        if op.entity == "customer":
            customers.add(op.entity_id)
        elif op.entity in ORGANISATION_PARTS:
            note(customers, op.payload.get("customer_id"))
        elif op.entity == "ticket":
            note(customers, op.payload.get("customer_id"))
            note(numbers, op.payload.get("number"))
        elif op.entity == "ticket_event" and op.payload.get("kind") == "first_response":
            note(answered, op.payload.get("ticket_id"))
    known.load_tables({ENTITIES[entity].model: ids for entity, ids in wanted.items()}, numbers)
    known.load(Ticket, {row.ticket_id for entity in TICKET_CHILDREN for row in known.rows(ENTITIES[entity].model)})
    known.load_customers(customers)
    known.load(Agent, {ticket.assignee_id for ticket in known.rows(Ticket)})
    known.load_children(Interaction, answered)
    batch.log.read((op.entity, op.entity_id) for op in ops if storable(op.entity_id))
    batch.log.read(("customer", customer_id) for customer_id in customers)


def _apply(batch: _Batch, op) -> tuple[str, str] | None:
    """Apply one operation; returns (problem code, sentence) when it is refused."""
    spec = ENTITIES.get(op.entity)
    if spec is None:
        return "malformed", f"unknown entity {op.entity!r}; this server syncs {', '.join(ENTITIES)}"
    actions = ("append",) if spec.append_only else ("insert", "update")
    if op.action not in actions:
        return "malformed", f"{op.entity} takes {' or '.join(actions)}, not {op.action!r}"
    try:
        stamp, clamped = batch.clamp(hlc.Stamp.parse(op.hlc))
    except ValueError as error:
        return "malformed", str(error)
    values = dict(op.payload)
    if values.pop("id", op.entity_id) != op.entity_id:
        return "malformed", "the payload's id differs from the operation's entity id"
    problem = values_problem(spec, values, new_row=op.action != "update")
    if problem:
        return "malformed", problem
    if spec.append_only:
        return _append(batch, spec, op, values, clamped)
    return _upsert(batch, spec, op, values, stamp, clamped)


def _reference_problem(known: Known, spec: EntitySpec, values: dict) -> tuple[str, str] | None:
    for name, value in values.items():
        target = spec.fields[name].references
        if target and value is not None and known.get(ENTITIES[target].model, value) is None:
            return "unknown", f"{spec.name}.{name} names {target} {value}, which is not on the server"
    return None


def _ticket_of(known: Known, spec: EntitySpec, values: dict, row: SQLModel | None = None) -> Ticket | None:
    if spec.name not in TICKET_CHILDREN:
        return None
    return known.get(Ticket, values.get("ticket_id") or getattr(row, "ticket_id", None))


def _response_problem(known: Known, spec: EntitySpec, values: dict) -> str | None:
    """A first response is what an agent's reply or logged call on the ticket shows, never
    earlier: the response-time KPIs read the event, so it is checked against the reply."""
    if spec.name != "ticket_event" or values["kind"] != "first_response":
        return None
    at = to_model_values(spec, {"at": values["at"]})["at"]
    replied = any(
        row.kind in FIRST_RESPONSE_KINDS and row.author_id is not None and row.created_at <= at
        for row in known.children(Interaction, values["ticket_id"])
    )
    return None if replied else (
        f"ticket {values['ticket_id']} has no reply or logged call by an agent at or before this first_response "
        f"({values['at']}) on the server"
    )


def _append(batch: _Batch, spec: EntitySpec, op, values: dict, clamped: bool) -> tuple[str, str] | None:
    known = batch.known
    if known.get(spec.model, op.entity_id) is not None:
        return None
    problem = _reference_problem(known, spec, values)
    if problem:
        return problem
    after = {"id": op.entity_id, **values}
    refusal = write_problem(known, batch.caller, spec.name, None, after, _ticket_of(known, spec, values))
    if refusal:
        return "scope", refusal
    problem = _response_problem(known, spec, values)
    if problem:
        return "malformed", problem
    if values.get("hlc"):
        try:
            own, own_clamped = batch.clamp(hlc.Stamp.parse(values["hlc"]))
        except ValueError as error:
            return "malformed", str(error)
        values["hlc"] = str(own)
        clamped = clamped or own_clamped
    known.written(spec.model(id=op.entity_id, **to_model_values(spec, values)))
    batch.log.touch(spec.name, op.entity_id, values["ticket_id"], None if clamped else batch.device_id)
    return None


def _upsert(batch: _Batch, spec: EntitySpec, op, values: dict, stamp: hlc.Stamp, clamped: bool) -> tuple[str, str] | None:
    known = batch.known
    row = known.get(spec.model, op.entity_id)
    if row is None and op.action == "update":
        return "unknown", f"{spec.name} {op.entity_id} is not on the server, or not in your scope"
    before = to_wire(row) if row is not None else None
    after = {**(before or {}), "id": op.entity_id, **values}
    problem = _reference_problem(known, spec, values)
    if problem:
        return problem
    renumbered = _free_number(known, spec, op.entity_id, values)
    if renumbered:
        values["number"] = renumbered
    refusal = write_problem(known, batch.caller, spec.name, before, after, _ticket_of(known, spec, values, row))
    if refusal:
        return "scope", refusal
    previous = batch.log.previous(spec.name, op.entity_id)
    if row is None:
        row = spec.model(id=op.entity_id, field_clocks="{}")
    lost = merge_fields(row, spec, values, str(stamp))
    decided = [item for item in lost if item.field not in SILENT_FIELDS]
    batch.settled += [(op.op_id, item.field, item.value, item.winner) for item in decided]
    known.written(row)
    if renumbered:
        _renumber(batch, row, after["number"], renumbered, stamp)
    unlooped = spec.name == "ticket" and _break_merge_loop(batch, row)
    clean = not clamped and not lost and not renumbered and not unlooped and (
        previous is None or previous[0] <= batch.cursor or previous[1] == batch.device_id
    )
    if spec.name == "ticket":
        known.ticket_written(row, before)
        _after_ticket_write(batch, row, before, decided, stamp)
    ticket_id = row.id if spec.name == "ticket" else row.ticket_id if spec.name in TICKET_CHILDREN else None
    batch.log.touch(spec.name, row.id, ticket_id, batch.device_id if clean else None)
    return None


def _free_number(known: Known, spec: EntitySpec, entity_id: str, values: dict) -> str | None:
    """The number to give a ticket whose wanted number another ticket has, or None when it is free.

    The wanted number with the first free suffix: "K7QXM-0042-2". A device makes numbers of
    two parts (prefix-sequence), so a suffixed one never collides with a later device's.
    Batches are serialised by the change counter's lock, so the number stays free until commit.
    """
    if spec.name != "ticket" or "number" not in values:
        return None
    wanted = values["number"]

    def taken(number: str) -> bool:
        return known.number_holder(number) not in (None, entity_id)

    if not taken(wanted):
        return None
    return next(f"{wanted}-{n}" for n in itertools.count(2) if not taken(f"{wanted}-{n}"))


def _renumber(batch: _Batch, ticket: Ticket, wanted: str, number: str, stamp: hlc.Stamp) -> None:
    """Stamp the server's number after the device's, so it wins on every device, and tell
    the ticket's readers: the customer may have been given the old one."""
    clocks = json.loads(ticket.field_clocks or "{}")
    clocks["number"] = str(hlc.tick(stamp, batch.now_ms, SERVER_NODE))
    ticket.field_clocks = json.dumps(clocks, separators=(",", ":"), sort_keys=True)
    _system_note(batch, ticket, f"Ticket number {wanted} was already taken on the server; this ticket is now {number}.")


def _break_merge_loop(batch: _Batch, ticket: Ticket) -> bool:
    """When `ticket`'s merge pointer closes a loop, undo the loop's earliest merge (the
    oldest `merged_into` stamp; ties by id): its duplicate is reopened to the status it had
    and no longer points anywhere, so every ticket of the loop ends in one that stays.
    Returns whether `ticket` itself was the one reopened."""
    if ticket.merged_into is None:
        return False
    loop, current = [ticket], ticket
    while current.merged_into is not None and len(loop) <= MAX_CHAIN:
        current = batch.known.get(Ticket, current.merged_into)
        if current is None or current.id == ticket.id:
            break
        loop.append(current)
    if current is None or current.id != ticket.id:
        return False
    loser = min(loop, key=lambda t: (json.loads(t.field_clocks or "{}").get("merged_into", ""), t.id))
    into = batch.known.get(Ticket, loser.merged_into)
    marks = [e for e in batch.known.children(TicketEvent, loser.id) if e.kind == "marked_merged"]
    before = json.loads(max(marks, key=lambda e: (e.at, e.hlc)).detail or "{}").get("status") if marks else None
    status = before if before in STATUSES else "open"
    at = utcnow()
    clocks = json.loads(loser.field_clocks or "{}")
    newest = max(clocks.values(), default=None)
    stamp = str(hlc.tick(hlc.Stamp.parse(newest) if newest else hlc.ZERO, batch.now_ms, SERVER_NODE))
    kinds = ("unmerged", *workflow.events_for_status_change(loser.status, status), "status_changed")
    details = {"unmerged": {"from": loser.merged_into, "number": into.number},
               "status_changed": {"from": loser.status, "to": status}}
    for kind in kinds:
        event = TicketEvent(ticket_id=loser.id, kind=kind, at=at, hlc=batch.server_stamp(),
                            detail=json.dumps(details.get(kind, {}), separators=(",", ":")))
        batch.known.written(event)
        batch.log.touch("ticket_event", event.id, loser.id)
    loser.merged_into, loser.status, loser.updated_at = None, status, at
    clocks.update({name: stamp for name in ("merged_into", "status", "updated_at")})
    loser.field_clocks = json.dumps(clocks, separators=(",", ":"), sort_keys=True)
    batch.known.written(loser)
    if loser is not ticket:
        batch.log.touch("ticket", loser.id, loser.id)
    numbers = " → ".join(t.number for t in loop)
    _system_note(batch, loser, f"Merges made on two devices formed a loop ({numbers} → {ticket.number}); the later "
                               f"ones stand, so the merge of {loser.number} into {into.number} was undone and "
                               f"{loser.number} reopened.")
    return loser is ticket


def merge_fields(row: SQLModel, spec: EntitySpec, values: dict, stamp: str) -> list[Lost]:
    """Last writer wins, per field: set each value whose stamp beats the field's clock.

    Returns the writes that lost to a later one with a different value.
    """
    clocks = json.loads(row.field_clocks or "{}")
    lost = []
    for name, value in to_model_values(spec, values).items():
        current = clocks.get(name, "")
        if stamp > current:
            setattr(row, name, value)
            clocks[name] = stamp
        elif stamp < current and getattr(row, name) != value:
            lost.append(Lost(name, values[name], to_wire(row)[name]))
    row.field_clocks = json.dumps(clocks, separators=(",", ":"), sort_keys=True)
    return lost


def _after_ticket_write(batch: _Batch, ticket: Ticket, before: dict | None, lost: list[Lost], stamp: hlc.Stamp) -> None:
    """Log what a ticket write implies: its family moving with it, the old holder's last
    look, and a note for every decision that lost."""
    moved = before is not None and (before["assignee_id"], before["team"]) != (ticket.assignee_id, ticket.team)
    if moved:
        changes.record_exit(batch.session, batch.numbers, ticket.id, before["assignee_id"], before["team"])
    if before is None or moved or before["customer_id"] != ticket.customer_id:
        if before is not None:
            batch.known.flush()
        batch.log.touch_family(ticket, new=before is None, new_customer=batch.known.absent(Customer, ticket.customer_id))
    if lost:
        _conflict_note(batch, ticket, lost, stamp)


def _shown(known: Known, field: str, value) -> str:
    if field == "assignee_id":
        agent = known.get(Agent, value) if value else None
        return agent.name if agent else "nobody (the team pool)"
    if field == "merged_into":
        ticket = known.get(Ticket, value) if value else None
        return f"merged into {ticket.number}" if ticket else "not merged"
    return repr(value)


def _conflict_note(batch: _Batch, ticket: Ticket, lost: list[Lost], stamp: hlc.Stamp) -> None:
    when = datetime.fromtimestamp(stamp.wall_ms / 1000, UTC).strftime("%Y-%m-%d %H:%M UTC")
    parts = "; ".join(
        f"{item.field}: {batch.caller.name}'s {_shown(batch.known, item.field, item.value)} (changed {when}) "
        f"lost to the later {_shown(batch.known, item.field, item.winner)}"
        for item in lost
    )
    _system_note(batch, ticket, f"Sync conflict, settled by the latest change. {parts}.")
    batch.conflicts += len(lost)


def _system_note(batch: _Batch, ticket: Ticket, body: str) -> None:
    """An internal note on the ticket by the "Sync" agent: what the server decided for someone."""
    if batch.known.get(Agent, SYSTEM_AGENT_ID) is None:
        batch.known.flush()
        batch.known.remember(system_agent(batch.session, batch.numbers, batch.now_ms))
    note = Interaction(
        ticket_id=ticket.id,
        kind="internal_note",
        author_id=SYSTEM_AGENT_ID,
        body=body,
        created_at=utcnow(),
        hlc=batch.server_stamp(),
    )
    batch.known.written(note)
    batch.log.touch("interaction", note.id, ticket.id)


def system_agent(session: Session, numbers: Numbers, now_ms: int) -> Agent:
    """The "Sync" agent who signs the server's own notes, made the first time one is written."""
    return session.get(Agent, SYSTEM_AGENT_ID) or server_write(
        session, numbers, "agent", SYSTEM_AGENT_ID, {"name": SYSTEM_AGENT_NAME, "active": False}, now_ms)


def server_write(session: Session, numbers: Numbers, entity: str, entity_id: str, values: dict, now_ms: int,
                 ticket_id: str | None = None) -> SQLModel:
    """Create or change a mutable row as the server itself (accounts, the Sync agent, the
    intake API, mail); `ticket_id` is the ticket the row belongs to (itself for a ticket), for scope.

    Its stamp sorts after every stamp the row already carries, so the server's write wins.
    """
    spec = ENTITIES[entity]
    row = session.get(spec.model, entity_id) or spec.model(id=entity_id, field_clocks="{}")
    newest = max(json.loads(row.field_clocks or "{}").values(), default=None)
    stamp = hlc.tick(hlc.Stamp.parse(newest) if newest else hlc.ZERO, now_ms, SERVER_NODE)
    merge_fields(row, spec, values, str(stamp))
    session.add(row)
    session.flush()
    changes.touch(session, numbers, entity, entity_id,
                  ticket_id or (entity_id if entity == "ticket" else getattr(row, "ticket_id", None)))
    return row
