"""A store written before callback surveys and agents' dates upgrades without loss: every
callback keeps its satisfaction, which becomes the survey's overall part, and its NPS."""

from __future__ import annotations

import sqlite3

from cs_console.lead.survey import answers_of
from cs_console.storage import migrations
from cs_console.store import Store
from cs_console.usecases.ticket_changes import add_interaction
from cs_console.usecases.ticket_facts import ticket_facts
from tests.test_store import new_ticket

BEFORE_SURVEYS = next(m.version for m in migrations.MIGRATIONS if "callback surveys" in m.description) - 1


def test_old_callbacks_keep_their_score_as_the_overall_part(tmp_path):
    path = tmp_path / "old.db"
    store = Store.open(path)
    agent = store.create_agent("Lin Wei", team="Maritime Desk")
    ticket = new_ticket(store)
    add_interaction(store, ticket.id, "callback", "Happy", author_id=agent.id, satisfaction=4, nps=8)
    add_interaction(store, ticket.id, "callback", "Asked again", author_id=agent.id, satisfaction=2)
    store.close()
    with sqlite3.connect(path, isolation_level=None) as old:  # the file as the release before wrote it
        for table, column in (("interaction", "survey"), ("agent", "started_on"), ("agent", "left_on")):
            old.execute(f"ALTER TABLE {table} DROP COLUMN {column}")
        old.execute(f"PRAGMA user_version = {BEFORE_SURVEYS}")

    store = Store.open(path)
    try:
        [facts] = ticket_facts(store)
        answers = [answers_of(c.satisfaction, c.nps, c.survey) for c in facts.contacts if c.kind == "callback"]
        assert answers == [{"overall": 4, "nps": 8}, {"overall": 2}]
        [lin] = store.agents()
        assert (lin.name, lin.started_on, lin.left_on) == ("Lin Wei", None, None)
    finally:
        store.close()
    with sqlite3.connect(path) as check:
        assert check.execute("PRAGMA user_version").fetchone()[0] == migrations.LATEST_VERSION
        assert check.execute("SELECT satisfaction, nps, survey FROM interaction WHERE kind = 'callback' "
                             "ORDER BY satisfaction DESC").fetchall() == [(4, 8, "{}"), (2, None, "{}")]
