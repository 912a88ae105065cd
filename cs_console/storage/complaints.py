"""A ticket's complaint mark and the PEARL steps worked on it, as ticket events.

The mark is an event ("complaint_marked", "complaint_cleared"), so two devices that mark
and clear offline converge on the latest; each PEARL step done is a "pearl_<step>" event
whose detail keeps the agent's note, so the steps sync, never conflict, and read as the
ticket's trail. Whether a ticket is a complaint now is read from those events
(`lead.complaints`); this module only writes them, refusing what cannot be meant.

Methods of `cs_console.store.Store`, which writes through `_insert`.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlmodel import select

from cs_console.storage.errors import NotFound, StoreError
from cs_console.storage.models import Ticket, TicketEvent
from cs_console.utc import utcnow
from cs_console.vocabulary import PEARL_STEPS

MARKS = ("complaint_marked", "complaint_cleared")


class Complaints:
    """Marking a ticket a complaint, clearing the mark, and the PEARL steps of one."""

    def mark_complaint(self, ticket_id: str, marked: bool, *, author_id: str | None, source: str = "agent",
                       at: datetime | None = None) -> TicketEvent:
        """Mark the ticket a complaint (or clear the mark); `source` says who thought so
        first: "agent", or "sentiment" when the angry-message flag suggested it.

        Raises:
            StoreError: the ticket is already (or is not) a complaint; nothing was written.
        """
        with self.write() as session:
            if session.get(Ticket, ticket_id) is None:
                raise NotFound(f"no ticket with id {ticket_id}")
            if self._is_complaint(session, ticket_id) == marked:
                raise StoreError("the ticket is already a complaint" if marked else "the ticket is not a complaint")
            event = TicketEvent(ticket_id=ticket_id, kind=MARKS[0] if marked else MARKS[1], at=at or utcnow(),
                                author_id=author_id, detail=json.dumps({"source": source}))
            self._insert(session, event)
        return event

    def record_pearl_step(self, ticket_id: str, step: str, note: str, *, author_id: str | None,
                          at: datetime | None = None) -> TicketEvent:
        """One PEARL step done on a complaint, with the agent's note of what was done.

        Raises:
            StoreError: an unknown step, an empty note, or a ticket that is no complaint.
        """
        if step not in PEARL_STEPS:
            raise StoreError(f"unknown PEARL step {step!r}; expected one of {', '.join(PEARL_STEPS)}")
        if not note.strip():
            raise StoreError(f"the PEARL step {step!r} needs a note of what was done")
        with self.write() as session:
            if session.get(Ticket, ticket_id) is None:
                raise NotFound(f"no ticket with id {ticket_id}")
            if not self._is_complaint(session, ticket_id):
                raise StoreError("the ticket is not a complaint: mark it first")
            event = TicketEvent(ticket_id=ticket_id, kind=f"pearl_{step}", at=at or utcnow(), author_id=author_id,
                                detail=json.dumps({"note": note.strip()}, ensure_ascii=False))
            self._insert(session, event)
        return event

    def _is_complaint(self, session, ticket_id: str) -> bool:
        latest = session.exec(select(TicketEvent.kind).where(TicketEvent.ticket_id == ticket_id,
                                                             TicketEvent.kind.in_(MARKS))
                              .order_by(TicketEvent.at.desc(), TicketEvent.hlc.desc())).first()
        return latest == MARKS[0]
