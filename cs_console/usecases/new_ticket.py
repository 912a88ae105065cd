"""A call taken at the desk becomes a ticket: what a new ticket needs, checked once, then saved.

The new-ticket screen calls `create_ticket`; the rule (a customer, a subject and the
customer's first message) lives here, not in the screen, so anything else that files
tickets for a person gets the same refusal with the same sentence. The store stays
permissive for mail and sync, which may bring a ticket without a first message. It refuses
to guess: a missing field is an error naming it, in the interface language.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cs_console.errors import UserError
from cs_console.storage.models import Contact, Customer
from cs_console.sync.schema import check_values

if TYPE_CHECKING:
    from cs_console.storage.models import Agent, Ticket
    from cs_console.store import Store
    from cs_console.text.strings import Strings


class TicketIncomplete(UserError):
    """A field a new ticket needs is empty; the message names it, `field` says which."""

    def __init__(self, field: str, sentence: str) -> None:
        self.field = field
        super().__init__(sentence)


@dataclass(frozen=True)
class TicketDraft:
    """What the agent filled in: an existing customer's id or a new customer's name."""

    subject: str
    first_message: str
    customer_id: str | None = None
    new_customer_name: str = ""
    new_customer_phone: str = ""
    """The number (E.164) a caller nobody here knows called from (the hotline's lookup fills
    it in): the new contact's phone."""
    contact_id: str | None = None
    """The customer's contact the ticket is for; a `new_contact_name` wins over it."""
    new_contact_name: str = ""
    """Someone new at the customer: a contact made with the ticket."""
    asset_id: str | None = None
    """The customer's vessel, rig, site or SIM batch it is about, if any."""
    category: str = "other"
    priority: str = "normal"
    channel: str = "phone"


def check_draft(draft: TicketDraft, strings: Strings) -> None:
    """Refuse a draft without a customer, a subject or a first message, in that order.

    Raises:
        TicketIncomplete: the first empty field, named in the interface language.
    """
    if draft.customer_id is None and not draft.new_customer_name.strip():
        raise TicketIncomplete("customer", strings("new_ticket.no_customer"))
    if not draft.subject.strip():
        raise TicketIncomplete("subject", strings("new_ticket.no_subject"))
    if not draft.first_message.strip():
        raise TicketIncomplete("first_message", strings("new_ticket.no_message"))


def new_contact(draft: TicketDraft) -> Contact | None:
    """The contact to make with the ticket: someone new named in the form, or the caller
    nobody here knew (named by the customer's name until someone edits it); else None."""
    name = draft.new_contact_name.strip()
    if not name and not (draft.new_customer_phone and not draft.customer_id and not draft.contact_id):
        return None
    phones = [draft.new_customer_phone] if draft.new_customer_phone else []
    return Contact(customer_id="", name=name or draft.new_customer_name.strip(), phones=json.dumps(phones))


def create_ticket(store: Store, draft: TicketDraft, agent: Agent | None, strings: Strings,
                  at: datetime | None = None, clears_draft: str | None = None) -> Ticket:
    """Check the draft, then file the ticket in `agent`'s name and team (a new customer, a
    new contact and the dropping of the kept draft named `clears_draft`, `usecases.drafts`, in the same
    transaction).

    Raises:
        TicketIncomplete: a field the ticket needs is empty.
        ValueRefused: a value the server would refuse (a NUL in the text).
        StoreError, ValueError: the store refused it (no such customer, read-only...).
    """
    check_draft(draft, strings)
    check_values("ticket", {"subject": draft.subject, "priority": draft.priority, "channel": draft.channel})
    check_values("interaction", {"body": draft.first_message})
    if not draft.customer_id:
        check_values("customer", {"name": draft.new_customer_name})
    contact = new_contact(draft)
    if contact is not None:
        check_values("contact", {"name": contact.name, "phones": contact.phones})
    return store.create_ticket(
        customer_id=draft.customer_id,
        new_customer=None if draft.customer_id else Customer(name=draft.new_customer_name.strip()),
        contact_id=None if contact is not None else draft.contact_id,
        new_contact=contact,
        asset_id=draft.asset_id if draft.customer_id else None,
        subject=draft.subject.strip(),
        first_message=draft.first_message.strip(),
        category=draft.category,
        priority=draft.priority,
        channel=draft.channel,
        assignee_id=agent.id if agent else None,
        team=agent.team if agent else "",
        at=at,
        clears_draft=clears_draft,
    )
