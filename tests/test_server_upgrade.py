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


def test_an_earlier_servers_customers_become_organisations_with_the_devices_ids(tmp_path):
    import json

    from cs_console.server import changes
    from cs_console.storage.models import Asset, Contact, Customer, Ticket
    from cs_console.storage.organisation_upgrade import contact_id_of

    path = tmp_path / "central.db"
    Database.open(f"sqlite:///{path}").engine.dispose()
    with sqlite3.connect(path) as earlier:  # customers and a ticket as the release before contacts left them
        earlier.execute("INSERT INTO customer (id, name, kind, contact_name, phone, email, language, sites, preferences, "
                        "notes, created_at, updated_at, field_clocks) VALUES ('c1', 'Hai Xing Shipping', '', 'Chen Jie', "
                        "'+86 138 0013 8000', 'ops@haixing.example', 'zh', '[\"MV Haixing Glory (IMO 9413274)\"]', '', "
                        "'', '2025-01-01 00:00:00.000000', '2025-01-01 00:00:00.000000', '{}')")
        earlier.execute("INSERT INTO ticket (id, number, customer_id, team, subject, category, priority, channel, "
                        "status, created_at, updated_at, field_clocks) VALUES ('t1', 'OLD-1', 'c1', 'deck', 'Gyro', "
                        "'other', 'normal', 'phone', 'open', '2025-01-01 00:00:00.000000', "
                        "'2025-01-01 00:00:00.000000', '{}')")
    database = Database.open(f"sqlite:///{path}")
    assert Database.open(f"sqlite:///{path}").move_customer_details() == 0, "a second process finds nothing left"
    with database.read() as session:
        contact = session.get(Contact, contact_id_of("c1"))
        [vessel] = session.exec(select(Asset)).all()
        customer, ticket = session.get(Customer, "c1"), session.get(Ticket, "t1")
        logged = set(session.execute(select(changes.changes.c.entity_id)).scalars())
    assert (contact.name, json.loads(contact.phones), json.loads(contact.emails)) == (
        "Chen Jie", ["+86 138 0013 8000"], ["ops@haixing.example"])
    assert (vessel.kind, vessel.name, vessel.imo) == ("vessel", "MV Haixing Glory", "9413274")
    assert ticket.contact_id == contact.id and (customer.contact_name, customer.sites) == ("", "[]")
    assert {contact.id, vessel.id} <= logged, "devices that never held them receive them"
    database.engine.dispose()
