"""What the lead's screen and the reports read and write through the store."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest

from cs_console.storage import migrations
from cs_console.storage.errors import NotFound
from cs_console.storage.models import Customer, Template
from cs_console.store import ReadOnly, Store, StoreError
from cs_console.usecases.ticket_changes import add_interaction, change_status
from cs_console.usecases.ticket_facts import ticket_facts
from cs_console.vocabulary import ACTIVE_STATUSES
from tests.conftest import NOW, stored_template
from tests.test_store import new_ticket, outbox


def test_ticket_facts_carry_events_contacts_tags_and_the_customers_language(store):
    agent = store.create_agent("Lin Wei")
    ticket = new_ticket(store, assignee_id=agent.id, new_customer=Customer(name="海星国际", language="zh"),
                        first_message="Order #4471: the #broken part")
    add_interaction(store, ticket.id, "public_reply", "On it.", author_id=agent.id, at=NOW + timedelta(minutes=5))
    add_interaction(store, ticket.id, "internal_note", "#Typhoon delay, #vip", author_id=agent.id,
                          at=NOW + timedelta(minutes=6))
    add_interaction(store, ticket.id, "internal_note", "still #typhoon; see #4471", author_id=agent.id,
                          at=NOW + timedelta(minutes=7))
    add_interaction(store, ticket.id, "callback", "Happy", author_id=agent.id, satisfaction=5, nps=9,
                          at=NOW + timedelta(hours=1))
    [facts] = ticket_facts(store)
    assert (facts.number, facts.customer_language, facts.assignee_id) == (ticket.number, "zh", agent.id)
    assert facts.tags == ("typhoon", "vip"), "agents' hashtags, once each; not the customer's, not numbers"
    assert [kind for kind, _ in facts.events] == ["created", "first_response", "tagged", "tagged", "callback"]
    assert [(c.kind, c.author_id, c.satisfaction, c.nps) for c in facts.contacts] == [
        ("customer_message", None, None, None), ("public_reply", agent.id, None, None),
        ("internal_note", agent.id, None, None), ("internal_note", agent.id, None, None), ("callback", agent.id, 5, 9)]


def test_ticket_facts_select_by_status_creation_and_activity(store):
    old_closed = new_ticket(store, subject="old and closed", at=NOW - timedelta(days=60))
    change_status(store, old_closed.id, "closed", author_id=None, at=NOW - timedelta(days=59))
    old_open = new_ticket(store, subject="old and open", at=NOW - timedelta(days=60))
    recent = new_ticket(store, subject="recent", at=NOW - timedelta(days=1))
    later = new_ticket(store, subject="after the period", at=NOW + timedelta(days=1))
    subjects = lambda facts: sorted(f.subject for f in facts)  # noqa: E731
    assert subjects(ticket_facts(store, statuses=ACTIVE_STATUSES)) == sorted(
        [old_open.subject, recent.subject, later.subject])
    window = ticket_facts(store, created_before=NOW, touched_since=NOW - timedelta(days=7))
    assert subjects(window) == ["old and open", "recent"], "closed long ago and untouched since: left out"


def test_the_latest_customer_message_of_each_ticket(store):
    ticket = new_ticket(store)
    add_interaction(store, ticket.id, "customer_message", "这太差了，我要投诉", author_id=None, at=NOW + timedelta(hours=1))
    add_interaction(store, ticket.id, "public_reply", "抱歉，马上处理", author_id=None, at=NOW + timedelta(hours=2))
    quiet = new_ticket(store, first_message="")
    assert store.latest_customer_messages([ticket.id, quiet.id]) == {ticket.id: "这太差了，我要投诉"}


def test_a_selection_moves_in_one_transaction(store):
    lin, ingrid = store.create_agent("Lin Wei"), store.create_agent("Ingrid Haugen")
    first, second = new_ticket(store, assignee_id=lin.id), new_ticket(store, assignee_id=lin.id)
    before = len(outbox(store))
    store.assign_many([first.id, second.id], ingrid.id, author_id=lin.id, at=NOW)
    assert {f.assignee_id for f in ticket_facts(store)} == {ingrid.id}
    moves = [op for op in outbox(store)[before:] if op.entity == "ticket"]
    assert [(op.entity, op.entity_id, json.loads(op.payload)["assignee_id"]) for op in moves] == [
        ("ticket", first.id, ingrid.id), ("ticket", second.id, ingrid.id)]
    trail = [json.loads(op.payload) for op in outbox(store)[before:] if op.entity == "ticket_event"]
    assert [(e["kind"], e["author_id"], json.loads(e["detail"])) for e in trail] == [
        ("reassigned", lin.id, {"from": lin.id, "to": ingrid.id})] * 2, "who moved it, from whom, to whom"
    with pytest.raises(NotFound, match="no ticket with id nope"):
        store.assign_many([first.id, "nope"], lin.id)
    assert {f.assignee_id for f in ticket_facts(store)} == {ingrid.id}, "all or nothing"
    with pytest.raises(NotFound, match="no agent"):
        store.assign_many([first.id], "nobody")


def test_a_read_only_store_refuses_every_change_and_keeps_the_file_as_it_was(store):
    agent = store.create_agent("Zhao Min", role="lead")
    ticket = new_ticket(store)
    store.import_rows([Template(id="t1", title="Greeting")])
    store.readonly = True
    before = len(outbox(store))
    for change in (
        lambda: store.assign_many([ticket.id], agent.id),
        lambda: add_interaction(store, ticket.id, "public_reply", "x", author_id=agent.id),
        lambda: change_status(store, ticket.id, "closed", author_id=agent.id),
        lambda: store.create_agent("Someone"),
    ):
        with pytest.raises(ReadOnly, match="read-only session .started with --readonly.: nothing was changed"):
            change()
    store.count_template_use("t1")  # a template used in a read-only session counts nothing
    assert stored_template(store, "t1").uses == 0
    assert len(outbox(store)) == before
    assert ticket_facts(store)[0].assignee_id is None
    store.set_current_agent(agent.id)  # choosing who works here is not a change to the data
    assert store.current_agent().id == agent.id


def test_nps_goes_with_a_callback_and_runs_from_0_to_10(store):
    ticket = new_ticket(store)
    with pytest.raises(StoreError, match="NPS"):
        add_interaction(store, ticket.id, "callback", "", author_id=None, satisfaction=4, nps=11)
    with pytest.raises(StoreError, match="NPS"):
        add_interaction(store, ticket.id, "public_reply", "hi", author_id=None, nps=7)
    add_interaction(store, ticket.id, "callback", "", author_id=None, satisfaction=4, nps=0)


def test_arrivals_for_staffing(store):
    for hours in (1, 2, 30):
        new_ticket(store, at=NOW - timedelta(hours=hours))
    assert sorted(store.ticket_arrivals(NOW - timedelta(days=1), NOW)) == [
        NOW - timedelta(hours=2), NOW - timedelta(hours=1)]


def test_arrivals_for_staffing_count_only_the_teams_tickets(store):
    from cs_console.lead.team import Scope

    zhao = store.create_agent("Zhao Min", role="lead", team="Maritime Desk")
    lin = store.create_agent("Lin Wei", team="Maritime Desk")
    wang = store.create_agent("Wang Lei", role="lead", team="Telecom Desk")
    admin = store.create_agent("Sun Hui", role="admin")
    made = {}
    for hours, name, fields in (
        (1, "lin's", {"assignee_id": lin.id}),
        (2, "zhao's", {"assignee_id": zhao.id, "team": "Telecom Desk"}),  # the assignee decides
        (3, "maritime pool", {"team": "Maritime Desk"}),
        (4, "no team yet", {}),  # unassigned, filed with no team: every team's pool holds it
        (5, "wang's", {"assignee_id": wang.id, "team": "Maritime Desk"}),
        (6, "telecom pool", {"team": "Telecom Desk"}),
        (7, "telecom pool", {"team": "Telecom Desk"}),
        (30, "too old", {"assignee_id": lin.id}),
    ):
        made.setdefault(name, []).append(NOW - timedelta(hours=hours))
        new_ticket(store, at=NOW - timedelta(hours=hours), **fields)
    agents = store.agents()

    def arrivals(agent):
        scope = Scope.of(agent)
        found = sorted(store.ticket_arrivals(NOW - timedelta(days=1), NOW, scope.members(agents), scope.pools))
        # the store's SQL and the lead screen's rule (team.Scope.tickets) agree
        same_rule = sorted(f.created_at for f in scope.tickets(ticket_facts(store), agents)
                           if f.created_at >= NOW - timedelta(days=1))
        assert found == same_rule
        return found

    maritime = sorted(made["lin's"] + made["zhao's"] + made["maritime pool"] + made["no team yet"])
    telecom = sorted(made["wang's"] + made["telecom pool"] + made["no team yet"])
    assert arrivals(zhao) == arrivals(lin) == maritime
    assert arrivals(wang) == telecom
    assert len(arrivals(admin)) == 7 == len(store.ticket_arrivals(NOW - timedelta(days=1), NOW)), "an admin: all"


BEFORE_NPS = 3
"""The schema step before the one that adds NPS scores (later steps may follow it)."""


def test_an_older_database_gains_nps_scores_and_keeps_its_messages(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path, isolation_level=None)
    migrations.upgrade(old, target=BEFORE_NPS)
    old.execute("INSERT INTO customer VALUES ('c1', 'Hai Xing', '', '', '', '', 'zh', '[]', '', '', "
                "'2025-01-01 00:00:00.000000', '2025-01-01 00:00:00.000000', '{}')")
    old.execute("INSERT INTO ticket (id, number, customer_id, team, subject, category, priority, channel, status, "
                "created_at, updated_at, field_clocks) VALUES ('t1', 'OLD-1', 'c1', '', 'Ballast', 'other', "
                "'normal', 'phone', 'open', '2025-01-01 00:00:00.000000', '2025-01-01 00:00:00.000000', '{}')")
    old.execute("INSERT INTO interaction (id, ticket_id, kind, body, created_at, hlc) VALUES "
                "('i1', 't1', 'customer_message', 'Pump down', '2025-01-01 00:00:00.000000', '')")
    old.close()
    store = Store.open(path)
    assert [i.body for i in store.ticket_detail("t1").interactions] == ["Pump down"]
    store.close()
    with sqlite3.connect(path) as check:
        assert check.execute("SELECT ticket_id, nps FROM interaction").fetchall() == [("t1", None)]
