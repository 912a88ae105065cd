"""Tags and the lead's bulk actions through Textual's pilot at 80x24: `#` on a ticket adds and
removes tags with completion, and the lead tags, re-prioritises, closes as duplicates and
filters a selection of tickets, each after a question that says how many."""

from __future__ import annotations

from sqlmodel import select
from textual.widgets import Input, OptionList, Static

from cs_console.app import ConsoleApp
from cs_console.config import Config
from cs_console.screens.choose import ChooseScreen
from cs_console.screens.confirm import ConfirmScreen
from cs_console.screens.lead import AgentQueueScreen
from cs_console.screens.tag import TagScreen
from cs_console.storage.models import OutboxOp, TicketEvent
from cs_console.usecases.tagging import change_tags
from cs_console.usecases.ticket_facts import ticket_facts
from cs_console.vocabulary import ACTIVE_STATUSES
from cs_console.widgets.steady_table import SteadyTable
from cs_console.widgets.ticket_table import TicketTable
from tests.conftest import NOW
from tests.test_lead_screen import LIN, drill_into, lead_app, open_team_view, settle, text_of
from tests.test_tui_clocks import MovableClock, notifications
from tests.test_tui_promises import SIZE, open_first_ticket, seeded, thread_text


def header(app) -> str:
    return str(app.screen.query_one("#ticket-header", Static).render())


async def test_hash_adds_tags_with_completion_and_removes_one_with_a_minus(store):
    clock = MovableClock(NOW)
    agent, ticket = seeded(store, clock)
    other = store.create_ticket(customer_id=ticket.customer_id, subject="Typhoon again", first_message="x", at=NOW)
    change_tags(store, [other.id], "typhoon-season", author_id=None, at=NOW)
    app = ConsoleApp(store, Config(), clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_first_ticket(pilot)
        opened = app.screen
        await pilot.press("number_sign")
        await settle(pilot)
        assert isinstance(app.screen, TagScreen)
        assert "#typhoon-season" in str(app.screen.query_one("#tag-in-use", Static).render())
        await pilot.press(*"typh")
        await pilot.pause()
        await pilot.press("right")  # takes the completion
        assert app.screen.query_one(Input).value == "typhoon-season"
        await pilot.press("space", *"4471")
        await pilot.press("enter")
        await pilot.pause()
        assert "number" in str(app.screen.query_one("#tag-problem", Static).render()), "named, nothing saved"
        for _ in "4471":
            await pilot.press("backspace")
        await pilot.press(*"台风")
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        assert app.screen is opened
        assert "#typhoon-season" in header(app) and "#台风" in header(app)
        assert store.ticket_tags(opened.ticket_id) == ["typhoon-season", "台风"]

        await pilot.press("number_sign")
        await settle(pilot)
        assert "now: #typhoon-season #台风" in str(app.screen.query_one("#tag-own", Static).render())
        await pilot.press(*"-typ", "right", "enter")
        await settle(pilot)
        await settle(pilot)
        assert store.ticket_tags(opened.ticket_id) == ["台风"]
        assert "#typhoon-season" not in header(app)
        trail = [line for line in thread_text(app).splitlines() if line.startswith("· ")]
        assert trail[-3:] == ["· tagged #typhoon-season · Lin Wei · 10:00", "· tagged #台风 · Lin Wei · 10:00",
                              "· untagged #typhoon-season · Lin Wei · 10:00"]


async def choose_lin_tickets(pilot, count: int) -> tuple[AgentQueueScreen, list[str]]:
    await open_team_view(pilot)
    drill = await drill_into(pilot, LIN)
    table = drill.query_one(TicketTable)
    chosen = list(table.keys[:count])
    await pilot.press(*["space"] * count)
    assert table.selected == set(chosen)
    return drill, chosen


def outbox_ops(store, entity: str, ids: list[str]) -> list[OutboxOp]:
    with store.read() as session:
        return list(session.exec(select(OutboxOp).where(OutboxOp.entity == entity, OutboxOp.entity_id.in_(ids))))


async def test_the_lead_tags_a_selection_in_one_step_after_saying_how_many(demo_store):
    app = lead_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        drill, chosen = await choose_lin_tickets(pilot, 3)
        await pilot.press("number_sign")
        await settle(pilot)
        assert isinstance(app.screen, TagScreen) and "Tag 3 tickets" in text_of(app, "#tag-title")
        await pilot.press(*"recall", "enter")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmScreen)
        assert "Change the tags of 3 tickets: recall?" in str(app.screen.query_one(Static).render())
        await pilot.press("y")
        await settle(pilot, 5)
        assert isinstance(app.screen, AgentQueueScreen)
        assert "Tags changed on 3 tickets: recall." in notifications(app)
        assert "0 selected" in text_of(app, "#drill-title")
    assert {f.id for f in ticket_facts(demo_store) if "recall" in f.tags} == set(chosen)


async def test_the_lead_sets_the_priority_of_a_selection(demo_store):
    app = lead_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        drill, chosen = await choose_lin_tickets(pilot, 2)
        await pilot.press("p")
        await pilot.pause()
        assert isinstance(app.screen, ChooseScreen)
        options = app.screen.query_one(OptionList)
        options.highlighted = [options.get_option_at_index(i).id for i in range(options.option_count)].index("low")
        await pilot.press("enter")
        await pilot.pause()
        assert "Give 2 tickets the priority low?" in str(app.screen.query_one(Static).render())
        await pilot.press("n")  # changes nothing
        await pilot.pause()
        assert {f.priority for f in ticket_facts(demo_store) if f.id in chosen} != {"low"}
        await pilot.press("p")
        await pilot.pause()
        app.screen.query_one(OptionList).highlighted = options.highlighted
        await pilot.press("enter")
        await pilot.pause()
        await pilot.press("y")
        await settle(pilot, 5)
        assert "2 tickets now have the priority low." in notifications(app)
    assert {f.priority for f in ticket_facts(demo_store) if f.id in chosen} == {"low"}
    ops = outbox_ops(demo_store, "ticket", chosen)
    assert sum('"priority":"low"' in op.payload for op in ops) == 2, "each change goes to the outbox to sync"


async def test_the_lead_closes_a_selection_as_duplicates(demo_store):
    app = lead_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        drill, chosen = await choose_lin_tickets(pilot, 2)
        await pilot.press("x")
        await pilot.pause()
        assert "Close 2 tickets as duplicates?" in str(app.screen.query_one(Static).render())
        await pilot.press("y")
        await settle(pilot, 5)
        assert "Closed 2 tickets as duplicates." in notifications(app)
        assert not set(chosen) & set(drill.query_one(TicketTable).keys), "closed: no longer in the active queue"
    with demo_store.read() as session:
        marked = set(session.exec(select(TicketEvent.ticket_id).where(TicketEvent.kind == "marked_duplicate",
                                                                      TicketEvent.ticket_id.in_(chosen))))
    assert marked == set(chosen)
    assert {f.status for f in ticket_facts(demo_store) if f.id in chosen} == {"closed"}


async def test_the_lead_shows_only_the_tickets_with_a_tag(demo_store):
    facts = ticket_facts(demo_store, statuses=ACTIVE_STATUSES)
    facts = [f for f in facts if f.assignee_id == LIN]
    tagged = {facts[0].id, facts[1].id}
    change_tags(demo_store, list(tagged), "filter-me", author_id=None, at=NOW)
    app = lead_app(demo_store)
    async with app.run_test(size=SIZE) as pilot:
        lead = await open_team_view(pilot)
        await pilot.press("f")
        await settle(pilot)
        assert isinstance(app.screen, ChooseScreen)
        options = app.screen.query_one(OptionList)
        options.highlighted = [options.get_option_at_index(i).id for i in range(options.option_count)].index(
            "filter-me")
        await pilot.press("enter")
        await settle(pilot)
        assert lead.tag_filter == "filter-me" and "#filter-me only" in text_of(app, "#lead-title")
        assert "2 active" in text_of(app, "#lead-title"), "the summary counts the tagged tickets only"
        board = app.screen.query_one("#team", SteadyTable)
        assert [board.get_row(key)[1] for key in board.keys if key] == ["2"] + ["0"] * (len(board.keys) - 2), \
            "the board counts each agent's tagged tickets"
        drill = await drill_into(pilot, LIN)
        assert set(drill.query_one(TicketTable).keys) == tagged
