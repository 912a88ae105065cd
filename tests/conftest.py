"""Keeps every test away from the developer's own data and config, and gives stores."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from cs_console.config import Config
from cs_console.storage.models import Template
from cs_console.storage.queue_rows import QueueRow
from cs_console.store import Store
from cs_console.usecases.queue_list import QueueFilter, QueueList, settled_at
from cs_console.utc import utcnow

NOW = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
"""A Tuesday morning: the demo's relative times are placed around it in tests."""


def queue_rows(store: Store, agent_id: str | None, queue_filter: QueueFilter = QueueFilter(),
               now: datetime | None = None) -> list[QueueRow]:
    """An agent's queue (everyone's when None) as the queue screen loads it: clocks checked,
    the live tickets, then every settled page; in the queue's order, through `queue_filter`."""
    config, now = Config(), now or utcnow()
    store.check_clocks_again_unless(config.clock_settings)
    while unchecked := store.unchecked_tickets(500):
        store.save_settled({ticket_id: (settled_at(priority, events, config.policy, config.calendar), len(events))
                            for ticket_id, priority, events in unchecked})
    queue = QueueList(store.live_tickets(agent_id, now), config.policy, config.calendar, now, queue_filter)
    after = None
    while page := store.settled_page(agent_id, now, after, 500):
        queue.add_settled(page, last=False)
        after = page[-1]
    queue.add_settled([], last=True)
    return list(queue)


def stored_template(store: Store, template_id: str) -> Template:
    """A template as stored, to check what an import or a use changed in it."""
    with store.read() as session:
        return session.get(Template, template_id)


@pytest.fixture(autouse=True)
def isolated_home(tmp_path, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setenv("CS_CONSOLE_HOME", str(home))
    monkeypatch.setenv("NO_COLOR", "1")
    # English unless a test's config says otherwise: the interface follows the locale.
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "C.UTF-8")
    return home


@pytest.fixture
def store(tmp_path):
    opened = Store.open(tmp_path / "store.db")
    yield opened
    opened.close()


@pytest.fixture
def demo_store(store):
    from cs_console.demo.data_set import load_demo

    load_demo(store, NOW)
    return store
