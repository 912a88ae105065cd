"""Unsent text is kept: Escape, a send, the new-ticket form, the palette's Drafts, ctrl+q.

Driven through Textual's pilot on a real store. Drafts are written by a worker once the
agent pauses, so the tests wait for the row to be in the database, never for a fixed time.
"""

from __future__ import annotations

import sqlite3
import time

from textual.command import CommandPalette
from textual.widgets import Input, OptionList, Static, TextArea

from cs_console.screens.choose import ChooseScreen
from cs_console.screens.new_ticket import NewTicketScreen
from cs_console.screens.queue import QueueScreen
from cs_console.screens.ticket import TicketScreen
from cs_console.storage.engine import sqlite_engine
from cs_console.store import Store
from cs_console.usecases.drafts import NEW_TICKET, reply_key
from tests.test_tui_first_loop import SIZE, screen_text, seeded_app, settle

WAIT_S = 30


async def until(pilot, condition, what: str) -> None:
    """Let the app run until `condition()` holds (workers and timers included)."""
    deadline = time.monotonic() + WAIT_S
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        await pilot.pause(0.05)


def body(store: Store, key: str) -> str | None:
    row = store.draft(key)
    return None if row is None else row.body


def notifications(app) -> list[str]:
    return [n.message for n in app._notifications]


def record_notifications(app) -> list[str]:
    """Every message the app notifies from now on, kept after it leaves the screen: a
    notification expires after a few seconds, which a test on a loaded machine can outlast."""
    shown: list[str] = []
    notify = app.notify

    def recording(message, *args, **kwargs):
        shown.append(str(message))
        return notify(message, *args, **kwargs)

    app.notify = recording
    return shown


async def open_first_ticket(pilot) -> TicketScreen:
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, TicketScreen)
    return pilot.app.screen


async def test_a_note_left_with_escape_comes_back_when_the_ticket_opens_again(store):
    app, _ = seeded_app(store)
    shown = record_notifications(app)
    waiting = store.pending_count()
    async with app.run_test(size=SIZE) as pilot:
        ticket = await open_first_ticket(pilot)
        key = reply_key(ticket.ticket_id)
        await pilot.press("i", *"Port agent says Monday")
        await pilot.press("escape", "escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert any(message.startswith("Draft kept: ") for message in shown)
        await until(pilot, lambda: body(store, key) == "Port agent says Monday", "the draft is in the database")
        assert store.pending_count() == waiting, "a draft is the device's own: nothing goes to the outbox"

        await open_first_ticket(pilot)
        composer = app.screen.query_one("#composer", TextArea)
        assert composer.text == "Port agent says Monday"
        assert composer.has_focus, "the agent goes on where they stopped"
        assert "Internal note" in str(app.screen.query_one("#composer-label", Static).render()), "still a note"
        await pilot.press(*", 10:00")
        await until(pilot, lambda: body(store, key) == "Port agent says Monday, 10:00", "the longer draft is kept")


async def test_sending_the_reply_drops_its_draft(store):
    app, _ = seeded_app(store)
    shown = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        ticket = await open_first_ticket(pilot)
        key = reply_key(ticket.ticket_id)
        await pilot.press("r", *"Entry added, see the scan.")
        await until(pilot, lambda: body(store, key) == "Entry added, see the scan.", "the draft is kept")
        await pilot.press(*" Regards")  # still waiting to be written when the reply goes
        await pilot.press("ctrl+s")
        await until(pilot, lambda: "saved" in str(ticket.query_one("#composer-status", Static).render()), "sent")
        await until(pilot, lambda: not app._draft_timers, "every waiting draft write has run")
        await settle(pilot)
        assert store.drafts() == []
        await pilot.press("escape")
        await settle(pilot)
        assert not any(message.startswith("Draft kept") for message in shown)
        await open_first_ticket(pilot)
        assert app.screen.query_one("#composer", TextArea).text == ""
    assert store.drafts() == []
    assert "Entry added, see the scan. Regards" in [i.body for i in store.ticket_detail(ticket.ticket_id).interactions]


async def test_the_new_ticket_form_comes_back_whole_and_goes_once_saved(store):
    app, _ = seeded_app(store)
    shown = record_notifications(app)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"Statfjord")
        await settle(pilot)
        await pilot.press("enter", "enter")  # into the matches, "+ new customer"
        await pilot.press(*"Lifeboat davit wire")
        app.screen.query_one("#first-message", TextArea).focus()
        await pilot.press(*"Wire frayed after drill.")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert "Draft kept: New ticket (ctrl+p, Drafts)" in shown
        await until(pilot, lambda: body(store, NEW_TICKET) == "Wire frayed after drill.", "the form is kept")

        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, NewTicketScreen)
        assert form.query_one("#subject", Input).value == "Lifeboat davit wire"
        assert form.query_one("#first-message", TextArea).text == "Wire frayed after drill."
        assert "Statfjord (new)" in str(form.query_one("#customer-chosen", Static).render())
        await pilot.press("ctrl+s")
        await until(pilot, lambda: isinstance(app.screen, TicketScreen), "the ticket is saved and opens")
        await settle(pilot)
        assert "Lifeboat davit wire" in screen_text(app)
        await until(pilot, lambda: not app._draft_timers, "every waiting draft write has run")
        await settle(pilot)
        assert store.draft(NEW_TICKET) is None
        assert shown.count("Draft kept: New ticket (ctrl+p, Drafts)") == 1, "only when it was left"


async def test_the_palette_lists_the_drafts_and_opens_one_with_its_text(store):
    app, tickets = seeded_app(store)
    sim = tickets["SIM activation failed at Stavanger base"]
    store.save_draft(reply_key(sim.id), "Roaming profile pushed again", {"mode": "public_reply"})
    store.save_draft(NEW_TICKET, "Radar mast cracked", {"subject": "Radar mast"})
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: isinstance(app.screen, CommandPalette), "the palette opens")
        await pilot.press(*"Drafts")
        await until(pilot, lambda: "Replies, notes and new tickets" in "\n".join(
            str(option.prompt) for option in app.screen.query_one(OptionList).options), "Drafts is offered")
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, ChooseScreen), "the drafts list opens")
        options = app.screen.query_one(OptionList)
        lines = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert len(lines) == 2
        assert any(line.startswith(f"{sim.number} · Reply · Roaming profile pushed again") for line in lines)
        assert "New ticket · Radar mast · Radar mast cracked" in lines
        options.highlighted = next(i for i, line in enumerate(lines) if line.startswith(sim.number))
        await pilot.press("enter")
        await until(pilot, lambda: isinstance(app.screen, TicketScreen), "its ticket opens")
        await settle(pilot)
        assert app.screen.ticket_id == sim.id
        assert app.screen.query_one("#composer", TextArea).text == "Roaming profile pushed again"


async def test_quitting_keeps_every_draft_and_says_how_many(store, capfd):
    app, tickets = seeded_app(store)
    store.save_draft(NEW_TICKET, "Radar mast cracked", {"subject": "Radar mast"})
    async with app.run_test(size=SIZE) as pilot:
        ticket = await open_first_ticket(pilot)
        await pilot.press("r", *"Typed just before ctrl+q")
        await pilot.press("ctrl+q")  # at once: the draft has not been written yet
        await until(pilot, lambda: not app.is_running, "ctrl+q quits")
    assert "2 drafts kept" in capfd.readouterr().err
    assert body(store, reply_key(ticket.ticket_id)) == "Typed just before ctrl+q"
    assert body(store, NEW_TICKET) == "Radar mast cracked"


async def test_a_draft_that_cannot_be_written_is_said_and_the_app_goes_on(tmp_path):
    path = tmp_path / "locked.db"
    Store.open(path).close()
    store = Store(path, sqlite_engine(f"sqlite:///{path}", busy_timeout_ms=50))
    app, _ = seeded_app(store)
    other = sqlite3.connect(path, isolation_level=None)
    try:
        async with app.run_test(size=SIZE) as pilot:
            ticket = await open_first_ticket(pilot)
            other.execute("BEGIN EXCLUSIVE")  # another writer holds the database
            await pilot.press("r", *"Kept in the composer")
            await until(pilot, lambda: any("The draft could not be kept" in m for m in notifications(app)),
                        "the failed write is said")
            assert app.is_running and app.screen is ticket
            assert ticket.query_one("#composer", TextArea).text == "Kept in the composer"
            other.execute("ROLLBACK")
            await pilot.press("!")
            await until(pilot, lambda: body(store, reply_key(ticket.ticket_id)) == "Kept in the composer!",
                        "the next pause writes it")
    finally:
        other.close()
        store.close()
