"""Tickets that belong together: a duplicate merged into the ticket that stays, and links
between related tickets (parent and child, or related both ways).

A merge moves no row. The duplicate closes as merged ("marked_merged", whose detail names
the ticket that stays and the status it left) and points there through `merged_into`, a
field that merges last-writer-wins like any other; the staying ticket's thread reads the
messages, notes and activity of every ticket whose pointers lead to it. So the append-only
history never changes hands, two devices converge by the field's clock alone, and undoing
a merge is one field and one status change. The staying ticket's own events are untouched,
so its clocks are unchanged. (Tags, once tickets carry them, are read through the same pointers.)

A link is a row of its own whose id is made from its kind and its two tickets
(`models.link_id`): two devices adding the same link make the same row, and removing one
sets `removed`. Each end records a "linked" or "unlinked" event for its trail.

Methods of `cs_console.store.Store`. It refuses to decide which events a status change
records (the workflow's rule, passed in by `usecases.ticket_relations`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, or_, select

from cs_console.storage.errors import NotFound, StoreError
from cs_console.storage.models import Interaction, Ticket, TicketEvent, TicketLink, link_id
from cs_console.storage.tickets import EventTime, StatusEvents, _detail
from cs_console.utc import utcnow
from cs_console.vocabulary import ACTIVE_STATUSES, LINK_KINDS

MAX_CHAIN = 64
"""Pointers followed from one ticket to the ticket it was finally merged into; a longer
chain (or a loop two offline devices made before the server broke it) stops there."""


def merge_root(session: Session, ticket: Ticket) -> Ticket:
    """The ticket at the end of `ticket`'s merge pointers (itself when not merged), where its
    thread is read; a pointer to a ticket not in this database, or back into the chain, ends it."""
    seen = {ticket.id}
    while ticket.merged_into is not None and ticket.merged_into not in seen and len(seen) < MAX_CHAIN:
        target = session.get(Ticket, ticket.merged_into)
        if target is None:
            break
        seen.add(target.id)
        ticket = target
    return ticket


@dataclass(frozen=True)
class LinkedTicket:
    """One link as a ticket shows it: the other ticket and what it is to this one."""

    link_id: str
    kind: str
    role: str
    """What the other ticket is to this one: "parent", "child" or "related"."""
    other_id: str
    other: Ticket | None
    """None when the other ticket is not on this device (outside its scope)."""


@dataclass(frozen=True)
class Relations:
    """What a ticket's screen shows of the tickets that belong with it."""

    merged_into: Ticket | None = None
    """The ticket this one was merged into, at the end of the pointers, when it is on this device."""
    merged: tuple[Ticket, ...] = ()
    """The tickets merged into this one (directly or through others), oldest first."""
    interactions: tuple[Interaction, ...] = ()
    """The messages and notes of the merged tickets."""
    events: tuple[TicketEvent, ...] = ()
    """The events of the merged tickets: their trail, never this ticket's clocks."""
    links: tuple[LinkedTicket, ...] = ()


def duplicate_pool(customer_id: str, since: datetime, excluding: str | None = None):
    """The query for the tickets a new ticket may duplicate, on a device and on the server:
    the same party's tickets still being worked and not merged, made at or after `since`,
    newest first. The party is the customer today; a ticket's asset (the vessel, the rig),
    once tickets name one, is matched here too."""
    query = select(Ticket).where(Ticket.customer_id == customer_id, col(Ticket.status).in_(ACTIVE_STATUSES),
                                 col(Ticket.merged_into).is_(None), Ticket.created_at >= since)
    if excluding is not None:
        query = query.where(Ticket.id != excluding)
    return query.order_by(col(Ticket.created_at).desc())


def _role(link: TicketLink, ticket_id: str) -> str:
    if link.kind == "related":
        return "related"
    return "child" if link.ticket_id == ticket_id else "parent"


class TicketRelations:
    """Merging, undoing a merge, linking and unlinking tickets; reading what belongs together."""

    def merge_ticket(self, duplicate_id: str, staying_id: str, *, author_id: str | None, events_for: StatusEvents,
                     event_time: EventTime, at: datetime | None = None) -> Ticket:
        """Close `duplicate_id` as merged into `staying_id` (or into the ticket that one was
        merged into), in one transaction; returns the ticket that stays.

        Raises:
            NotFound: either ticket is not on this device.
            StoreError: the two are one ticket, the duplicate is merged already, or the
                ticket that stays was merged into the duplicate; nothing was changed.
        """
        at = at or utcnow()
        with self.write() as session:
            duplicate, staying = self._ticket(session, duplicate_id), self._ticket(session, staying_id)
            if duplicate.merged_into is not None:
                into = session.get(Ticket, duplicate.merged_into)
                where = into.number if into else "another"
                raise StoreError(f"ticket {duplicate.number} is merged into {where} already")
            staying = merge_root(session, staying)
            if staying.id == duplicate.id:
                raise StoreError(f"ticket {duplicate.number} cannot be merged into itself"
                                 + ("" if staying_id == duplicate_id else f" (ticket {staying_id} was merged into it)"))
            kinds = events_for(duplicate.status, "closed") or ("marked_merged",)
            detail = _detail(into=staying.id, number=staying.number, status=duplicate.status)
            self._move_status(session, duplicate, "closed", kinds, event_time=event_time, author_id=author_id, at=at,
                              details={"marked_merged": detail}, changes={"merged_into": staying.id})
        return staying

    def unmerge_ticket(self, duplicate_id: str, *, author_id: str | None, events_for: StatusEvents,
                       event_time: EventTime, at: datetime | None = None) -> Ticket:
        """Undo a merge: the duplicate leaves the staying ticket's thread and goes back to the
        status it had before; returns the duplicate.

        Raises:
            NotFound: no such ticket. StoreError: it is not merged; nothing was changed.
        """
        at = at or utcnow()
        with self.write() as session:
            duplicate = self._ticket(session, duplicate_id)
            if duplicate.merged_into is None:
                raise StoreError(f"ticket {duplicate.number} is not merged into another")
            marks = session.exec(select(TicketEvent.detail).where(
                TicketEvent.ticket_id == duplicate_id, TicketEvent.kind == "marked_merged"
            ).order_by(col(TicketEvent.at).desc(), col(TicketEvent.hlc).desc())).first()
            before = json.loads(marks or "{}").get("status") or "open"
            into = session.get(Ticket, duplicate.merged_into)
            self._insert(session, TicketEvent(ticket_id=duplicate_id, kind="unmerged", at=at, author_id=author_id,
                                              detail=_detail(**{"from": duplicate.merged_into,
                                                                "number": into.number if into else ""})))
            self._move_status(session, duplicate, before, events_for(duplicate.status, before), event_time=event_time,
                              author_id=author_id, at=at, changes={"merged_into": None})
        return duplicate

    def link_tickets(self, ticket_id: str, other_id: str, kind: str, *, author_id: str | None,
                     at: datetime | None = None) -> TicketLink:
        """Link two tickets: "related", or "parent" with `ticket_id` the parent of `other_id`.
        A link removed earlier comes back.

        Raises:
            NotFound: either ticket is not on this device.
            StoreError: an unknown kind, one ticket twice, a link already there, or a parent
                link the other way round; nothing was changed.
        """
        if kind not in LINK_KINDS:
            raise StoreError(f"unknown link kind {kind!r}; expected one of {', '.join(LINK_KINDS)}")
        at = at or utcnow()
        with self.write() as session:
            ticket, other = self._ticket(session, ticket_id), self._ticket(session, other_id)
            if ticket.id == other.id:
                raise StoreError(f"ticket {ticket.number} cannot be linked to itself")
            if kind == "parent":
                reverse = session.get(TicketLink, link_id("parent", other_id, ticket_id))
                if reverse is not None and not reverse.removed:
                    raise StoreError(f"ticket {other.number} is already the parent of {ticket.number}")
            first, second = sorted((ticket, other), key=lambda t: t.id) if kind == "related" else (ticket, other)
            link = session.get(TicketLink, link_id(kind, first.id, second.id))
            if link is not None and not link.removed:
                raise StoreError(f"tickets {ticket.number} and {other.number} are linked already")
            if link is None:
                link = TicketLink(id=link_id(kind, first.id, second.id), ticket_id=first.id, other_id=second.id,
                                  kind=kind, created_at=at)
                self._insert(session, link)
            else:
                self._update(session, link, {"removed": False})
            self._link_events(session, link, "linked", first, second, author_id, at)
        return link

    def unlink_tickets(self, link_id_: str, *, author_id: str | None, at: datetime | None = None) -> TicketLink:
        """Remove a link; both tickets' trails say so.

        Raises:
            NotFound: no such link. StoreError: it was removed already.
        """
        at = at or utcnow()
        with self.write() as session:
            link = session.get(TicketLink, link_id_)
            if link is None:
                raise NotFound(f"no link with id {link_id_}")
            if link.removed:
                raise StoreError("this link was removed already")
            self._update(session, link, {"removed": True})
            self._link_events(session, link, "unlinked", session.get(Ticket, link.ticket_id),
                              session.get(Ticket, link.other_id), author_id, at)
        return link

    def _link_events(self, session: Session, link: TicketLink, kind: str, first: Ticket | None,
                     second: Ticket | None, author_id: str | None, at: datetime) -> None:
        """A "linked" or "unlinked" event on each end this device holds, naming the other end."""
        for this, that in ((first, second), (second, first)):
            if this is None or that is None:
                continue
            self._insert(session, TicketEvent(ticket_id=this.id, kind=kind, at=at, author_id=author_id,
                                              detail=_detail(ticket=that.id, number=that.number,
                                                             role=_role(link, this.id))))

    def open_tickets_of_customer(self, customer_id: str, since: datetime) -> list[Ticket]:
        """Where a new ticket's likely duplicates are looked for (`duplicate_pool`)."""
        with self.read() as session:
            return list(session.exec(duplicate_pool(customer_id, since)))

    def _ticket(self, session: Session, ticket_id: str) -> Ticket:
        ticket = session.get(Ticket, ticket_id)
        if ticket is None:
            raise NotFound(f"no ticket with id {ticket_id}")
        return ticket

    def _relations(self, session: Session, ticket: Ticket) -> Relations:
        """The merged tickets and their history, where this one was merged into, and its links."""
        merged: list[Ticket] = []
        seen, frontier = {ticket.id}, [ticket.id]
        while frontier and len(seen) < MAX_CHAIN:
            found = session.exec(select(Ticket).where(col(Ticket.merged_into).in_(frontier))
                                 .order_by(Ticket.created_at)).all()
            frontier = [row.id for row in found if row.id not in seen]
            seen.update(frontier)
            merged += [row for row in found if row.id in frontier]
        ids = [row.id for row in merged]
        # What else a merged ticket brings (its tags, once tickets carry them) is read here, by `ids`.
        interactions = tuple(session.exec(select(Interaction).where(col(Interaction.ticket_id).in_(ids))
                                          .order_by(Interaction.created_at, Interaction.hlc))) if ids else ()
        events = tuple(session.exec(select(TicketEvent).where(col(TicketEvent.ticket_id).in_(ids))
                                    .order_by(TicketEvent.at, TicketEvent.hlc))) if ids else ()
        root = merge_root(session, ticket) if ticket.merged_into else None
        rows = session.exec(select(TicketLink).where(
            or_(TicketLink.ticket_id == ticket.id, TicketLink.other_id == ticket.id), col(TicketLink.removed).is_(False)
        ).order_by(TicketLink.created_at)).all()
        links = []
        for link in rows:
            other_id = link.other_id if link.ticket_id == ticket.id else link.ticket_id
            links.append(LinkedTicket(link.id, link.kind, _role(link, ticket.id), other_id,
                                      session.get(Ticket, other_id)))
        return Relations(
            merged_into=root if root is not None and root.id != ticket.id else None,
            merged=tuple(merged), interactions=interactions, events=events, links=tuple(links),
        )
