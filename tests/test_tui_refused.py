"""Changes the server refused: described in words, listed on their own screen (palette, ctrl+r
or a rebound key), their whole text one Enter away, and the sync notification says where."""

from __future__ import annotations

import io
from datetime import timedelta

from rich.console import Console
from textual.widgets import OptionList, Static

from cs_console.app import ConsoleApp
from cs_console.config import DEFAULT_KEYS, Config
from cs_console.screens.queue import QueueScreen
from cs_console.screens.refused import RefusedScreen, notice
from cs_console.storage.models import Customer
from cs_console.sync.cycle import SyncReport
from cs_console.text.strings import Strings
from cs_console.usecases.refused_changes import refused_changes
from cs_console.usecases.ticket_changes import add_interaction, change_status
from tests.conftest import NOW

SIZE = (80, 24)
NOTE = "Asked the master for the ballast record; he will send the log from the bridge tonight."


def refused_note(store) -> tuple[str, str]:
    """A ticket, a note on it and a status change, both refused as sync sets them aside;
    returns the ticket's number and the reason given for the note."""
    agent = store.create_agent("Lin Wei", team="Maritime Desk")
    store.set_current_agent(agent.id)
    ticket = store.create_ticket(new_customer=Customer(name="Hai Xing Shipping"), subject="Ballast log",
                                 first_message="help", team="Maritime Desk", at=NOW - timedelta(hours=3))
    add_interaction(store, ticket.id, "internal_note", NOTE, author_id=agent.id, at=NOW - timedelta(hours=2))
    change_status(store, ticket.id, "waiting_on_customer", author_id=agent.id, at=NOW - timedelta(hours=1))
    operations = store.pending_operations()
    note = next(op for op in operations if op.entity == "interaction" and "ballast record" in op.payload)
    status = [op for op in operations if op.entity == "ticket" and op.action == "update"][-1]
    reason = f"ticket {ticket.number} is not yours, nor in your team's pool"
    # what cs_console.sync.cycle does with the problems of a refused batch
    store.set_aside_operations({note.op_id: reason, status.op_id: f"ticket {ticket.number}: reassigned"})
    return ticket.number, reason


def test_refused_operations_read_as_what_which_ticket_and_why(store):
    number, reason = refused_note(store)
    status, note = refused_changes(store)  # newest first
    assert (note.kind, note.number, note.title, note.reason) == ("internal_note", number, "Ballast log", reason)
    assert note.text == NOTE and note.preview.startswith("Asked the master") and note.preview.endswith("…")
    assert (status.kind, status.number) == ("ticket", number)
    assert "status: waiting_on_customer" in status.text.splitlines()
    assert [c.op_id for c in refused_changes(store, newest=1)] == [status.op_id]
    assert refused_changes(store, newest=0) == []


def test_the_sync_notice_says_what_why_and_which_key_lists_it(store):
    number, reason = refused_note(store)
    changes = refused_changes(store)
    one = notice(changes[1:], Strings("en"), "ctrl+r")
    assert one.startswith(f"The server refused a change (Internal note, {number} Ballast log): {reason}.")
    assert "ctrl+r (or ctrl+p, Refused changes) shows it." in one
    assert notice(changes, Strings("en"), "f8").startswith("The server refused 2 changes")
    assert "按 f8" in notice(changes, Strings("zh"), "f8")


def option_texts(app) -> list[str]:
    options = app.screen.query_one("#refused-list", OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


def pane_text(app, selector: str) -> str:
    console = Console(width=80, record=True, file=io.StringIO())
    console.print(app.screen.query_one(selector, Static).content)
    return console.export_text()


async def settle(pilot) -> None:
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def test_the_palette_opens_the_list_and_enter_shows_the_whole_text(store):
    number, reason = refused_note(store)
    app = ConsoleApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        await pilot.press("ctrl+p", *"Refused changes")
        await pilot.pause(0.5)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RefusedScreen)
        assert "Changes the server refused · 2" in pane_text(app, "#refused-title")
        status, note = option_texts(app)
        assert f"Internal note · {number} Ballast log" in note and reason in note
        assert "Ticket change" in status
        assert "Enter shows the whole text" in pane_text(app, "#refused-text")

        await pilot.press("down", "enter")
        await settle(pilot)
        whole = " ".join(pane_text(app, "#refused-text").split())
        assert NOTE in whole and f"The server's reason: {reason}" in whole
        assert "kept here and no longer sent" in whole
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)


async def test_a_rebindable_key_opens_it_from_any_screen_and_an_empty_list_says_so(store):
    agent = store.create_agent("Lin Wei")
    store.set_current_agent(agent.id)
    store.create_ticket(new_customer=Customer(name="Hai Xing Shipping"), subject="Ballast log", first_message="help")
    app = ConsoleApp(store, Config(keys={**DEFAULT_KEYS, "refused": "f8"}), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen), "rebound: ctrl+r no longer opens it"
        await pilot.press("f8")
        await settle(pilot)
        assert isinstance(app.screen, RefusedScreen)
        assert option_texts(app) == []
        assert "The server has refused nothing" in pane_text(app, "#refused-text")


async def test_a_sync_that_sets_changes_aside_says_where_to_see_them(store):
    number, reason = refused_note(store)
    app = ConsoleApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert len(option_texts(app)) == 2
        # the app's side of a cycle that set one more change aside
        ticket = store.ticket_numbered(number)
        add_interaction(store, ticket.id, "public_reply", "We have the log now.", author_id=None, at=NOW)
        reply = next(op for op in store.pending_operations() if "We have the log now." in op.payload)
        store.set_aside_operations({reply.op_id: "the ticket was closed"})
        app._synced(SyncReport(refused=1), store.current_agent(), refused_changes(store, newest=1))
        await settle(pilot)
        [message] = [n.message for n in app._notifications]
        assert message.startswith(f"The server refused a change (Reply, {number} Ballast log): the ticket was closed.")
        assert "ctrl+r" in message
        assert len(option_texts(app)) == 3, "the open list reads the store again"
