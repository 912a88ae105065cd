"""The ticket screen's promises as an agent reads them: clock titles
from the ticket's own targets, working-day countdowns that agree with the due date, an
unanswered close that misses or names its reason, the escalation dialog and its expert
answer, reminders that can be cleared, and the trail of who did what."""

from __future__ import annotations

import re
import threading
from datetime import timedelta

from textual.widgets import Input, OptionList, Static

from cs_console.app import ConsoleApp
from cs_console.clocks.sla import policy_from_mapping
from cs_console.config import Config
from cs_console.screens.escalate import EscalateScreen
from cs_console.screens.reminders import RemindersScreen
from cs_console.screens.ticket import TicketScreen
from cs_console.storage.models import Customer
from cs_console.widgets.virtual_table import VirtualTable
from tests.conftest import NOW
from tests.test_tui_clocks import MovableClock, clock_lines, notifications
from tests.test_tui_drafts import WAIT_S, until
from tests.test_tui_first_loop import settle

SIZE = (120, 40)


def seeded(store, clock: MovableClock, *, priority="normal", created=None, team="Radio"):
    agent = store.create_agent("Lin Wei", team=team)
    store.create_agent("Ingrid Haugen", team="Deck")
    store.set_current_agent(agent.id)
    ticket = store.create_ticket(
        new_customer=Customer(name="Statoil Rig Alpha"), subject="EPIRB registration", first_message="EPIRB expired",
        priority=priority, assignee_id=agent.id, at=created or clock.now,
    )
    return agent, ticket


def thread_text(app) -> str:
    return "\n".join(str(entry.render()) for entry in app.screen.query("#conversation Static"))


async def open_first_ticket(pilot) -> None:
    await settle(pilot)
    await pilot.press("enter")
    await settle(pilot)
    assert isinstance(pilot.app.screen, TicketScreen)


async def test_an_urgent_ticket_titles_its_clocks_and_alerts_by_its_own_targets(store):
    clock = MovableClock(NOW)
    _agent, ticket = seeded(store, clock, priority="urgent")
    app = ConsoleApp(store, Config(), clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_first_ticket(pilot)
        lines = clock_lines(app)
        assert re.search(r"15m first response\s+▸ on time 15m", lines), lines
        assert "24h solution" in lines and "1h first response" not in lines
        clock.advance(minutes=13)
        app.tick()
        await pilot.pause()
        assert notifications(app) == [f"{ticket.number}: 15m first response at risk (2m)"]


async def test_a_custom_sla_titles_the_clocks_by_its_targets(store):
    clock = MovableClock(NOW)
    seeded(store, clock)
    custom = Config(policy=policy_from_mapping({"normal": {"first_response": "30bm", "solution": "2bd"}}))
    app = ConsoleApp(store, custom, clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_first_ticket(pilot)
        lines = clock_lines(app)
        assert re.search(r"30m first response\s+▸ on time 30m", lines) and "2wd solution" in lines, lines


async def test_a_business_countdown_reads_in_working_days_that_agree_with_the_due_date(store):
    clock = MovableClock(NOW)  # Tuesday 10:00 UTC; the ticket came Monday 17:19, 41 working minutes before closing
    seeded(store, clock, created=NOW - timedelta(hours=16, minutes=41))
    app = ConsoleApp(store, Config(), clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert app.screen.query_one(VirtualTable).cell_text(0, "due") == "✖ -41m R", "41 + 60 working minutes"
        await open_first_ticket(pilot)
        assert re.search(r"3wd solution\s+▸ on time 2wd 7h · due Thu 26 Nov 17:19", clock_lines(app)), clock_lines(app)
        await pilot.press("question_mark")
        await pilot.pause()
        help_text = "\n".join(str(widget.render()) for widget in app.screen.query(Static))
        assert "working days (wd" in help_text


async def close_via_status(pilot, reason_downs: int) -> None:
    await pilot.press("s")
    await pilot.pause()
    await pilot.press("down", "down", "down", "enter")  # open -> waiting, proposed, resolved, closed
    await pilot.pause()
    asked = "\n".join(str(widget.render()) for widget in pilot.app.screen.query(Static))
    assert "No reply has gone out yet: why close it?" in asked, "closing unanswered asks why"
    await pilot.press(*["down"] * reason_downs, "enter")
    await settle(pilot)
    await settle(pilot)


async def test_closing_an_unanswered_ticket_misses_its_clocks_and_the_trail_says_who_closed_it(store):
    clock = MovableClock(NOW)
    seeded(store, clock)
    app = ConsoleApp(store, Config(), clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_first_ticket(pilot)
        clock.advance(minutes=5)
        await close_via_status(pilot, reason_downs=0)
        lines = clock_lines(app)
        assert re.search(r"1h first response\s+✘ missed", lines) and re.search(r"3wd solution\s+✘ missed", lines), lines
        assert re.search(r"· status Open → Closed · Lin Wei · .*10:05", thread_text(app)), thread_text(app)
        await pilot.press("c")
        await settle(pilot)
        history = app.screen.query_one("#customer-history", VirtualTable)
        rows = [(history.cell_text(i, "kind"), history.cell_text(i, "body")) for i in range(history.row_count)]
        assert rows[0] == ("activity", "status Open → Closed · Lin Wei"), "the customer's history has the trail too"


async def test_closing_as_a_duplicate_waives_the_clocks_and_shows_the_reason(store):
    clock = MovableClock(NOW)
    seeded(store, clock)
    app = ConsoleApp(store, Config(), clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_first_ticket(pilot)
        await close_via_status(pilot, reason_downs=1)
        lines = clock_lines(app)
        assert re.search(r"1h first response\s+– waived: duplicate", lines), lines
        assert "closed as duplicate · Lin Wei" in thread_text(app)


async def escalate(pilot, team_downs: int, reason: str) -> None:
    await pilot.press("e")
    await settle(pilot)
    assert isinstance(pilot.app.screen, EscalateScreen)
    await pilot.press(*["down"] * team_downs, *reason, "enter")
    await settle(pilot)
    await settle(pilot)


async def test_escalation_asks_team_and_reason_and_only_the_experts_answer_stops_its_clock(store):
    clock = MovableClock(NOW)
    seeded(store, clock)
    app = ConsoleApp(store, Config(), clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_first_ticket(pilot)
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, EscalateScreen), "e asks before escalating"
        await pilot.press("enter")  # no reason typed
        assert "reason is empty" in str(app.screen.query_one("#escalate-problem", Static).render())
        await pilot.press("escape")
        await settle(pilot)
        assert "expert answer" not in clock_lines(app), "cancelled: nothing escalated"

        await escalate(pilot, 1, "beacon ID mismatch")  # Deck, Radio: Radio
        assert re.search(r"48h expert answer\s+▸ on time 2d 0h", clock_lines(app)), clock_lines(app)
        assert "escalated to Radio: beacon ID mismatch · Lin Wei" in thread_text(app)
        await pilot.press("x")
        await settle(pilot)
        await settle(pilot)
        assert re.search(r"48h expert answer\s+▸ on time", clock_lines(app)), "a proposed solution is not the answer"

        clock.advance(hours=10)
        await escalate(pilot, 0, "needs the deck crew")  # a second escalation, to Deck
        assert re.search(r"48h expert answer\s+▸ on time 2d 0h", clock_lines(app)), "a new clock, whole budget"
        await pilot.press("a", *"Beacon re-registered", "ctrl+s")
        await settle(pilot)
        assert "only Deck can answer this escalation; you are in Radio" in str(
            app.screen.query_one("#composer-status", Static).render())
        assert "✔ met" not in clock_lines(app).split("expert answer")[1]


async def test_the_escalated_team_answers_and_the_clock_is_met(store):
    clock = MovableClock(NOW)
    seeded(store, clock)
    app = ConsoleApp(store, Config(), clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_first_ticket(pilot)
        await escalate(pilot, 1, "beacon ID mismatch")
        clock.advance(hours=3)
        await pilot.press("a", *"Beacon re-registered", "ctrl+s")
        await settle(pilot)
        await settle(pilot)
        assert re.search(r"48h expert answer\s+✔ met", clock_lines(app)), clock_lines(app)
        assert "expert answer from Radio · Lin Wei" in thread_text(app)


def hold_next_ticket_read(store, monkeypatch) -> tuple[threading.Event, threading.Event]:
    """The next read of a ticket reads at once but returns only once released, as a slow disk
    or a loaded machine makes it; gives (read, release)."""
    read_ticket, read, release = store.ticket_detail, threading.Event(), threading.Event()

    def read_then_wait(ticket_id):
        detail = read_ticket(ticket_id)
        if not read.is_set():
            read.set()
            release.wait(WAIT_S)
        return detail

    monkeypatch.setattr(store, "ticket_detail", read_then_wait)
    return read, release


def reads_running(app) -> bool:
    return any(worker.name == "reload" and worker.is_running for worker in app.workers)


async def test_a_slow_read_begun_before_an_escalation_does_not_paint_over_it(store, monkeypatch):
    clock = MovableClock(NOW)
    seeded(store, clock)
    app = ConsoleApp(store, Config(), clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_first_ticket(pilot)
        stale_read, release = hold_next_ticket_read(store, monkeypatch)
        app.screen.reload()
        await until(pilot, stale_read.is_set, "the slow read has read the ticket")
        await pilot.press("e")  # no settling while the slow read waits: escalate around it
        await until(pilot, lambda: isinstance(app.screen, EscalateScreen), "the escalation dialog")
        await pilot.press("down", *"beacon ID mismatch", "enter")
        await until(pilot, lambda: "escalated to Radio" in thread_text(app), "the escalation is shown")
        release.set()
        await until(pilot, lambda: not reads_running(app), "the slow read ended")
        await settle(pilot)
        assert "escalated to Radio: beacon ID mismatch · Lin Wei" in thread_text(app)
        assert re.search(r"48h expert answer\s+▸ on time", clock_lines(app)), clock_lines(app)


async def test_a_due_reminder_sits_below_an_overdue_ticket_and_is_cleared_from_my_reminders(store):
    clock = MovableClock(NOW)
    agent, overdue = seeded(store, clock, created=NOW - timedelta(days=3))
    reminded = store.create_ticket(customer_id=overdue.customer_id, subject="Call the chief engineer",
                                   first_message="Please call", assignee_id=agent.id, at=NOW)
    store.add_reminder(reminded.id, NOW - timedelta(minutes=5), "call the chief", agent_id=agent.id, at=NOW)
    snoozed = store.add_reminder(overdue.id, NOW + timedelta(hours=1), "chase the flag state", agent_id=agent.id,
                                 at=NOW)
    app = ConsoleApp(store, Config(), clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(VirtualTable)
        assert table.cell_text(0, "number") == overdue.number, "three days overdue comes before a reminder"
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"My reminders")
        await until(pilot, lambda: any("My reminders" in str(option.prompt) for option in app.screen.query(OptionList)
                                       .first().options), "the palette offers my reminders")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, RemindersScreen)
        listed = app.screen.query_one(OptionList)
        assert listed.option_count == 2 and "call the chief" in str(listed.get_option_at_index(0).prompt)
        await pilot.press("d")
        await settle(pilot)
        await settle(pilot)
        assert listed.option_count == 1 and "chase the flag state" in str(listed.get_option_at_index(0).prompt)
        await pilot.press("z")
        await pilot.pause()
        assert app.screen.query_one("#reminder-note", Input).value == "chase the flag state"
        await pilot.press(*"+2h", "enter")
        await settle(pilot)
        await settle(pilot)
        assert "12:00" in str(listed.get_option_at_index(0).prompt), "snoozed two hours, due no more"
        assert "due ·" not in str(listed.get_option_at_index(0).prompt)
    assert [r.id for r, _n, _s in store.open_reminders(agent.id)] == [snoozed.id]
    kinds = [e.kind for e in store.ticket_detail(reminded.id).events]
    assert kinds.count("reminder_set") == 1 and kinds.count("reminder_done") == 1


async def test_the_thread_keeps_a_trail_of_priority_reassignment_and_reminder_in_order(store):
    clock = MovableClock(NOW)
    agent, ticket = seeded(store, clock)
    ingrid = next(other for other in store.agents() if other.name == "Ingrid Haugen")
    store.add_reminder(ticket.id, NOW + timedelta(hours=2), "call the master", agent_id=agent.id,
                       at=NOW + timedelta(minutes=1))
    app = ConsoleApp(store, Config(), clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await open_first_ticket(pilot)
        clock.advance(minutes=5)
        await pilot.press("p")
        await pilot.pause()
        await pilot.press("enter")  # normal -> the first other choice, urgent
        await settle(pilot)
        await settle(pilot)
        assert "15m first response" in clock_lines(app), "the clocks follow the new priority's targets"
        store.assign_many([ticket.id], ingrid.id, author_id=agent.id, at=clock.now + timedelta(minutes=1))
        app.screen.reload()
        await settle(pilot)
        trail = [line for line in thread_text(app).splitlines() if line.startswith("· ")]
        assert trail == [
            "· reminder for 12:00: call the master · Lin Wei · 10:01",
            "· priority normal → urgent · Lin Wei · 10:05",
            "· reassigned Lin Wei → Ingrid Haugen · Lin Wei · 10:06",
        ]
