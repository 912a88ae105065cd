"""A server database made by an earlier release gains the columns the synced models have
gained since, so an upgraded server takes the new fields (a ticket event's detail)."""

from __future__ import annotations

import sqlite3

from sqlmodel import select

from cs_console.server.db import Database
from cs_console.storage.models import TicketEvent


def test_an_earlier_servers_database_gains_the_event_detail_column(tmp_path):
    path = tmp_path / "central.db"
    Database.open(f"sqlite:///{path}").engine.dispose()
    with sqlite3.connect(path) as earlier:  # as a release before the trail left it
        earlier.execute("ALTER TABLE ticket_event DROP COLUMN detail")
        earlier.execute("INSERT INTO ticket_event (id, ticket_id, kind, at, hlc) "
                        "VALUES ('e1', 't1', 'created', '2026-11-24 10:00:00.000000', '')")
    database = Database.open(f"sqlite:///{path}")
    Database.open(f"sqlite:///{path}").engine.dispose()  # a second process starting finds it there
    with database.read() as session:
        assert session.exec(select(TicketEvent.detail)).all() == ["{}"]
    database.engine.dispose()
