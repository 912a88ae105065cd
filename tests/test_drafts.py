"""Drafts in the store and the keeper that writes them, without a terminal.

A draft is the device's own (never in the outbox), goes with the reply or ticket made from
it in one transaction, and no write that was still waiting brings back a text once sent.
"""

from __future__ import annotations

import sqlite3

import pytest

from cs_console.storage.engine import sqlite_engine
from cs_console.store import Store, StoreError
from cs_console.text.strings import Strings
from cs_console.usecases.drafts import NEW_TICKET, DraftKeeper, DraftText, reply_key, ticket_of
from cs_console.usecases.new_ticket import TicketDraft, create_ticket
from cs_console.usecases.ticket_changes import add_interaction
from tests.conftest import NOW
from tests.test_store import new_ticket


def test_a_draft_is_kept_replaced_listed_and_dropped_without_reaching_the_outbox(store):
    ticket = new_ticket(store)
    waiting = store.pending_count()
    store.save_draft(reply_key(ticket.id), "First go", {"mode": "internal_note"})
    store.save_draft(reply_key(ticket.id), "Second go", {"mode": "public_reply"})
    store.save_draft(NEW_TICKET, "Radar mast cracked")
    assert store.draft(reply_key(ticket.id)).body == "Second go"
    assert [row.key for row in store.drafts()] == [NEW_TICKET, reply_key(ticket.id)], "the latest first"
    assert store.pending_count() == waiting
    store.discard_draft(NEW_TICKET)
    store.discard_draft(NEW_TICKET)  # twice is harmless
    assert [row.key for row in store.drafts()] == [reply_key(ticket.id)]
    assert store.pending_count() == waiting


def test_keys_name_the_ticket_or_the_form():
    assert ticket_of(reply_key("t-1")) == "t-1"
    assert ticket_of(NEW_TICKET) is None


def test_a_reply_and_its_draft_go_in_one_transaction(store):
    ticket = new_ticket(store)
    key = reply_key(ticket.id)
    store.save_draft(key, "We replaced the valve seal.")
    with pytest.raises(StoreError):
        add_interaction(store, "no-such-ticket", "public_reply", "We replaced the valve seal.", author_id=None,
                        clears_draft=key)
    assert store.draft(key) is not None, "a reply that failed leaves its draft"
    add_interaction(store, ticket.id, "public_reply", "We replaced the valve seal.", author_id=None, at=NOW,
                    clears_draft=key)
    assert store.draft(key) is None


def test_a_saved_ticket_drops_the_form_draft(store):
    store.save_draft(NEW_TICKET, "Radio silent since noon", {"subject": "VSAT down"})
    form = TicketDraft(subject="VSAT down", first_message="Radio silent since noon", new_customer_name="Ocean Star")
    create_ticket(store, form, None, Strings("en"), at=NOW, clears_draft=NEW_TICKET)
    assert store.draft(NEW_TICKET) is None


def test_text_noted_is_read_back_before_it_is_written_and_written_in_order(store):
    keeper, key = DraftKeeper(store), reply_key("t-1")
    keeper.note(key, DraftText("Half", {"mode": "public_reply"}))
    keeper.note(key, DraftText("Half typed", {"mode": "public_reply"}))
    assert keeper.read(key) == DraftText("Half typed", {"mode": "public_reply"})
    assert store.draft(key) is None
    keeper.write(key)
    keeper.write(key)  # a second worker for the same pause finds nothing newer
    assert store.draft(key).body == "Half typed"
    keeper.note(key, None)
    assert keeper.read(key) is None, "emptied, even before it is written"
    keeper.write(key)
    assert store.drafts() == []


def test_a_write_still_waiting_when_the_reply_goes_does_not_bring_it_back(store):
    ticket = new_ticket(store)
    keeper, key = DraftKeeper(store), reply_key(ticket.id)
    keeper.note(key, DraftText("Sent text"))
    keeper.write(key)
    keeper.note(key, DraftText("Sent text, regards"))  # its write is still to come
    with keeper.sending(key):
        add_interaction(store, ticket.id, "public_reply", "Sent text, regards", author_id=None, at=NOW,
                        clears_draft=key)
    keeper.write(key)  # the late worker
    assert store.drafts() == [] and keeper.entries() == []


def test_quitting_writes_what_waits_and_counts_every_draft(store):
    keeper = DraftKeeper(store)
    store.save_draft(NEW_TICKET, "From yesterday")
    keeper.note(reply_key("t-1"), DraftText("Typed just now"))
    assert [entry.key for entry in keeper.entries()] == [reply_key("t-1"), NEW_TICKET], "listed before written"
    assert keeper.keep_all() == 2
    assert store.draft(reply_key("t-1")).body == "Typed just now"


def test_a_draft_that_cannot_be_written_is_a_store_error_and_stays_waiting(tmp_path):
    path = tmp_path / "locked.db"
    Store.open(path).close()
    store = Store(path, sqlite_engine(f"sqlite:///{path}", busy_timeout_ms=50))
    keeper = DraftKeeper(store)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        other.execute("BEGIN EXCLUSIVE")
        keeper.note(NEW_TICKET, DraftText("Kept in memory"))
        with pytest.raises(StoreError, match=rf"{path.name}: .*\(database is locked\)"):
            keeper.write(NEW_TICKET)
        other.execute("ROLLBACK")
        assert keeper.keep_all() == 1
        assert store.draft(NEW_TICKET).body == "Kept in memory"
    finally:
        other.close()
        store.close()
