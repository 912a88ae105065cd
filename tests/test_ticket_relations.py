"""Merge and link in the store: what the staying ticket shows, what the duplicate becomes,
what undo restores, what the outbox carries, and an existing store upgraded to hold them."""

from __future__ import annotations

import json
import sqlite3
from datetime import timedelta

import pytest

from cs_console.storage import migrations
from cs_console.storage.errors import StoreError
from cs_console.storage.models import TicketLink, link_id
from cs_console.store import Store
from cs_console.usecases.ticket_changes import add_interaction
from cs_console.usecases.ticket_relations import (
    duplicate_candidates,
    link_tickets,
    merge_tickets,
    undo_merge,
    unlink_tickets,
)
from cs_console.usecases.ticket_trail import Activity, ticket_trail
from tests.conftest import NOW
from tests.test_store import new_ticket, outbox


def pair(store: Store):
    staying = new_ticket(store, subject="Liferaft certificate expires Friday")
    duplicate = new_ticket(store, customer_id=staying.customer_id, new_customer=None,
                           subject="Re: liferaft certificate expiring", first_message="Same raft, from the office.",
                           at=NOW + timedelta(minutes=20))
    return staying, duplicate


def test_a_merged_duplicate_shows_in_the_staying_thread_and_closes_pointing_there(store):
    staying, duplicate = pair(store)
    add_interaction(store, duplicate.id, "internal_note", "Office copy of the master's mail", author_id=None,
                    at=NOW + timedelta(minutes=25))
    before = store.ticket_detail(staying.id)

    done = merge_tickets(store, duplicate.id, staying.id, author_id=None, at=NOW + timedelta(minutes=30))

    assert (done.duplicate_number, done.staying_number) == (duplicate.number, staying.number)
    kept = store.ticket_detail(staying.id)
    assert kept.events == before.events  # the staying ticket's clocks read the same events
    assert kept.ticket.status == "open" and kept.ticket.merged_into is None
    assert [t.id for t in kept.relations.merged] == [duplicate.id]
    bodies = [entry.body for entry in ticket_trail(kept) if not isinstance(entry, Activity)]
    assert bodies == ["Our liferaft service certificate expires Friday.", "Same raft, from the office.",
                      "Office copy of the master's mail"]
    marks = [entry for entry in ticket_trail(kept) if isinstance(entry, Activity) and entry.kind == "marked_merged"]
    assert marks and marks[0].detail["number"] == staying.number and marks[0].ticket_id == duplicate.id

    gone = store.ticket_detail(duplicate.id)
    assert gone.ticket.status == "closed" and gone.ticket.merged_into == staying.id
    assert gone.relations.merged_into.id == staying.id
    assert {"marked_merged", "closed"} <= {e.kind for e in gone.events}
    assert [(op.entity, op.action) for op in outbox(store)][-1] == ("ticket", "update")
    assert json.loads(outbox(store)[-1].payload)["merged_into"] == staying.id


def test_undo_puts_the_duplicate_back_as_it_was(store):
    staying, duplicate = pair(store)
    done = merge_tickets(store, duplicate.id, staying.id, author_id=None, at=NOW + timedelta(minutes=30))
    undo_merge(store, done, author_id=None, at=NOW + timedelta(minutes=31))
    back = store.ticket_detail(duplicate.id)
    assert back.ticket.status == "open" and back.ticket.merged_into is None
    assert "unmerged" in {e.kind for e in back.events}
    assert store.ticket_detail(staying.id).relations.merged == ()
    with pytest.raises(StoreError, match="is not merged"):
        undo_merge(store, done, author_id=None)


def test_a_merge_into_a_merged_ticket_goes_to_the_end_of_the_chain_and_a_loop_is_refused(store):
    staying, duplicate = pair(store)
    third = new_ticket(store, customer_id=staying.customer_id, new_customer=None, subject="Liferaft cert")
    merge_tickets(store, duplicate.id, staying.id, author_id=None)
    assert merge_tickets(store, third.id, duplicate.id, author_id=None).staying_id == staying.id
    assert {t.id for t in store.ticket_detail(staying.id).relations.merged} == {duplicate.id, third.id}
    with pytest.raises(StoreError, match="merged into .* already"):
        merge_tickets(store, duplicate.id, third.id, author_id=None)
    with pytest.raises(StoreError, match="cannot be merged into itself"):
        merge_tickets(store, staying.id, third.id, author_id=None)
    assert store.ticket_detail(staying.id).ticket.status == "open"


def test_links_show_on_both_tickets_keep_one_id_and_can_be_removed(store):
    parent, child = pair(store)
    link = link_tickets(store, parent.id, child.id, "parent", author_id=None)
    assert link.id == link_id("parent", parent.id, child.id)
    [on_parent] = store.ticket_detail(parent.id).relations.links
    [on_child] = store.ticket_detail(child.id).relations.links
    assert (on_parent.role, on_parent.other.number) == ("child", child.number)
    assert (on_child.role, on_child.other.number) == ("parent", parent.number)
    with pytest.raises(StoreError, match="linked already"):
        link_tickets(store, parent.id, child.id, "parent", author_id=None)
    with pytest.raises(StoreError, match="already the parent"):
        link_tickets(store, child.id, parent.id, "parent", author_id=None)
    assert link_tickets(store, child.id, parent.id, "related", author_id=None).id == link_id(
        "related", parent.id, child.id)

    unlink_tickets(store, link.id, author_id=None)
    assert [l.kind for l in store.ticket_detail(child.id).relations.links] == ["related"]
    assert {"linked", "unlinked"} <= {e.kind for e in store.ticket_detail(parent.id).events}
    link_tickets(store, parent.id, child.id, "parent", author_id=None)  # comes back
    with store.read() as session:
        assert session.get(TicketLink, link.id).removed is False


def test_likely_duplicates_are_open_recent_tickets_of_the_customer_with_a_similar_subject(store):
    staying = new_ticket(store, subject="Liferaft certificate expires Friday")
    new_ticket(store, customer_id=staying.customer_id, new_customer=None, subject="Radar picture frozen")
    old = new_ticket(store, customer_id=staying.customer_id, new_customer=None, subject="Liferaft certificate",
                     at=NOW - timedelta(days=30))
    other = new_ticket(store, subject="Liferaft certificate expires Friday")  # another customer
    found = duplicate_candidates(store, staying.customer_id, "RE: Liferaft certificate expiring", now=NOW)
    assert [t.id for t in found] == [staying.id]
    assert old.id not in [t.id for t in found] and other.id not in [t.id for t in found]
    assert duplicate_candidates(store, staying.customer_id, "Radar frozen again", now=NOW, excluding=None)


def test_an_existing_store_upgrades_to_hold_merges_and_links(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path, isolation_level=None)
    migrations.upgrade(old, target=migrations.MERGE_AND_LINK.version - 1)
    at = "2026-11-24 10:00:00.000000"
    old.execute("INSERT INTO customer VALUES ('c1', 'Blue Whale Shipping', '', '', '', '', 'en', '[]', '', '', ?, ?, '{}')",
                (at, at))
    for ticket_id, number in (("t1", "OLD-0001"), ("t2", "OLD-0002")):
        old.execute("INSERT INTO ticket VALUES (?, ?, 'c1', NULL, '', 'Liferaft overdue', 'other', 'normal', 'phone', "
                    "'open', ?, ?, '{}')", (ticket_id, number, at, at))
    old.close()
    store = Store.open(path)
    assert store.ticket_detail("t1").ticket.merged_into is None
    merge_tickets(store, "t2", "t1", author_id=None)
    link_tickets(store, "t1", "t2", "related", author_id=None)
    detail = store.ticket_detail("t1")
    assert [t.number for t in detail.relations.merged] == ["OLD-0002"]
    assert [link.other.number for link in detail.relations.links] == ["OLD-0002"]
    store.close()
