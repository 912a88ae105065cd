"""A store written before callback surveys and agents' dates upgrades without loss: every
callback keeps its satisfaction, which becomes the survey's overall part, and its NPS."""

from __future__ import annotations

import sqlite3

from cs_console.lead.survey import answers_of
from cs_console.storage import migrations
from cs_console.store import Store
from cs_console.usecases.ticket_facts import ticket_facts

BEFORE_SURVEYS = next(m.version for m in migrations.MIGRATIONS if "callback surveys" in m.description) - 1


def test_old_callbacks_keep_their_score_as_the_overall_part(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path, isolation_level=None)  # the file as the release before wrote it
    migrations.upgrade(old, target=BEFORE_SURVEYS)
    old.execute("INSERT INTO agent (id, name, role, team, languages, skills, timezone, active, field_clocks) "
                "VALUES ('a1', 'Lin Wei', 'agent', 'Maritime Desk', '[]', '[]', 'UTC', 1, '{}')")
    old.execute("INSERT INTO customer VALUES ('c1', 'Hai Xing', '', '', '', '', 'zh', '[]', '', '', "
                "'2025-01-01 00:00:00.000000', '2025-01-01 00:00:00.000000', '{}')")
    old.execute("INSERT INTO ticket (id, number, customer_id, assignee_id, team, subject, category, priority, "
                "channel, status, created_at, updated_at, field_clocks) VALUES ('t1', 'OLD-1', 'c1', 'a1', "
                "'Maritime Desk', 'Ballast', 'other', 'normal', 'phone', 'open', '2025-01-01 00:00:00.000000', "
                "'2025-01-01 00:00:00.000000', '{}')")
    old.executemany("INSERT INTO interaction (id, ticket_id, kind, author_id, body, satisfaction, nps, created_at, hlc,"
                    " channel) VALUES (?, 't1', 'callback', 'a1', ?, ?, ?, ?, '', 'phone')",
                    [("i1", "Happy", 4, 8, "2025-01-02 00:00:00.000000"),
                     ("i2", "Asked again", 2, None, "2025-01-03 00:00:00.000000")])
    old.close()

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
