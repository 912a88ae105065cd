"""Convergence under a hostile network, as a property (hypothesis).

Three devices edit two tickets (notes, status, assignment) and sync over a network that
loses requests, loses answers after the server committed, delivers twice, holds a request
back and replays it later, and garbles answers; one device's clock may run an hour fast.
After the network heals and everyone syncs, every device holds exactly the server's
tickets, every note exists once, every operation was applied exactly once, and each field
holds the value of its latest write (the reference model: highest stamp wins).

Runs in-process against the server's handler, on each backend.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from cs_console.server.db import applied_ops
from cs_console.storage import hlc
from cs_console.storage.models import Customer
from cs_console.store import Store
from cs_console.sync.cycle import TransportError
from cs_console.usecases.ticket_changes import add_interaction, change_status
from cs_console.vocabulary import STATUSES
from tests.test_sync_harness import account, database, database_url, device_ticket, server_ticket, sync_in_process  # noqa: F401

DEVICES = 3
TICKETS = 2
FAULTS = ("ok", "ok", "lose_request", "lose_answer", "duplicate", "hold", "garble")

actions = st.lists(
    st.one_of(
        st.tuples(st.just("note"), st.integers(0, DEVICES - 1), st.integers(0, TICKETS - 1)),
        st.tuples(st.just("status"), st.integers(0, DEVICES - 1), st.integers(0, TICKETS - 1), st.sampled_from(STATUSES)),
        st.tuples(st.just("assign"), st.integers(0, DEVICES - 1), st.integers(0, TICKETS - 1), st.integers(-1, 3)),
        st.tuples(st.just("sync"), st.integers(0, DEVICES - 1), st.sampled_from(FAULTS)),
        st.tuples(st.just("release"), st.booleans()),
    ),
    min_size=1,
    max_size=30,
)


class Network:
    """Delivers a cycle's first request with a fault; the rest of the cycle goes through."""

    def __init__(self) -> None:
        self.held: list = []

    def faulty(self, fault: str):
        first = [True]

        def send(body: bytes, content_type: str, deliver):
            if not first[0] or fault == "ok":
                return deliver(body, content_type)
            first[0] = False
            if fault == "lose_request":
                raise TransportError("request lost")
            if fault == "hold":
                self.held.append((body, content_type, deliver))
                raise TransportError("request delayed past the timeout")
            status, answer, answer_type = deliver(body, content_type)
            if fault == "lose_answer":
                raise TransportError("answer lost after the server committed")
            if fault == "garble":
                return status, answer[: len(answer) // 2], answer_type
            return deliver(body, content_type)  # duplicate: the second answer is the one heard

        return send

    def release(self, newest_first: bool) -> None:
        for body, content_type, deliver in reversed(self.held) if newest_first else self.held:
            deliver(body, content_type)
        self.held.clear()


def _world(folder: Path, database, skewed: bool):
    team = f"team-{uuid.uuid4().hex[:6]}"
    devices = []
    for _ in range(DEVICES):
        lead, token = account(database, "lead", team)
        devices.append((Store.open(folder / f"{uuid.uuid4().hex}.db"), token, lead.agent_id))
    assignees = [account(database, "agent", team)[0].agent_id for _ in range(2)] + [devices[0][2], devices[1][2]]
    store0, token0, _ = devices[0]
    assert sync_in_process(store0, database, token0).ok
    tickets = [
        store0.create_ticket(new_customer=Customer(name=f"Vessel {n}"), subject=f"Issue {n}", first_message="help", team=team).id
        for n in range(TICKETS)
    ]
    for store, token, _ in devices:
        assert sync_in_process(store, database, token).ok
    if skewed:
        store = devices[2][0]
        store._last_stamp = hlc.Stamp(store._last_stamp.wall_ms + 3_600_000, 0, store._last_stamp.node)
    return devices, assignees, tickets


def _reference(stores: list[Store], ticket_id: str, field: str):
    """The value of the write with the highest stamp, over every device's outbox."""
    writes = [
        (op.hlc, json.loads(op.payload)[field])
        for store in stores
        for op in _outbox(store)
        if op.entity == "ticket" and op.entity_id == ticket_id and field in json.loads(op.payload)
    ]
    return max(writes)[1]


def _outbox(store: Store):
    from sqlmodel import select as model_select

    from cs_console.storage.models import OutboxOp

    with store.read() as session:
        return list(session.exec(model_select(OutboxOp)))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(steps=actions, skewed=st.booleans())
def test_devices_converge_whatever_the_network_does(database, steps, skewed):
    with tempfile.TemporaryDirectory() as folder:
        devices, assignees, tickets = _world(Path(folder), database, skewed)
        network = Network()
        notes = []
        for step in steps:
            kind = step[0]
            if kind == "release":
                network.release(step[1])
                continue
            store, token, me = devices[step[1]]
            if kind == "sync":
                sync_in_process(store, database, token, network.faulty(step[2]))
            elif kind == "note":
                body = f"note {uuid.uuid4().hex[:8]}"
                add_interaction(store, tickets[step[2]], "internal_note", body, author_id=me)
                notes.append(body)
            elif kind == "status":
                change_status(store, tickets[step[2]], step[3], author_id=me)
            else:
                store.assign_many([tickets[step[2]]], assignees[step[3]] if step[3] >= 0 else None)

        network.release(False)
        for _ in range(2):
            for store, token, _ in devices:
                report = sync_in_process(store, database, token)
                assert report.ok and report.pending == 0 and report.refused == 0, report

        stores = [store for store, _, _ in devices]
        for ticket_id in tickets:
            truth = server_ticket(database, ticket_id)
            for store in stores:
                assert device_ticket(store, ticket_id) == truth
            bodies = [body for _, _, body, _ in truth["interactions"]]
            assert all(bodies.count(body) == 1 for body in notes if body in bodies)
            if not skewed:
                for field in ("status", "assignee_id"):
                    assert truth["ticket"][field] == _reference(stores, ticket_id, field)
        on_server = [body for t in tickets for _, _, body, _ in server_ticket(database, t)["interactions"]]
        assert sorted(body for body in on_server if body.startswith("note ")) == sorted(notes)
        sent = sum(len(_outbox(store)) for store in stores)
        with database.read() as session:
            query = select(func.count()).select_from(applied_ops).where(applied_ops.c.device_id.in_([s.device_id for s in stores]))
            assert session.execute(query).scalar_one() == sent
        for store in stores:
            store.close()
