"""The server's questions about the people of its customers: who writes from a mail address
or calls from a number, who a ticket's replies go to, and the contact it makes for someone new.

Contacts keep their phones and emails as JSON arrays of text, so the database narrows the
candidates with a LIKE on that text (an address between quotes, a number's last digits) and
the answer is checked whole here. A customer of an earlier release not yet upgraded (its
person still on the customer row) is answered from that row. It refuses to decide scope.
"""

from __future__ import annotations

import json
import uuid

from sqlalchemy import func, or_, select
from sqlmodel import Session, col

from cs_console.channels.phone import DEFAULT_REGION, TAIL_DIGITS, normalise_phone
from cs_console.server.db import Numbers
from cs_console.server.merge import server_write
from cs_console.storage.customers import PHONE_SEPARATORS
from cs_console.storage.models import Contact, Customer, Ticket
from cs_console.utc import to_text, utcnow


def _items(stored: str) -> list[str]:
    try:
        found = json.loads(stored or "[]")
    except ValueError:
        return []
    return [str(item) for item in found] if isinstance(found, list) else []


def emails_of(contact: Contact) -> list[str]:
    return _items(contact.emails)


def _digits(column):
    """SQL: a text column with the usual phone separators taken out."""
    for separator in PHONE_SEPARATORS:
        column = func.replace(column, separator, "")
    return column


def reaching(email: str = "", phone: str | None = None):
    """SQL filter on Contact: not removed, and maybe holding `email` (any case) or a phone ending
    like the E.164 `phone`; None when neither is given."""
    conditions = []
    if email:
        conditions.append(func.lower(Contact.emails).contains(f'"{email.lower()}"', autoescape=True))
    if phone:
        conditions.append(_digits(col(Contact.phones)).contains(phone[-TAIL_DIGITS:], autoescape=True))
    return None if not conditions else (col(Contact.removed).is_(False), or_(*conditions))


def reaches(contact: Contact, email: str = "", phone: str | None = None) -> bool:
    """The contact really has the address or the number (the LIKE only narrowed)."""
    if email and email.lower() in {address.lower() for address in emails_of(contact)}:
        return True
    return bool(phone) and phone in {normalise_phone(number, DEFAULT_REGION) for number in _items(contact.phones)}


def contact_with_email(session: Session, address: str, customer_id: str | None = None) -> Contact | None:
    """A contact with this mail address (of `customer_id` when given), the latest changed first."""
    query = select(Contact).where(*reaching(email=address)).order_by(col(Contact.updated_at).desc())
    if customer_id is not None:
        query = query.where(Contact.customer_id == customer_id)
    return next((contact for contact in session.scalars(query) if reaches(contact, email=address)), None)


def writes_for(session: Session, address: str, customer_id: str) -> bool:
    """The address is one of the customer's contacts' (or, not yet upgraded, the customer's own)."""
    if not address:
        return False
    if contact_with_email(session, address, customer_id) is not None:
        return True
    customer = session.get(Customer, customer_id)
    return customer is not None and address.lower() == (customer.email or "").strip().lower()


def addressee(session: Session, ticket: Ticket, wrote_from: str | None = None) -> tuple[str, str | None]:
    """Who a ticket's replies go to: its contact's name and the address they last wrote from
    (`wrote_from`, in lower case) when it is theirs, else their first (or, for a ticket naming
    no contact, the customer's of an earlier release); no address: None."""
    customer = session.get(Customer, ticket.customer_id)
    contact = session.get(Contact, ticket.contact_id) if ticket.contact_id else None
    if contact is not None:
        addresses = [address.strip() for address in emails_of(contact) if "@" in address]
        chosen = next((address for address in addresses if address.lower() == wrote_from), None)
        return contact.name, chosen or (addresses[0] if addresses else None)
    if customer is None:
        return ticket.customer_id, None
    email = (customer.email or "").strip()
    return customer.contact_name or customer.name, email if "@" in email else None


def addresses_of(session: Session, ticket: Ticket) -> frozenset[str]:
    """Every address (lower case) that writes as the ticket's own contact."""
    contact = session.get(Contact, ticket.contact_id) if ticket.contact_id else None
    if contact is not None:
        return frozenset(address.lower() for address in emails_of(contact))
    _, legacy = addressee(session, ticket)
    return frozenset({legacy.lower()} if legacy else ())


def add_contact(session: Session, numbers: Numbers, customer_id: str, name: str, now_ms: int, *,
                email: str = "", phone: str = "") -> str:
    """A new contact of the customer, written by the server (mail, the intake API); returns its id."""
    contact_id, now = str(uuid.uuid4()), to_text(utcnow())
    server_write(session, numbers, "contact", contact_id, {
        "customer_id": customer_id, "name": name, "emails": json.dumps([email] if email else [], ensure_ascii=False),
        "phones": json.dumps([phone] if phone else []), "created_at": now, "updated_at": now,
    }, now_ms)
    return contact_id
