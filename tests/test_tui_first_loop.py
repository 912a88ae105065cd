"""The agent's first loop, driven through Textual's pilot: queue, ticket, reply, history."""

from __future__ import annotations

from datetime import timedelta

from textual.widgets import Input, OptionList, Static, TextArea

from cs_console.app import ConsoleApp
from cs_console.config import Config
from cs_console.screens.customer import CustomerScreen
from cs_console.screens.new_ticket import NewTicketScreen
from cs_console.screens.queue import QueueScreen
from cs_console.screens.ticket import TicketScreen
from cs_console.storage.models import Contact, Customer
from cs_console.usecases.ticket_changes import change_status
from cs_console.widgets.virtual_table import VirtualTable
from tests.conftest import NOW

SIZE = (80, 24)


def seeded_app(store) -> tuple[ConsoleApp, dict]:
    agent = store.create_agent("Lin Wei", team="Maritime Desk")
    store.set_current_agent(agent.id)
    tickets = {}
    for subject, priority, name in (
        ("Oil record book entry missing", "urgent", "Hai Xing Shipping"),
        ("SIM activation failed at Stavanger base", "normal", "Nordlys Telecom"),
        ("Typhoon delay claim for MV Ocean Pioneer", "high", "Hai Xing Shipping"),
    ):
        existing = store.search_customers(name.split(), 8)
        ticket = store.create_ticket(
            customer_id=existing[0].id if existing else None,
            new_customer=None if existing else Customer(name=name),
            new_contact=None if existing else Contact(name="Chen Jie"),
            subject=subject, first_message=f"Please help: {subject.lower()}.",
            priority=priority, assignee_id=agent.id, at=NOW - timedelta(hours=2),
        )
        tickets[subject] = ticket
    return ConsoleApp(store, Config(), clock=lambda: NOW), tickets


def screen_text(app) -> str:
    return "\n".join(str(widget.render()) for widget in app.screen.query(Static))


async def settle(pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def test_queue_ticket_reply_customer_history(store):
    app, tickets = seeded_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        table = app.screen.query_one(VirtualTable)
        assert table.row_count == 3
        assert app.screen.rows[0].priority == "urgent", "most urgent first"

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        assert "Oil record book entry missing" in screen_text(app)

        await pilot.press("r")
        assert app.screen.query_one("#composer", TextArea).has_focus
        await pilot.press(*"Entry added, see attached scan.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await settle(pilot)
        assert "saved" in str(app.screen.query_one("#composer-status", Static).render())
        assert "Entry added, see attached scan." in screen_text(app)
        assert app.screen.query_one("#composer", TextArea).text == ""

        await pilot.press("c")
        await settle(pilot)
        assert isinstance(app.screen, CustomerScreen)
        assert app.screen.query_one("#customer-tickets", VirtualTable).row_count == 2, "both of the customer's tickets"
        assert "Entry added, see attached scan." in screen_text(app)

        await pilot.press("escape")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen), "Escape never leaves the queue"

    events = [e.kind for e in store.ticket_detail(tickets["Oil record book entry missing"].id).events]
    assert events == ["created", "first_response"]


async def test_slash_narrows_the_queue_as_you_type(store):
    app, _ = seeded_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"nordlys")
        await settle(pilot)
        assert [row.customer_name for row in app.screen.rows] == ["Nordlys Telecom"]
        await pilot.press("escape")
        await settle(pilot)
        assert len(app.screen.rows) == 3


async def test_status_and_priority_filters_cycle(store):
    app, tickets = seeded_app(store)
    change_status(store, tickets["SIM activation failed at Stavanger base"].id, "closed", author_id=None, at=NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert len(app.screen.rows) == 2, "closed tickets leave the active queue"
        await pilot.press("s")
        await settle(pilot)
        assert len(app.screen.rows) == 3
        await pilot.press("p", "p")
        await settle(pilot)
        assert [row.priority for row in app.screen.rows] == ["high"]
        assert "priority: high" in str(app.screen.query_one("#queue-title", Static).render())


async def test_status_change_from_the_ticket(store):
    app, tickets = seeded_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("s")
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        labels = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        options.highlighted = labels.index("Waiting on customer")
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        assert "Waiting on customer" in screen_text(app)
    detail = store.ticket_detail(tickets["Oil record book entry missing"].id)
    assert detail.ticket.status == "waiting_on_customer"


async def test_a_desk_call_becomes_a_ticket_for_a_new_customer(store):
    app, _ = seeded_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, NewTicketScreen)
        await pilot.press(*"Statfjord")
        await settle(pilot)
        await pilot.press("enter")  # into the matches
        await pilot.press("enter")  # "+ new customer"
        assert app.screen.query_one("#subject", Input).has_focus
        await pilot.press(*"Lifeboat davit wire")
        await pilot.press("ctrl+s")
        assert "first message is empty" in str(app.screen.query_one("#new-ticket-status", Static).render())
        app.screen.query_one("#first-message", TextArea).focus()
        await pilot.press(*"Wire frayed after drill.")
        await pilot.press("ctrl+s")
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        assert "Lifeboat davit wire" in screen_text(app)
        assert "Statfjord" in screen_text(app)


async def test_existing_customer_is_found_by_part_of_a_name(store):
    app, _ = seeded_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press(*"hai xing")
        await settle(pilot)
        options = app.screen.query_one("#customer-matches", OptionList)
        assert "Hai Xing Shipping" in str(options.get_option_at_index(0).prompt)


async def test_help_lists_the_screen_keys(store):
    app, _ = seeded_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        assert "New" in text and "Filter" in text and "ctrl+p" in text
        await pilot.press("escape")
        assert isinstance(app.screen, QueueScreen)


async def test_help_lists_no_key_that_does_nothing_for_this_agent(store):
    app, _ = seeded_app(store)  # an agent, not a lead: no team view
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await pilot.pause()
        text = screen_text(app)
        assert "New" in text and "Team" not in text


def footer_keys(app) -> set[str]:
    return {b.binding.key for b in app.screen.active_bindings.values() if b.binding.show}


async def test_a_read_only_session_says_so_and_offers_no_key_that_changes_anything(store):
    app, tickets = seeded_app(store)
    store.readonly = True
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert "READ-ONLY" in str(app.screen.query_one("#queue-title", Static).render())
        assert "n" not in footer_keys(app)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen), "no new ticket in a read-only session"

        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        assert "READ-ONLY" in str(app.screen.query_one("#ticket-header", Static).render())
        assert not {"r", "i", "s", "x", "b", "ctrl+s", "ctrl+t"} & footer_keys(app)
        assert "c" in footer_keys(app), "reading the customer's history is still offered"
        offered = {b.binding.id for b in app.screen.active_bindings.values()}
        assert not {"escalate", "remind", "expert_answer", "set_priority", "merge", "link", "tag", "attach"} & offered
        await pilot.press("r", *"hello", "ctrl+s")
        await settle(pilot)
        assert not app.screen.query_one("#composer", TextArea).display
        assert app.screen.query_one("#composer", TextArea).text == ""
    assert len(store.ticket_detail(tickets["Oil record book entry missing"].id).interactions) == 1


async def test_an_empty_store_names_its_first_agent_not_after_the_root_account(store, monkeypatch):
    import getpass

    monkeypatch.setattr(getpass, "getuser", lambda: "root")
    app = ConsoleApp(store, Config(), clock=lambda: NOW)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")  # no demo data: start empty
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        title = str(app.screen.query_one("#queue-title", Static).render())
        assert "Queue · Agent ·" in title and "root" not in title
    assert store.current_agent().name == "Agent"
