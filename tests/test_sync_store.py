"""The store's sync bookkeeping: pages stored with their cursor, acknowledgements, merges,
operations set aside, and the clock moving past what it has seen."""

from __future__ import annotations

import json

from sqlmodel import select

from cs_console.storage import hlc
from cs_console.storage.models import Customer, Interaction, Ticket
from cs_console.store import Store
from cs_console.sync.apply import store_sync_page
from cs_console.sync.schema import to_wire
from cs_console.usecases.ticket_changes import change_status


def new_ticket(store: Store) -> Ticket:
    return store.create_ticket(new_customer=Customer(name="Blue Whale"), subject="Liferaft", first_message="expires Friday")


def wire(store: Store, model, row_id: str) -> dict:
    with store.read() as session:
        return to_wire(session.get(model, row_id))


def stamp(offset_ms: int, node: str = "server") -> str:
    return str(hlc.Stamp(1_900_000_000_000 + offset_ms, 0, node))


def test_a_page_its_acknowledgements_and_its_cursor_are_stored_together(store):
    ticket = new_ticket(store)
    last = store.pending_operations()[-1].seq
    stored = store_sync_page(store, acked_through=last, rows={}, cursor=41, library_cursor=7, server_ms=1_900_000_000_000)
    assert stored == 0 and store.pending_count() == 0
    assert (store.sync_value("cursor"), store.sync_value("library_cursor")) == ("41", "7")
    assert store.sync_value("last_at") is not None  # when a sync last stored a page
    assert store.ticket_detail(ticket.id).ticket.subject == "Liferaft"


def test_settled_fields_take_the_servers_value_and_unsent_later_writes_stay(tmp_path, store):
    ticket = new_ticket(store)
    store_sync_page(store, acked_through=store.pending_operations()[-1].seq, rows={}, cursor=1, library_cursor=0, server_ms=0)
    change_status(store, ticket.id, "waiting_on_customer", author_id=None)  # not yet sent
    remote = wire(store, Ticket, ticket.id)
    remote.update(status="closed", priority="urgent", subject="Liferaft (renamed)")
    remote["field_clocks"] = {"status": "0000000000001.00000.server", "priority": "0000000000001.00000.server"}
    store_sync_page(store, acked_through=None, rows={"ticket": [remote]}, cursor=2, library_cursor=0, server_ms=0)
    local = store.ticket_detail(ticket.id).ticket
    assert local.status == "waiting_on_customer"  # the unsent write is later than the server's
    assert local.priority == "urgent"  # settled: the server's value, whatever the local clock said
    assert local.subject == "Liferaft (renamed)"


def test_history_rows_arrive_once_however_often_they_come(store):
    ticket = new_ticket(store)
    other = Store.open(store.path.parent / "other.db")
    note = wire(store, Interaction, store.ticket_detail(ticket.id).interactions[0].id)
    other_note = {**note, "id": "7b1c1d52-6a43-4f0e-8b1e-1f9e6c1b2a77", "body": "from the shore", "hlc": stamp(5)}
    for _ in range(2):
        store_sync_page(store, acked_through=None, rows={"interaction": [other_note]}, cursor=3, library_cursor=0, server_ms=0)
    with store.read() as session:
        bodies = [i.body for i in session.exec(select(Interaction).where(Interaction.ticket_id == ticket.id))]
    assert bodies.count("from the shore") == 1
    other.close()


def test_the_clock_moves_past_every_stamp_it_receives(store):
    ticket = new_ticket(store)
    remote = wire(store, Ticket, ticket.id)
    remote["field_clocks"] = {"priority": stamp(0)}
    store_sync_page(store, acked_through=None, rows={"ticket": [remote]}, cursor=1, library_cursor=0, server_ms=0)
    change_status(store, ticket.id, "closed", author_id=None)
    assert store.pending_operations()[-1].hlc > stamp(0)


def test_refused_operations_are_set_aside_with_their_reason(store):
    new_ticket(store)
    first = store.pending_operations()[0]
    store.set_aside_operations({first.op_id: "only an admin edits agents"})
    assert first.op_id not in [op.op_id for op in store.pending_operations()]
    [(op, reason)] = store.refused_operations()
    assert op.op_id == first.op_id and reason == "only an admin edits agents"
    assert json.loads(op.payload)["name"] == "Blue Whale"  # kept, not dropped


def test_pending_pages_are_bounded_but_never_empty(store):
    for _ in range(3):
        new_ticket(store)
    assert len(store.pending_page(limit=100, max_bytes=1)) == 1
    assert len(store.pending_page(limit=5, max_bytes=10**6)) == 5
