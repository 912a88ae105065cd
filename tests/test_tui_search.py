"""Search everything in the TUI: ctrl+f from any screen, results as typed, Enter opens."""

from __future__ import annotations

from textual.widgets import Input, OptionList, Static

from cs_console.demo.data_set import demo_id
from cs_console.screens.customer import CustomerScreen
from cs_console.screens.queue import QueueScreen
from cs_console.screens.search import SearchScreen
from cs_console.screens.ticket import TicketScreen
from cs_console.widgets.virtual_table import VirtualTable
from tests.test_tui_first_loop import SIZE, settle
from tests.test_tui_knowledge_base import demo_app


async def test_a_phrase_from_an_old_closed_ticket_opens_that_ticket(demo_store):
    app = demo_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        await pilot.press("ctrl+f")
        await settle(pilot)
        assert isinstance(app.screen, SearchScreen)
        await pilot.press(*"scrubber commissioning")
        await settle(pilot)
        first = app.screen.query_one("#search-results", VirtualTable).render_line(1)
        marked = "".join(segment.text for segment in first if segment.style and segment.style.underline)
        assert marked.casefold().startswith("scrubber"), "the matched words are marked"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen) and app.screen.ticket_id == demo_id("ticket", "t001")


async def test_a_customer_by_imo_number_and_a_bad_filter_named(demo_store):
    app = demo_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f")
        await settle(pilot)
        await pilot.press(*"colour:red")
        await settle(pilot)
        assert "unknown filter colour:" in str(app.screen.query_one("#search-note", Static).render())
        app.screen.query_one("#search-query", Input).value = "9413274"
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)


async def test_the_new_ticket_picker_offers_a_customer_typed_with_a_slip(demo_store):
    """`meridain` once offered only "+ new customer", which bred duplicates."""
    app = demo_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        await pilot.press(*"meridain")
        await settle(pilot)
        options = app.screen.query_one("#customer-matches", OptionList)
        assert "Meridian Bulk Carriers Pte Ltd" in str(options.get_option_at_index(0).prompt)
