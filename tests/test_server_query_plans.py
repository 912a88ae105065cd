"""A sync reads no whole table of the server's, whatever the server holds.

A sync's cost must follow what it carries and what the caller may see, not the size of
the server: a query that scans the change log or the ticket table costs a few
milliseconds at a few thousand tickets and grows with every ticket filed since. These
tests run an agent's and a lead's syncs (operations pushed, a page pulled) against a
SQLite server and ask SQLite how it runs every SELECT they made.
"""

from __future__ import annotations

import re
import sqlite3
import uuid
from datetime import timedelta

import pytest
from sqlalchemy import event

from cs_console.server import accounts
from cs_console.server.app import handle_sync
from cs_console.server.db import Database, sqlite_file
from cs_console.storage import hlc
from cs_console.storage.columns import row_payload
from cs_console.storage.models import Customer, Interaction, Ticket
from cs_console.storage.sync_state import ENTITY_NAMES
from cs_console.sync import codec
from cs_console.sync.protocol import Op, SyncRequest, response_from_wire
from cs_console.utc import utcnow

WHOLE_TABLE = re.compile(r"\bSCAN (sync_change|ticket)\b")
"""A plan step reading every row of the log or of the tickets."""


class Device:
    """Sends new tickets of one account's, as a console's outbox would."""

    def __init__(self, database: Database, role: str, team: str) -> None:
        self.database = database
        account, token = accounts.add_agent(database, f"{role} {uuid.uuid4().hex[:6]}", role, team)
        self.caller = accounts.authenticate(database, f"Bearer {token}")
        self.agent_id, self.team = account.agent_id, team
        self.id, self.seq, self.clock, self.cursor = str(uuid.uuid4()), 0, hlc.ZERO, 0

    def _op(self, row, action: str) -> Op:
        self.seq += 1
        self.clock = hlc.tick(self.clock, int(utcnow().timestamp() * 1000), self.id[:8])
        payload = {name: value for name, value in row_payload(row).items() if name != "field_clocks"}
        return Op(self.seq, str(uuid.uuid4()), ENTITY_NAMES[type(row)], row.id, action, payload, str(self.clock))

    def new_ticket(self) -> list[Op]:
        now = utcnow()
        customer = Customer(name=f"MV Ocean {uuid.uuid4().hex[:4]}")
        ticket = Ticket(number=f"Q{uuid.uuid4().hex[:5].upper()}-0001", customer_id=customer.id,
                        assignee_id=self.agent_id, team=self.team, subject="ECA fuel changeover log",
                        created_at=now, updated_at=now)
        message = Interaction(ticket_id=ticket.id, kind="customer_message", body="Please confirm the changeover time.",
                              created_at=now + timedelta(seconds=1))
        return [self._op(customer, "insert"), self._op(ticket, "insert"), self._op(message, "append")]

    def sync(self, ops: list[Op]) -> None:
        request = SyncRequest(self.id, self.cursor, 0, 64 * 1024, tuple(ops))
        answer, kind = handle_sync(self.database, self.caller, codec.encode(request.to_wire(), codec.BINARY_TYPE),
                                   codec.BINARY_TYPE)
        self.cursor = response_from_wire(codec.decode(answer, kind)).cursor


@pytest.fixture
def database(tmp_path):
    opened = Database.open(f"sqlite:///{tmp_path / 'server.db'}")
    yield opened
    opened.close()


def selects_of(database: Database, run) -> list[tuple[str, tuple]]:
    """The SELECT statements `run()` made, with their parameters."""
    made: list[tuple[str, tuple]] = []

    def record(_connection, _cursor, statement, parameters, _context, executemany) -> None:
        if not executemany and statement.lstrip().upper().startswith(("SELECT", "WITH")):
            made.append((statement, tuple(parameters)))

    event.listen(database.engine, "before_cursor_execute", record)
    try:
        run()
    finally:
        event.remove(database.engine, "before_cursor_execute", record)
    return made


def whole_table_reads(database: Database, statements: list[tuple[str, tuple]]) -> list[str]:
    """Each statement that reads a whole log or ticket table, with the plan step that does."""
    found = []
    with sqlite3.connect(sqlite_file(str(database.engine.url))) as connection:
        for statement, parameters in statements:
            for *_, step in connection.execute(f"EXPLAIN QUERY PLAN {statement}", parameters):
                if WHOLE_TABLE.search(step):
                    found.append(f"{step}: {' '.join(statement.split())[:300]}")
    return found


@pytest.mark.parametrize("role", ["agent", "lead"])
def test_a_steady_sync_reads_neither_the_whole_log_nor_every_ticket(database, role):
    crowd = [Device(database, "agent", "north-sea") for _ in range(3)]
    for device in crowd:
        device.sync(device.new_ticket() + device.new_ticket())
    device = crowd[0] if role == "agent" else Device(database, "lead", "north-sea")
    device.sync([])

    statements = selects_of(database, lambda: device.sync(device.new_ticket()))

    assert len(statements) > 3, "the sync should have read the log, its rows and a page"
    assert whole_table_reads(database, statements) == []
