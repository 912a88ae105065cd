"""What start-up loads: the user feels it as the time before `--version` answers and before
the first queue row, so it is asserted as the modules a fresh process imports, never as
wall-clock time (which a busy test machine would make flaky).

Each check runs in its own interpreter: this test process has long since imported
everything.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from datetime import UTC, datetime

import pytest

HEAVY = ("textual", "sqlalchemy", "sqlmodel", "httpx")


DOMAIN = ("cs_console.clocks", "cs_console.lead.reports", "cs_console.lead.kpi", "cs_console.text",
          "cs_console.config", "cs_console.kb", "cs_console.usecases", "cs_console.sync", "cs_console.storage")
"""What the console's work needs and a `--version` or `--help` does not."""


def probe(script: str):
    """What a fresh interpreter prints as JSON on its last line once `script` has run."""
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


def modules_after(script: str) -> set[str]:
    """The modules a fresh interpreter has loaded once `script` has run."""
    return set(probe(textwrap.dedent(script) + "\nimport sys, json\nprint(json.dumps(sorted(sys.modules)))\n"))


def loaded_after(script: str) -> set[str]:
    """The top-level packages a fresh interpreter has loaded once `script` has run."""
    return {name.split(".")[0] for name in modules_after(script)}


@pytest.mark.parametrize("option", ["--version", "--help"])
def test_version_and_help_load_no_interface_database_http_or_domain(option):
    loaded = modules_after(f"""
        from cs_console.cli import main
        try:
            main([{option!r}])
        except SystemExit:
            pass
    """)
    assert not {name.split(".")[0] for name in loaded} & set(HEAVY)
    assert not [name for name in loaded if name.startswith(DOMAIN)]


def test_first_queue_screen_without_a_login_leaves_http_unloaded(tmp_path):
    loaded = loaded_after(f"""
        import asyncio
        from datetime import UTC, datetime
        from pathlib import Path

        from cs_console.app import ConsoleApp
        from cs_console.config import Config
        from cs_console.screens.queue import QueueScreen
        from cs_console.storage.models import Contact, Customer
        from cs_console.store import Store

        store = Store.open(Path({str(tmp_path / "store.db")!r}))
        agent = store.create_agent("Lin Wei")
        store.set_current_agent(agent.id)
        store.create_ticket(customer_id=None, new_customer=Customer(name="Hai Xing Shipping"),
                            new_contact=Contact(name="Chen Jie"),
                            subject="SIM activation failed", first_message="Please help.", priority="normal",
                            assignee_id=agent.id, at=datetime.now(UTC))

        async def first_paint():
            app = ConsoleApp(store, Config())
            async with app.run_test(size=(80, 24)) as pilot:
                await pilot.app.workers.wait_for_complete()
                await pilot.pause()
                assert isinstance(app.screen, QueueScreen), app.screen
                assert not app.sync_state.configured

        asyncio.run(first_paint())
    """)
    assert "textual" in loaded, "the probe did paint the console"
    assert "httpx" not in loaded and "click" not in loaded and "pygments" not in loaded


def test_the_queue_shows_its_rows_before_the_database_layer_loads(tmp_path):
    """`cs-console` opens a `LazyStore`: the queue's rows are read through plain sqlite3 and
    painted first; SQLAlchemy, SQLModel and pydantic load only when something else is asked."""
    from cs_console.storage.models import Contact, Customer
    from cs_console.store import Store

    path = tmp_path / "store.db"
    store = Store.open(path)
    agent = store.create_agent("Lin Wei")
    store.set_current_agent(agent.id)
    store.create_ticket(customer_id=None, new_customer=Customer(name="Hai Xing Shipping"),
                        new_contact=Contact(name="Chen Jie"),
                        subject="SIM activation failed", first_message="Please help.", priority="normal",
                        assignee_id=agent.id, at=datetime.now(UTC))
    store.close()
    rows, loaded = probe(f"""
        import asyncio
        import json
        import sys
        import time
        from pathlib import Path

        from cs_console.app import ConsoleApp
        from cs_console.config import Config
        from cs_console.lazy_store import LazyStore
        from cs_console.screens.queue import QueueScreen

        store = LazyStore.open(Path({str(path)!r}))
        app = ConsoleApp(store, Config())
        first_load = []
        load = LazyStore.loaded

        def loaded(self):
            if not first_load:
                screen = app.screen
                rows = len(screen.rows) if isinstance(screen, QueueScreen) else 0
                first_load.append((rows, sorted(sys.modules)))
            return load(self)

        LazyStore.loaded = loaded

        async def first_paint():
            async with app.run_test(size=(80, 24)) as pilot:
                deadline = time.monotonic() + 30  # the rows come from a worker: wait for them, however loaded
                while not (isinstance(app.screen, QueueScreen) and len(app.screen.rows) == 1):
                    assert time.monotonic() < deadline, app.screen
                    await pilot.pause(0.05)
                assert app.agent.name == "Lin Wei"

        asyncio.run(first_paint())
        store.close()
        print(json.dumps(first_load[0]))
    """)
    assert rows == 1, "the ORM loaded before the queue showed its rows"
    assert "textual" in {name.split(".")[0] for name in loaded}, "the probe did paint the console"
    assert not {name.split(".")[0] for name in loaded} & {"sqlalchemy", "sqlmodel", "pydantic", "httpx"}
    assert "cs_console.storage.models" not in loaded
