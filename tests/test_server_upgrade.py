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


def test_an_earlier_servers_integrations_and_mail_log_gain_their_new_columns(tmp_path):
    from cs_console.server import integrations

    path = tmp_path / "central.db"
    database = Database.open(f"sqlite:///{path}")
    _made, token = integrations.add_integration(database, "Status page", "Ops")
    database.engine.dispose()
    with sqlite3.connect(path) as earlier:  # as the release before integrations could be disabled
        earlier.execute("ALTER TABLE intake_integration DROP COLUMN disabled")
        earlier.execute("ALTER TABLE mail_message DROP COLUMN sender")
    database = Database.open(f"sqlite:///{path}")
    assert integrations.authenticate_integration(database, f"Bearer {token}").disabled is False
    integrations.disable_integration(database, "Status page")
    assert [found.disabled for found in integrations.list_integrations(database)] == [True]
    database.engine.dispose()
