"""Every ticket and message carries its channel: stored, synced, upgraded, counted in reports."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from datetime import timedelta

from cs_console.clocks.sla import DEFAULT_POLICY
from cs_console.lead import reports
from cs_console.storage import migrations
from cs_console.store import Store
from cs_console.text.strings import Strings
from cs_console.usecases.ticket_changes import add_interaction
from cs_console.usecases.ticket_facts import ticket_facts
from tests.conftest import NOW
from tests.test_kpi import AFTER, CALENDAR, WEEK
from tests.test_reports import AGENTS, LAST_WEEK, WEEK_48
from tests.test_store import new_ticket


def test_each_message_keeps_the_channel_it_came_or_went_by(store):
    agent = store.create_agent("Lin Wei")
    ticket = new_ticket(store, channel="email", assignee_id=agent.id)
    later = NOW + timedelta(minutes=5)
    add_interaction(store, ticket.id, "public_reply", "Booked.", author_id=agent.id, at=later)
    add_interaction(store, ticket.id, "call_log", "Called the master.", author_id=agent.id, at=later)
    add_interaction(store, ticket.id, "internal_note", "#vip", author_id=agent.id, at=later)
    store.add_interaction(ticket.id, "customer_message", "Thanks", author_id=None, channel="im", at=later,
                          events_for=lambda status, responded: ((), status))
    channels = {i.kind: i.channel for i in store.ticket_detail(ticket.id).interactions}
    assert channels == {"customer_message": "im", "public_reply": "email", "call_log": "phone", "internal_note": None}


def test_messages_written_before_channels_take_their_tickets(tmp_path):
    path = tmp_path / "old.db"
    old = sqlite3.connect(path, isolation_level=None)
    migrations.upgrade(old, target=8)
    old.execute("INSERT INTO customer VALUES ('c1', 'Hai Xing', '', '', '', '', 'zh', '[]', '', '', "
                "'2025-01-01 00:00:00.000000', '2025-01-01 00:00:00.000000', '{}')")
    old.execute("INSERT INTO ticket VALUES ('t1', 'OLD-1', 'c1', NULL, '', 'Ballast', 'other', 'normal', 'email', "
                "'open', '2025-01-01 00:00:00.000000', '2025-01-01 00:00:00.000000', '{}')")
    for n, kind in enumerate(("customer_message", "public_reply", "call_log", "internal_note")):
        old.execute("INSERT INTO interaction (id, ticket_id, kind, body, created_at, hlc) VALUES (?, 't1', ?, 'x', "
                    "'2025-01-01 00:00:00.000000', '')", (f"i{n}", kind))
    old.close()
    store = Store.open(path)
    channels = {i.kind: i.channel for i in store.ticket_detail("t1").interactions}
    store.close()
    assert channels == {"customer_message": "email", "public_reply": "email", "call_log": "phone", "internal_note": None}


def test_the_report_shows_the_channel_mix():
    came_by = {"t1": "email", "t2": "email", "t3": "phone", "t4": "api", "t6": "email", "t7": "web",
               "p1": "phone", "p2": "email", "t5": "phone", "t8": "api"}
    tickets = [replace(t, channel=came_by[t.id]) for t in [*LAST_WEEK, *WEEK]]
    report = reports.build(tickets, AGENTS, WEEK_48, AFTER, DEFAULT_POLICY, CALENDAR)
    assert [(c.name, c.count, c.share, c.previous, c.change) for c in report.channel_mix] == [
        ("email", 3, 50.0, 1, 2), ("api", 1, 16.7, 0, 1), ("phone", 1, 16.7, 2, -1), ("web", 1, 16.7, 0, 1)]
    assert "| email | 3 | 50.0% | 1 | +2 |" in reports.render(report, "md", Strings("en"))
    assert "| 网页表单 | 1 | 16.7% | 0 | +1 |" in reports.render(report, "md", Strings("zh"))
    assert '"channel": "api"' in reports.render(report, "json", Strings("en"))


def test_the_stored_tickets_bring_their_channel_to_the_reports(store):
    new_ticket(store, channel="api")
    assert [facts.channel for facts in ticket_facts(store)] == ["api"]


def test_a_server_database_from_before_channels_gains_them(tmp_path):
    from sqlalchemy import text

    from cs_console.server.db import Database

    url = f"sqlite:///{tmp_path / 'server.db'}"
    old = Database.open(url)
    with old.engine.begin() as connection:
        connection.execute(text("ALTER TABLE interaction DROP COLUMN channel"))
        connection.execute(text("INSERT INTO customer (id, name, kind, contact_name, phone, email, language, sites, "
                                "preferences, notes, created_at, updated_at, field_clocks) VALUES ('c1', 'Hai Xing', "
                                "'', '', '', '', 'zh', '[]', '', '', '2025-01-01', '2025-01-01', '{}')"))
        connection.execute(text("INSERT INTO ticket (id, number, customer_id, team, subject, category, priority, "
                                "channel, status, created_at, updated_at, field_clocks) VALUES ('t1', 'OLD-1', 'c1', "
                                "'', 'Ballast', 'other', 'normal', 'email', 'open', '2025-01-01', '2025-01-01', '{}')"))
        connection.execute(text("INSERT INTO interaction (id, ticket_id, kind, body, created_at, hlc, survey) VALUES "
                                "('i1', 't1', 'customer_message', 'x', '2025-01-01', '', '{}'), "
                                "('i2', 't1', 'call_log', 'x', '2025-01-01', '', '{}')"))
    old.close()
    upgraded = Database.open(url)
    with upgraded.engine.connect() as connection:
        found = dict(connection.execute(text("SELECT id, channel FROM interaction")).all())
    upgraded.close()
    assert found == {"i1": "email", "i2": "phone"}


async def test_the_thread_shows_each_messages_channel_and_the_header_the_tickets(store):
    from cs_console.app import ConsoleApp
    from cs_console.config import Config
    from cs_console.screens.ticket import TicketScreen
    from tests.test_tui_first_loop import SIZE, screen_text, settle

    agent = store.create_agent("Lin Wei")
    store.set_current_agent(agent.id)
    ticket = new_ticket(store, channel="web", assignee_id=agent.id)
    add_interaction(store, ticket.id, "call_log", "Called the master back.", author_id=agent.id,
                    at=NOW + timedelta(minutes=5))
    app = ConsoleApp(store, Config(), clock=lambda: NOW + timedelta(minutes=10))
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_ticket(ticket.id)
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        header = str(app.screen.query_one("#ticket-header").render())
        text = screen_text(app)
    assert header.rstrip().endswith("web form")
    assert "Customer · Blue Whale Shipping" in text and "· web form" in text
    assert "Call · Lin Wei" in text and "· phone" in text


def test_a_messages_channel_travels_up_and_down(tmp_path):
    from cs_console.server.db import Database
    from tests.test_sync_harness import account, sync_in_process

    database = Database.open(f"sqlite:///{tmp_path / 'server.db'}")
    _agent, token = account(database, "agent", "deck")
    first, second = Store.open(tmp_path / "a.db"), Store.open(tmp_path / "b.db")
    ticket = new_ticket(first, channel="email", team="deck")
    first.add_interaction(ticket.id, "customer_message", "Called instead.", author_id=None, channel="phone",
                          at=NOW + timedelta(minutes=1), events_for=lambda status, responded: ((), status))
    assert sync_in_process(first, database, token).ok
    assert sync_in_process(second, database, token).ok
    channels = sorted(i.channel for i in second.ticket_detail(ticket.id).interactions)
    first.close(), second.close(), database.close()
    assert channels == ["email", "phone"]
