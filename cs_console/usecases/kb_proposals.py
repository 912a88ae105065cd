"""Learning from a resolved ticket: propose an article or template, review it, count its uses.

The proposal form starts from the thread: the ticket's subject as the title, the agent's
public replies as the body, the ticket's category and the customer's language. Only a
resolved or closed ticket is proposed from (its answer is known to work), and only a lead
or admin reviews; the server checks the same (`server.scope`), so a device that skipped
this check is refused there. It refuses to write anything but through the store.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cs_console.errors import UserError
from cs_console.lead.kb_contribution import Learning, Proposal, Use
from cs_console.lead.roles import is_lead
from cs_console.sync.schema import check_values

if TYPE_CHECKING:
    from cs_console.storage.models import Agent, KbProposal
    from cs_console.storage.tickets import TicketDetail
    from cs_console.store import Store

PROPOSED_FROM = ("resolved", "closed")
"""The statuses a ticket is proposed from: its answer worked."""


class ProposalRefused(UserError, ValueError):
    """A proposal or review this person may not make here; the message says why."""


@dataclass(frozen=True)
class ProposalDraft:
    """What the proposal form starts with, and what it saves."""

    kind: str
    title: str
    body: str
    category: str
    lang: str


def proposal_draft(detail: TicketDetail, agent_id: str | None, kind: str = "article") -> ProposalDraft:
    """The form pre-filled from the thread: subject, the agent's replies (everyone's when
    the agent wrote none), category and the customer's language.

    Raises:
        ProposalRefused: the ticket is not resolved or closed yet.
    """
    if detail.ticket.status not in PROPOSED_FROM:
        raise ProposalRefused(f"ticket {detail.ticket.number} is {detail.ticket.status.replace('_', ' ')}: "
                              "propose from a resolved or closed ticket, whose answer is known to work")
    replies = [i for i in detail.interactions if i.kind == "public_reply" and i.author_id is not None]
    own = [i.body for i in replies if i.author_id == agent_id] or [i.body for i in replies]
    return ProposalDraft(kind, detail.ticket.subject, "\n\n".join(own), detail.ticket.category,
                         detail.customer.language or "en")


def propose(store: Store, ticket_id: str, draft: ProposalDraft, *, author: Agent | None,
            at: datetime | None = None) -> KbProposal:
    """Save the proposal, waiting for a lead or admin.

    Raises:
        ProposalRefused: no agent is working; ValueRefused, StoreError: a value refused.
    """
    if author is None:
        raise ProposalRefused("choose who you are first: a proposal is credited to its author")
    check_values("kb_proposal", {"title": draft.title, "body": draft.body})
    return store.propose_kb(ticket_id, author_id=author.id, kind=draft.kind, title=draft.title, body=draft.body,
                            category=draft.category, lang=draft.lang, at=at)


def review(store: Store, proposal_id: str, *, reviewer: Agent | None, approve: bool, reason: str = "",
           at: datetime | None = None) -> KbProposal:
    """Approve (it becomes an article or template) or reject with a reason.

    Raises:
        ProposalRefused: the reviewer is not a lead or admin; StoreError: see `Store.review_kb_proposal`.
    """
    if not is_lead(reviewer):
        raise ProposalRefused("only a lead or an admin approves or rejects knowledge-base proposals")
    check_values("kb_proposal", {"reason": reason})
    return store.review_kb_proposal(proposal_id, reviewer_id=reviewer.id, approve=approve, reason=reason, at=at)


def learning_facts(store: Store) -> Learning:
    """The proposals and the uses of approved ones, as the report counts them."""
    rows = store.kb_learning()
    return Learning(tuple(Proposal(*row) for row in rows.proposals), tuple(Use(*row) for row in rows.uses))
