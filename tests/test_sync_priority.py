"""Urgent work goes up first, against a real server: a reply to a customer queued after a
morning of routine edits is on the server after the first round trip of a sync cut right
after it, and going up out of the order made never makes the server take the device for a
copy of another (its outbox continuity check)."""

from __future__ import annotations

from sqlmodel import select

from cs_console.server.db import applied_ops
from cs_console.storage.models import Customer, OutboxOp
from cs_console.sync.client import HttpTransport, open_http
from cs_console.sync.cycle import TransportError, run_cycle
from cs_console.sync.priority import send_order
from cs_console.usecases.ticket_changes import add_interaction, change_status
from tests.test_sync_harness import (  # noqa: F401  (fixtures)
    database,
    database_url,
    device,
    server,
    server_ticket,
    sync_in_process,
)

STRUGGLING_LINK_OPS = "3"
"""The batch size a link that kept failing has shrunk to: a few operations a request."""


def cut_after(round_trips: int, transport):
    """The transport, cut for good after `round_trips` answers."""
    answered = 0

    def cut(body: bytes, content_type: str):
        nonlocal answered
        if answered >= round_trips:
            raise TransportError("the link dropped")
        answered += 1
        return transport(body, content_type)

    return cut


def bodies(view: dict) -> set[str]:
    return {body for _, _, body, _ in view["interactions"]}


def test_a_cut_after_the_first_round_trip_has_delivered_the_urgent_reply(tmp_path, server, database):
    rig = device(tmp_path, server.url, database, "agent", "rig-7")
    rig.sync_until_done()
    hatch = rig.store.create_ticket(new_customer=Customer(name="Hai Xing Shipping"), subject="Hatch cover seal",
                                    first_message="water in hold 3", team="rig-7", assignee_id=rig.agent_id)
    pump = rig.store.create_ticket(new_customer=Customer(name="Bohai Drilling"), subject="Mud pump vibration",
                                   first_message="readings attached", team="rig-7", assignee_id=rig.agent_id)
    rig.sync_until_done()
    device_id, prefix = rig.store.device_id, rig.store.ticket_prefix

    routine = [f"Pump reading {hour}:00, 41 bar, vibration within limits" for hour in range(6, 12)]
    for note in routine:
        add_interaction(rig.store, pump.id, "internal_note", note, author_id=rig.agent_id)
    change_status(rig.store, pump.id, "waiting_on_customer", author_id=rig.agent_id)
    new = rig.store.create_ticket(new_customer=Customer(name="Yellow Sea Tankers"), subject="Crane certificate",
                                  first_message="renewal due", team="rig-7", assignee_id=rig.agent_id)
    reply = "A technician boards at 14:00 with a new seal; please keep hold 3 closed until then."
    add_interaction(rig.store, hatch.id, "public_reply", reply, author_id=rig.agent_id)
    rig.store.set_sync_value("batch_ops", STRUGGLING_LINK_OPS)

    with open_http(rig.settings) as http:
        report = run_cycle(rig.store, cut_after(1, HttpTransport(http, rig.settings.server)))
    assert report.round_trips == 1 and not report.ok
    assert reply in bodies(server_ticket(database, hatch.id)), "the reply waited behind routine edits"
    assert not set(routine) <= bodies(server_ticket(database, pump.id)), "everything went in one round trip"

    finished = rig.sync_until_done()
    assert not finished.new_identity and (rig.store.device_id, rig.store.ticket_prefix) == (device_id, prefix), \
        "going up out of the order made tripped the server's copy detection"
    assert set(routine) <= bodies(server_ticket(database, pump.id))
    assert server_ticket(database, pump.id)["ticket"]["status"] == "waiting_on_customer"
    assert server_ticket(database, new.id)["ticket"]["subject"] == "Crane certificate"
    with database.read() as session:
        applied = session.execute(applied_ops.select().where(applied_ops.c.device_id == device_id)).all()
    with rig.store.read() as session:
        made = {op.op_id for op in session.exec(select(OutboxOp))}
    assert sorted(row.op_id for row in applied) == sorted(made), "every change applied once"


def test_an_operation_lends_its_rank_to_what_must_precede_it(store):
    """A ticket's creation and earlier changes, and the customer it names, go before its reply;
    the routine rest keeps the order made; the library goes last."""
    agent = store.create_agent("Lin Wei")
    store.set_current_agent(agent.id)
    routine = store.create_ticket(new_customer=Customer(name="Bohai Drilling"), subject="Pump", first_message="x")
    urgent = store.create_ticket(new_customer=Customer(name="Hai Xing"), subject="Hatch", first_message="y")
    add_interaction(store, routine.id, "internal_note", "routine", author_id=agent.id)
    add_interaction(store, urgent.id, "public_reply", "on our way", author_id=agent.id)
    waiting = store.pending_operations()
    order = send_order(waiting, set())
    by_id = {op.op_id: op for op in waiting}
    reply = next(op.op_id for op in waiting if '"kind":"public_reply"' in op.payload)
    before_reply = [by_id[op_id] for op_id in order[: order.index(reply)]]
    assert {op.entity_id for op in before_reply if op.entity == "ticket"} == {urgent.id}
    assert any(op.entity == "customer" and op.entity_id == urgent.customer_id for op in before_reply)
    assert all(op.entity_id != routine.id for op in before_reply)
    rest = [by_id[op_id].seq for op_id in order[order.index(reply) + 1:] if by_id[op_id].entity != "agent"]
    assert rest == sorted(rest)


def test_changes_the_server_took_before_the_answer_was_lost_are_passed_over_without_a_fork(tmp_path, database):
    """The answer to a request is lost after the server applied it; then an urgent reply passes
    those changes, which go up again under new seqs: acknowledged as repeats, applied once, and
    the device keeps its identity."""
    rig = device(tmp_path, "http://unused", database, "agent", "rig-8")
    assert sync_in_process(rig.store, database, rig.settings.token).ok
    pump = rig.store.create_ticket(new_customer=Customer(name="Bohai Drilling"), subject="Mud pump",
                                   first_message="vibration", team="rig-8", assignee_id=rig.agent_id)
    hatch = rig.store.create_ticket(new_customer=Customer(name="Hai Xing Shipping"), subject="Hatch cover",
                                    first_message="water in hold 3", team="rig-8", assignee_id=rig.agent_id)
    assert sync_in_process(rig.store, database, rig.settings.token).ok
    device_id = rig.store.device_id
    routine = [f"Pump reading {hour}:00" for hour in range(6, 10)]
    for note in routine:
        add_interaction(rig.store, pump.id, "internal_note", note, author_id=rig.agent_id)
    rig.store.set_sync_value("batch_ops", STRUGGLING_LINK_OPS)

    def answer_lost(body, content_type, deliver):
        deliver(body, content_type)
        raise TransportError("the link dropped after the server answered")

    assert not sync_in_process(rig.store, database, rig.settings.token, answer_lost).ok
    taken = bodies(server_ticket(database, pump.id))
    assert any(note in taken for note in routine), "the server applied the first request"
    add_interaction(rig.store, hatch.id, "public_reply", "Technician boards at 14:00.", author_id=rig.agent_id)
    answered = []

    def one_round_trip(body, content_type, deliver):
        if answered:
            raise TransportError("the link dropped")
        answered.append(body)
        return deliver(body, content_type)

    report = sync_in_process(rig.store, database, rig.settings.token, one_round_trip)
    assert not report.new_identity and report.round_trips == 1
    assert "Technician boards at 14:00." in bodies(server_ticket(database, hatch.id)), "the reply went first"

    for _ in range(20):
        report = sync_in_process(rig.store, database, rig.settings.token)
        assert not report.new_identity, "changes sent again under new seqs made the server take a copy"
        if report.ok and report.pending == 0:
            break
    assert rig.store.device_id == device_id
    on_server = [body for _, _, body, _ in server_ticket(database, pump.id)["interactions"]]
    assert all(on_server.count(note) == 1 for note in routine), "each note applied once"
