"""The one door to the local SQLite database.

Opening checks the file before anything writes to it (a corrupt, foreign or newer file is
refused and left untouched), then upgrades it in place. Every write runs in one
`BEGIN IMMEDIATE` transaction that also appends the change to the outbox, so nothing
reaches a table without reaching the sync log and a crash loses nothing committed.

This module keeps the door: opening, transactions, the write clock and the change capture
(`_record`, `_insert`, `_update`). What is read and written, concern by concern, is in
`cs_console.storage` (tickets, the queue's rows, customers, the lead's facts, the knowledge
base, sync state, data sets, agents), whose classes `Store` is made of.

Screens never call this module directly from the event loop: they call it from thread
workers. It refuses to know about Textual, and about the domain: it returns its own rows.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel

from cs_console.storage import hlc, migrations
from cs_console.storage.agents import Agents
from cs_console.storage.columns import row_payload
from cs_console.storage.customers import Customers
from cs_console.storage.data_sets import DataSets
from cs_console.storage.engine import sqlite_engine
from cs_console.storage.errors import ReadOnly, StoreError
from cs_console.storage.knowledge_base import KnowledgeBase
from cs_console.storage.models import Interaction, Meta, OutboxOp, TicketEvent
from cs_console.storage.queue_rows import QueueRows
from cs_console.storage.sync_state import ENTITY_NAMES, SyncState, ticket_prefix_of
from cs_console.storage.team_facts import TeamFacts
from cs_console.storage.tickets import Tickets
from cs_console.utc import to_text, utcnow

BUSY_TIMEOUT_MS = 5000
"""How long a writer waits for another (the sync worker, a second window) before failing."""


def _check_file(path: Path) -> None:
    """Refuse a file that is unreadable, not SQLite, another program's, or too new.

    Opens it read-only, so a refused file is left exactly as it was.
    """
    if not path.exists():
        return
    if path.is_dir():
        raise StoreError(f"{path}: is a folder, not a database file")
    if not os.access(path, os.R_OK | os.W_OK):
        raise StoreError(f"{path}: permission denied (cs-console needs to read and write it)")
    try:
        probe = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise StoreError(f"{path}: cannot be opened ({error})") from None
    try:
        version = probe.execute("PRAGMA user_version").fetchone()[0]
        application = probe.execute("PRAGMA application_id").fetchone()[0]
        tables = probe.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path}: not a usable database ({error}); the file was left untouched") from None
    finally:
        probe.close()
    if tables and application != migrations.APPLICATION_ID:
        raise StoreError(f"{path}: is a SQLite database of another program, not cs-console's")
    if version > migrations.LATEST_VERSION:
        raise StoreError(
            f"{path}: written by a newer cs-console (schema {version}, this one knows up to "
            f"{migrations.LATEST_VERSION}); upgrade cs-console to open it"
        )


def _upgrade(path: Path) -> None:
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA journal_mode = WAL")
        migrations.upgrade(connection)
    except sqlite3.DatabaseError as error:
        raise StoreError(f"{path}: cannot be upgraded ({error}); nothing was changed") from None
    finally:
        connection.close()


class Store(Agents, Tickets, QueueRows, Customers, TeamFacts, KnowledgeBase, DataSets, SyncState):
    """A device's database: reads for the screens, transactional writes with change capture."""

    def __init__(self, path: Path, engine: Engine) -> None:
        self.path = path
        self._engine = engine
        self._writer = engine.execution_options(sqlite_begin="IMMEDIATE")
        self._clock_lock = threading.Lock()
        with self.write() as session:
            self.device_id = self._meta(session, "device_id") or self._set_meta(
                session, "device_id", str(uuid.uuid4())
            )
            self.ticket_prefix = self._meta(session, "ticket_prefix") or self._set_meta(
                session, "ticket_prefix", ticket_prefix_of(self.device_id)
            )
            stamp = self._meta(session, "hlc")
            self._last_stamp = hlc.Stamp.parse(stamp) if stamp else hlc.ZERO
        self._node = self.device_id[:8]
        self.readonly = False
        """Refuse every change a person makes (anything bound for the outbox); sync still
        brings the server's changes in, and the working agent can still be chosen."""

    @classmethod
    def open(cls, path: Path | str) -> Store:
        """Open (creating or upgrading) the database at `path`.

        Raises:
            StoreError: the file is unreadable, corrupt, another program's or too new.
        """
        path = Path(path).expanduser()
        _check_file(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"{path.parent}: cannot create the data folder ({error.strerror})") from None
        _upgrade(path)
        return cls(path, sqlite_engine(f"sqlite:///{path}", busy_timeout_ms=BUSY_TIMEOUT_MS))

    def close(self) -> None:
        self._engine.dispose()

    # -- transactions -------------------------------------------------------------------

    def read(self) -> Session:
        return Session(self._engine, expire_on_commit=False)

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction, taken with the write lock from its first statement."""
        with Session(self._writer, expire_on_commit=False) as session:
            with session.begin():
                yield session

    @contextmanager
    def _plain_reads(self) -> Iterator[sqlite3.Connection]:
        """A pooled DB-API connection inside one read transaction (one snapshot), for the
        long lists that skip the ORM."""
        pooled = self._engine.raw_connection()
        connection = pooled.driver_connection
        try:
            connection.execute("BEGIN")
            yield connection
        finally:
            connection.execute("COMMIT")
            pooled.close()

    def _meta(self, session: Session, key: str) -> str | None:
        row = session.get(Meta, key)
        return row.value if row else None

    def _set_meta(self, session: Session, key: str, value: str) -> str:
        session.merge(Meta(key=key, value=value))
        return value

    def _stamp(self, session: Session) -> str:
        with self._clock_lock:
            wall_ms = int(utcnow().timestamp() * 1000)
            self._last_stamp = hlc.tick(self._last_stamp, wall_ms, self._node)
            text = str(self._last_stamp)
        self._set_meta(session, "hlc", text)
        return text

    def _receive_stamp(self, session: Session, newest: hlc.Stamp) -> None:
        """Move the write clock past `newest`, the latest stamp a server page carried."""
        with self._clock_lock:
            self._last_stamp = hlc.receive(self._last_stamp, newest, int(utcnow().timestamp() * 1000), self._node)
            self._set_meta(session, "hlc", str(self._last_stamp))

    def _record(self, session: Session, row: SQLModel, action: str, payload: dict) -> str:
        """Append one operation to the outbox; returns its clock stamp.

        Raises:
            ReadOnly: the store is read-only; the whole transaction is rolled back.
        """
        if self.readonly:
            raise ReadOnly("read-only session (started with --readonly): nothing was changed")
        stamp = self._stamp(session)
        session.add(
            OutboxOp(
                device_id=self.device_id,
                entity=ENTITY_NAMES[type(row)],
                entity_id=row.id,
                action=action,
                payload=json.dumps(payload, ensure_ascii=False, separators=(",", ":")),
                hlc=stamp,
            )
        )
        return stamp

    def _insert(self, session: Session, row: SQLModel) -> None:
        """Add a new row and its outbox operation (insert, or append for history rows)."""
        append_only = isinstance(row, (Interaction, TicketEvent))
        if append_only:
            row.hlc = self._stamp(session)
        session.add(row)
        payload = row_payload(row)
        if not append_only:
            del payload["field_clocks"]
            stamp = self._record(session, row, "insert", payload)
            clocks = {name: stamp for name in payload if name != "id"}
            row.field_clocks = json.dumps(clocks, separators=(",", ":"))
        else:
            self._record(session, row, "append", payload)

    def _update(self, session: Session, row: SQLModel, changes: dict) -> None:
        """Change some fields of a mutable row and record them, field by field."""
        for name, value in changes.items():
            setattr(row, name, value)
        payload = {
            name: to_text(value) if isinstance(value, datetime) else value
            for name, value in changes.items()
        }
        stamp = self._record(session, row, "update", payload)
        clocks = json.loads(row.field_clocks or "{}")
        clocks.update({name: stamp for name in changes})
        row.field_clocks = json.dumps(clocks, separators=(",", ":"))
        session.add(row)

