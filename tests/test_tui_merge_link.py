"""Merge, undo, link and the duplicate warning, driven through Textual's pilot."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input, OptionList, Static, TextArea

from cs_console.screens.confirm import ConfirmScreen
from cs_console.screens.new_ticket import NewTicketScreen
from cs_console.screens.search import SearchScreen
from cs_console.screens.ticket import TicketScreen
from tests.conftest import NOW
from tests.test_tui_first_loop import screen_text, seeded_app, settle

TALL = (100, 40)
"""Room for the header's merge and link lines and the whole merged thread."""


def with_duplicate(store):
    app, tickets = seeded_app(store)
    staying = tickets["Typhoon delay claim for MV Ocean Pioneer"]
    duplicate = store.create_ticket(customer_id=staying.customer_id, subject="Re: typhoon delay claim MV Ocean Pioneer",
                                    first_message="The charterer's office writes about the same delay.",
                                    assignee_id=staying.assignee_id, at=NOW - timedelta(hours=1))
    return app, staying, duplicate


async def pick(pilot, number: str) -> None:
    """In the ticket picker: search for a ticket's number and take it."""
    assert isinstance(pilot.app.screen, SearchScreen)
    await pilot.press(*number)
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)


def options_of(app, selector: str = "OptionList") -> list[str]:
    options = app.screen.query_one(selector, OptionList)
    return [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]


async def test_merge_into_a_picked_ticket_shows_the_merged_thread_and_undo_takes_it_back(store):
    app, staying, duplicate = with_duplicate(store)
    async with app.run_test(size=TALL) as pilot:
        await settle(pilot)
        app.open_ticket(duplicate.id)
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        keys = screen_text(app)
        assert "g                Merge into…" in keys and "l                Link…" in keys and "Undo merge" in keys
        await pilot.press("escape")
        await pilot.press("g")
        await pick(pilot, staying.number)
        assert isinstance(app.screen, ConfirmScreen)
        assert f"Merge {duplicate.number}" in screen_text(app) and staying.number in screen_text(app)
        await pilot.press("y")
        await settle(pilot)
        await settle(pilot)

        assert isinstance(app.screen, TicketScreen) and app.screen.ticket_id == staying.id
        shown = screen_text(app)
        assert f"Merged here: {duplicate.number}" in shown
        assert "The charterer's office writes about the same delay." in shown
        assert f"merged into {staying.number}" in shown and f"from {duplicate.number}" in shown
        assert store.ticket_detail(duplicate.id).ticket.status == "closed"

        await pilot.press("u")
        await settle(pilot)
        await settle(pilot)
        assert "Merged here" not in screen_text(app)
        assert "The charterer's office writes" not in screen_text(app)
        back = store.ticket_detail(duplicate.id).ticket
        assert (back.status, back.merged_into) == ("open", None)
        await pilot.press("u")
        await settle(pilot)
        assert app.merges_done == []


async def test_a_refused_merge_says_why_and_changes_nothing(store):
    app, staying, duplicate = with_duplicate(store)
    async with app.run_test(size=TALL) as pilot:
        await settle(pilot)
        app.open_ticket(duplicate.id)
        await settle(pilot)
        await pilot.press("g")
        await pick(pilot, duplicate.number)  # itself
        await pilot.press("y")
        await settle(pilot)
        assert any("cannot be merged into itself" in str(n.message) for n in app._notifications)
    assert store.ticket_detail(duplicate.id).ticket.merged_into is None


async def test_link_two_tickets_shows_on_both_and_can_be_removed(store):
    app, staying, duplicate = with_duplicate(store)
    async with app.run_test(size=TALL) as pilot:
        await settle(pilot)
        app.open_ticket(staying.id)
        await settle(pilot)
        await pilot.press("l")
        await pilot.pause()
        assert options_of(app)[0].startswith("Related")
        await pilot.press("down", "enter")  # "Parent: this ticket is the parent…"
        await settle(pilot)
        await pick(pilot, duplicate.number)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        await settle(pilot)
        assert f"Links: {duplicate.number} (its child)" in screen_text(app)
        assert f"linked to {duplicate.number} (its child)" in screen_text(app)

        app.open_ticket(duplicate.id)
        await settle(pilot)
        assert f"Links: {staying.number} (its parent)" in screen_text(app)
        await pilot.press("l")
        await pilot.pause()
        assert options_of(app)[1] == f"remove the link to {staying.number} (its parent)"
        await pilot.press("down", "enter")
        await settle(pilot)
        await settle(pilot)
        assert "Links:" not in screen_text(app)
        assert f"link to {staying.number} removed" in screen_text(app)
    assert store.ticket_detail(staying.id).relations.links == ()


async def test_the_new_ticket_form_warns_of_a_likely_duplicate_and_links_to_it(store):
    app, staying, _ = with_duplicate(store)
    async with app.run_test(size=TALL) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NewTicketScreen)
        await pilot.press(*"hai xing")
        await settle(pilot)
        await pilot.press("enter", "enter")  # the first match: Hai Xing Shipping
        await pilot.press(*"Typhoon delay claim Ocean Pioneer")
        await settle(pilot)
        candidates = app.screen.query_one("#duplicate-candidates", OptionList)
        assert candidates.display
        offered = options_of(app, "#duplicate-candidates")
        assert any(staying.number in line and line.startswith("open") for line in offered)
        link_option = next(i for i, line in enumerate(offered) if f"linked to {staying.number}" in line)
        candidates.focus()
        candidates.highlighted = link_option
        await pilot.press("enter")
        assert staying.number in str(app.screen.query_one("#new-ticket-status", Static).render())
        app.screen.query_one("#first-message", TextArea).focus()
        await pilot.press(*"The master calls about the delay.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        assert f"Links: {staying.number} (related)" in screen_text(app)


async def test_the_duplicate_warning_opens_the_candidate_and_is_silent_for_other_subjects(store):
    app, staying, _ = with_duplicate(store)
    async with app.run_test(size=TALL) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"hai xing")
        await settle(pilot)
        await pilot.press("enter", "enter")
        await pilot.press(*"Ballast pump certificate")
        await settle(pilot)
        assert not app.screen.query_one("#duplicate-candidates", OptionList).display
        subject = app.screen.query_one("#subject", Input)
        subject.value = "Oil record book entry missing again"
        await settle(pilot)
        assert app.screen.query_one("#duplicate-candidates", OptionList).display
        await pilot.press("tab")  # from the subject to the warning
        assert app.screen.query_one("#duplicate-candidates", OptionList).has_focus
        await pilot.press("enter")  # the first: open it
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        assert "Oil record book entry missing" in screen_text(app)
