"""The tables a device and the central server share.

Ids are UUID text made on the device, so devices that work offline never collide. Mutable
rows carry `field_clocks`, a JSON map from field name to the hybrid-logical-clock stamp of
its last write, which sync uses to merge field by field (last writer wins). Interactions
and ticket events are append-only and never merge.

The database schema itself is owned by `cs_console.storage.migrations`; a test keeps the two equal.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from cs_console.storage.columns import UTCDateTime
from cs_console.utc import utcnow


def new_id() -> str:
    return str(uuid.uuid4())


class Agent(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    name: str
    role: str = "agent"
    team: str = ""
    languages: str = "[]"
    skills: str = "[]"
    timezone: str = "UTC"
    active: bool = True
    field_clocks: str = "{}"


class Customer(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    name: str = Field(index=True)
    kind: str = ""
    contact_name: str = ""
    phone: str = ""
    email: str = ""
    language: str = "en"
    sites: str = "[]"
    preferences: str = ""
    notes: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    field_clocks: str = "{}"


class Ticket(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    number: str = Field(unique=True)
    customer_id: str = Field(foreign_key="customer.id", index=True)
    assignee_id: str | None = Field(default=None, foreign_key="agent.id")
    team: str = ""
    subject: str
    category: str = "other"
    priority: str = "normal"
    channel: str = "phone"
    status: str = "open"
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    field_clocks: str = "{}"


class Interaction(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    ticket_id: str = Field(foreign_key="ticket.id")
    kind: str
    author_id: str | None = Field(default=None, foreign_key="agent.id")
    body: str = ""
    satisfaction: int | None = None
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    hlc: str = ""
    nps: int | None = None
    """On a callback: how likely the customer is to recommend us, 0-10, when they were asked."""
    channel: str | None = None
    """How it came or went (`vocabulary.CHANNELS`); None for an internal note."""


class TicketEvent(SQLModel, table=True):
    __tablename__ = "ticket_event"

    id: str = Field(default_factory=new_id, primary_key=True)
    ticket_id: str = Field(foreign_key="ticket.id")
    kind: str
    at: datetime = Field(sa_type=UTCDateTime)
    author_id: str | None = Field(default=None, foreign_key="agent.id")
    hlc: str = ""
    detail: str = "{}"
    """A JSON object that says more for the trail: {"from": ..., "to": ...} of a status change or
    reassignment, {"team": ..., "reason": ...} of an escalation, {"note": ..., "due": ...} of a reminder."""


class Reminder(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    ticket_id: str = Field(foreign_key="ticket.id")
    agent_id: str | None = Field(default=None, foreign_key="agent.id")
    due_at: datetime = Field(sa_type=UTCDateTime)
    note: str = ""
    done: bool = False
    field_clocks: str = "{}"


class ReplyDelivery(SQLModel, table=True):
    """What became of a public reply sent by mail, as the server found it: written by the
    server alone and synced down, so the device that wrote the reply shows "sent", or
    "failed" with the mail server's reason. Its id is the reply's (interaction) id; a reply
    with no row here has not been sent yet."""

    __tablename__ = "reply_delivery"

    id: str = Field(primary_key=True)
    ticket_id: str = Field(foreign_key="ticket.id")
    state: str
    reason: str = ""
    """Why the last attempt failed, in the mail server's words; empty once sent."""
    attempts: int = 0
    retry_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    """When the server tries a failed send again; None once sent or given up."""
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    field_clocks: str = "{}"


class MailProblem(SQLModel, table=True):
    """The last problem of the server's mail work with one mailbox or the relay, as the
    server found it: written by the server alone and synced down to the leads (of the
    mailbox's team; the relay's to every lead), who cannot read the server's log. Its id is
    "mailbox:TEAM" or "relay"; `problem` is empty (and `count` 0) once it works again."""

    __tablename__ = "mail_problem"

    id: str = Field(primary_key=True)
    team: str = ""
    """The mailbox's team; empty for the relay, which every team's replies leave by."""
    source: str
    """`vocabulary.MAIL_SOURCES`."""
    address: str
    """The mailbox's address, or the relay's host:port."""
    problem: str = ""
    """`vocabulary.MAIL_PROBLEMS`, or empty: it works."""
    detail: str = ""
    """The last occurrence in the server's words (the mail server's answer, which mail)."""
    count: int = 0
    """How many times in a row this problem was met."""
    since: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    field_clocks: str = "{}"


class Attachment(SQLModel, table=True):
    """A file attached to a ticket, a message or a note: what it is, never its bytes. Synced
    like the message it belongs to and never changed (append-only); the bytes travel apart,
    by their hash (`sha256`), and a device holds them only once it has sent or fetched them."""

    id: str = Field(default_factory=new_id, primary_key=True)
    ticket_id: str = Field(foreign_key="ticket.id", index=True)
    interaction_id: str | None = Field(default=None, foreign_key="interaction.id")
    """The message or note it came with; None when it was attached to the ticket itself."""
    filename: str
    content_type: str = "application/octet-stream"
    size: int
    """Bytes of the file as attached (before any compression)."""
    sha256: str = Field(index=True)
    """The file's SHA-256 in hex: its name in every store, so one file is kept and sent once."""
    author_id: str | None = Field(default=None, foreign_key="agent.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    hlc: str = ""


class KbArticle(SQLModel, table=True):
    __tablename__ = "kb_article"

    id: str = Field(default_factory=new_id, primary_key=True)
    title: str
    body: str = ""
    tags: str = "[]"
    lang: str = "en"
    category: str = "other"
    compliance_triggers: str = "[]"
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deleted: bool = False
    field_clocks: str = "{}"


class Template(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    title: str
    body: str = ""
    tags: str = "[]"
    lang: str = "en"
    uses: int = 0
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deleted: bool = False
    field_clocks: str = "{}"


class OutboxOp(SQLModel, table=True):
    """One local change waiting to go up to the server; `seq` orders a device's changes."""

    __tablename__ = "outbox"

    seq: int | None = Field(default=None, primary_key=True)
    op_id: str = Field(default_factory=new_id, unique=True)
    device_id: str
    entity: str
    entity_id: str
    action: str
    payload: str
    hlc: str
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    acked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class QueueEntry(SQLModel, table=True):
    """One ticket as the queue lists it: its listed columns, its events in one row, and when
    its clocks had all stopped. The queue reads 100,000 of these without touching a ticket.

    Local to the device and never synced: derived from the synced tickets, customers and
    events by triggers (migration 3), which copy a ticket's columns and its customer's name
    on every change, and append each new event to `history` and uncheck the row; the queue
    checks unchecked rows again. `settled_at` is None while a clock is still open, or while
    the row is unchecked.
    """

    __tablename__ = "queue_entry"

    ticket_id: str = Field(primary_key=True, foreign_key="ticket.id")
    number: str
    priority: str
    status: str
    subject: str
    customer_name: str
    assignee_id: str | None = None
    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)
    history: str = ""
    """Every event as "kind@at;" (at as stored), in the order they were stored."""
    settled_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    checked: bool = False


class HistoryIndex(SQLModel, table=True):
    """Which customer an interaction belongs to, and when it was written: the customer
    history's local index, so that any page of a long history is one index walk.

    Local to the device and never synced; a trigger (migration 5) adds a row with each
    interaction, another follows a ticket that moves to another customer.
    """

    __tablename__ = "history_index"

    interaction_id: str = Field(primary_key=True, foreign_key="interaction.id")
    customer_id: str
    created_at: datetime = Field(sa_type=UTCDateTime)


class Draft(SQLModel, table=True):
    """Text an agent typed and has not sent or saved yet, kept so that leaving, quitting or a
    crash loses none of it. Local to the device and never synced (it never reaches the
    outbox); one row per key (`cs_console.usecases.drafts` names them)."""

    key: str = Field(primary_key=True)
    body: str = ""
    """The text itself: a reply or note, or the new-ticket form's first message."""
    fields: str = "{}"
    """The rest, as a JSON object of strings: the composer's mode, or the form's other fields."""
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class AttachmentTransfer(SQLModel, table=True):
    """How far one file this device holds has gone up to the server. Local to the device and
    never synced; one row per hash, however many attachments share it."""

    __tablename__ = "attachment_transfer"

    sha256: str = Field(primary_key=True)
    size: int
    sent: int = 0
    """Bytes the server said it holds at the last answer (the offset the next chunk starts at)."""
    done: bool = False
    """The server holds the whole file, its hash checked."""
    send_now: bool = False
    """The agent asked for it to go at the next sync whatever the budget says."""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)


class Meta(SQLModel, table=True):
    """Device-level settings: device id, ticket-number prefix, clock state, sync cursor."""

    key: str = Field(primary_key=True)
    value: str
