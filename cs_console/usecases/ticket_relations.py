"""Merge a duplicate into the ticket that stays, undo it, link related tickets, and find a
new ticket's likely duplicates: once for the screens, the demo and the tests.

The duplicate closes as merged with the events the workflow says a close for the reason
"merged" records (`clocks.workflow`), so its clocks are waived, not missed; undoing the
merge reopens it the same way. It refuses to write but through the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cs_console.clocks import workflow
from cs_console.search.duplicates import RECENT, likely_duplicates
from cs_console.utc import utcnow

if TYPE_CHECKING:
    from cs_console.storage.models import Ticket, TicketLink
    from cs_console.store import Store

@dataclass(frozen=True)
class MergeDone:
    """A merge as the console remembers it until it closes, so it can be undone."""

    duplicate_id: str
    duplicate_number: str
    staying_id: str
    staying_number: str


def merge_tickets(store: Store, duplicate_id: str, staying_id: str, *, author_id: str | None,
                  at: datetime | None = None) -> MergeDone:
    """Close `duplicate_id` as merged into `staying_id` (or the ticket that one was merged into).

    Raises:
        StoreError: see `Store.merge_ticket`; nothing was changed.
    """
    staying = store.merge_ticket(
        duplicate_id, staying_id, author_id=author_id, at=at, event_time=workflow.event_time,
        events_for=lambda old, new: workflow.events_for_status_change(old, new, "merged"),
    )
    duplicate = store.ticket_detail(duplicate_id).ticket
    return MergeDone(duplicate_id, duplicate.number, staying.id, staying.number)


def undo_merge(store: Store, merge: MergeDone, *, author_id: str | None, at: datetime | None = None) -> Ticket:
    """Take the duplicate out of the staying ticket's thread and back to its old status.

    Raises:
        StoreError: it is no longer merged; nothing was changed.
    """
    return store.unmerge_ticket(merge.duplicate_id, author_id=author_id, at=at, event_time=workflow.event_time,
                                events_for=workflow.events_for_status_change)


def link_tickets(store: Store, ticket_id: str, other_id: str, kind: str, *, author_id: str | None,
                 at: datetime | None = None) -> TicketLink:
    """Link two tickets ("related", or "parent": `ticket_id` is the parent of `other_id`)."""
    return store.link_tickets(ticket_id, other_id, kind, author_id=author_id, at=at)


def unlink_tickets(store: Store, link_id: str, *, author_id: str | None, at: datetime | None = None) -> TicketLink:
    return store.unlink_tickets(link_id, author_id=author_id, at=at)


def duplicate_candidates(store: Store, customer_id: str, subject: str, *, now: datetime | None = None,
                         excluding: str | None = None) -> list[Ticket]:
    """The open tickets of the same customer from the last `RECENT` days whose subject is
    like `subject`, most alike first (a ticket's own id can be left out with `excluding`);
    which tickets are compared is `storage.ticket_relations.duplicate_pool`'s rule."""
    since = (now or utcnow()) - RECENT
    tickets = [t for t in store.open_tickets_of_customer(customer_id, since) if t.id != excluding]
    return [found.item for found in likely_duplicates(subject, ((t, t.subject) for t in tickets))]
