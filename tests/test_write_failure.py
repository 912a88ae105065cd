"""A database that refuses writes while the console runs: one line, the text kept, read-only.

The tests run as root, for whom chmod changes nothing, so the refusals are made by SQLite
itself on the console's own connections, through the same error paths as the real cases:
`PRAGMA max_page_count` capped at the file's size gives "database or disk is full" (a full
disk), `PRAGMA query_only` gives "attempt to write a readonly database" (files made
read-only under a running console).
"""

from __future__ import annotations

import pytest
from sqlalchemy import event
from textual.widgets import Static, TextArea

from cs_console.app import ConsoleApp
from cs_console.config import Config
from cs_console.screens.new_ticket import NewTicketScreen
from cs_console.screens.ticket import TicketScreen
from cs_console.storage.models import Contact, Customer
from tests.conftest import NOW
from tests.test_tui_first_loop import SIZE, seeded_app, settle

CUSTOMER_TEXT = "Card 4111 1111 1111 1111 was charged twice for MV Ocean Pioneer's berth. " * 600
"""Long enough (about 45 KB) that saving it needs new pages in the file."""


def refuse_writes(store, how: str) -> None:
    """Make every later write of `store` fail the way a full disk or a read-only file does."""
    with store.read() as session:
        pages = session.connection().exec_driver_sql("PRAGMA page_count").scalar()
    pragma = {"disk full": f"PRAGMA max_page_count = {pages}", "read-only file": "PRAGMA query_only = ON"}[how]
    event.listen(store._engine, "connect", lambda connection, _record: connection.execute(pragma))
    store._engine.dispose()


def notifications(app) -> list[str]:
    return [n.message for n in app._notifications]


@pytest.mark.parametrize("how", ["disk full", "read-only file"])
async def test_a_reply_the_database_refuses_stays_on_screen_and_in_a_recovery_file(store, how):
    app, tickets = seeded_app(store)
    ticket = tickets["Oil record book entry missing"]
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_ticket(ticket.id)
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        refuse_writes(store, how)
        await pilot.press("r")
        composer = app.screen.query_one("#composer", TextArea)
        composer.text = CUSTOMER_TEXT
        await pilot.press("ctrl+s")
        await settle(pilot)
        await settle(pilot)
        status = str(app.screen.query_one("#composer-status", Static).render())

        assert app.is_running and app.return_code is None, "the console keeps running"
        assert composer.text == CUSTOMER_TEXT and not composer.read_only, "the text stays in the composer"
        [recovered] = store.path.parent.glob(f"{store.path.name}.recovered-*.txt")
        assert f"copied to {recovered}" in " ".join(status.split())
        written = recovered.read_text(encoding="utf-8")
        assert ticket.number in written and CUSTOMER_TEXT.strip() in written
        app.tick()
        await pilot.pause()
        assert any(message.startswith("Read-only from now on") for message in notifications(app))
        assert store.readonly

        await pilot.press("ctrl+s")
        await settle(pilot)
        assert composer.text == CUSTOMER_TEXT, "read-only: sending is off, and the text is still kept"
        assert recovered.read_text(encoding="utf-8").count(CUSTOMER_TEXT.strip()) == 1


async def test_a_write_that_fails_where_nobody_catches_it_ends_the_console_with_one_line(store, capsys):
    """No agent yet: the start creates one, and that first write is refused."""
    store.create_ticket(customer_id=None, new_customer=Customer(name="Nordlys Telecom"), new_contact=Contact(name="Ola"),
                        subject="SIM activation failed", first_message="No signal at the base.",
                        priority="normal", assignee_id=None, at=NOW)
    refuse_writes(store, "read-only file")
    app = ConsoleApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        for _ in range(400):
            if app.return_code is not None:
                break
            await pilot.pause(0.05)
    assert app.return_code == 2
    printed = " ".join(capsys.readouterr().err.split())
    assert printed.startswith(f"cs-console: error: {store.path}: cannot save (attempt to write a readonly database)")
    assert "Traceback" not in printed


async def test_a_refused_write_nobody_catches_after_the_start_leaves_the_console_running(store):
    """Switching agent (from the palette) is a write whose worker does not catch failures."""
    app, _tickets = seeded_app(store)
    other = store.create_agent("Ingrid Haugen", team="Maritime Desk")
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        refuse_writes(store, "read-only file")
        app._set_agent(other.id)
        for _ in range(400):
            if any("cannot save" in message for message in notifications(app)):
                break
            await pilot.pause(0.05)
        assert any("attempt to write a readonly database" in message for message in notifications(app))
        assert app.is_running and app.return_code is None and store.readonly
        assert app.agent.name == "Lin Wei"


async def test_a_crash_report_never_shows_the_text_being_saved(store, capsys):
    """A bug (not a store refusal) still ends the console with a traceback, without the local
    variables Textual would print, which hold what the customer wrote."""
    app, tickets = seeded_app(store)

    def broken_save(*args, **kwargs):
        raise RuntimeError("a bug in saving")

    with pytest.raises(Exception, match="a bug in saving"):
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.open_ticket(tickets["Oil record book entry missing"].id)
            await settle(pilot)
            app.store.add_interaction = broken_save
            await pilot.press("r")
            app.screen.query_one("#composer", TextArea).text = CUSTOMER_TEXT
            await pilot.press("ctrl+s")
            await settle(pilot)
    printed = capsys.readouterr()
    assert "a bug in saving" in printed.err
    assert "Card 4111" not in printed.out + printed.err


async def test_a_new_ticket_the_database_refuses_stays_in_the_form_and_in_the_recovery_file(store):
    app, _tickets = seeded_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NewTicketScreen)
        await pilot.press(*"Statfjord")
        await settle(pilot)
        await pilot.press("enter", "enter")  # into the matches, then "+ new customer"
        await pilot.press(*"Lifeboat davit wire")
        message = app.screen.query_one("#first-message", TextArea)
        message.text = CUSTOMER_TEXT
        refuse_writes(store, "disk full")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NewTicketScreen) and message.text == CUSTOMER_TEXT
        [recovered] = store.path.parent.glob(f"{store.path.name}.recovered-*.txt")
        status = " ".join(str(app.screen.query_one("#new-ticket-status", Static).render()).split())
        assert status.startswith("Not saved: the database cannot save") and f"copied to {recovered}" in status
        written = recovered.read_text(encoding="utf-8")
        assert "new ticket for Statfjord · Lifeboat davit wire" in written and CUSTOMER_TEXT.strip() in written
