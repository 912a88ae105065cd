"""The central database: a SQLite file by default, PostgreSQL by URL, and the server's own tables.

The synced tables are the models' own (`cs_console.storage.models`); beside them live the
accounts, the operations already applied (for idempotency), the change log that cursors
walk, the log of tickets leaving someone's scope, and one counter row.

Every write that logs changes takes the counter row's lock first (`BEGIN IMMEDIATE` on
SQLite, `SELECT ... FOR UPDATE` on PostgreSQL) and keeps it until commit, so change numbers
become visible strictly in order: a reader never sees change 11 while 10 is still being
committed, and a cursor never skips a change. Numbers follow the clock (`NUMBERS_PER_MS`), so
none is handed out twice, even by a server put back from a backup. Nothing is cached in the
process, so any number of app processes can serve one database. It refuses to know what a
row means.
"""

from __future__ import annotations

import json
import secrets
import threading
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    bindparam,
    insert,
    inspect,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlmodel import Session, SQLModel, col, create_engine

from cs_console import paths
from cs_console.storage.engine import sqlite_engine
from cs_console.storage.migrations import INTERACTION_CHANNEL_BACKFILL
from cs_console.storage.models import Interaction, TicketTag
from cs_console.storage.organisation_upgrade import LEGACY_SELECT, LEGACY_WHERE, legacy_customers, legacy_rows
from cs_console.sync.schema import BOOKKEEPING, ENTITIES, to_model_values
from cs_console.tags import tags_of_notes

SQLITE_BUSY_TIMEOUT_MS = 30_000
"""Several server processes may share one SQLite file; a writer waits this long for another."""

metadata = MetaData()

accounts = Table(
    "sync_account",
    metadata,
    Column("agent_id", String, primary_key=True),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("disabled", Boolean, nullable=False, default=False),
)
"""One per agent who may sync; the token itself is never stored, only its SHA-256."""

applied_ops = Table(
    "sync_applied_op",
    metadata,
    Column("op_id", String, primary_key=True),
    Column("device_id", String, nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("agent_id", String, nullable=False),
    Index("ix_sync_applied_op_device", "device_id", "seq"),
)
"""Every operation applied, so a repeat after a lost answer is acknowledged and skipped;
by device, how far each device's history reached (`continuity`)."""

changes = Table(
    "sync_change",
    metadata,
    Column("entity", String, primary_key=True),
    Column("entity_id", String, primary_key=True),
    Column("seq", BigInteger, nullable=False, unique=True),
    Column("ticket_id", String),
    Column("origin", String),
    Index("ix_sync_change_ticket", "ticket_id"),
)
"""The latest change number of every synced row (one line per row: state, not history).

`ticket_id` is the ticket a row belongs to (itself for a ticket), for scope; `origin` is
the device whose operation made the row exactly what that device already holds, so the
row is not echoed back to it."""

scope_exits = Table(
    "sync_scope_exit",
    metadata,
    Column("seq", BigInteger, primary_key=True),
    Column("ticket_id", String, nullable=False),
    Column("agent_id", String),
    Column("team", String, nullable=False),
)
"""A ticket left the scope of this assignee (or this team's pool): they get its final state."""

integrations = Table(
    "intake_integration",
    metadata,
    Column("id", String, primary_key=True),
    Column("name", String, nullable=False, unique=True),
    Column("team", String, nullable=False),
    Column("token_hash", String(64), nullable=False, unique=True),
    Column("disabled", Boolean, nullable=False, default=False),
)
"""A web form, monitoring system or partner portal that files tickets for one team through
the intake API; like an account, only its token's SHA-256 is kept, and it can be disabled."""

intake_requests = Table(
    "intake_request",
    metadata,
    Column("integration_id", String, primary_key=True),
    Column("idempotency_key", String, primary_key=True),
    Column("fingerprint", String(64), nullable=False),
    Column("ticket_id", String, nullable=False),
    Column("interaction_id", String, nullable=False),
)
"""Every intake request sent with an `Idempotency-Key`: a retry answers with what the first made."""

mail_messages = Table(
    "mail_message",
    metadata,
    Column("message_id", String, primary_key=True),
    Column("ticket_id", String),
    Column("interaction_id", String),
    Column("direction", String(3), nullable=False),
    Column("outcome", String, nullable=False),
    Column("sender", String),
    Index("ix_mail_message_ticket", "ticket_id"),
)
"""Every mail taken in or sent, by Message-ID: a mail fetched again is recognised and
skipped, and an answer's In-Reply-To/References lead to its ticket. `outcome` says what
became of it (a ticket, a message on one, or why it was ignored); `sender` (lower case,
mail taken in) makes its writer a known contact of its ticket's customer."""

mail_jobs = Table(
    "mail_job",
    metadata,
    Column("job_id", String, primary_key=True),
    Column("kind", String, nullable=False),
    Column("ticket_id", String, nullable=False),
    Column("state", String, nullable=False),
    Column("attempts", Integer, nullable=False, default=0),
    Column("due_ms", BigInteger, nullable=False),
    Column("lease_until_ms", BigInteger, nullable=False, default=0),
    Column("holder", String),
    Column("reason", String, nullable=False, default=""),
    Index("ix_mail_job_due", "state", "due_ms"),
)
"""One mail to send: a public reply, an agent's (`kind` reply) or the server's
acknowledgement of a new ticket (`kind` acknowledgement); `job_id` is the reply's id.
`queued` until a process claims it (a lease that runs out if that process dies), then
`sent`, or `queued` again for a retry, or `failed` for good."""

mail_leases = Table(
    "mail_lease",
    metadata,
    Column("name", String, primary_key=True),
    Column("holder", String),
    Column("until_ms", BigInteger, nullable=False),
)
"""Work one process at a time does (fetching one mailbox), claimed for a while."""

counter = Table(
    "sync_counter",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("value", BigInteger, nullable=False),
)

identity = Table(
    "sync_identity",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("server_id", String, nullable=False),
)
"""One row: this server's random id (72 bits, short: it travels in every sync), so a device
notices when it syncs with another server. A copy or backup of the database keeps it."""


COLUMN_BACKFILLS = {("interaction", "channel"): INTERACTION_CHANNEL_BACKFILL}
"""What the rows already here get when a column is added (the device's migrations do the same)."""


def default_url() -> str:
    return f"sqlite:///{paths.data_dir() / 'server.db'}"


def normalise_url(url: str) -> str:
    """Accept plain `postgresql://` (and `postgres://`) URLs and use psycopg 3 for them."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def sqlite_file(url: str | None) -> Path | None:
    """The SQLite file the server database URL names (the default when None); None for PostgreSQL."""
    url = normalise_url(url or default_url())
    if not url.startswith("sqlite"):
        return None
    database = make_url(url).database
    return Path(database).expanduser() if database and database != ":memory:" else None


def _sqlite_engine(url: str) -> Engine:
    database = make_url(url).database
    if database and database != ":memory:":
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    return sqlite_engine(url, busy_timeout_ms=SQLITE_BUSY_TIMEOUT_MS, wal=True)


NUMBERS_PER_MS = 1000
"""Change numbers are at least the clock in milliseconds times this: a server put back from
a backup (its counter with it) then numbers its next changes past every number it gave
before, which devices' cursors may have reached. Numbers stay below 2**53 until 2255."""


POOL_RECYCLE_SECONDS = 300
"""A pooled PostgreSQL connection is replaced after five minutes instead of pinged before
every use: the ping was a round trip per checkout, three per sync (bench_server)."""


SCOPE_INDEXES = (
    "CREATE INDEX IF NOT EXISTS ix_ticket_holder ON ticket (assignee_id, team)",
    "CREATE INDEX IF NOT EXISTS ix_ticket_team ON ticket (team)",
)
"""The server's own indexes on the synced ticket table, for whose scope a ticket is in
(`scope.ticket_clause`: an agent's tickets and their team's pool, a lead's team), which
every sync asks; without them SQLite read the whole ticket table four times per sync."""


NEWEST = select(counter.c.value).where(counter.c.id == 1)
"""The newest change number handed out and committed."""


class Numbers:
    """Hands out change numbers inside one write transaction, under the counter row's lock."""

    _LOCKED = NEWEST.with_for_update()
    _SAVE = update(counter).where(counter.c.id == 1).values(value=bindparam("value"))
    """Built once: building it cost more than running it (bench_server)."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._start = self._last = session.execute(self._LOCKED).scalar_one()
        self._clock_floor = int(time.time() * 1000) * NUMBERS_PER_MS

    def next(self) -> int:
        self._last = max(self._last + 1, self._clock_floor)
        return self._last

    @property
    def newest(self) -> int:
        """The newest number handed out: once the transaction commits, every number up to
        it is committed (numbers are handed out under the counter's lock, held to commit)."""
        return self._last

    def save(self) -> None:
        if self._last != self._start:
            self._session.execute(self._SAVE, {"value": self._last})


@dataclass(frozen=True)
class Database:
    engine: Engine
    writer: Engine
    """The same pool; on SQLite its transactions begin IMMEDIATE."""
    write_turn: AbstractContextManager
    """Held around each `write` transaction. On SQLite, a lock: one writer at a time anyway,
    and a thread waiting here wakes the moment the writer before it commits, where one
    waiting on the file's lock polls it in SQLite's busy handler, sleeping up to 100 ms
    between tries (bench_server, 2 cores, 20 devices: p95 153 ms at 163 syncs/s, against
    203 ms at 144). Other processes on the same file still meet the busy handler.
    PostgreSQL writers wait on the counter row's lock instead (`Numbers`)."""

    @classmethod
    def open(cls, url: str | None = None) -> Database:
        """Connect and create whatever tables are missing."""
        url = normalise_url(url or default_url())
        if url.startswith("sqlite"):
            engine = _sqlite_engine(url)
            database = cls(engine, engine.execution_options(sqlite_begin="IMMEDIATE"), threading.RLock())
        else:
            engine = create_engine(url, pool_recycle=POOL_RECYCLE_SECONDS)
            database = cls(engine, engine, nullcontext())
        database.create_tables()
        database.move_customer_details()
        return database

    def create_tables(self) -> None:
        synced = [spec.model.__table__ for spec in ENTITIES.values()]
        tagless = not inspect(self.engine).has_table(TicketTag.__tablename__)
        SQLModel.metadata.create_all(self.engine, tables=synced)
        metadata.create_all(self.engine)
        with self.engine.begin() as connection:
            _add_new_columns(connection)
            for index in applied_ops.indexes:  # create_all adds no index to a table made earlier
                index.create(connection, checkfirst=True)
            for statement in SCOPE_INDEXES:
                connection.execute(text(statement))
            for table, values in ((counter, {"value": 0}), (identity, {"server_id": secrets.token_urlsafe(9)})):
                if connection.execute(select(table.c.id)).first() is None:
                    try:
                        with connection.begin_nested():
                            connection.execute(insert(table).values(id=1, **values))
                    except IntegrityError:
                        pass  # another process created it first
        if tagless:
            self._tags_from_hashtags()

    def _tags_from_hashtags(self) -> None:
        """Give the tickets the tags their internal notes name as "#hashtags", once, as the
        tags table is made: the rows every device that upgrades makes from the same notes
        (`storage.migrations`), so a device that never held the notes gets them too, and a
        device's later change to one finds it here. Another process doing it first is no error."""
        fields = [name for name in TicketTag.model_fields if name not in BOOKKEEPING]
        try:
            with self.write() as (session, numbers):
                notes = session.execute(
                    select(Interaction.ticket_id, Interaction.body, Interaction.created_at, Interaction.hlc)
                    .where(Interaction.kind == "internal_note", col(Interaction.body).contains("#"))
                    .order_by(Interaction.created_at, Interaction.hlc))
                for row_id, (ticket_id, tag, at, stamp) in tags_of_notes(notes).items():
                    session.add(TicketTag(id=row_id, ticket_id=ticket_id, tag=tag, active=True, updated_at=at,
                                          field_clocks=json.dumps({name: stamp for name in fields},
                                                                  separators=(",", ":"))))
                    session.execute(insert(changes).values(entity="ticket_tag", entity_id=row_id, seq=numbers.next(),
                                                           ticket_id=ticket_id, origin=None))
        except IntegrityError:
            pass  # another process made them first

    def move_customer_details(self) -> int:
        """Move the person and sites of each customer an earlier release left (or a device of
        one sent since) into a contact and assets, as every device's upgrade does, with the
        same ids (`storage.organisation_upgrade`); they are logged, so devices that never
        held those customers receive them. Returns the customers moved."""
        with self.write() as (session, numbers):
            customers = legacy_customers(session.execute(text(f"{LEGACY_SELECT} WHERE {LEGACY_WHERE}")).all())
            for customer in customers:
                contact, assets = legacy_rows(customer)
                for name, row in [("contact", contact)] * (contact is not None) + [("asset", a) for a in assets]:
                    spec = ENTITIES[name]
                    if session.get(spec.model, row["id"]) is None:
                        session.add(spec.model(**to_model_values(spec, row)))
                        _log(session, numbers, name, row["id"])
                if contact is not None:
                    session.execute(text("UPDATE ticket SET contact_id = :contact WHERE customer_id = :customer "
                                         "AND contact_id IS NULL"), {"contact": contact["id"], "customer": customer["id"]})
                session.execute(text("UPDATE customer SET contact_name = '', phone = '', email = '', sites = '[]' "
                                     "WHERE id = :id"), {"id": customer["id"]})
        return len(customers)

    def read(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    @contextmanager
    def write(self) -> Iterator[tuple[Session, Numbers]]:
        """One write transaction that may log changes; rolled back whole on any error."""
        with self.write_turn, Session(self.writer, expire_on_commit=False) as session, session.begin():
            numbers = Numbers(session)
            yield session, numbers
            numbers.save()

    def close(self) -> None:
        self.engine.dispose()


def _log(session: Session, numbers: Numbers, entity: str, entity_id: str) -> None:
    """Give a row the server made itself its line in the change log (it had none)."""
    session.flush()
    session.execute(insert(changes).values(entity=entity, entity_id=entity_id, seq=numbers.next()))


def _add_new_columns(connection: Connection) -> None:
    """Add to a table made by an earlier release (synced or the server's own) the columns
    it has gained since (`create_all` makes missing tables only), each with its default,
    and give the old rows what they would have had (`COLUMN_BACKFILLS`). Another process
    starting at the same moment may add one first; that is no error."""
    for table in [*(spec.model.__table__ for spec in ENTITIES.values()), *metadata.sorted_tables]:
        present = {column["name"] for column in inspect(connection).get_columns(table.name)}
        for column in table.columns:
            if column.name in present:
                continue
            kind = column.type.compile(dialect=connection.dialect)
            value = None if column.default is None or callable(column.default.arg) else column.default.arg
            default = "" if value is None else " DEFAULT " + str(
                literal(value).compile(dialect=connection.dialect, compile_kwargs={"literal_binds": True}))
            try:
                with connection.begin_nested():
                    connection.exec_driver_sql(f"ALTER TABLE {table.name} ADD COLUMN {column.name} {kind}"
                                               f"{'' if column.nullable else ' NOT NULL'}{default}")
            except DBAPIError:
                if column.name not in {c["name"] for c in inspect(connection).get_columns(table.name)}:
                    raise
                continue  # another process added it first
            backfill = COLUMN_BACKFILLS.get((table.name, column.name))
            if backfill:
                connection.execute(text(backfill))
