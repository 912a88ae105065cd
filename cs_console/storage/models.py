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
    started_on: str | None = None
    """The day they joined the team, YYYY-MM-DD; None when not recorded."""
    left_on: str | None = None
    """Their last working day when they leave, YYYY-MM-DD; None while they stay."""


class Customer(SQLModel, table=True):
    """An organisation (a shipowner, a ship manager, a SIM distributor...): its people are
    its `Contact`s, its vessels, rigs, sites and SIM batches its `Asset`s."""

    id: str = Field(default_factory=new_id, primary_key=True)
    name: str = Field(index=True)
    kind: str = ""
    """`vocabulary.ORGANISATION_KINDS`, or free text an earlier release or an import gave."""
    contact_name: str = ""
    phone: str = ""
    email: str = ""
    language: str = "en"
    sites: str = "[]"
    """`contact_name`, `phone`, `email` and `sites` are what earlier releases knew of a customer's
    person and sites: the upgrade moves them into contacts and assets and empties them
    (`storage.organisation_upgrade`); they stay so that devices not yet upgraded still sync."""
    preferences: str = ""
    notes: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    field_clocks: str = "{}"


class Contact(SQLModel, table=True):
    """A person at an organisation (a `Customer`): who calls or writes, and how to reach them.

    `phones` and `emails` are JSON arrays of text, phones in E.164. Removing a contact marks
    it `removed`, so the tickets that name it keep their history and the removal syncs."""

    id: str = Field(default_factory=new_id, primary_key=True)
    customer_id: str = Field(foreign_key="customer.id", index=True)
    name: str
    role: str = ""
    """Master, superintendent, chief engineer, purchasing..."""
    phones: str = "[]"
    emails: str = "[]"
    language: str = ""
    channel: str = ""
    """The channel they prefer (`vocabulary.CHANNELS`), or empty."""
    removed: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    field_clocks: str = "{}"


class Asset(SQLModel, table=True):
    """Something an organisation owns or runs that tickets are about: a vessel (with its IMO
    number, flag and type), a rig, a site, a batch of SIM cards (`vocabulary.ASSET_KINDS`).
    Removing one marks it `removed`, as for contacts."""

    id: str = Field(default_factory=new_id, primary_key=True)
    customer_id: str = Field(foreign_key="customer.id", index=True)
    kind: str = "site"
    name: str
    imo: str = ""
    """A vessel's IMO number, seven digits with a valid check digit; empty when unknown."""
    flag: str = ""
    vessel_type: str = ""
    notes: str = ""
    removed: bool = False
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
    contact_id: str | None = Field(default=None, foreign_key="contact.id", index=True)
    """Who at the customer the ticket is for; None on tickets filed before contacts existed."""
    asset_id: str | None = Field(default=None, foreign_key="asset.id", index=True)
    """The vessel, rig, site or SIM batch it is about, when it is about one."""
    merged_into: str | None = Field(default=None, index=True)
    """The ticket this one was merged into (it is closed, and its thread is read there); a
    plain id, not a foreign key, so a pointer to a ticket outside this device's scope is kept."""


class TicketLink(SQLModel, table=True):
    """Two related tickets, shown on both. Its id is made from the kind and the two ids
    (`link_id`), so two devices adding the same link make one row; removing it sets
    `removed`, which merges last-writer-wins like any field, so a link can come back."""

    __tablename__ = "ticket_link"

    id: str = Field(primary_key=True)
    ticket_id: str = Field(foreign_key="ticket.id")
    """The parent of a "parent" link; of a "related" one, the smaller of the two ids."""
    other_id: str
    """The child, or the other related ticket: a plain id, as it may be outside this device's scope."""
    kind: str
    """`vocabulary.LINK_KINDS`."""
    removed: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    field_clocks: str = "{}"


LINK_NAMESPACE = uuid.UUID("8c5f3e0a-6b1d-4f57-9d3c-2a7e41b0c9d4")


def link_id(kind: str, ticket_id: str, other_id: str) -> str:
    """The one id of a link, whichever device makes it: a "related" link is the same both ways."""
    if kind == "related":
        ticket_id, other_id = sorted((ticket_id, other_id))
    return str(uuid.uuid5(LINK_NAMESPACE, f"{kind}:{ticket_id}:{other_id}"))


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
    survey: str = "{}"
    """On a callback: the survey's other answers as a JSON object, question key to score
    ({"speed": 4, "ces": 6}); the overall part is `satisfaction`, the NPS `nps`."""


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


class TicketTag(SQLModel, table=True):
    """Whether a ticket carries a tag. Its id comes from the ticket and the tag's normal form
    (`cs_console.tags.tag_id`), so devices that tag a ticket alike make one row; removing a
    tag sets `active` False rather than deleting the row, and `active` merges by its field
    clock like any field: an add and a removal made offline on two devices end as the later one."""

    __tablename__ = "ticket_tag"

    id: str = Field(primary_key=True)
    ticket_id: str = Field(foreign_key="ticket.id", index=True)
    tag: str = Field(index=True)
    """In normal form (`cs_console.tags.normal_tag`): case-folded, without the "#"."""
    active: bool = True
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    field_clocks: str = "{}"


class Reminder(SQLModel, table=True):
    id: str = Field(default_factory=new_id, primary_key=True)
    ticket_id: str = Field(foreign_key="ticket.id")
    agent_id: str | None = Field(default=None, foreign_key="agent.id")
    due_at: datetime = Field(sa_type=UTCDateTime)
    note: str = ""
    done: bool = False
    field_clocks: str = "{}"


class Review(SQLModel, table=True):
    """A lead's review of one finished conversation: a digit per rubric item and a comment the
    reviewed agent reads. Mutable (the lead may correct it); fields merge like any row's.

    `ticket_id` names the ticket without a foreign key: a review travels to the agent whose
    work it judges even when that ticket has since left the agent's scope, and a device may
    hold the review without the ticket (the list then shows the review alone)."""

    id: str = Field(default_factory=new_id, primary_key=True)
    ticket_id: str
    agent_id: str = Field(foreign_key="agent.id")
    """Whose work is reviewed: the ticket's agent when it was reviewed."""
    reviewer_id: str = Field(foreign_key="agent.id")
    scores: str = "{}"
    """A JSON object from rubric item key to its digit (`lead.review_scores.SCORES`)."""
    comment: str = ""
    reviewed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
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


class Macro(SQLModel, table=True):
    """A named sequence of ticket actions (`cs_console.kb.macros`), kept in the knowledge base
    by an admin like a template."""

    id: str = Field(default_factory=new_id, primary_key=True)
    title: str
    steps: str = "[]"
    """A JSON list of step lines, such as "status: waiting_on_customer"."""
    tags: str = "[]"
    lang: str = "en"
    updated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    deleted: bool = False
    field_clocks: str = "{}"


class KbProposal(SQLModel, table=True):
    """An article or template an agent proposes from a resolved ticket, waiting for a lead or
    admin. Approved, it becomes a KbArticle or Template with the proposal's own id (so the
    contribution is traced back to its author); rejected, it keeps the reason the agent reads."""

    __tablename__ = "kb_proposal"

    id: str = Field(default_factory=new_id, primary_key=True)
    ticket_id: str = Field(foreign_key="ticket.id")
    author_id: str = Field(foreign_key="agent.id")
    kind: str = "article"
    """`vocabulary.PROPOSAL_KINDS`."""
    title: str
    body: str = ""
    category: str = "other"
    lang: str = "en"
    state: str = "waiting"
    """`vocabulary.PROPOSAL_STATES`."""
    reason: str = ""
    """Why it was rejected, in the reviewer's words."""
    reviewer_id: str | None = Field(default=None, foreign_key="agent.id")
    reviewed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
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
    tags: str = ""
    """Its active tags as "#typhoon #vip", kept by triggers on its tag rows (migration 13)."""


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
