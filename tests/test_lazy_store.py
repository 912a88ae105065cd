"""The store the console opens (`LazyStore`): its first-screen reads, made through plain
sqlite3 before SQLAlchemy loads, give what the full store gives, and the full store it
opens later keeps the session's read-only choice."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cs_console.lazy_store import LazyStore
from cs_console.storage.errors import ReadOnly, StoreError
from tests.conftest import NOW, queue_rows


@pytest.fixture
def lazy(demo_store):
    opened = LazyStore.open(demo_store.path)
    yield opened
    opened.close()


def test_the_queue_read_before_the_orm_loads_is_the_full_stores_queue(demo_store, lazy):
    agent = demo_store.current_agent()
    ticket_id = queue_rows(demo_store, agent.id, now=NOW)[0].id
    demo_store.add_reminder(ticket_id, NOW - timedelta(minutes=5), "call the captain back", agent_id=agent.id, at=NOW)
    for agent_id in (agent.id, None):
        assert queue_rows(lazy, agent_id, now=NOW) == queue_rows(demo_store, agent_id, now=NOW)
    [reminded] = [row for row in queue_rows(lazy, agent.id, now=NOW) if row.reminder is not None]
    assert (reminded.id, reminded.reminder.note) == (ticket_id, "call the captain back")


def test_who_works_here_is_read_without_the_orm(demo_store, lazy):
    agent = demo_store.current_agent()
    working = lazy.working_agent()
    assert (working.id, working.name, working.role, working.team, working.timezone) == (
        agent.id, agent.name, agent.role, agent.team, agent.timezone)
    assert not lazy.is_empty()


def test_an_empty_store_offers_the_demo_and_has_nobody_working(tmp_path):
    lazy = LazyStore.open(tmp_path / "new.db")
    try:
        assert lazy.is_empty() and lazy.working_agent() is None
    finally:
        lazy.close()


def test_read_only_chosen_before_the_full_store_opens_holds_after(lazy):
    lazy.readonly = True
    with pytest.raises(ReadOnly):
        lazy.create_agent("Ingrid Haugen")  # the first call the first screen cannot answer
    assert lazy.readonly and lazy.loaded().readonly
    lazy.readonly = False
    assert lazy.create_agent("Ingrid Haugen").name == "Ingrid Haugen"


def test_a_file_that_is_no_database_is_refused_before_anything_shows(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("not a database\n" * 100, encoding="utf-8")
    with pytest.raises(StoreError, match="notes.db"):
        LazyStore.open(path)
    assert path.read_text(encoding="utf-8").startswith("not a database")
