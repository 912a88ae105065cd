"""A customer's record and history, as the customer screen and the new-ticket form read them.

A long-standing customer's history runs to thousands of interactions, so the history comes
in keyset pages of plain tuples (`HistoryTicket`, `HistoryEntry`) read without the ORM, each
body cut to what a line shows; the ticket screen reads a message whole. It refuses writes:
a customer is created with their first ticket (`storage.tickets`) or comes down by sync.

Methods of `cs_console.store.Store`, which reads through `read` and `_plain_reads`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import NamedTuple

from sqlmodel import col, select

from cs_console.storage.errors import NotFound
from cs_console.storage.models import Contact, Customer
from cs_console.storage.plain import utc_from_text as _utc
from cs_console.utc import to_text
from cs_console.vocabulary import TRAIL_EVENT_KINDS

PHONE_SEPARATORS = (" ", "-", ".", "(", ")", "+", "/")
"""What people put between the digits of a phone number."""
PAGE_BODY_CHARS = 400
"""How much of an interaction's body a history page carries; the ticket screen shows it whole."""


class HistoryTicket(NamedTuple):
    """One of a customer's tickets, as their history lists it."""

    id: str
    number: str
    priority: str
    status: str
    subject: str
    created_at: datetime


class HistoryEntry(NamedTuple):
    """One interaction in a customer's history, its body cut to what a line can show; or one
    step of a ticket's trail (`vocabulary.TRAIL_EVENT_KINDS`), its body the event's detail."""

    id: str
    ticket_id: str
    number: str
    kind: str
    body: str
    created_at: datetime
    author_id: str | None = None


class Customers:
    """Finding a customer and paging through their history."""

    def customer(self, customer_id: str) -> Customer:
        with self.read() as session:
            found = session.get(Customer, customer_id)
        if found is None:
            raise NotFound(f"no customer with id {customer_id}")
        return found

    def contacts_by_reach(self, *, email: str = "", phone_tail: str = "", limit: int = 50) -> list[Contact]:
        """Contacts (not removed) with the address `email` (any case), or with a phone that,
        its spaces, dashes, dots, brackets and plus signs taken out, ends with the digits
        `phone_tail`; those whose customer has the latest ticket first. Candidates: the
        caller compares the numbers whole."""
        where, args = [], []
        if email:
            where.append("EXISTS (SELECT 1 FROM json_each(k.emails) e WHERE lower(e.value) = lower(?))")
            args.append(email)
        if phone_tail:
            digits = "p.value"
            for separator in PHONE_SEPARATORS:
                digits = f"replace({digits}, '{separator}', '')"
            where.append(f"EXISTS (SELECT 1 FROM json_each(k.phones) p WHERE {digits} LIKE ?)")
            args.append(f"%{phone_tail}")
        if not where:
            return []
        with self._plain_reads() as db:
            ids = [row[0] for row in db.execute(
                f"SELECT k.id FROM contact k WHERE NOT k.removed AND json_valid(k.emails) AND json_valid(k.phones) "
                f"AND ({' OR '.join(where)}) ORDER BY "
                "(SELECT max(created_at) FROM ticket t WHERE t.customer_id = k.customer_id) DESC, k.name LIMIT ?",
                (*args, limit))]
        with self.read() as session:
            found = {contact.id: contact for contact in session.exec(select(Contact).where(col(Contact.id).in_(ids)))}
        return [found[contact_id] for contact_id in ids if contact_id in found]

    def newest_ticket_of(self, customer_id: str, statuses: tuple[str, ...]) -> str | None:
        """The id of the customer's newest ticket in one of `statuses`, if any."""
        with self._plain_reads() as db:
            row = db.execute(
                f"SELECT id FROM ticket WHERE customer_id = ? AND status IN ({','.join('?' * len(statuses))}) "
                "ORDER BY created_at DESC, id DESC LIMIT 1", (customer_id, *statuses)).fetchone()
        return row[0] if row else None

    def customer_tickets_page(self, customer_id: str, after: HistoryTicket | None, limit: int, *,
                              contact_id: str | None = None, asset_id: str | None = None) -> list[HistoryTicket]:
        """Up to `limit` of a customer's tickets, newest first, from after `after`; only those
        naming `contact_id` or `asset_id` when one is given (a contact's or an asset's history)."""
        bound, bound_args = ("", ()) if after is None else (
            " AND (created_at, id) < (?, ?)", (to_text(after.created_at), after.id))
        named = [(column, value) for column, value in (("contact_id", contact_id), ("asset_id", asset_id)) if value]
        bound = "".join(f" AND {column} = ?" for column, _ in named) + bound
        with self._plain_reads() as db:
            page = db.execute(
                "SELECT id, number, priority, status, subject, created_at FROM ticket "
                f"WHERE customer_id = ?{bound} ORDER BY created_at DESC, id DESC LIMIT ?",
                (customer_id, *(value for _, value in named), *bound_args, limit),
            ).fetchall()
        return [HistoryTicket(*row[:5], _utc(row[5])) for row in page]

    def customer_interactions_page(self, customer_id: str, after: HistoryEntry | None, limit: int) -> list[HistoryEntry]:
        """Up to `limit` interactions and trail steps of all a customer's tickets, newest
        first, from after `after`: each source paged on its own index, then the two merged."""
        bound_args = () if after is None else (to_text(after.created_at), after.id)
        said = "" if after is None else " AND (h.created_at, h.interaction_id) < (?, ?)"
        done = "" if after is None else " AND (e.at, e.id) < (?, ?)"
        with self._plain_reads() as db:
            page = db.execute(
                "SELECT * FROM (SELECT i.id, i.ticket_id, t.number, i.kind, substr(i.body, 1, ?), h.created_at AS at, "
                "i.author_id FROM history_index h JOIN interaction i ON i.id = h.interaction_id "
                f"JOIN ticket t ON t.id = i.ticket_id WHERE h.customer_id = ?{said} "
                "ORDER BY h.created_at DESC, h.interaction_id DESC LIMIT ?) "
                "UNION ALL SELECT * FROM (SELECT e.id, e.ticket_id, t.number, e.kind, e.detail, e.at AS at, e.author_id "
                "FROM ticket t JOIN ticket_event e ON e.ticket_id = t.id "
                f"WHERE t.customer_id = ? AND e.kind IN (SELECT value FROM json_each(?)){done} "
                "ORDER BY e.at DESC, e.id DESC LIMIT ?) "
                "ORDER BY at DESC, 1 DESC LIMIT ?",
                (PAGE_BODY_CHARS, customer_id, *bound_args, limit,
                 customer_id, json.dumps(TRAIL_EVENT_KINDS), *bound_args, limit, limit),
            ).fetchall()
        return [HistoryEntry(*row[:5], _utc(row[5]), row[6]) for row in page]
