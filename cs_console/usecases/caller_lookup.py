"""Who is calling, and what to open for them: the hotline's lookup (`cs-console call NUMBER`),
and the new-ticket form's search by phone number or email address.

Phone numbers are compared whole in E.164 (`channels.phone`), so `+86 138 0013 8000`,
`13800138000` and `0086-138 0013 8000` find the same contact; the store only narrows the
candidates by the last digits. A call opens the newest open ticket of the caller's
organisation, else the new-ticket form for that organisation and contact, else the form
offering a new customer with the number.
Call from a thread worker. It refuses to open screens: the app does, with what this returns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from cs_console.channels.phone import TAIL_DIGITS, normalise_phone
from cs_console.channels.reach import stored_list
from cs_console.errors import UserError
from cs_console.vocabulary import ACTIVE_STATUSES

if TYPE_CHECKING:
    from cs_console.storage.full_text import CustomerHit
    from cs_console.storage.models import Contact, Customer
    from cs_console.store import Store


class NotAPhoneNumber(UserError, ValueError):
    """What `cs-console call` was given is not a phone number."""


@dataclass(frozen=True)
class Caller:
    """Who is on the line and what to open for them."""

    phone: str
    """The number in E.164 (`+8613800138000`)."""
    customer: Customer | None = None
    """The organisation of the contact with that number; None for a number nobody here has."""
    contact: Contact | None = None
    """The contact with that number."""
    ticket_id: str | None = None
    """The customer's newest open ticket, to open at once; None: file a new one."""


def phone_or_refuse(text: str, region: str) -> str:
    """`text` in E.164.

    Raises:
        NotAPhoneNumber: it is not a possible phone number, the sentence says why.
    """
    phone = normalise_phone(text, region)
    if phone is None:
        raise NotAPhoneNumber(f"{text!r} is not a phone number (expected one like +86 138 0013 8000, "
                              f"or a {region} number without the country code)")
    return phone


def contacts_by_phone(store: Store, phone: str, region: str) -> list[Contact]:
    """The contacts with the phone `phone` (E.164), those whose customer has the latest ticket first."""
    candidates = store.contacts_by_reach(phone_tail=phone[-TAIL_DIGITS:])
    return [contact for contact in candidates if phone in {normalise_phone(p, region) for p in stored_list(contact.phones)}]


def look_up_caller(store: Store, number: str, region: str) -> Caller:
    """What to open for a call from `number`.

    Raises:
        NotAPhoneNumber: `number` is not a phone number.
        StoreError: the database cannot be read.
    """
    phone = phone_or_refuse(number, region)
    contacts = contacts_by_phone(store, phone, region)
    for contact in contacts:
        ticket_id = store.newest_ticket_of(contact.customer_id, ACTIVE_STATUSES)
        if ticket_id is not None:
            return Caller(phone, store.customer(contact.customer_id), contact, ticket_id)
    if contacts:
        return Caller(phone, store.customer(contacts[0].customer_id), contacts[0])
    return Caller(phone)


def find_customers(store: Store, text: str, region: str, limit: int = 8) -> list[CustomerHit]:
    """The new-ticket form's search: customers with a contact whose email is `text` or whose
    phone is the number `text` spells, first, then those `search_all.find_customers` finds (any field,
    pinyin and initials, a name typed with a slip)."""
    from cs_console.usecases import search_all  # pinyin and typo matching: the form's, not a call's

    text = text.strip()
    if not text:
        return []
    by_contact: list[Contact] = []
    if "@" in text:
        by_contact = store.contacts_by_reach(email=text, limit=limit)
    else:
        phone = normalise_phone(text, region)
        if phone is not None:
            by_contact = contacts_by_phone(store, phone, region)
    hits = [*store.customers_by_id(list(dict.fromkeys(contact.customer_id for contact in by_contact))),
            *search_all.find_customers(store, text, limit)]
    found = {hit.id: hit for hit in hits}
    return list(found.values())[:limit]
