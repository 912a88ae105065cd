"""The demo never reaches a server: its rows go to no outbox, and a database holding it is a
demo database that refuses to sync, even logged in as an admin, against a real server
process. Its status line says so instead of counting the demo as changes waiting.
"""

from __future__ import annotations

import json
import os
import shutil
import sys

import pytest
from sqlalchemy import func, select

from cs_console.app import ConsoleApp
from cs_console.config import Config
from cs_console.demo.data_set import load_demo
from cs_console.screens.queue import QueueScreen
from cs_console.screens.ticket import TicketScreen
from cs_console.storage.errors import StoreError
from cs_console.storage.models import Agent, Customer, KbArticle, Template, Ticket
from cs_console.sync.login import Settings, save_settings
from tests.conftest import NOW
from tests.test_sync_e2e import _cli
from tests.test_sync_harness import account, database, database_url, server  # noqa: F401  (fixtures)
from tests.test_terminal import Terminal
from tests.test_tui_first_loop import SIZE, settle
from tests.test_tui_sync import status_bar, until

SYNCED = (Agent, Customer, Ticket, KbArticle, Template)


def central_counts(central) -> dict[str, int]:
    with central.read() as session:
        return {model.__name__: session.execute(select(func.count()).select_from(model)).scalar_one() for model in SYNCED}


@pytest.mark.parametrize("role", ["admin", "agent"])
def test_the_demo_never_reaches_the_server_after_login(tmp_path, server, database, role):
    home = tmp_path / "home"
    _, token = account(database, role)
    before = central_counts(database)
    loaded = _cli(home, "demo")
    assert loaded.returncode == 0, loaded.stderr
    assert _cli(home, "login", server.url, "--token", token).returncode == 0

    done = _cli(home, "sync", "--json")
    assert done.returncode == 1
    assert "holds the demo data, which never goes to a server" in done.stderr and "--db PATH" in done.stderr
    report = json.loads(done.stdout)
    assert (report["sent"], report["pending"], report["refused"]) == (0, 0, 0)
    assert central_counts(database) == before
    with database.read() as session:
        assert session.execute(select(Ticket.id).where(Ticket.number.like("DEMO-%"))).first() is None


async def test_the_status_line_of_a_demo_database_counts_nothing_waiting(demo_store):
    save_settings(Settings(server="http://127.0.0.1:9", token="x"))  # logged in, and still never syncs
    assert demo_store.pending_count() == 0
    ticket = demo_store.ticket_numbered("DEMO-0001")
    app = ConsoleApp(demo_store, Config())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(TicketScreen(ticket.id))
        await until(pilot, lambda: status_bar(app).startswith("◇ demo data · never synced"))
        assert "waiting" not in status_bar(app)


def test_the_demo_goes_only_into_a_database_of_its_own(store):
    store.create_ticket(new_customer=Customer(name="Hai Xing Shipping"), subject="Gyro drift", first_message="help")
    waiting = store.pending_count()
    with pytest.raises(StoreError, match="holds work of its own"):
        load_demo(store, NOW)
    assert not store.holds_demo() and store.pending_count() == waiting
    assert store.ticket_numbered("DEMO-0001") is None


async def test_a_device_logged_in_is_not_offered_the_demo(store):
    save_settings(Settings(server="http://127.0.0.1:9", token="x"))
    app = ConsoleApp(store, Config())
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, QueueScreen)
    assert not store.holds_demo()


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")
def test_a_demo_console_logged_in_says_demo_in_a_real_terminal(tmp_path, server, database):
    home = tmp_path / "home"
    _, token = account(database, "admin")
    assert _cli(home, "demo").returncode == 0
    assert _cli(home, "login", server.url, "--token", token).returncode == 0
    before = central_counts(database)
    terminal = Terminal(f"{sys.executable} -m cs_console", {"CS_CONSOLE_HOME": str(home), "PYTHONPATH": os.getcwd()})
    try:
        terminal.wait_for("? Help")
        terminal.keys("Enter")
        ticket = terminal.wait_for("◇ demo data · never synced")
        assert "waiting" not in ticket
        terminal.quit()
    finally:
        terminal.close()
    assert central_counts(database) == before
