"""The local store: round trips, change capture in the same transaction, workflow events."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlmodel import select

from cs_console.storage.errors import NotFound
from cs_console.storage.models import Asset, Customer, Interaction, OutboxOp, Ticket
from cs_console.store import Store, StoreError
from cs_console.usecases.queue_list import QueueFilter
from cs_console.usecases.ticket_changes import add_interaction, change_status
from tests.conftest import NOW, queue_rows


def new_ticket(store: Store, **fields) -> Ticket:
    values = dict(
        new_customer=Customer(name="Blue Whale Shipping"),
        subject="Liferaft servicing overdue",
        first_message="Our liferaft service certificate expires Friday.",
        priority="high",
        at=NOW,
    )
    values.update(fields)
    return store.create_ticket(**values)


def outbox(store: Store) -> list[OutboxOp]:
    with store.read() as session:
        return list(session.exec(select(OutboxOp).order_by(OutboxOp.seq)))


def test_a_ticket_and_its_conversation_survive_reopening(tmp_path):
    path = tmp_path / "desk.db"
    first = Store.open(path)
    agent = first.create_agent("Lin Wei")
    ticket = new_ticket(first, assignee_id=agent.id)
    add_interaction(first, ticket.id, "public_reply", "We will book the service station.", author_id=agent.id, at=NOW + timedelta(minutes=5))
    add_interaction(first, ticket.id, "internal_note", "Station in Ningbo has a slot.", author_id=agent.id, at=NOW + timedelta(minutes=6))
    first.close()

    again = Store.open(path)
    detail = again.ticket_detail(ticket.id)
    assert detail.ticket.subject == "Liferaft servicing overdue"
    assert detail.customer.name == "Blue Whale Shipping"
    assert [i.kind for i in detail.interactions] == ["customer_message", "public_reply", "internal_note"]
    assert detail.interactions[1].created_at == NOW + timedelta(minutes=5)
    assert detail.authors[agent.id] == "Lin Wei"
    assert again.device_id == first.device_id
    again.close()


def test_every_write_lands_in_the_outbox(store):
    ticket = new_ticket(store)
    entities = [op.entity for op in outbox(store)]
    assert entities == ["customer", "ticket", "ticket_event", "interaction"]
    change_status(store, ticket.id, "waiting_on_customer", author_id=None, at=NOW)
    ops = outbox(store)[4:]
    assert [(op.entity, op.action) for op in ops] == [("ticket_event", "append")] * 2 + [("ticket", "update")]
    assert json.loads(ops[1].payload)["detail"] == '{"from":"open","to":"waiting_on_customer"}', "the trail's line"
    assert json.loads(ops[2].payload)["status"] == "waiting_on_customer"
    assert all(op.device_id == store.device_id for op in outbox(store))
    stamps = [op.hlc for op in outbox(store)]
    assert stamps == sorted(stamps) and len(set(stamps)) == len(stamps)


def test_a_failed_write_leaves_neither_row_nor_outbox_entry(store):
    new_ticket(store)
    before = len(outbox(store))
    with store.write() as session:  # make the next ticket number collide with the first
        store._set_meta(session, "next_ticket_seq", "1")
    with pytest.raises(Exception, match="UNIQUE"):
        new_ticket(store, new_customer=Customer(name="Orphan Offshore AS"))
    assert len(outbox(store)) == before
    assert store.search_customers(["Orphan"], 8) == []


def test_field_clocks_record_each_changed_field(store):
    agent = store.create_agent("Lin Wei")
    ticket = new_ticket(store)
    store.assign_many([ticket.id], agent.id, at=NOW)
    with store.read() as session:
        clocks = json.loads(session.get(Ticket, ticket.id).field_clocks)
    assert clocks["assignee_id"] > clocks["subject"]
    assert clocks["status"] == clocks["subject"]


def test_ticket_numbers_differ_between_devices(tmp_path):
    one, two = Store.open(tmp_path / "a.db"), Store.open(tmp_path / "b.db")
    numbers = {new_ticket(one).number, new_ticket(two).number}
    assert len(numbers) == 2
    assert new_ticket(one).number.endswith("-0002")
    one.close(), two.close()


def test_first_reply_records_first_response_once(store):
    agent = store.create_agent("Lin Wei")
    ticket = new_ticket(store)
    add_interaction(store, ticket.id, "internal_note", "checking", author_id=agent.id, at=NOW)
    add_interaction(store, ticket.id, "public_reply", "first", author_id=agent.id, at=NOW + timedelta(minutes=3))
    add_interaction(store, ticket.id, "public_reply", "second", author_id=agent.id, at=NOW + timedelta(minutes=9))
    events = [(e.kind, e.at) for e in store.ticket_detail(ticket.id).events]
    assert events == [("created", NOW), ("first_response", NOW + timedelta(minutes=3))]


def test_waiting_pauses_and_a_customer_message_resumes(store):
    ticket = new_ticket(store)
    change_status(store, ticket.id, "waiting_on_customer", author_id=None, at=NOW + timedelta(hours=1))
    add_interaction(store, ticket.id, "customer_message", "Here are the photos.", author_id=None, at=NOW + timedelta(hours=5))
    detail = store.ticket_detail(ticket.id)
    assert detail.ticket.status == "open"
    assert [e.kind for e in detail.events if e.kind != "status_changed"] == ["created", "waiting_on_customer", "customer_replied"]


def test_closing_then_working_again_reopens(store):
    ticket = new_ticket(store)
    change_status(store, ticket.id, "closed", author_id=None, at=NOW)
    change_status(store, ticket.id, "open", author_id=None, at=NOW + timedelta(days=1))
    assert [e.kind for e in store.ticket_detail(ticket.id).events if e.kind != "status_changed"] == ["created", "closed", "reopened"]


def test_bad_writes_are_refused_with_the_reason(store):
    ticket = new_ticket(store)
    with pytest.raises(ValueError, match="unknown status 'done'"):
        change_status(store, ticket.id, "done", author_id=None)
    with pytest.raises(StoreError, match="satisfaction score from 1 to 5"):
        add_interaction(store, ticket.id, "callback", "", author_id=None, satisfaction=9)
    with pytest.raises(StoreError, match="empty message"):
        add_interaction(store, ticket.id, "public_reply", "   ", author_id=None)
    with pytest.raises(NotFound):
        add_interaction(store, "no-such-ticket", "public_reply", "hello", author_id=None)
    with store.read() as session:
        assert len(list(session.exec(select(Interaction)))) == 1


def test_queue_filters_by_status_priority_and_text(store):
    agent = store.create_agent("Lin Wei")
    urgent = new_ticket(store, subject="Oily water separator alarm", priority="urgent", assignee_id=agent.id)
    new_ticket(store, subject="SIM card 100% not activating", priority="low", assignee_id=agent.id,
               new_customer=Customer(name="Nordlys Telecom"))
    new_ticket(store, subject="Someone else's ticket")
    change_status(store, urgent.id, "waiting_on_customer", author_id=agent.id, at=NOW)

    waiting = QueueFilter(statuses=frozenset({"waiting_on_customer"}))
    assert len(queue_rows(store, agent.id)) == 2
    assert [r.subject for r in queue_rows(store, agent.id, waiting)] == ["Oily water separator alarm"]
    assert [r.priority for r in queue_rows(store, agent.id, QueueFilter(priorities=frozenset({"low"})))] == ["low"]
    assert [r.customer_name for r in queue_rows(store, agent.id, QueueFilter(text="nordlys"))] == ["Nordlys Telecom"]
    assert [r.subject for r in queue_rows(store, agent.id, QueueFilter(text="100%"))] == ["SIM card 100% not activating"]
    assert queue_rows(store, agent.id, QueueFilter(text="50%")) == []
    row = queue_rows(store, agent.id, waiting)[0]
    assert [kind for kind, _ in row.events if kind != "status_changed"] == ["created", "waiting_on_customer"]


def test_customer_history_lists_every_ticket_newest_first(store):
    first = new_ticket(store)
    customer_id = first.customer_id
    second = new_ticket(store, new_customer=None, customer_id=customer_id, subject="EPIRB battery", at=NOW + timedelta(days=2))
    add_interaction(store, second.id, "public_reply", "Battery ordered.", author_id=None, at=NOW + timedelta(days=2, hours=1))
    tickets = store.customer_tickets_page(customer_id, None, 100)
    interactions = store.customer_interactions_page(customer_id, None, 100)
    assert [t.id for t in tickets] == [second.id, first.id]
    assert interactions[0].body == "Battery ordered."
    assert {i.ticket_id for i in interactions} == {first.id, second.id}
    store.add_asset(Asset(customer_id=customer_id, kind="vessel", name="MV Blue Whale", imo="9400007"))
    assert [c.name for c in store.search_customers(["9400007"], 8)] == ["Blue Whale Shipping"]
    assert [c.name for c in store.search_customers(["Blue", "Whale"], 8)] == ["Blue Whale Shipping"]
