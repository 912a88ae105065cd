"""Lead reviews as stored: saving one (a new review or a correction, with its outbox
operation, in one transaction), the finished tickets a lead may sample, and the reviews
an agent or a report reads.

Methods of `cs_console.store.Store`. It refuses to know what a rubric or a good score is:
scores are stored as the JSON text the caller gives (`lead.rubric` checks it).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func
from sqlmodel import col, select

from cs_console.storage.errors import NotFound
from cs_console.storage.models import Agent, Interaction, Review, Ticket, TicketEvent

FINISHED_STATUSES = ("resolved", "closed")
"""Tickets whose conversation is over, so a review judges all of it."""


class SampleRow(NamedTuple):
    """A finished ticket a lead may review, with what the filters look at."""

    ticket_id: str
    number: str
    subject: str
    agent_id: str
    updated_at: datetime
    lowest_satisfaction: int | None
    """The lowest 1-5 score of its callbacks, if any."""
    lowest_nps: int | None
    escalated: bool
    reviewed: bool


class ReviewRow(NamedTuple):
    """A review with the ticket it judges (number and subject empty when the device lacks it)."""

    review: Review
    number: str
    subject: str
    reviewer: str


class Reviews:
    def save_review(self, *, ticket_id: str, agent_id: str, reviewer_id: str, scores: str, comment: str,
                    at: datetime, review_id: str | None = None) -> Review:
        """Store a new review, or change the review `review_id` (scores, comment, when).

        Raises:
            NotFound: the ticket, an agent or the review to change does not exist; nothing was written.
        """
        with self.write() as session:
            if session.get(Ticket, ticket_id) is None:
                raise NotFound(f"no ticket with id {ticket_id}")
            for person in (agent_id, reviewer_id):
                if session.get(Agent, person) is None:
                    raise NotFound(f"no agent with id {person}")
            if review_id is None:
                review = Review(ticket_id=ticket_id, agent_id=agent_id, reviewer_id=reviewer_id, scores=scores,
                                comment=comment, reviewed_at=at)
                self._insert(session, review)
                return review
            review = session.get(Review, review_id)
            if review is None:
                raise NotFound(f"no review with id {review_id}")
            self._update(session, review, {"scores": scores, "comment": comment, "reviewed_at": at})
            return review

    def review_samples(self, agent_ids: Collection[str], since: datetime) -> list[SampleRow]:
        """The finished tickets of these agents last changed at or after `since`, newest first."""
        if not agent_ids:
            return []
        with self.read() as session:
            lowest = (select(func.min(Interaction.satisfaction)).where(Interaction.ticket_id == Ticket.id,
                                                                       Interaction.kind == "callback")
                      .correlate(Ticket).scalar_subquery())
            lowest_nps = (select(func.min(Interaction.nps)).where(Interaction.ticket_id == Ticket.id,
                                                                  Interaction.kind == "callback")
                          .correlate(Ticket).scalar_subquery())
            escalated = (select(TicketEvent.id).where(TicketEvent.ticket_id == Ticket.id,
                                                      TicketEvent.kind == "escalated").correlate(Ticket).exists())
            reviewed = select(Review.id).where(Review.ticket_id == Ticket.id).correlate(Ticket).exists()
            query = (
                select(Ticket.id, Ticket.number, Ticket.subject, Ticket.assignee_id, Ticket.updated_at, lowest,
                       lowest_nps, escalated, reviewed)
                .where(col(Ticket.assignee_id).in_(sorted(agent_ids)), col(Ticket.status).in_(FINISHED_STATUSES),
                       Ticket.updated_at >= since)
                .order_by(col(Ticket.updated_at).desc(), Ticket.id)
            )
            return [SampleRow(*row[:7], bool(row[7]), bool(row[8])) for row in session.exec(query)]

    def review_of_ticket(self, ticket_id: str, agent_id: str) -> Review | None:
        """The latest review of this agent's work on this ticket, if there is one."""
        with self.read() as session:
            query = (select(Review).where(Review.ticket_id == ticket_id, Review.agent_id == agent_id)
                     .order_by(col(Review.reviewed_at).desc()))
            return session.exec(query).first()

    def reviews_of(self, agent_id: str) -> list[ReviewRow]:
        """The reviews of an agent's work, newest first."""
        return self._review_rows(Review.agent_id == agent_id)

    def reviews_between(self, start: datetime, end: datetime) -> list[Review]:
        """Every review made from `start` up to (not including) `end`."""
        with self.read() as session:
            return list(session.exec(select(Review).where(Review.reviewed_at >= start, Review.reviewed_at < end)))

    def _review_rows(self, condition) -> list[ReviewRow]:
        with self.read() as session:
            query = (
                select(Review, Ticket.number, Ticket.subject, Agent.name)
                .join(Ticket, col(Ticket.id) == Review.ticket_id, isouter=True)
                .join(Agent, col(Agent.id) == Review.reviewer_id, isouter=True)
                .where(condition)
                .order_by(col(Review.reviewed_at).desc(), Review.id)
            )
            return [ReviewRow(review, number or "", subject or "", reviewer or "")
                    for review, number, subject, reviewer in session.exec(query)]
