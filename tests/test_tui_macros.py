"""Macros in the ticket screen: chosen with ctrl+r or the palette, shown before they run,
held under the composer, undone whole with ctrl+z, applied by the send.

Driven through Textual's pilot on a real store with macros imported as an admin would.
"""

from __future__ import annotations

from textual.command import CommandPalette
from textual.widgets import Static

from cs_console.screens.choose import ChooseScreen
from cs_console.screens.confirm import ConfirmScreen
from cs_console.usecases.kb_import import import_file
from tests.test_macros import MACROS, TEMPLATES
from tests.test_tui_drafts import notifications, open_first_ticket, until
from tests.test_tui_first_loop import SIZE, seeded_app, settle


def with_macros(tmp_path, store):
    (tmp_path / "templates.jsonl").write_text(TEMPLATES, encoding="utf-8")
    (tmp_path / "macros.jsonl").write_text(MACROS, encoding="utf-8")
    import_file(store, tmp_path / "templates.jsonl")
    import_file(store, tmp_path / "macros.jsonl")
    return seeded_app(store)


async def choose_macro(pilot, title: str) -> str:
    """Pick `title` in the macro list; returns what the confirmation says."""
    await until(pilot, lambda: isinstance(pilot.app.screen, ChooseScreen), "the macro list")
    options = [label for _, label in pilot.app.screen.options]
    for _ in range(options.index(title)):
        await pilot.press("down")
    await pilot.press("enter")
    await until(pilot, lambda: isinstance(pilot.app.screen, ConfirmScreen), "the macro's plan")
    return pilot.app.screen.question


async def test_a_macro_is_shown_held_undone_and_applied_with_the_send(tmp_path, store):
    app, _ = with_macros(tmp_path, store)
    async with app.run_test(size=SIZE) as pilot:
        ticket = await open_first_ticket(pilot)
        await pilot.press("r", *"Checking now.")
        await pilot.press("ctrl+r")
        question = await choose_macro(pilot, "Typhoon: ask for the ETA and wait")
        for said in ("put “New ETA asked” in the reply", "set the priority to high", "remind", "check the new ETA",
                     "escalate to Maritime Desk: class approval needed", "set the status to Waiting on customer"):
            assert said in question
        before = store.ticket_detail(ticket.ticket_id)
        await pilot.press("y")
        await settle(pilot)
        composer = ticket.query_one("#composer")
        assert composer.text.startswith("Checking now.") and "please send the new ETA" in composer.text
        waiting = str(ticket.query_one("#macro-waiting", Static).render())
        assert "Typhoon: ask for the ETA and wait" in waiting and "ctrl+z undo" in waiting
        assert store.ticket_detail(ticket.ticket_id).ticket.status == before.ticket.status  # nothing yet

        await pilot.press("ctrl+z")
        assert composer.text == "Checking now."
        assert not ticket.query_one("#macro-waiting").display

        await pilot.press("ctrl+r")
        await choose_macro(pilot, "Typhoon: ask for the ETA and wait")
        await pilot.press("y", "ctrl+s")
        await until(pilot, lambda: "Macro “Typhoon: ask for the ETA and wait” applied" in notifications(app),
                    "the macro applied")
        after = store.ticket_detail(ticket.ticket_id)
        assert (after.ticket.status, after.ticket.priority) == ("waiting_on_customer", "high")
        assert "please send the new ETA" in after.interactions[-1].body
        assert any(event.kind == "escalated" for event in after.events)
        assert composer.text == "" and not ticket.query_one("#macro-waiting").display


async def test_a_macro_without_text_applies_on_an_empty_send_and_the_palette_offers_it(tmp_path, store):
    app, _ = with_macros(tmp_path, store)
    async with app.run_test(size=SIZE) as pilot:
        ticket = await open_first_ticket(pilot)
        await pilot.press("ctrl+p")
        await until(pilot, lambda: CommandPalette.is_open(app), "the palette")
        await pilot.press(*"Run a macro")
        await until(pilot, lambda: "Run a macro" in str(app.screen.query_one("CommandList").get_option_at_index(0).prompt),
                    "the palette offering macros")
        await pilot.press("enter")
        question = await choose_macro(pilot, "Close as spam")
        assert "set the status to Closed" in question and "close as spam" in question
        await pilot.press("y", "ctrl+s")
        await until(pilot, lambda: store.ticket_detail(ticket.ticket_id).ticket.status == "closed", "the ticket closed")
        assert any(event.kind == "marked_spam" for event in store.ticket_detail(ticket.ticket_id).events)


async def test_without_a_macro_ctrl_z_is_the_composers_undo(tmp_path, store):
    app, _ = with_macros(tmp_path, store)
    async with app.run_test(size=SIZE) as pilot:
        ticket = await open_first_ticket(pilot)
        await pilot.press("r", *"Hello")
        await settle(pilot)
        await pilot.press("ctrl+z")
        assert ticket.query_one("#composer").text != "Hello"
