"""A batch applied at once leaves exactly what its operations applied one by one leave.

The server reads a batch's rows once and writes them at its end; these tests apply the
same random batch (customers, tickets, messages, first responses, reassignments, taken
numbers, writes that lose to later ones, writes out of scope, references to rows the
server lacks) to two databases with the same history: whole on one, one operation per
request on the other. The refusals must be the same, with the same sentences, and once
the refused operations are set aside (as a device does), the rows, the change log and
the scope exits must be the same too. On each backend.
"""

from __future__ import annotations

import itertools
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlmodel import col

from cs_console.server import merge
from cs_console.server.db import Database, changes, scope_exits
from cs_console.server.scope import Caller
from cs_console.storage import hlc
from cs_console.storage.columns import row_payload
from cs_console.storage.models import Customer, Interaction, Ticket, TicketEvent
from cs_console.storage.sync_state import ENTITY_NAMES
from cs_console.sync.errors import BatchRefused
from cs_console.sync.protocol import Op, SyncRequest
from cs_console.sync.schema import to_wire
from cs_console.utc import utcnow
from tests.test_sync_harness import PostgresSchema, postgres_unavailable

NOW_MS = int(utcnow().timestamp() * 1000)
STATUSES = ("open", "waiting_on_customer", "solution_proposed", "resolved")
examples = itertools.count()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def pair(request, tmp_path_factory):
    """Two fresh server databases on one backend: one takes batches whole, one op by op."""
    if request.param == "sqlite":
        folder = tmp_path_factory.mktemp("batch")
        opened = [Database.open(f"sqlite:///{folder / name}.db") for name in ("whole", "one_by_one")]
        yield opened
    else:
        reason = postgres_unavailable()
        if reason:
            pytest.skip(reason)
        schemas = [PostgresSchema(), PostgresSchema()]
        opened = [Database.open(schema.url) for schema in schemas]
        yield opened
        for database in opened:
            database.close()
        for schema in schemas:
            schema.drop()
        return
    for database in opened:
        database.close()


class World:
    """One example's ids: agents, customers, tickets, numbers; the same on both databases."""

    def __init__(self, role: str) -> None:
        n = next(examples)
        self.name = f"x{n}"
        self.team, self.other_team = f"deck-{n}", f"hold-{n}"
        self.me, self.mate, self.outsider = (f"{self.name}-agent-{who}" for who in ("me", "mate", "out"))
        self.caller = Caller(self.me, f"Me {n}", role, self.team)
        self.customers = [f"{self.name}-c{i}" for i in range(4)]
        self.tickets = [f"{self.name}-t{i}" for i in range(5)]
        self.numbers = [f"{self.name.upper()}-{i:04d}" for i in range(4)]
        self.ops = itertools.count(1)
        self.device = f"{self.name}-device"
        self.history = _history(self)

    def stamp(self, minutes_ago: int) -> str:
        return str(hlc.Stamp(NOW_MS - minutes_ago * 60_000, next(self.ops), self.device))

    def op(self, entity: str, entity_id: str, action: str, payload: dict, minutes_ago: int) -> Op:
        seq = next(self.ops)
        return Op(seq, f"{self.name}-op-{seq}", entity, entity_id, action, payload, self.stamp(minutes_ago))


def _payload(row) -> dict:
    payload = row_payload(row)
    payload.pop("field_clocks", None)
    return payload


def _history(world: World) -> list[Op]:
    """What both servers hold before the batch: customers c0 (on my ticket and the pool's)
    and c1 (an outsider's), tickets t0 (mine), t1 (the pool's), t2 (another team's), a reply."""
    at = utcnow() - timedelta(hours=2)
    c0, c1 = world.customers[:2]
    rows = [
        Customer(id=c0, name="Blue Whale owners"),
        Customer(id=c1, name="Hai Xing owners"),
        Ticket(id=world.tickets[0], number=world.numbers[0], customer_id=c0, assignee_id=world.me, team=world.team,
               subject="liferaft", created_at=at, updated_at=at),
        Ticket(id=world.tickets[1], number=world.numbers[1], customer_id=c0, team=world.team, subject="EPIRB",
               created_at=at, updated_at=at),
        Ticket(id=world.tickets[2], number=world.numbers[2], customer_id=c1, assignee_id=world.outsider,
               team=world.other_team, subject="gyro", created_at=at, updated_at=at),
        Interaction(id=f"{world.name}-reply", ticket_id=world.tickets[0], kind="public_reply", body="On it.",
                    author_id=world.me, created_at=at),
    ]
    return [world.op(ENTITY_NAMES[type(row)], row.id, "append" if isinstance(row, Interaction) else "insert",
                     _payload(row), 40) for row in rows]


def _set_up(database: Database, world: World) -> None:
    with database.write() as (session, numbers):
        for agent_id, team in ((world.me, world.team), (world.mate, world.team), (world.outsider, world.other_team)):
            role = world.caller.role if agent_id == world.me else "agent"
            values = {"name": agent_id, "role": role, "team": team, "active": True}
            merge.server_write(session, numbers, "agent", agent_id, values, NOW_MS)
    admin = Caller(world.outsider, "Admin", "admin", world.other_team)
    merge.apply_batch(database, admin, SyncRequest(f"{world.name}-setup", 0, 0, 0, tuple(world.history)), NOW_MS)


@st.composite
def batches(draw) -> tuple[World, list[Op]]:
    world = World(draw(st.sampled_from(("agent", "agent", "lead", "admin"))))
    people = st.sampled_from((world.me, world.mate, world.outsider, None))
    minutes = st.integers(0, 60)
    ops = []
    for index in range(draw(st.integers(1, 12))):
        kind = draw(st.sampled_from(("customer", "new_ticket", "ticket", "ticket", "message", "first_response")))
        ticket_id = draw(st.sampled_from(world.tickets))
        if kind == "customer":
            customer_id = draw(st.sampled_from(world.customers))
            action = draw(st.sampled_from(("insert", "update")))
            payload = {"name": f"Owner {index}"}
            if action == "insert":
                payload = _payload(Customer(id=customer_id, name=payload["name"], created_at=utcnow() - timedelta(hours=1)))
            ops.append(world.op("customer", customer_id, action, payload, draw(minutes)))
        elif kind == "new_ticket":
            at = utcnow() - timedelta(minutes=draw(minutes))
            row = Ticket(id=ticket_id, number=draw(st.sampled_from(world.numbers)), team=world.team,
                         customer_id=draw(st.sampled_from(world.customers)), assignee_id=draw(people),
                         subject=f"subject {index}", created_at=at, updated_at=at)
            ops.append(world.op("ticket", ticket_id, "insert", _payload(row), draw(minutes)))
        elif kind == "ticket":
            fields = draw(st.fixed_dictionaries({}, optional={
                "status": st.sampled_from(STATUSES),
                "assignee_id": people,
                "team": st.sampled_from((world.team, world.other_team)),
                "customer_id": st.sampled_from(world.customers),
                "number": st.sampled_from(world.numbers),
            }).filter(bool))
            ops.append(world.op("ticket", ticket_id, "update", fields, draw(minutes)))
        elif kind == "message":
            row = Interaction(id=f"{world.name}-m{index}", ticket_id=ticket_id, author_id=draw(people),
                              kind=draw(st.sampled_from(("customer_message", "public_reply", "internal_note"))),
                              body=f"message {index}", created_at=utcnow() - timedelta(minutes=draw(minutes)))
            ops.append(world.op("interaction", row.id, "append", _payload(row), draw(minutes)))
        else:
            row = TicketEvent(id=f"{world.name}-e{index}", ticket_id=ticket_id, kind="first_response",
                              author_id=world.me, at=utcnow() - timedelta(minutes=draw(minutes)))
            ops.append(world.op("ticket_event", row.id, "append", _payload(row), draw(minutes)))
    return world, ops


def _whole(database: Database, world: World, ops: list[Op]) -> set[tuple]:
    """Apply the batch at once; then again without what it refused. Returns the refusals."""
    request = SyncRequest(world.device, 0, 0, 0, tuple(ops))
    try:
        merge.apply_batch(database, world.caller, request, NOW_MS)
        return set()
    except BatchRefused as refused:
        problems = {(p.op_id, p.code, p.message) for p in refused.problems}
    kept = tuple(op for op in ops if op.op_id not in {op_id for op_id, _, _ in problems})
    merge.apply_batch(database, world.caller, SyncRequest(world.device, 0, 0, 0, kept), NOW_MS)
    return problems


def _one_by_one(database: Database, world: World, ops: list[Op]) -> set[tuple]:
    problems = set()
    for op in ops:
        try:
            merge.apply_batch(database, world.caller, SyncRequest(world.device, 0, 0, 0, (op,)), NOW_MS)
        except BatchRefused as refused:
            problems |= {(p.op_id, p.code, p.message) for p in refused.problems}
    return problems


def _state(database: Database, world: World) -> dict:
    """The example's rows and log, without what the server makes up itself (its notes' ids,
    times and stamps, which follow the request they were written in)."""
    tickets = world.tickets
    with database.read() as session:
        def rows(model, column, ids):
            return sorted((to_wire(row) for row in session.scalars(select(model).where(col(column).in_(ids)))),
                          key=lambda row: row["id"])

        customers = rows(Customer, Customer.id, world.customers)
        ticket_rows = rows(Ticket, Ticket.id, tickets)
        events = rows(TicketEvent, TicketEvent.ticket_id, tickets)
        messages = rows(Interaction, Interaction.ticket_id, tickets)
        notes = {row["id"] for row in messages if row["author_id"] == merge.SYSTEM_AGENT_ID}
        log = session.execute(
            select(changes.c.entity, changes.c.entity_id, changes.c.ticket_id, changes.c.origin)
            .where(col(changes.c.entity_id).in_(world.customers) | col(changes.c.ticket_id).in_(tickets))
            .order_by(changes.c.seq)
        ).all()
        exits = session.execute(
            select(scope_exits.c.ticket_id, scope_exits.c.agent_id, scope_exits.c.team)
            .where(col(scope_exits.c.ticket_id).in_(tickets)).order_by(scope_exits.c.seq)
        ).all()
    return {
        "customers": customers,
        "tickets": ticket_rows,
        "messages": [row for row in messages if row["id"] not in notes],
        "notes": sorted((row["ticket_id"], row["body"]) for row in messages if row["id"] in notes),
        "events": events,
        "log": [(entity, "note" if entity_id in notes else entity_id, ticket_id, origin)
                for entity, entity_id, ticket_id, origin in log],
        "exits": [tuple(row) for row in exits],
    }


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(example=batches())
def test_a_batch_applied_whole_equals_its_operations_one_by_one(pair, example):
    world, ops = example
    whole, one_by_one = pair
    for database in pair:
        _set_up(database, world)
    assert _whole(whole, world, ops) == _one_by_one(one_by_one, world, ops)
    assert _state(whole, world) == _state(one_by_one, world)


def test_numbers_swapped_within_one_batch_are_written_one_operation_at_a_time(pair):
    """Two tickets trading numbers in one batch: the shared write at the end would hit the
    unique number mid-way, so the batch is written again operation by operation, and lands."""
    world = World("admin")
    whole, one_by_one = pair
    for database in pair:
        _set_up(database, world)
    t0, t1 = world.tickets[:2]
    n0, n1 = world.numbers[:2]
    spare = world.numbers[3]
    ops = [world.op("ticket", t0, "update", {"number": spare}, 0), world.op("ticket", t1, "update", {"number": n0}, 0),
           world.op("ticket", t0, "update", {"number": n1}, 0)]
    assert _whole(whole, world, ops) == _one_by_one(one_by_one, world, ops) == set()
    after = _state(whole, world)
    assert after == _state(one_by_one, world)
    assert {row["id"]: row["number"] for row in after["tickets"]}[t0] == n1
