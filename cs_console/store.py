"""The one door to the local SQLite database.

Opening checks the file before anything writes to it (a corrupt, foreign or newer file is
refused and left untouched), then upgrades it in place. Every write runs in one
`BEGIN IMMEDIATE` transaction that also appends the change to the outbox, so nothing
reaches a table without reaching the sync log and a crash loses nothing committed.

Screens never call this module directly from the event loop: they call it from thread
workers. It refuses to know about Textual.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
import threading
import uuid
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from pathlib import Path
from sys import intern
from typing import NamedTuple

from sqlalchemy import Select, func, insert, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, SQLModel, col, select

from cs_console.clocks import workflow
from cs_console.lead.kpi import Contact, TicketFacts, hashtags
from cs_console.storage import hlc, migrations
from cs_console.storage.engine import sqlite_engine
from cs_console.storage.models import (
    Agent,
    Customer,
    Interaction,
    KbArticle,
    Meta,
    OutboxOp,
    Reminder,
    Template,
    Ticket,
    TicketEvent,
)
from cs_console.utc import to_text, utcnow
from cs_console.vocabulary import ACTIVE_STATUSES, INTERACTION_KINDS, PRIORITIES, STATUSES

BUSY_TIMEOUT_MS = 5000
"""How long a writer waits for another (the sync worker, a second window) before failing."""

ENTITY_NAMES: dict[type[SQLModel], str] = {
    Agent: "agent",
    Customer: "customer",
    Ticket: "ticket",
    Interaction: "interaction",
    TicketEvent: "ticket_event",
    Reminder: "reminder",
    KbArticle: "kb_article",
    Template: "template",
}
"""The name each synced table goes by in outbox operations."""


class StoreError(Exception):
    """The database cannot be used; the message names the file and what is wrong."""


class NotFound(StoreError):
    """A row the caller named does not exist (deleted, or never synced here)."""


class ReadOnly(StoreError):
    """A change was asked of a store opened read-only (`cs-console --readonly`)."""


class QueueRow(NamedTuple):
    """One ticket as a queue shows, sorts and filters it. A named tuple, because a lead's
    queue holds 100,000 of them and a tuple costs a fraction of a dataclass to make and to
    keep. A ticket whose clocks all run no more (settled) comes without its events."""

    id: str
    number: str
    priority: str
    status: str
    subject: str
    customer_name: str
    assignee_id: str | None
    created_at: datetime
    updated_at: datetime
    events: tuple[tuple[str, datetime], ...] = ()
    """The `(kind, at)` history its clocks are computed from, in time order."""
    reminder: Reminder | None = None
    """The agent's earliest open personal reminder on this ticket."""


class HistoryTicket(NamedTuple):
    """One of a customer's tickets, as their history lists it."""

    id: str
    number: str
    priority: str
    status: str
    subject: str
    created_at: datetime


class HistoryEntry(NamedTuple):
    """One interaction in a customer's history, its body cut to what a line can show."""

    id: str
    ticket_id: str
    number: str
    kind: str
    body: str
    created_at: datetime


PAGE_BODY_CHARS = 400
"""How much of an interaction's body a history page carries; the ticket screen shows it whole."""
_ID_CHUNK = 500
"""Ids per `IN (...)` list, well under SQLite's limit on bound parameters."""
_KEY_COLUMNS = "ticket_id, number, priority, status, subject, customer_name, assignee_id, created_at, updated_at"
"""The columns of a `QueueRow` but its events and reminder, from `queue_entry`."""


@dataclass(frozen=True)
class ImportCount:
    added: int
    updated: int


@dataclass(frozen=True)
class TicketDetail:
    ticket: Ticket
    customer: Customer
    assignee: Agent | None
    interactions: tuple[Interaction, ...]
    events: tuple[TicketEvent, ...]
    authors: dict[str, str]
    """Agent id to display name, for every agent who wrote in the conversation."""


@dataclass(frozen=True)
class CustomerHistory:
    customer: Customer
    tickets: tuple[Ticket, ...]
    """Newest first."""
    interactions: tuple[tuple[Ticket, Interaction], ...]
    """Every interaction of every ticket, newest first."""


def row_payload(row: SQLModel) -> dict:
    """A row's columns as JSON-ready values (times as UTC text)."""
    data = {}
    for name in type(row).model_fields:
        value = getattr(row, name)
        data[name] = to_text(value) if isinstance(value, datetime) else value
    return data


def _ticket_prefix(device_id: str) -> str:
    """Five base32 letters from the device id: ticket numbers stay unique across devices."""
    return base64.b32encode(uuid.UUID(device_id).bytes).decode()[:5]


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


class Store:
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
                session, "ticket_prefix", _ticket_prefix(self.device_id)
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

    # -- identity -------------------------------------------------------------------------

    def current_agent(self) -> Agent | None:
        with self.read() as session:
            agent_id = self._meta(session, "current_agent_id")
            return session.get(Agent, agent_id) if agent_id else None

    def set_current_agent(self, agent_id: str) -> None:
        with self.write() as session:
            if session.get(Agent, agent_id) is None:
                raise NotFound(f"no agent with id {agent_id}")
            self._set_meta(session, "current_agent_id", agent_id)

    def create_agent(self, name: str, **fields) -> Agent:
        agent = Agent(name=name, **fields)
        with self.write() as session:
            self._insert(session, agent)
        return agent

    def agents(self) -> list[Agent]:
        with self.read() as session:
            return list(session.exec(select(Agent).order_by(Agent.name)))

    def is_empty(self) -> bool:
        with self.read() as session:
            return session.exec(select(func.count()).select_from(Ticket)).one() == 0

    # -- reads --------------------------------------------------------------------------

    def queue(
        self,
        agent_id: str | None,
        statuses: Sequence[str] = STATUSES,
        priorities: Sequence[str] = PRIORITIES,
        text: str = "",
    ) -> list[QueueRow]:
        """The agent's tickets (or every ticket when `agent_id` is None) with their events."""
        query = (
            select(Ticket, Customer.name)
            .join(Customer, col(Ticket.customer_id) == Customer.id)
            .where(col(Ticket.status).in_(list(statuses)), col(Ticket.priority).in_(list(priorities)))
        )
        if agent_id is not None:
            query = query.where(Ticket.assignee_id == agent_id)
        query = _containing_every_word(query, text, (Ticket.subject, Ticket.number, Customer.name))
        with self.read() as session:
            found = list(session.exec(query))
            ids = [ticket.id for ticket, _ in found]
            events = self._events_for(session, ids)
            reminders = self._reminders_for(session, ids, agent_id)
        return [
            QueueRow(
                id=ticket.id,
                number=ticket.number,
                priority=ticket.priority,
                status=ticket.status,
                subject=ticket.subject,
                customer_name=customer_name,
                assignee_id=ticket.assignee_id,
                created_at=ticket.created_at,
                updated_at=ticket.updated_at,
                events=tuple(events.get(ticket.id, ())),
                reminder=reminders.get(ticket.id),
            )
            for ticket, customer_name in found
        ]

    def _reminders_for(self, session: Session, ticket_ids: list[str], agent_id: str | None) -> dict[str, Reminder]:
        """The earliest open reminder per ticket, of `agent_id` (or anyone's when None)."""
        earliest: dict[str, Reminder] = {}
        for start in range(0, len(ticket_ids), 500):
            query = select(Reminder).where(
                col(Reminder.ticket_id).in_(ticket_ids[start : start + 500]), col(Reminder.done).is_(False)
            )
            if agent_id is not None:
                query = query.where(Reminder.agent_id == agent_id)
            for reminder in session.exec(query.order_by(Reminder.due_at)):
                earliest.setdefault(reminder.ticket_id, reminder)
        return earliest

    def _events_for(self, session: Session, ticket_ids: list[str]) -> dict[str, list[tuple[str, datetime]]]:
        events: dict[str, list[tuple[str, datetime]]] = {}
        for start in range(0, len(ticket_ids), 500):
            chunk = ticket_ids[start : start + 500]
            query = (
                select(TicketEvent.ticket_id, TicketEvent.kind, TicketEvent.at)
                .where(col(TicketEvent.ticket_id).in_(chunk))
                .order_by(TicketEvent.ticket_id, TicketEvent.at)
            )
            for ticket_id, kind, at in session.exec(query):
                events.setdefault(ticket_id, []).append((kind, at))
        return events

    def ticket_detail(self, ticket_id: str) -> TicketDetail:
        with self.read() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                raise NotFound(f"no ticket with id {ticket_id}")
            interactions = tuple(
                session.exec(
                    select(Interaction)
                    .where(Interaction.ticket_id == ticket_id)
                    .order_by(Interaction.created_at, Interaction.hlc)
                )
            )
            events = tuple(
                session.exec(
                    select(TicketEvent).where(TicketEvent.ticket_id == ticket_id).order_by(TicketEvent.at)
                )
            )
            author_ids = {i.author_id for i in interactions if i.author_id} | (
                {ticket.assignee_id} if ticket.assignee_id else set()
            )
            authors = {
                agent.id: agent.name
                for agent in session.exec(select(Agent).where(col(Agent.id).in_(author_ids)))
            }
            return TicketDetail(
                ticket=ticket,
                customer=session.get(Customer, ticket.customer_id),
                assignee=session.get(Agent, ticket.assignee_id) if ticket.assignee_id else None,
                interactions=interactions,
                events=events,
                authors=authors,
            )

    def customer_history(self, customer_id: str) -> CustomerHistory:
        with self.read() as session:
            customer = session.get(Customer, customer_id)
            if customer is None:
                raise NotFound(f"no customer with id {customer_id}")
            tickets = tuple(
                session.exec(
                    select(Ticket)
                    .where(Ticket.customer_id == customer_id)
                    .order_by(col(Ticket.created_at).desc())
                )
            )
            by_id = {ticket.id: ticket for ticket in tickets}
            interactions = tuple(
                (by_id[interaction.ticket_id], interaction)
                for interaction in session.exec(
                    select(Interaction)
                    .where(col(Interaction.ticket_id).in_(list(by_id)))
                    .order_by(col(Interaction.created_at).desc())
                )
            )
            return CustomerHistory(customer=customer, tickets=tickets, interactions=interactions)

    def ticket_numbered(self, number: str) -> Ticket | None:
        with self.read() as session:
            return session.exec(select(Ticket).where(Ticket.number == number)).first()

    def find_customers(self, text: str, limit: int = 8) -> list[Customer]:
        """Customers whose name, contact, vessels or sites contain every word of `text`."""
        query = select(Customer).order_by(Customer.name).limit(limit)
        query = _containing_every_word(query, text, (Customer.name, Customer.contact_name, Customer.sites))
        with self.read() as session:
            return list(session.exec(query))

    # -- long lists -----------------------------------------------------------------------
    # A queue, a lead's team queue and a customer's history can run to 100,000 rows. These
    # reads skip the ORM (plain tuples from sqlite3) and page by keyset: a page starts after
    # the last row of the one before, on an index, so the thousandth page costs what the
    # first does.

    @contextmanager
    def _plain_reads(self) -> Iterator[sqlite3.Connection]:
        """A pooled DB-API connection inside one read transaction (one snapshot)."""
        pooled = self._engine.raw_connection()
        connection = pooled.driver_connection
        try:
            connection.execute("BEGIN")
            yield connection
        finally:
            connection.execute("COMMIT")
            pooled.close()

    def unchecked_tickets(self, limit: int) -> list[tuple[str, str, tuple[tuple[str, datetime], ...]]]:
        """Up to `limit` tickets whose clocks were not checked since their last event, as
        (id, priority, events): the caller works out when their clocks all stop and saves it
        (`save_settled`). Usually none; every ticket after an upgrade, a large sync or a
        change of the clock settings (`check_clocks_again_unless`)."""
        with self._plain_reads() as db:
            found = db.execute("SELECT ticket_id, priority, history FROM queue_entry WHERE checked = 0 LIMIT ?",
                               (limit,))
            return [(ticket_id, priority, _events(history)) for ticket_id, priority, history in found]

    def check_clocks_again_unless(self, clock_settings: str) -> None:
        """Mark every ticket's clocks to be checked again unless they were checked under
        these settings (`Config.clock_settings`): a closed ticket's settling moment
        depends on the policy and calendar. Device-local: no outbox."""
        with self.read() as session:
            if self._meta(session, "queue.clock_settings") == clock_settings:
                return
        with self.write() as session:
            session.connection().exec_driver_sql("UPDATE queue_entry SET checked = 0 WHERE checked = 1")
            self._set_meta(session, "queue.clock_settings", clock_settings)

    def live_tickets(self, agent_id: str | None, now: datetime) -> tuple[QueueRow, ...]:
        """The tickets of `agent_id`'s queue (everyone's when None) whose place in it moves
        with the clock: a clock still open at `now` or not yet checked, or an open reminder
        (the agent's own, or anyone's for everyone's queue). Usually a small share."""
        scope, scope_args = ("", ()) if agent_id is None else (" AND assignee_id = ?", (agent_id,))
        with self._plain_reads() as db:
            rows = db.execute(
                f"SELECT {_KEY_COLUMNS}, history FROM queue_entry "
                f"WHERE (settled_at IS NULL OR settled_at > ?){scope}",
                (to_text(now), *scope_args),
            ).fetchall()
            reminders = _open_reminders(db, agent_id)
            found = {row[0] for row in rows}
            others = [ticket_id for ticket_id in reminders if ticket_id not in found]
            for start in range(0, len(others), _ID_CHUNK):
                chunk = others[start : start + _ID_CHUNK]
                rows += db.execute(
                    f"SELECT {_KEY_COLUMNS}, history FROM queue_entry "
                    f"WHERE ticket_id IN ({','.join('?' * len(chunk))}){scope}",
                    (*chunk, *scope_args),
                ).fetchall()
        return tuple(
            QueueRow(id, number, priority, status, subject, customer, assignee, _utc(created), _utc(updated),
                     _events(history), reminders.get(id))
            for id, number, priority, status, subject, customer, assignee, created, updated, history in rows
        )

    def save_settled(self, found: Mapping[str, tuple[datetime | None, int]]) -> None:
        """Record, for each ticket id, when its clocks had all stopped (None: one still runs)
        and how many events that was worked out from. A ticket that has had another event
        since stays unchecked. A device-local index derived from synced rows: no outbox."""
        with self.write() as session:
            session.connection().exec_driver_sql(
                "UPDATE queue_entry SET settled_at = ?, checked = 1 "
                "WHERE ticket_id = ? AND length(history) - length(replace(history, ';', '')) = ?",
                [(None if at is None else to_text(at), ticket_id, seen) for ticket_id, (at, seen) in found.items()],
            )

    def settled_page(self, agent_id: str | None, now: datetime, after: QueueRow | None, limit: int) -> list[QueueRow]:
        """Up to `limit` tickets of the queue (everyone's when `agent_id` is None) whose clocks
        had all stopped by `now`, in their lasting order, priority first, then oldest first:
        the page that follows `after`, or the first page. Priorities, statuses, customers and
        assignees repeat across 100,000 rows, so each is kept as one shared string."""
        scope, scope_args = ("", ()) if agent_id is None else (" AND assignee_id = ?", (agent_id,))
        page: list = []
        with self._plain_reads() as db:
            for priority in PRIORITIES[PRIORITIES.index(after.priority) if after else 0 :]:
                bound = (to_text(after.created_at), after.id) if after and after.priority == priority else ("", "")
                page += db.execute(
                    f"SELECT {_KEY_COLUMNS} FROM queue_entry WHERE priority = ?{scope} "
                    "AND (created_at, ticket_id) > (?, ?) AND +settled_at <= ? ORDER BY created_at, ticket_id LIMIT ?",
                    (priority, *scope_args, *bound, to_text(now), limit - len(page)),
                ).fetchall()
                if len(page) >= limit:
                    break
        return [QueueRow(id, number, intern(priority), intern(status), subject, intern(customer),
                         assignee and intern(assignee), _utc(created), _utc(updated))
                for id, number, priority, status, subject, customer, assignee, created, updated in page]

    def customer(self, customer_id: str) -> Customer:
        with self.read() as session:
            found = session.get(Customer, customer_id)
        if found is None:
            raise NotFound(f"no customer with id {customer_id}")
        return found

    def customer_tickets_page(self, customer_id: str, after: HistoryTicket | None, limit: int) -> list[HistoryTicket]:
        """Up to `limit` of a customer's tickets, newest first, from after `after`."""
        bound, bound_args = ("", ()) if after is None else (
            " AND (created_at, id) < (?, ?)", (to_text(after.created_at), after.id))
        with self._plain_reads() as db:
            page = db.execute(
                "SELECT id, number, priority, status, subject, created_at FROM ticket "
                f"WHERE customer_id = ?{bound} ORDER BY created_at DESC, id DESC LIMIT ?",
                (customer_id, *bound_args, limit),
            ).fetchall()
        return [HistoryTicket(*row[:5], _utc(row[5])) for row in page]

    def customer_interactions_page(self, customer_id: str, after: HistoryEntry | None, limit: int) -> list[HistoryEntry]:
        """Up to `limit` interactions of all a customer's tickets, newest first, from after `after`."""
        bound, bound_args = ("", ()) if after is None else (
            " AND (h.created_at, h.interaction_id) < (?, ?)", (to_text(after.created_at), after.id))
        with self._plain_reads() as db:
            page = db.execute(
                "SELECT i.id, i.ticket_id, t.number, i.kind, substr(i.body, 1, ?), i.created_at FROM history_index h "
                "JOIN interaction i ON i.id = h.interaction_id JOIN ticket t ON t.id = i.ticket_id "
                f"WHERE h.customer_id = ?{bound} ORDER BY h.created_at DESC, h.interaction_id DESC LIMIT ?",
                (PAGE_BODY_CHARS, customer_id, *bound_args, limit),
            ).fetchall()
        return [HistoryEntry(*row[:5], _utc(row[5])) for row in page]

    def pending_operations(self, limit: int | None = None) -> list[OutboxOp]:
        """Outbox operations the server has not acknowledged, oldest first."""
        query = select(OutboxOp).where(col(OutboxOp.acked_at).is_(None)).order_by(OutboxOp.seq)
        if limit is not None:
            query = query.limit(limit)
        with self.read() as session:
            return list(session.exec(query))

    # -- writes ---------------------------------------------------------------------------

    def create_ticket(
        self,
        *,
        customer_id: str | None = None,
        new_customer: Customer | None = None,
        subject: str,
        first_message: str,
        category: str = "other",
        priority: str = "normal",
        channel: str = "phone",
        assignee_id: str | None = None,
        team: str = "",
        at: datetime | None = None,
    ) -> Ticket:
        """A new ticket with the customer's first message and its `created` event.

        Either names an existing customer or brings a `new_customer` to create in the same
        transaction, so a failed ticket leaves no orphan customer behind.
        """
        subject = subject.strip()
        if not subject:
            raise ValueError("a ticket needs a subject")
        if priority not in PRIORITIES:
            raise ValueError(f"unknown priority {priority!r}; expected one of {', '.join(PRIORITIES)}")
        at = at or utcnow()
        with self.write() as session:
            if new_customer is not None:
                if not new_customer.name.strip():
                    raise ValueError("a customer needs a name")
                self._insert(session, new_customer)
                customer_id = new_customer.id
            elif customer_id is None or session.get(Customer, customer_id) is None:
                raise NotFound(f"no customer with id {customer_id}")
            sequence = int(self._meta(session, "next_ticket_seq") or "1")
            self._set_meta(session, "next_ticket_seq", str(sequence + 1))
            ticket = Ticket(
                number=f"{self.ticket_prefix}-{sequence:04d}",
                customer_id=customer_id,
                assignee_id=assignee_id,
                team=team,
                subject=subject,
                category=category,
                priority=priority,
                channel=channel,
                created_at=at,
                updated_at=at,
            )
            self._insert(session, ticket)
            self._insert(session, TicketEvent(ticket_id=ticket.id, kind="created", at=at))
            if first_message.strip():
                self._insert(
                    session,
                    Interaction(ticket_id=ticket.id, kind="customer_message", body=first_message.strip(), created_at=at),
                )
        return ticket

    def add_interaction(
        self,
        ticket_id: str,
        kind: str,
        body: str,
        *,
        author_id: str | None,
        satisfaction: int | None = None,
        nps: int | None = None,
        at: datetime | None = None,
    ) -> Interaction:
        """Append a message, reply, note, call log or callback, with the events it implies.

        A callback carries the customer's satisfaction (1-5) and, when they were asked, how
        likely they are to recommend us (`nps`, 0-10)."""
        if kind not in INTERACTION_KINDS:
            raise ValueError(f"unknown interaction kind {kind!r}; expected one of {', '.join(INTERACTION_KINDS)}")
        if kind == "callback" and satisfaction not in (1, 2, 3, 4, 5):
            raise ValueError("a callback needs a satisfaction score from 1 to 5")
        if nps is not None and (kind != "callback" or nps not in range(11)):
            raise ValueError("a recommendation score (NPS) goes with a callback and runs from 0 to 10")
        if kind != "callback" and not body.strip():
            raise ValueError("an empty message cannot be sent")
        at = at or utcnow()
        with self.write() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                raise NotFound(f"no ticket with id {ticket_id}")
            interaction = Interaction(
                ticket_id=ticket_id,
                kind=kind,
                author_id=author_id,
                body=body.strip(),
                satisfaction=satisfaction,
                nps=nps,
                created_at=at,
            )
            self._insert(session, interaction)
            responded = (
                session.exec(
                    select(TicketEvent.id).where(
                        TicketEvent.ticket_id == ticket_id, TicketEvent.kind == "first_response"
                    )
                ).first()
                is not None
            )
            kinds = workflow.events_for_interaction(kind, by_agent=author_id is not None, responded=responded)
            changes: dict = {"updated_at": at}
            if kind == "customer_message":
                status = workflow.status_after_customer_message(ticket.status)
                if status != ticket.status:
                    kinds += workflow.events_for_status_change(ticket.status, status)
                    changes["status"] = status
            for event_kind in kinds:
                self._insert(session, TicketEvent(ticket_id=ticket_id, kind=event_kind, at=at, author_id=author_id))
            self._update(session, ticket, changes)
        return interaction

    def change_status(self, ticket_id: str, status: str, *, author_id: str | None, at: datetime | None = None) -> Ticket:
        """Move a ticket to `status`, recording the events that pause, resume or stop clocks."""
        at = at or utcnow()
        with self.write() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                raise NotFound(f"no ticket with id {ticket_id}")
            kinds = workflow.events_for_status_change(ticket.status, status)
            if not kinds and status == ticket.status:
                return ticket
            for event_kind in kinds:
                self._insert(session, TicketEvent(ticket_id=ticket_id, kind=event_kind, at=at, author_id=author_id))
            self._update(session, ticket, {"status": status, "updated_at": at})
        return ticket

    def escalate(self, ticket_id: str, *, author_id: str | None, at: datetime | None = None) -> None:
        """Hand a complex issue to the expert team; starts its 48-hour clock."""
        at = at or utcnow()
        with self.write() as session:
            ticket = session.get(Ticket, ticket_id)
            if ticket is None:
                raise NotFound(f"no ticket with id {ticket_id}")
            self._insert(session, TicketEvent(ticket_id=ticket_id, kind="escalated", at=at, author_id=author_id))
            self._update(session, ticket, {"updated_at": at})

    def add_reminder(self, ticket_id: str, due_at: datetime, note: str, *, agent_id: str | None) -> Reminder:
        """A personal follow-up ("call back Tuesday 10:00") that shows in the queue when due."""
        reminder = Reminder(ticket_id=ticket_id, agent_id=agent_id, due_at=due_at, note=note.strip())
        with self.write() as session:
            if session.get(Ticket, ticket_id) is None:
                raise NotFound(f"no ticket with id {ticket_id}")
            self._insert(session, reminder)
        return reminder

    def finish_reminder(self, reminder_id: str) -> None:
        with self.write() as session:
            reminder = session.get(Reminder, reminder_id)
            if reminder is None:
                raise NotFound(f"no reminder with id {reminder_id}")
            self._update(session, reminder, {"done": True})

    def assign(self, ticket_id: str, agent_id: str | None, *, at: datetime | None = None) -> Ticket:
        return self.assign_many([ticket_id], agent_id, at=at)[0]

    def assign_many(self, ticket_ids: Sequence[str], agent_id: str | None, *, at: datetime | None = None) -> list[Ticket]:
        """Give every ticket to `agent_id` (None: unassign) in one transaction: all move or none.

        Raises:
            NotFound: a ticket or the agent does not exist; nothing moved.
        """
        at = at or utcnow()
        moved = []
        with self.write() as session:
            if agent_id is not None and session.get(Agent, agent_id) is None:
                raise NotFound(f"no agent with id {agent_id}")
            for ticket_id in ticket_ids:
                ticket = session.get(Ticket, ticket_id)
                if ticket is None:
                    raise NotFound(f"no ticket with id {ticket_id}")
                self._update(session, ticket, {"assignee_id": agent_id, "updated_at": at})
                moved.append(ticket)
        return moved

    def import_rows(self, rows: Iterable[SQLModel], *, update_existing: bool = False) -> ImportCount:
        """Save a data set (the demo, a knowledge-base import) in one transaction.

        Rows whose id is new are inserted; existing rows are kept as they are, or, with
        `update_existing`, get the fields that differ. Everything goes to the outbox.
        """
        added = updated = 0
        with self.write() as session:
            for row in rows:
                existing = session.get(type(row), row.id)
                if existing is None:
                    self._insert(session, row)
                    session.flush()
                    added += 1
                elif update_existing:
                    changes = {
                        name: value
                        for name, value in row_payload(row).items()
                        if name not in ("id", "field_clocks") and row_payload(existing)[name] != value
                    }
                    if changes:
                        self._update(session, existing, {name: getattr(row, name) for name in changes})
                        updated += 1
        return ImportCount(added, updated)

    def bulk_load(self, model: type[SQLModel], rows: Sequence[dict]) -> None:
        """Insert many rows that exist upstream already, in one transaction, as a sync would
        bring them down: they are not local changes, so they go to no outbox. For large
        generated histories (benchmarks, trials); columns a row leaves out take the model's
        plain defaults."""
        defaults = {
            name: info.default
            for name, info in model.model_fields.items()
            if info.default_factory is None and not info.is_required()
        }
        with self.write() as session:
            session.execute(insert(model.__table__), [{**defaults, **row} for row in rows])

    # -- team, reports, staffing -------------------------------------------------------------
    # What the lead's screen, routing and the reports read: tickets with their events and
    # contacts, never the message bodies (but for the latest customer message, for sentiment).

    def ticket_facts(
        self,
        *,
        statuses: Sequence[str] | None = None,
        created_before: datetime | None = None,
        touched_since: datetime | None = None,
    ) -> list[TicketFacts]:
        """Tickets in `statuses` (any when None), created before `created_before`, and, when
        `touched_since` is given, changed since then or still active; oldest first."""
        where, args = ["1"], []
        if statuses is not None:
            where.append(f"t.status IN ({','.join('?' * len(statuses))})")
            args += list(statuses)
        if created_before is not None:
            where.append("t.created_at < ?")
            args.append(to_text(created_before))
        if touched_since is not None:
            where.append(f"(t.updated_at >= ? OR t.status IN ({','.join('?' * len(ACTIVE_STATUSES))}))")
            args += [to_text(touched_since), *ACTIVE_STATUSES]
        with self._plain_reads() as db:
            rows = db.execute(
                "SELECT t.id, t.number, t.subject, c.name, c.language, t.assignee_id, t.team, t.category, "
                "t.priority, t.status, t.created_at, t.updated_at FROM ticket t JOIN customer c ON c.id = t.customer_id "
                f"WHERE {' AND '.join(where)} ORDER BY t.created_at, t.id",
                args,
            ).fetchall()
            ids = [row[0] for row in rows]
            events = _plain_events(db, ids)
            contacts: dict[str, list[Contact]] = {}
            tags: dict[str, list[str]] = {}
            for start in range(0, len(ids), _ID_CHUNK):
                chunk = ids[start : start + _ID_CHUNK]
                for ticket_id, kind, at, author, satisfaction, nps, note in db.execute(
                    "SELECT ticket_id, kind, created_at, author_id, satisfaction, nps, "
                    "CASE WHEN kind = 'internal_note' AND instr(body, '#') THEN body END FROM interaction "
                    f"WHERE ticket_id IN ({','.join('?' * len(chunk))}) ORDER BY ticket_id, created_at",
                    chunk,
                ):
                    contacts.setdefault(ticket_id, []).append(Contact(kind, _utc(at), author, satisfaction, nps))
                    if note:
                        tags.setdefault(ticket_id, []).extend(hashtags(note))
        return [
            TicketFacts(id, number, subject, customer, language or "", assignee, team, category,
                        tuple(dict.fromkeys(tags.get(id, ()))), priority, status, _utc(created), _utc(updated),
                        events.get(id, ()), tuple(contacts.get(id, ())))
            for id, number, subject, customer, language, assignee, team, category, priority, status, created, updated
            in rows
        ]

    def latest_customer_messages(self, ticket_ids: Sequence[str]) -> dict[str, str]:
        """Ticket id to the text of the customer's latest message, for tickets that have one."""
        latest: dict[str, str] = {}
        with self._plain_reads() as db:
            for start in range(0, len(ticket_ids), _ID_CHUNK):
                chunk = list(ticket_ids[start : start + _ID_CHUNK])
                # SQLite takes the bare column `body` from the row that holds max(created_at).
                latest.update(
                    (ticket_id, body)
                    for ticket_id, body, _ in db.execute(
                        "SELECT ticket_id, body, max(created_at) FROM interaction WHERE kind = 'customer_message' "
                        f"AND ticket_id IN ({','.join('?' * len(chunk))}) GROUP BY ticket_id",
                        chunk,
                    )
                )
        return latest

    def ticket_arrivals(
        self, since: datetime, until: datetime, members: Collection[str] | None = None, pools: Collection[str] = ()
    ) -> list[datetime]:
        """When each ticket created in `[since, until)` was created, for staffing. Given
        `members`, only the tickets assigned to one of them or unassigned and filed with a
        team in `pools`: a team's scope as `team.Scope` decides it (its `members` and `pools`)."""
        where, args = "created_at >= ? AND created_at < ?", [to_text(since), to_text(until)]
        if members is not None:
            # Lists as JSON: a team of any size is two bound parameters.
            where += (" AND (assignee_id IN (SELECT value FROM json_each(?))"
                      " OR (assignee_id IS NULL AND team IN (SELECT value FROM json_each(?))))")
            args += [json.dumps(sorted(members)), json.dumps(sorted(pools))]
        with self._plain_reads() as db:
            return [_utc(created) for (created,) in db.execute(f"SELECT created_at FROM ticket WHERE {where}", args)]

    # -- knowledge base ---------------------------------------------------------------------

    def kb_documents(self) -> list[dict]:
        """Every live article and template, in the form the search index takes."""
        with self.read() as session:
            articles = session.exec(select(KbArticle).where(col(KbArticle.deleted).is_(False)))
            templates = session.exec(select(Template).where(col(Template.deleted).is_(False)))
            return [
                *(
                    {"id": a.id, "kind": "article", "title": a.title, "body": a.body,
                     "tags": json.loads(a.tags), "lang": a.lang, "uses": 0}
                    for a in articles
                ),
                *(
                    {"id": t.id, "kind": "template", "title": t.title, "body": t.body,
                     "tags": json.loads(t.tags), "lang": t.lang, "uses": t.uses}
                    for t in templates
                ),
            ]

    def article(self, article_id: str) -> KbArticle:
        with self.read() as session:
            found = session.get(KbArticle, article_id)
        if found is None:
            raise NotFound(f"no knowledge-base article with id {article_id}")
        return found

    def template(self, template_id: str) -> Template:
        with self.read() as session:
            found = session.get(Template, template_id)
        if found is None:
            raise NotFound(f"no template with id {template_id}")
        return found

    def compliance_articles(self) -> list[KbArticle]:
        """Articles that carry trigger words, for the ticket screen's compliance prompts."""
        with self.read() as session:
            return list(
                session.exec(
                    select(KbArticle).where(
                        col(KbArticle.deleted).is_(False), KbArticle.compliance_triggers != "[]"
                    )
                )
            )

    def count_template_use(self, template_id: str) -> None:
        """One more use of a template, so the picker ranks it higher among near ties.

        A read-only session counts nothing: using a template is not a change to refuse."""
        if self.readonly:
            return
        with self.write() as session:
            template = session.get(Template, template_id)
            if template is None:
                raise NotFound(f"no template with id {template_id}")
            self._update(session, template, {"uses": template.uses + 1})

    # -- sync -------------------------------------------------------------------------------
    # The device's side of cs_console.sync: outbox pages up, server pages down. A page, its
    # acknowledgements and the cursor that follows it are stored in one transaction, so a
    # link that drops mid-sync resumes from the last page stored.

    def sync_value(self, key: str) -> str | None:
        """A sync setting kept in the meta table (cursor, batch sizes, last sync time)."""
        with self.read() as session:
            return self._meta(session, f"sync.{key}")

    def set_sync_value(self, key: str, value: str) -> None:
        with self.write() as session:
            self._set_meta(session, f"sync.{key}", value)

    def last_synced_at(self) -> datetime | None:
        """When a sync last stored a page from the server ("synced 12 min ago")."""
        from cs_console.utc import from_text

        text = self.sync_value("last_at")
        return from_text(text) if text else None

    def pending_count(self) -> int:
        with self.read() as session:
            query = select(func.count()).select_from(OutboxOp).where(col(OutboxOp.acked_at).is_(None))
            return session.exec(query).one()

    def pending_page(self, limit: int, max_bytes: int) -> list[OutboxOp]:
        """The oldest unacknowledged operations, at most `limit` of them and about `max_bytes`
        of payload (always at least one, so a large operation still goes up)."""
        page: list[OutboxOp] = []
        size = 0
        for op in self.pending_operations(limit):
            size += len(op.payload.encode()) + 120
            if page and size > max_bytes:
                break
            page.append(op)
        return page

    def store_sync_page(
        self, *, acked_through: int | None, rows: dict[str, Sequence[dict]], cursor: int, library_cursor: int, server_ms: int
    ) -> int:
        """Acknowledge operations up to `acked_through`, merge a page of server rows and move
        both cursors, in one transaction. Returns the number of rows stored.

        A field takes the server's value unless an operation still waiting to go up wrote
        it with a later stamp; append-only rows are added when their id is new.
        """
        from cs_console.sync.schema import ENTITIES, to_model_values

        newest = hlc.Stamp(server_ms, 0, "")
        stored = 0
        with self.write() as session:
            if acked_through is not None:
                waiting = select(OutboxOp).where(col(OutboxOp.acked_at).is_(None), col(OutboxOp.seq) <= acked_through)
                for op in session.exec(waiting):
                    op.acked_at = utcnow()
                    session.add(op)
                session.flush()
            mine = self._pending_stamps(session)
            for entity, spec in ENTITIES.items():
                for wire in rows.get(entity, ()):
                    clocks = wire.get("field_clocks") or {}
                    values = to_model_values(spec, {k: v for k, v in wire.items() if k != "field_clocks"})
                    for stamp in (*clocks.values(), wire.get("hlc")):
                        if stamp:
                            newest = max(newest, hlc.Stamp.parse(stamp))
                    stored += self._merge_remote(session, spec, values, clocks, mine.get((entity, values["id"]), {}))
                session.flush()
            with self._clock_lock:
                self._last_stamp = hlc.receive(self._last_stamp, newest, int(utcnow().timestamp() * 1000), self._node)
                self._set_meta(session, "hlc", str(self._last_stamp))
            self._set_meta(session, "sync.cursor", str(cursor))
            self._set_meta(session, "sync.library_cursor", str(library_cursor))
            self._set_meta(session, "sync.last_at", to_text(utcnow()))
        return stored

    def _pending_stamps(self, session: Session) -> dict[tuple[str, str], dict[str, str]]:
        """For each row with unacknowledged operations: field to the latest stamp written."""
        stamps: dict[tuple[str, str], dict[str, str]] = {}
        query = select(OutboxOp).where(col(OutboxOp.acked_at).is_(None))
        for op in session.exec(query):
            fields = stamps.setdefault((op.entity, op.entity_id), {})
            for name in json.loads(op.payload):
                fields[name] = max(fields.get(name, ""), op.hlc)
        return stamps

    def _merge_remote(self, session: Session, spec, values: dict, clocks: dict, mine: dict[str, str]) -> int:
        existing = session.get(spec.model, values["id"])
        if existing is None:
            extra = {} if spec.append_only else {"field_clocks": json.dumps(clocks, separators=(",", ":"))}
            session.add(spec.model(**values, **extra))
            return 1
        if spec.append_only:
            return 0
        local = json.loads(existing.field_clocks or "{}")
        for name, value in values.items():
            remote = clocks.get(name, "")
            if name == "id" or mine.get(name, "") > remote:
                continue
            setattr(existing, name, value)
            if remote:
                local[name] = remote
        existing.field_clocks = json.dumps(local, separators=(",", ":"))
        session.add(existing)
        return 1

    def set_aside_operations(self, reasons: dict[str, str]) -> None:
        """Stop sending operations the server refused (op id to its reason), keeping them
        and the reason for the screens to show; the server's state of the row comes down."""
        with self.write() as session:
            refused = json.loads(self._meta(session, "sync.refused") or "{}")
            for op in session.exec(select(OutboxOp).where(col(OutboxOp.op_id).in_(list(reasons)))):
                op.acked_at = utcnow()
                session.add(op)
                refused[op.op_id] = reasons[op.op_id]
            self._set_meta(session, "sync.refused", json.dumps(refused, ensure_ascii=False))

    def refused_operations(self) -> list[tuple[OutboxOp, str]]:
        """Operations the server refused, oldest first, with the server's reason."""
        with self.read() as session:
            refused = json.loads(self._meta(session, "sync.refused") or "{}")
            ops = session.exec(select(OutboxOp).where(col(OutboxOp.op_id).in_(list(refused))).order_by(OutboxOp.seq))
            return [(op, refused[op.op_id]) for op in ops]

    def ticket_titles(self, ticket_ids: Collection[str]) -> dict[str, tuple[str, str]]:
        """Ticket id to its (number, subject), for the tickets this device holds (what the
        refused changes were for)."""
        with self._plain_reads() as db:
            found = db.execute("SELECT id, number, subject FROM ticket WHERE id IN (SELECT value FROM json_each(?))",
                               (json.dumps(sorted(ticket_ids)),))
            return {ticket_id: (number, subject) for ticket_id, number, subject in found}


def _utc(text: str) -> datetime:
    """`utc.from_text` for the long lists: the same answer, several times faster, which
    counts at 100,000 rows."""
    return datetime.fromisoformat(text + "+00:00")


_AT = itemgetter(1)


def _open_reminders(db: sqlite3.Connection, agent_id: str | None) -> dict[str, Reminder]:
    """The earliest open reminder per ticket, of `agent_id` (or anyone's when None)."""
    scope, scope_args = ("", ()) if agent_id is None else (" AND agent_id = ?", (agent_id,))
    earliest: dict[str, Reminder] = {}
    for id, ticket_id, agent, due_at, note, clocks in db.execute(
        f"SELECT id, ticket_id, agent_id, due_at, note, field_clocks FROM reminder WHERE done = 0{scope} "
        "ORDER BY due_at",
        scope_args,
    ):
        if ticket_id not in earliest:
            earliest[ticket_id] = Reminder(id=id, ticket_id=ticket_id, agent_id=agent, due_at=_utc(due_at),
                                           note=note, done=False, field_clocks=clocks)
    return earliest


def _plain_events(db: sqlite3.Connection, ticket_ids: list[str]) -> dict[str, tuple[tuple[str, datetime], ...]]:
    """Each ticket's `(kind, at)` events in time order, events at the same time in the order
    they were stored (the clocks replay ties in the order given)."""
    events: dict[str, tuple[tuple[str, datetime], ...]] = {}
    for start in range(0, len(ticket_ids), _ID_CHUNK):
        chunk = ticket_ids[start : start + _ID_CHUNK]
        found = db.execute(
            f"SELECT ticket_id, kind, at FROM ticket_event WHERE ticket_id IN ({','.join('?' * len(chunk))}) "
            "ORDER BY ticket_id, at, rowid",
            chunk,
        )
        for ticket_id, rows in groupby(found, itemgetter(0)):
            events[ticket_id] = tuple((kind, _utc(at)) for _, kind, at in rows)
    return events


def _events(history: str) -> tuple[tuple[str, datetime], ...]:
    """A ticket's `(kind, at)` events from its "kind@at;" history, in time order, events at
    the same time in the order they were stored (the clocks replay ties in the order given)."""
    events = []
    for event in history.split(";")[:-1]:
        kind, _, at = event.partition("@")
        events.append((kind, _utc(at)))
    events.sort(key=_AT)
    return tuple(events)


def _containing_every_word(query: Select, text: str, columns: tuple) -> Select:
    """Narrow `query` to rows where every word of `text` is in one of `columns`, any case;
    `%` and `_` in the text are literal characters, not wildcards."""
    for word in text.split():
        pattern = "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(*(col(column).ilike(pattern, escape="\\") for column in columns)))
    return query
