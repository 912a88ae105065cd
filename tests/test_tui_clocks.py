"""Clocks in the TUI follow an injected clock: countdowns, states, alerts once, reminders."""

from __future__ import annotations

import re
from datetime import timedelta

from textual.widgets import Input, Static

from cs_console.app import ConsoleApp
from cs_console.config import Config
from cs_console.screens.queue import QueueScreen
from cs_console.screens.ticket import TicketScreen
from cs_console.storage.models import Customer
from cs_console.usecases.ticket_changes import add_interaction, change_status
from cs_console.widgets.virtual_table import VirtualTable
from tests.conftest import NOW
from tests.test_tui_first_loop import SIZE, settle


class MovableClock:
    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, **delta) -> None:
        self.now += timedelta(**delta)


def one_ticket_app(store, clock: MovableClock, priority: str = "normal"):
    agent = store.create_agent("Lin Wei")
    store.set_current_agent(agent.id)
    ticket = store.create_ticket(
        new_customer=Customer(name="Statoil Rig Alpha"), subject="EPIRB registration", first_message="EPIRB expired",
        priority=priority, assignee_id=agent.id, at=clock.now,
    )
    return ConsoleApp(store, Config(), clock=clock), ticket


def due_cell(app) -> str:
    return app.screen.query_one(VirtualTable).cell_text(0, "due")


def clock_lines(app) -> str:
    return str(app.screen.query_one("#ticket-clocks", Static).render())


def notifications(app) -> list[str]:
    return [n.message for n in app._notifications]


async def test_queue_countdown_turns_at_risk_then_overdue_and_alerts_once(store):
    clock = MovableClock(NOW)  # Tuesday 10:00 UTC, inside business hours
    app, ticket = one_ticket_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        clock.advance(minutes=10)
        app.tick()
        assert due_cell(app) == "▸ 50m R"
        clock.advance(minutes=40)
        app.tick()
        await pilot.pause()
        assert due_cell(app) == "! 10m R"
        assert notifications(app) == [f"{ticket.number}: 1h first response at risk (10m)"]
        clock.advance(minutes=15)
        app.tick()
        app.tick()
        await pilot.pause()
        assert due_cell(app) == "✖ -5m R"
        assert notifications(app)[1:] == [f"{ticket.number}: 1h first response overdue (-5m)"]


async def test_ticket_screen_shows_every_clock_and_a_reply_meets_the_first(store):
    clock = MovableClock(NOW)
    app, ticket = one_ticket_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        clocks = str(app.screen.query_one("#ticket-clocks", Static).render())
        assert "1h first response" in clocks and "3wd solution" in clocks and "7d closure + callback" in clocks
        assert "due 11:00" in clocks, "due times in the agent's zone (UTC here)"
        clock.advance(minutes=20)
        await pilot.press("r", *"We are on it.", "ctrl+s")
        await settle(pilot)
        await settle(pilot)
        assert re.search(r"1h first response\s+✔ met", clock_lines(app))
        clock.advance(days=2)
        app.tick()
        assert re.search(r"3wd solution\s+▸ on time 8h 40m · due Fri 27 Nov 10:00", clock_lines(app))


async def test_waiting_on_the_customer_pauses_and_solution_and_callback_finish(store):
    clock = MovableClock(NOW)
    app, ticket = one_ticket_app(store, clock, priority="urgent")
    agent = store.current_agent()
    add_interaction(store, ticket.id, "public_reply", "Looking into it.", author_id=agent.id, at=NOW + timedelta(minutes=5))
    change_status(store, ticket.id, "waiting_on_customer", author_id=agent.id, at=NOW + timedelta(hours=1))
    clock.advance(hours=30)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert due_cell(app).startswith("◷"), "paused while waiting on the customer"
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("x")
        await settle(pilot)
        await settle(pilot)
        assert re.search(r"24h solution\s+✔ met", clock_lines(app)), "23 h of the urgent 24 h were left when paused"
        await pilot.press("b")
        await pilot.pause()
        await pilot.press(*["tab"] * 4, "4", "tab", "tab", *"Happy with the fix", "enter")
        await settle(pilot)
        await settle(pilot)
        change_status(store, ticket.id, "closed", author_id=agent.id, at=clock.now)
        app.screen.reload()
        await settle(pilot)
        assert re.search(r"7d closure \+ callback\s+✔ met", clock_lines(app))
    kinds = [e.kind for e in store.ticket_detail(ticket.id).events if e.kind != "status_changed"]
    assert kinds[-3:] == ["solution_proposed", "callback", "closed"]
    callback = store.ticket_detail(ticket.id).interactions[-1]
    assert (callback.kind, callback.satisfaction, callback.body) == ("callback", 4, "Happy with the fix")


async def test_a_personal_reminder_surfaces_in_the_queue_when_due(store):
    clock = MovableClock(NOW)
    app, ticket = one_ticket_app(store, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("m")
        await pilot.pause()
        await pilot.press(*"someday", "enter")
        assert "is not a time" in str(app.screen.query_one("#reminder-problem", Static).render())
        app.screen.query_one("#reminder-when", Input).value = "+2h"
        await pilot.press("tab", *"call the chief engineer", "enter")
        await settle(pilot)
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
        assert "⏰" not in app.screen.query_one(VirtualTable).cell_text(0, "subject")
        clock.advance(hours=2, minutes=1)
        app.screen.reload()
        await settle(pilot)
        assert "⏰" in app.screen.query_one(VirtualTable).cell_text(0, "subject")
        assert f"{ticket.number}: call the chief engineer" in notifications(app)


async def test_a_snoozed_reminder_is_told_again_when_its_new_time_comes(store):
    clock = MovableClock(NOW)
    app, ticket = one_ticket_app(store, clock)
    agent = store.current_agent()
    reminder = store.add_reminder(ticket.id, NOW - timedelta(minutes=1), "call the chief", agent_id=agent.id, at=NOW)
    told = f"{ticket.number}: call the chief"
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert told in notifications(app)
        app.clear_notifications()
        store.snooze_reminder(reminder.id, NOW + timedelta(hours=1), author_id=agent.id, at=NOW)
        app.screen.reload()
        await settle(pilot)
        assert told not in notifications(app), "snoozed: not due"
        clock.advance(hours=1, minutes=1)
        app.screen.reload()
        await settle(pilot)
        assert told in notifications(app), "due again after the snooze"
