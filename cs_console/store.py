"""The one door to the local SQLite database.

Opening checks the folder and the file before anything writes to it (a folder that refuses
files, a damaged, foreign or newer file is refused and left untouched), then upgrades it in
place. Every write runs in one `BEGIN IMMEDIATE` transaction that also appends the change to
the outbox, so nothing reaches a table without reaching the sync log and a crash loses
nothing committed. A SQLite failure leaves the door as a typed error (`storage.failures`):
a file that refuses a write or turns out damaged makes the store read-only from then on.

This module keeps the door: opening, transactions, the write clock and the change capture
(`_record`, `_insert`, `_update`). What is read and written, concern by concern, is in
`cs_console.storage` (tickets, the queue's rows, customers, the lead's facts, the knowledge
base, sync state, data sets, agents, drafts, full-text search), whose classes `Store` is made of.

Screens never call this module directly from the event loop: they call it from thread
workers. It refuses to know about Textual, and about the domain: it returns its own rows.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, SQLModel

from cs_console.storage import hlc, unsaved_text
from cs_console.storage.agents import Agents
from cs_console.storage.attachments import Attachments
from cs_console.storage.columns import row_payload
from cs_console.storage.complaints import Complaints
from cs_console.storage.customers import Customers
from cs_console.storage.data_sets import DataSets
from cs_console.storage.database_file import integrity_problems, read_only_connection
from cs_console.storage.drafts import Drafts
from cs_console.storage.engine import sqlite_engine
from cs_console.storage.errors import Damaged, ReadOnly, StoreError, WriteFailed
from cs_console.storage.failures import damaged_message, store_failure
from cs_console.storage.first_screen import FirstScreenReads
from cs_console.storage.full_text import FullText
from cs_console.storage.in_use import InUse
from cs_console.storage.kb_proposals import KbProposals
from cs_console.storage.knowledge_base import KnowledgeBase
from cs_console.storage.mail_problems import MailProblems
from cs_console.storage.models import Attachment, Interaction, Meta, OutboxOp, TicketEvent
from cs_console.storage.opening import BUSY_TIMEOUT_MS, prepare
from cs_console.storage.organisations import Organisations
from cs_console.storage.outbox import Outbox
from cs_console.storage.queue_rows import QueueRows
from cs_console.storage.reviews import Reviews
from cs_console.storage.sync_state import ENTITY_NAMES, SyncState, ticket_prefix_of
from cs_console.storage.team_facts import TeamFacts
from cs_console.storage.ticket_relations import TicketRelations
from cs_console.storage.ticket_tags import TicketTags
from cs_console.storage.tickets import Tickets
from cs_console.utc import to_text, utcnow


class Store(FirstScreenReads, Agents, Tickets, TicketRelations, TicketTags, QueueRows, Customers, TeamFacts,
            KnowledgeBase, DataSets, SyncState, Outbox, Drafts, MailProblems, FullText, Reviews, Complaints, KbProposals,
            Organisations, Attachments):
    """A device's database: reads for the screens, transactional writes with change capture."""

    def __init__(self, path: Path, engine: Engine) -> None:
        self.path = path
        self._engine = engine
        self._writer = engine.execution_options(sqlite_begin="IMMEDIATE")
        self._clock_lock = threading.Lock()
        self._writing = threading.local()
        """This thread's open write session, which a nested `write()` joins."""
        self.readonly = False
        """Refuse every change a person makes (anything bound for the outbox); sync still
        brings the server's changes in, and the working agent can still be chosen."""
        self.readonly_reason = "read-only session (started with --readonly)"
        self.stopped_by: StoreError | None = None
        """The failure that made the store read-only while it was open, if one did."""
        self.pages_checked = False
        """Whether SQLite's `quick_check` has read every page of the file since it was
        opened: at open when that was cheap, else by `check_pages`."""
        self._page_check: sqlite3.Connection | None = None
        self._page_check_stopped = False
        self._in_use: InUse | None = None
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

    @classmethod
    def open(cls, path: Path | str) -> Store:
        """Open (creating or upgrading) the database at `path`.

        Raises:
            Damaged: the file is damaged (found by `quick_check` when it is cheap).
            StoreError: the folder cannot be written; the file is unreadable, another
                program's or too new.
        """
        path, pages_checked = prepare(path)
        store = cls.on_prepared(path)
        store.pages_checked = pages_checked
        store._in_use = InUse.hold(path)
        return store

    @classmethod
    def on_prepared(cls, path: Path) -> Store:
        """The store of a file `storage.opening.prepare` has made ready; it holds no in-use
        mark (whoever prepared the file does)."""
        return cls(path, sqlite_engine(f"sqlite:///{path}", busy_timeout_ms=BUSY_TIMEOUT_MS))

    def close(self) -> None:
        self._engine.dispose()
        if self._in_use is not None:
            self._in_use.release()

    def stop_writing(self, reason: str) -> None:
        """Refuse every change from now on, as `--readonly` does, saying `reason` (a write failed)."""
        self.readonly_reason = reason
        self.readonly = True

    def keep_unsaved(self, heading: str, text: str) -> Path | None:
        """Append text the store could not save to a recovery file beside it; returns where.

        Only once the store has stopped writing (`stopped_by`); None otherwise, or when no
        recovery file could be written either (the text stays on screen)."""
        if self.stopped_by is None:
            return None
        return unsaved_text.keep(self.path, heading, text, utcnow())

    def check_pages(self) -> None:
        """Read every page with SQLite's `quick_check`: a whole file is `pages_checked`, a
        damaged one stops all changes from then on (`stopped_by` says why), as a read that
        meets the damage does. It takes seconds on a large desk (2.6 s at 100,000 tickets):
        call from a thread worker; `stop_checking_pages` ends it early, with no verdict.

        Raises:
            StoreError: the file cannot be opened to read it.
        """
        if self._page_check_stopped:
            return
        with read_only_connection(self.path) as probe:
            self._page_check = probe
            try:
                problems = integrity_problems(self.path, probe, quick=True)
            finally:
                self._page_check = None
        if self._page_check_stopped:
            return
        if problems:
            self._stop_on(Damaged(damaged_message(self.path, problems[0])))
        else:
            self.pages_checked = True

    def stop_checking_pages(self) -> None:
        """End a `check_pages` under way in another thread (the console is closing)."""
        self._page_check_stopped = True
        probe = self._page_check
        if probe is not None:
            probe.interrupt()

    def _failure(self, error: BaseException) -> Exception:
        """The store's typed error for a failed SQLite call, or the error itself (a bug)."""
        failure = store_failure(error, self.path)
        if failure is None:
            return error
        self._stop_on(failure)
        return failure

    def _stop_on(self, failure: StoreError) -> None:
        """A file that refuses writes or is damaged stops all changes from then on
        (`stopped_by` says why), so nothing more is typed in vain."""
        if isinstance(failure, (WriteFailed, Damaged)) and self.stopped_by is None:
            self.stopped_by = failure
            self.stop_writing("read-only since the database " + (
                "turned out damaged" if isinstance(failure, Damaged) else "refused a write"))

    # -- transactions -------------------------------------------------------------------

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A session for reads.

        Raises:
            Damaged: the file turned out damaged.
        """
        try:
            with Session(self._engine, expire_on_commit=False) as session:
                yield session
        except (DBAPIError, sqlite3.DatabaseError) as error:
            raise self._failure(error) from None

    @contextmanager
    def write(self) -> Iterator[Session]:
        """One write transaction, taken with the write lock from its first statement. Inside
        another `write()` of the same thread it joins that one (see `all_or_nothing`).

        Raises:
            WriteFailed: the file or its folder refused the write (read-only, disk full, I/O
                error); the transaction was rolled back.
            Damaged: the file turned out damaged.
        """
        joined = getattr(self._writing, "session", None)
        if joined is not None:
            yield joined
            return
        try:
            with Session(self._writer, expire_on_commit=False) as session:
                with session.begin():
                    self._writing.session = session
                    try:
                        yield session
                    finally:
                        self._writing.session = None
        except (DBAPIError, sqlite3.DatabaseError) as error:
            raise self._failure(error) from None

    @contextmanager
    def all_or_nothing(self) -> Iterator[None]:
        """Make every store write this thread makes inside the block one transaction: all of
        them are committed at its end, or none if anything raises (a macro's actions)."""
        with self.write():
            yield

    def _plain_reads(self) -> AbstractContextManager[sqlite3.Connection]:
        """A pooled DB-API connection inside one read transaction (one snapshot), for the
        long lists that skip the ORM.

        Raises:
            Damaged: the file turned out damaged.
        """
        return self._plain("BEGIN")

    def _plain_write(self) -> AbstractContextManager[sqlite3.Connection]:
        """A pooled DB-API connection inside one write transaction, for device-local
        bookkeeping that skips the ORM and the outbox (`storage.queue_rows`).

        Raises:
            WriteFailed: the file or its folder refused the write; rolled back.
            Damaged: the file turned out damaged.
        """
        return self._plain("BEGIN IMMEDIATE")

    @contextmanager
    def _plain(self, begin: str) -> Iterator[sqlite3.Connection]:
        try:
            pooled = self._engine.raw_connection()
        except DBAPIError as error:
            raise self._failure(error) from None
        connection = pooled.driver_connection
        try:
            connection.execute(begin)
            yield connection
            connection.execute("COMMIT")
        except sqlite3.DatabaseError as error:
            raise self._failure(error) from None
        finally:
            if connection.in_transaction:
                connection.rollback()
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
            raise ReadOnly(f"{self.readonly_reason}: nothing was changed")
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
        append_only = isinstance(row, (Interaction, TicketEvent, Attachment))
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

