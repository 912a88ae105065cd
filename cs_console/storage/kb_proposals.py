"""Knowledge-base proposals as stored: an agent proposes, a lead or admin reviews.

Approving writes, in the one transaction, the proposal's new state and the article or
template it becomes, under the proposal's own id, so whoever reads a use of that article
later can tell whose work it was. A use of an article or template in a reply is a
"kb_used" ticket event, synced with the ticket, so other devices count it too. Who may
review is the use case's and the server's rule (`usecases.kb_proposals`, `server.scope`);
this module only refuses what no one can mean (a review of a reviewed proposal, a rejection
without a reason).

Methods of `cs_console.store.Store`, which writes through `_insert` and `_update`.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import NamedTuple

from sqlmodel import col, select

from cs_console.storage.errors import NotFound, StoreError
from cs_console.storage.models import Agent, KbArticle, KbProposal, Template, Ticket, TicketEvent
from cs_console.storage.plain import utc_from_text as from_text
from cs_console.utc import utcnow
from cs_console.vocabulary import PROPOSAL_KINDS


class ProposalRow(NamedTuple):
    """A proposal as a list shows it: with its ticket's number and the names of its people."""

    proposal: KbProposal
    number: str
    author: str
    reviewer: str


class LearningRows(NamedTuple):
    """What the knowledge-base contribution is counted from."""

    proposals: list[tuple[str, str, str, datetime, datetime | None]]
    """(id, author id, state, created at, reviewed at) of every proposal."""
    uses: list[tuple[str, str | None, datetime]]
    """(document id, the agent who used it, when) of every use of an approved proposal's document."""


class KbProposals:
    """Proposing an article or template from a ticket, reviewing it, and counting its uses."""

    def propose_kb(self, ticket_id: str, *, author_id: str, kind: str, title: str, body: str, category: str = "other",
                   lang: str = "en", at: datetime | None = None) -> KbProposal:
        """Save a proposal, waiting for review.

        Raises:
            StoreError: an unknown kind, an empty title or body, or no such ticket; nothing was written.
        """
        if kind not in PROPOSAL_KINDS:
            raise StoreError(f"unknown proposal kind {kind!r}; expected one of {', '.join(PROPOSAL_KINDS)}")
        if not title.strip():
            raise StoreError("a knowledge-base proposal needs a title")
        if not body.strip():
            raise StoreError("a knowledge-base proposal needs a body")
        proposal = KbProposal(ticket_id=ticket_id, author_id=author_id, kind=kind, title=title.strip(),
                              body=body.strip(), category=category, lang=lang, created_at=at or utcnow())
        with self.write() as session:
            if session.get(Ticket, ticket_id) is None:
                raise NotFound(f"no ticket with id {ticket_id}")
            self._insert(session, proposal)
        return proposal

    def kb_proposals(self, *, state: str | None = None, author_id: str | None = None) -> list[ProposalRow]:
        """Proposals this device holds, newest first; only those in `state` or by `author_id` when given."""
        with self.read() as session:
            query = select(KbProposal, Ticket.number).join(Ticket, col(Ticket.id) == KbProposal.ticket_id)
            if state is not None:
                query = query.where(KbProposal.state == state)
            if author_id is not None:
                query = query.where(KbProposal.author_id == author_id)
            rows = list(session.exec(query.order_by(col(KbProposal.created_at).desc())))
            people = {p.author_id for p, _ in rows} | {p.reviewer_id for p, _ in rows if p.reviewer_id}
            names = {a.id: a.name for a in session.exec(select(Agent).where(col(Agent.id).in_(people)))}
        return [ProposalRow(p, number, names.get(p.author_id, p.author_id), names.get(p.reviewer_id or "", ""))
                for p, number in rows]

    def review_kb_proposal(self, proposal_id: str, *, reviewer_id: str, approve: bool, reason: str = "",
                           at: datetime | None = None) -> KbProposal:
        """Approve a waiting proposal (it becomes an article or template with its id) or
        reject it with `reason`, which its author reads.

        Raises:
            StoreError: no such proposal, one already reviewed, or a rejection without a reason.
        """
        if not approve and not reason.strip():
            raise StoreError("a rejected proposal needs a reason its author can act on")
        at = at or utcnow()
        with self.write() as session:
            proposal = session.get(KbProposal, proposal_id)
            if proposal is None:
                raise NotFound(f"no knowledge-base proposal with id {proposal_id}")
            if proposal.state != "waiting":
                raise StoreError(f"the proposal “{proposal.title}” was already {proposal.state}")
            self._update(session, proposal, {"state": "approved" if approve else "rejected", "reason": reason.strip(),
                                             "reviewer_id": reviewer_id, "reviewed_at": at})
            if approve:
                model = KbArticle if proposal.kind == "article" else Template
                extra = {"category": proposal.category} if model is KbArticle else {}
                self._insert(session, model(id=proposal.id, title=proposal.title, body=proposal.body,
                                            lang=proposal.lang, updated_at=at, **extra))
        return proposal

    def note_kb_use(self, ticket_id: str, doc_id: str, doc_kind: str, *, author_id: str | None,
                    at: datetime | None = None) -> None:
        """An article or template used in a reply on the ticket, counted for its author.

        A read-only session counts nothing: using the knowledge base is not a change to refuse."""
        if self.readonly:
            return
        with self.write() as session:
            if session.get(Ticket, ticket_id) is None:
                raise NotFound(f"no ticket with id {ticket_id}")
            self._insert(session, TicketEvent(ticket_id=ticket_id, kind="kb_used", at=at or utcnow(),
                                              author_id=author_id, detail=json.dumps({"doc": doc_id, "kind": doc_kind})))

    def kb_learning(self) -> LearningRows:
        """Every proposal, and every use of an approved one's article or template."""
        with self._plain_reads() as db:
            proposals = [(id_, author, state, from_text(created), from_text(reviewed) if reviewed else None)
                         for id_, author, state, created, reviewed in db.execute(
                             "SELECT id, author_id, state, created_at, reviewed_at FROM kb_proposal")]
            uses = [(doc, author, from_text(at)) for doc, author, at in db.execute(
                "SELECT json_extract(detail, '$.doc'), author_id, at FROM ticket_event WHERE kind = 'kb_used' "
                "AND json_extract(detail, '$.doc') IN (SELECT id FROM kb_proposal WHERE state = 'approved')")]
        return LearningRows(proposals, uses)
