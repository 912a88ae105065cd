"""Tickets and customer messages filed by integrations (web forms, monitoring systems,
partner portals), written on the server as a device's sync would bring them.

- A new ticket lands in the integration's team pool (no assignee), channel `api`, with its
  `created` event and the customer's first message, and reaches the team's devices by the
  ordinary pull: every row is logged in the change log like a synced one.
- The ticket names the team's existing contact with the same email address or phone number
  (numbers compared in E.164, `channels.phone`) and that contact's customer, or a new
  customer with a new contact.
- A request with an `Idempotency-Key` is done once: a retry gets what the first made; the
  same key with another body is refused.
- A message goes only to a ticket of the integration's team; any other number is "not
  found", so an integration learns nothing about other teams.

It refuses HTTP (`intake_api`) and anything an integration may not do: no reads beyond
its own requests' answers, no assignment, no status but what a customer's message implies.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from sqlalchemy import func, insert, select
from sqlmodel import Session, col

from cs_console.channels.phone import DEFAULT_REGION, normalise_phone
from cs_console.clocks import workflow
from cs_console.server import changes
from cs_console.server.contacts import add_contact, reaches, reaching
from cs_console.server.db import Database, Numbers, intake_requests
from cs_console.server.integrations import Integration
from cs_console.server.merge import SERVER_NODE, server_write
from cs_console.server.scope import Caller, ticket_clause
from cs_console.storage import hlc
from cs_console.storage.models import Contact, Interaction, Ticket, TicketEvent, new_id
from cs_console.sync.errors import SyncError
from cs_console.utc import to_text, utcnow

NUMBER_PREFIX = "API-"
"""Ticket numbers the server gives: devices use five letters of their own, so none collide."""
CHANNEL = "api"


class IntakeConflict(SyncError):
    """The Idempotency-Key was used before for a different request."""

    status = 409
    code = "conflict"


class TicketNotFound(SyncError):
    status = 404
    code = "not_found"


@dataclass(frozen=True)
class NewCustomer:
    name: str
    email: str = ""
    phone: str = ""


@dataclass(frozen=True)
class Filed:
    """What an intake request made (or made the first time, for a retry)."""

    ticket_id: str
    number: str
    customer_id: str
    message_id: str
    replayed: bool


class _Writer:
    """One intake write: its session, change numbers and server clock."""

    def __init__(self, session: Session, numbers: Numbers) -> None:
        self.session, self.numbers = session, numbers
        self.now = utcnow()
        self.now_ms = int(self.now.timestamp() * 1000)
        self.counter = 0

    def stamp(self) -> str:
        self.counter += 1
        return str(hlc.Stamp(self.now_ms, self.counter, SERVER_NODE))

    def history(self, row: Interaction | TicketEvent, entity: str) -> None:
        """Append a message or event, logged for the ticket's holders."""
        self.session.add(row)
        self.session.flush()
        changes.touch(self.session, self.numbers, entity, row.id, row.ticket_id)


def _fingerprint(kind: str, body: dict) -> str:
    return hashlib.sha256(json.dumps([kind, body], sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def _earlier(session: Session, integration: Integration, key: str | None, fingerprint: str) -> Filed | None:
    """What the first request with this key made, or None; refuses the key for another body."""
    if key is None:
        return None
    found = session.execute(select(intake_requests).where(
        intake_requests.c.integration_id == integration.id, intake_requests.c.idempotency_key == key)).first()
    if found is None:
        return None
    if found.fingerprint != fingerprint:
        raise IntakeConflict(f"Idempotency-Key {key!r} was used for a different request; "
                             "use a new key for a new ticket or message")
    ticket = session.get(Ticket, found.ticket_id)
    return Filed(ticket.id, ticket.number, ticket.customer_id, found.interaction_id, replayed=True)


def _remember(session: Session, integration: Integration, key: str | None, fingerprint: str, filed: Filed) -> None:
    if key is not None:
        session.execute(insert(intake_requests).values(
            integration_id=integration.id, idempotency_key=key, fingerprint=fingerprint,
            ticket_id=filed.ticket_id, interaction_id=filed.message_id))


def _team_clause(integration: Integration):
    """SQL filter on Ticket: the tickets of the integration's team, as its lead sees them."""
    return ticket_clause(Caller(agent_id="", name=integration.name, role="lead", team=integration.team))


def matching_contact(session: Session, integration: Integration, email: str, phone: str | None) -> Contact | None:
    """The contact, of a customer with a ticket of the team, with this email (any case) or
    E.164 phone, the one whose customer has the most recent ticket first; None when the team
    knows nobody so."""
    conditions = reaching(email, phone)
    if conditions is None:
        return None
    query = (
        select(Contact)
        .join(Ticket, col(Ticket.customer_id) == Contact.customer_id)
        .where(_team_clause(integration), *conditions)
        .order_by(col(Ticket.created_at).desc())
    )
    return next((contact for contact in session.scalars(query) if reaches(contact, email, phone)), None)


def _next_number(session: Session) -> str:
    """The next `API-00001` number; the write lock every writer holds keeps it unique."""
    last = session.execute(
        select(Ticket.number).where(col(Ticket.number).like(f"{NUMBER_PREFIX}%"))
        .order_by(func.length(Ticket.number).desc(), col(Ticket.number).desc()).limit(1)
    ).scalar()
    sequence = int(last[len(NUMBER_PREFIX):]) + 1 if last and last[len(NUMBER_PREFIX):].isdigit() else 1
    return f"{NUMBER_PREFIX}{sequence:05d}"


def file_ticket(database: Database, integration: Integration, customer: NewCustomer, subject: str, message: str,
                priority: str, category: str, key: str | None) -> Filed:
    """A new ticket in the team's pool with the customer's first message; once per `key`.

    Raises:
        IntakeConflict: `key` was used for another request.
    """
    phone = normalise_phone(customer.phone, DEFAULT_REGION) if customer.phone else None
    fingerprint = _fingerprint("ticket", {"customer": vars(customer), "subject": subject, "message": message,
                                          "priority": priority, "category": category})
    with database.write() as (session, numbers):
        earlier = _earlier(session, integration, key, fingerprint)
        if earlier is not None:
            return earlier
        writer = _Writer(session, numbers)
        now = to_text(writer.now)
        contact = matching_contact(session, integration, customer.email, phone)
        if contact is not None:
            customer_id, contact_id = contact.customer_id, contact.id
        else:
            customer_id = new_id()
            server_write(session, numbers, "customer", customer_id, {
                "name": customer.name, "notes": f"Created by integration {integration.name}", "created_at": now,
                "updated_at": now,
            }, writer.now_ms)
            contact_id = add_contact(session, numbers, customer_id, customer.name, writer.now_ms,
                                     email=customer.email, phone=phone or "")
        number, ticket_id = _next_number(session), new_id()
        server_write(session, numbers, "ticket", ticket_id, {
            "number": number, "customer_id": customer_id, "contact_id": contact_id, "assignee_id": None,
            "team": integration.team,
            "subject": subject, "category": category, "priority": priority, "channel": CHANNEL, "status": "open",
            "created_at": now, "updated_at": now,
        }, writer.now_ms, ticket_id)
        writer.history(TicketEvent(ticket_id=ticket_id, kind="created", at=writer.now, hlc=writer.stamp()), "ticket_event")
        note = Interaction(ticket_id=ticket_id, kind="customer_message", body=message, created_at=writer.now,
                           channel=CHANNEL, hlc=writer.stamp())
        writer.history(note, "interaction")
        filed = Filed(ticket_id, number, customer_id, note.id, replayed=False)
        _remember(session, integration, key, fingerprint, filed)
    return filed


def add_message(database: Database, integration: Integration, number: str, message: str, key: str | None) -> Filed:
    """The customer's message on the team's ticket `number`; a ticket waiting on the customer
    goes back to work, as a message typed on a device would take it. Once per `key`.

    Raises:
        TicketNotFound: the team has no ticket with that number.
        IntakeConflict: `key` was used for another request.
    """
    fingerprint = _fingerprint("message", {"number": number, "message": message})
    with database.write() as (session, numbers):
        earlier = _earlier(session, integration, key, fingerprint)
        if earlier is not None:
            return earlier
        ticket = session.execute(select(Ticket).where(Ticket.number == number, _team_clause(integration))).scalar()
        if ticket is None:
            raise TicketNotFound(f"team {integration.team} has no ticket numbered {number!r}")
        writer = _Writer(session, numbers)
        note = Interaction(ticket_id=ticket.id, kind="customer_message", body=message, created_at=writer.now,
                           channel=CHANNEL, hlc=writer.stamp())
        writer.history(note, "interaction")
        status = workflow.status_after_customer_message(ticket.status)
        if status != ticket.status:
            for kind in workflow.events_for_status_change(ticket.status, status):
                event = TicketEvent(ticket_id=ticket.id, kind=kind, at=writer.now, hlc=writer.stamp())
                writer.history(event, "ticket_event")
        server_write(session, numbers, "ticket", ticket.id, {"status": status, "updated_at": to_text(writer.now)},
                     writer.now_ms, ticket.id)
        filed = Filed(ticket.id, ticket.number, ticket.customer_id, note.id, replayed=False)
        _remember(session, integration, key, fingerprint, filed)
    return filed
