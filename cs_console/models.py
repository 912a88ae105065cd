"""The tables a device and the central server share.

Ids are UUID text made on the device, so devices that work offline never collide. Mutable
rows carry `field_clocks`, a JSON map from field name to the hybrid-logical-clock stamp of
its last write, which sync uses to merge field by field (last writer wins). Interactions
and ticket events are append-only and never merge.

The database schema itself is owned by `cs_console.migrations`; a test keeps the two equal.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlmodel import Field, SQLModel

from cs_console.utc import UTCDateTime, utcnow

PRIORITIES = ("urgent", "high", "normal", "low")
"""Most urgent first; the queue's tie-break order."""

STATUSES = ("open", "waiting_on_customer", "solution_proposed", "resolved", "closed")
CHANNELS = ("phone", "email", "im", "radio", "on_site")
INTERACTION_KINDS = ("customer_message", "public_reply", "internal_note", "call_log", "callback")
ROLES = ("agent", "lead", "admin")


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


class TicketEvent(SQLModel, table=True):
    __tablename__ = "ticket_event"

    id: str = Field(default_factory=new_id, primary_key=True)
    ticket_id: str = Field(foreign_key="ticket.id")
    kind: str
    at: datetime = Field(sa_type=UTCDateTime)
    author_id: str | None = Field(default=None, foreign_key="agent.id")
    hlc: str = ""


class Reminder(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    ticket_id: str = Field(foreign_key="ticket.id")
    agent_id: str | None = Field(default=None, foreign_key="agent.id")
    due_at: datetime = Field(sa_type=UTCDateTime)
    note: str = ""
    done: bool = False
    field_clocks: str = "{}"


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


class Meta(SQLModel, table=True):
    """Device-level settings: device id, ticket-number prefix, clock state, sync cursor."""

    key: str = Field(primary_key=True)
    value: str
