"""Sync as the agent sees it: the schedule's backoff, and the status bar and composer against
a real server process that answers, then goes away."""

from __future__ import annotations

import random
from datetime import timedelta

from textual.css.query import NoMatches

from cs_console.app import ConsoleApp
from cs_console.config import Config
from cs_console.screens.ticket import TicketScreen
from cs_console.server import accounts
from cs_console.server.db import Database
from cs_console.server.process import ServerProcess
from cs_console.storage.models import Customer
from cs_console.store import Store
from cs_console.sync.login import Settings, save_settings
from cs_console.sync.schedule import BACKOFF_CAP, SyncState, backoff
from cs_console.widgets.sync_status import SyncStatusBar
from tests.conftest import NOW
from tests.test_tui_clocks import MovableClock
from tests.test_tui_first_loop import SIZE, settle


def test_backoff_grows_with_failures_and_stays_capped():
    rng = random.Random(7)
    first = [backoff(1, rng) for _ in range(200)]
    tenth = [backoff(10, rng) for _ in range(200)]
    assert max(first) <= timedelta(seconds=5) and min(first) >= timedelta(seconds=1)
    assert max(tenth) <= BACKOFF_CAP and max(tenth) > timedelta(minutes=2)
    assert len(set(first)) > 100, "jitter spreads a fleet's retries"


def test_status_line_reads_link_state_waiting_changes_and_freshness():
    state = SyncState(configured=True)
    assert state.describe(NOW).startswith("◌ connecting")
    state = state.after_success(NOW, pending=0)
    assert state.describe(NOW + timedelta(minutes=12)) == "● online · nothing waiting · synced 12 min ago"
    state = state.after_local_change(NOW + timedelta(minutes=13), pending=2)
    assert state.due(NOW + timedelta(minutes=13)), "a change goes up at once while online"
    state = state.after_failure(NOW + timedelta(minutes=13), pending=2, error="timed out", rng=random.Random(1))
    text = state.describe(NOW + timedelta(minutes=13))
    assert text.startswith("○ offline · 2 waiting · synced 13 min ago · retry in")
    later = state.after_local_change(NOW + timedelta(minutes=14), pending=3)
    assert later.next_attempt_at == state.next_attempt_at, "offline, a change waits for the backoff"
    assert "local only" in SyncState(configured=False, pending=4).describe(NOW)


def status_bar(app) -> str:
    return str(app.screen.query_one(SyncStatusBar).content)


def composer_status(app) -> str:
    return str(app.screen.query_one("#composer-status").content)


async def until(pilot, condition, seconds: float = 20) -> None:
    """Tick and wait until `condition()` holds: sync runs in thread workers on the app's tick."""
    for _ in range(int(seconds / 0.1)):
        pilot.app.tick()
        await pilot.app.workers.wait_for_complete()
        await pilot.pause(0.1)
        if condition():
            return
    shown = {}
    for name, read in (("status bar", status_bar), ("composer", composer_status)):
        try:
            shown[name] = read(pilot.app)
        except NoMatches:
            shown[name] = None  # not on this screen
    raise AssertionError(f"never happened; {shown}")


async def test_reply_goes_out_then_queues_offline_when_the_server_is_gone(tmp_path, store):
    database_url = f"sqlite:///{tmp_path / 'server.db'}"
    server = ServerProcess(database_url, home=tmp_path / "server-home").start()
    try:
        database = Database.open(database_url)
        agent, token = accounts.add_agent(database, "Lin Wei", "agent", "deck")
        save_settings(Settings(server=server.url, token=token, agent_id=agent.agent_id, agent_name=agent.name))
        clock = MovableClock(NOW)
        local_agent = store.create_agent("Lin Wei (offline)")
        store.set_current_agent(local_agent.id)
        ticket = store.create_ticket(
            new_customer=Customer(name="Hai Xing Shipping"), subject="Ballast log", first_message="help",
            team="deck", at=NOW,
        )
        app = ConsoleApp(store, Config(), clock=clock)
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            app.push_screen(TicketScreen(ticket.id))
            await settle(pilot)
            await until(pilot, lambda: status_bar(app).startswith("● online · nothing waiting"))

            await pilot.press("i", *"Asked the master for the ballast record.", "ctrl+s")
            await until(pilot, lambda: composer_status(app) in ("saved · sending…", "sent"))
            await until(pilot, lambda: composer_status(app) == "sent")

            server.stop()
            await pilot.press("i", *"Second note while the link is down.", "ctrl+s")
            # a note and the ticket's update time wait to go up
            await until(pilot, lambda: status_bar(app).startswith("○ offline · 2 waiting"))
            clock.advance(seconds=1)
            app.tick()
            assert "retry in" in status_bar(app)
            await pilot.press("i", *"Third.", "ctrl+s")
            await until(pilot, lambda: "queued offline" in composer_status(app))
        with database.read() as session:
            from sqlmodel import select

            from cs_console.storage.models import Interaction

            bodies = [i.body for i in session.exec(select(Interaction))]
        assert bodies.count("Asked the master for the ballast record.") == 1
        assert "Second note while the link is down." not in bodies
    finally:
        server.stop()


async def test_the_console_says_when_its_database_turns_out_to_be_a_copy(tmp_path, store):
    import sqlite3

    from cs_console.sync.client import sync_once

    database_url = f"sqlite:///{tmp_path / 'server.db'}"
    server = ServerProcess(database_url, home=tmp_path / "server-home").start()
    try:
        database = Database.open(database_url)
        agent, token = accounts.add_agent(database, "Lin Wei", "lead", "deck")
        settings = Settings(server=server.url, token=token, agent_id=agent.agent_id, agent_name=agent.name)
        save_settings(settings)
        for subject in ("Ballast log", "Radar frozen"):
            store.create_ticket(new_customer=Customer(name="Hai Xing Shipping"), subject=subject,
                                first_message="help", team="deck", at=NOW)
            assert sync_once(store, settings).ok
            if subject == "Ballast log":
                with sqlite3.connect(store.path) as reading, sqlite3.connect(tmp_path / "copy.db") as writing:
                    reading.backup(writing)

        copy = Store.open(tmp_path / "copy.db")
        app = ConsoleApp(copy, Config(), clock=MovableClock(NOW))
        async with app.run_test(size=SIZE) as pilot:
            await settle(pilot)
            await until(pilot, lambda: any("a device of its own" in n.message for n in app._notifications))
            assert copy.device_id != store.device_id
            assert f"numbered {copy.ticket_prefix}-" in next(n.message for n in app._notifications
                                                             if "a device of its own" in n.message)
        copy.close()
    finally:
        server.stop()
