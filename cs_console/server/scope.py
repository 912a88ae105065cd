"""Who may see and change what, decided from the caller's token alone.

- agent: tickets assigned to them or waiting in their team's unassigned pool, and those
  tickets' customers, messages, events and reminders; may take a pool ticket or hand one
  back; reads agents, the knowledge base and templates.
- lead: every ticket of their team (its pool and its members' tickets); reassigns within it;
  records when their team's agents joined and left; the problems of their team's mailbox and of the SMTP relay.
- contacts and assets: like their customer, whose tickets decide who sees and edits them.
- admin: everything; the only role that edits agents, the knowledge base and templates, and
  the only one who moves a ticket to another team.
- knowledge-base proposals travel with their ticket: its agent proposes (as themselves, the
  proposal waiting); only a lead of the ticket's team (or an admin) approves or rejects, and
  a lead adds the article or template of a proposal they approved (it has the proposal's id).

Reviews of conversations follow the reviewed agent, not the ticket: an agent reads the
reviews of their own work only (even of a ticket that has since moved on, never those of
whoever holds it now); a lead writes and reads the reviews of their team's agents, as
themselves, of tickets in their scope; an admin everything.

Rows reached by id are checked like rows sent: a ticket may name a customer only when that
customer is in the caller's scope already or is new (no ticket names it yet), and a
reminder or message is changed only by someone who may write it both where it was and
where it goes.

A device's claims (its device id, the author named in a payload) are checked against the
token's agent, never believed. Anyone may still add messages and notes to a ticket that
was theirs when they went offline, so what was typed on a ship survives a lead's
reassignment; changes to the ticket itself (status, events) are refused once it is gone.
This module only answers questions; it refuses to change a row.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from sqlalchemy import and_, exists, false, or_, select
from sqlmodel import Session, col

from cs_console.server.db import scope_exits
from cs_console.server.known import Known
from cs_console.storage.models import Agent, KbProposal, MailProblem, Review, Ticket

ADMIN_ONLY: dict[str, str] = {"agent": "agents", "kb_article": "the knowledge base", "template": "templates",
                              "macro": "macros"}
"""Entities only an admin writes, and how a refusal names them. Policies and calendars
belong here once they sync."""

SERVER_ONLY: dict[str, str] = {"reply_delivery": "delivery states of mailed replies",
                               "mail_problem": "problems of the server's mailboxes and relay"}
"""Entities the server alone writes, what it found out: no device, an admin's included, may."""

ORGANISATION_PARTS = frozenset({"contact", "asset"})
"""Rows that belong to one customer through `customer_id`: in the scope of whoever sees the customer."""

USAGE_FIELDS: dict[str, frozenset[str]] = {"template": frozenset({"uses"})}
"""Fields of admin-only entities that everyone bumps by using them (the picker's ranking)."""
TEAM_LEAD_FIELDS: dict[str, frozenset[str]] = {"agent": frozenset({"started_on", "left_on"})}
"""Fields of admin-only entities a lead also changes, for the agents of their own team: when
they joined and left (the team's stability figures)."""

PROPOSED_AS: dict[str, str] = {"kb_article": "article", "template": "template"}
"""Admin-only entities a lead may add when they approved a proposal of that kind."""
REVIEW_FIELDS = frozenset({"state", "reason", "reviewer_id", "reviewed_at"})
"""A proposal's fields only its reviewer (a lead or admin) writes."""


@dataclass(frozen=True)
class Caller:
    """The agent a request's token belongs to."""

    agent_id: str
    name: str
    role: str
    team: str

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _team_members(caller: Caller):
    return select(Agent.id).where(Agent.team == caller.team)


def _holder_clause(caller: Caller, assignee, team):
    """SQL: a ticket with this assignee and team is the caller's to see."""
    if caller.role == "lead":
        return or_(team == caller.team, assignee.in_(_team_members(caller)))
    return or_(assignee == caller.agent_id, and_(assignee.is_(None), team == caller.team))


def ticket_clause(caller: Caller):
    """SQL filter on Ticket for the tickets the caller sees; None means every ticket."""
    if caller.is_admin:
        return None
    return _holder_clause(caller, Ticket.assignee_id, Ticket.team)


def mail_problem_clause(caller: Caller):
    """SQL filter on MailProblem for the problems the caller is shown: a lead's team's
    mailbox and the relay; an agent none; None means all (an admin)."""
    if caller.is_admin:
        return None
    if caller.role == "lead":
        return col(MailProblem.team).in_((caller.team, ""))
    return false()


def review_clause(caller: Caller):
    """SQL filter on Review for the reviews the caller is shown: of their own work (an agent),
    of their team's agents (a lead); None means all (an admin)."""
    if caller.is_admin:
        return None
    if caller.role == "lead":
        return col(Review.agent_id).in_(_team_members(caller))
    return Review.agent_id == caller.agent_id


def exit_clause(caller: Caller):
    """SQL filter on the scope-exit log for tickets that left the caller's scope."""
    if caller.is_admin:
        return false()
    return _holder_clause(caller, scope_exits.c.agent_id, scope_exits.c.team)


def sees_ticket(known: Known, caller: Caller, assignee_id: str | None, team: str) -> bool:
    """In Python what `ticket_clause` says in SQL, for one ticket."""
    if caller.is_admin:
        return True
    if caller.role == "lead":
        if team == caller.team:
            return True
        assignee = known.get(Agent, assignee_id)
        return assignee is not None and assignee.team == caller.team
    return assignee_id == caller.agent_id or (assignee_id is None and team == caller.team)


def once_saw_ticket(known: Known, caller: Caller, ticket_id: str) -> bool:
    """The ticket left the caller's scope at some point (it was theirs once)."""
    query = select(exists().where(scope_exits.c.ticket_id == ticket_id, exit_clause(caller)))
    return bool(known.session.execute(query).scalar())


def sees_customer(known: Known, caller: Caller, customer_id: str) -> bool:
    """Some ticket naming the customer is the caller's to see."""
    if caller.is_admin:
        return True
    return any(sees_ticket(known, caller, ticket.assignee_id, ticket.team) for ticket in known.customer_tickets(customer_id))


def may_name_customer(known: Known, caller: Caller, customer_id: str) -> bool:
    """The caller may put this customer on a ticket: theirs to see already, or new (on no
    ticket yet: made on the caller's device, possibly in an earlier, smaller batch)."""
    return sees_customer(known, caller, customer_id) or not known.customer_tickets(customer_id)


def write_problem(
    known: Known,
    caller: Caller,
    entity: str,
    before: dict | None,
    after: dict,
    ticket: Ticket | None = None,
) -> str | None:
    """Why the caller may not turn `before` (None for a new row) into `after`, or None.

    `ticket` is the ticket a message, event or reminder belongs to.
    """
    if entity in SERVER_ONLY:
        return f"only the server writes {SERVER_ONLY[entity]}"
    if entity in ADMIN_ONLY and not caller.is_admin:
        changed = {name for name, value in after.items() if before is None or before.get(name) != value}
        if before is not None and changed <= USAGE_FIELDS.get(entity, frozenset()):
            return None
        if (caller.role == "lead" and before is not None and before.get("team") == caller.team
                and changed <= TEAM_LEAD_FIELDS.get(entity, frozenset())):
            return None
        if before is None and _approved_by(known, caller, entity, after["id"]):
            return None
        return f"only an admin edits {ADMIN_ONLY[entity]}"
    if caller.is_admin:
        return None
    if entity == "customer":
        if before is None or sees_customer(known, caller, after["id"]):
            return None
        return f"customer {after.get('name', after['id'])!r} has no ticket in your scope"
    if entity in ORGANISATION_PARTS:
        owners = {after["customer_id"]} | ({before["customer_id"]} if before is not None else set())
        if all(may_name_customer(known, caller, owner) for owner in owners):
            return None
        return f"{entity} {after.get('name', after['id'])!r} belongs to a customer with no ticket in your scope"
    if entity == "ticket":
        return _ticket_problem(known, caller, before, after)
    if entity == "review":
        return _review_problem(known, caller, before, after)
    if ticket is None:
        return f"{entity} {after['id']} belongs to no ticket"
    if entity == "kb_proposal":
        return _proposal_problem(known, caller, before, after, ticket)
    if before is not None:
        was = known.get(Ticket, before["ticket_id"])
        problem = _child_problem(known, caller, entity, before, was) if was is not None else None
        if problem:
            return f"{entity} {after['id']} is not yours to change: {problem}"
    return _child_problem(known, caller, entity, after, ticket)


def _ticket_problem(known: Known, caller: Caller, before: dict | None, after: dict) -> str | None:
    number = after.get("number") or (before or {}).get("number") or after["id"]
    if before is not None and not sees_ticket(known, caller, before["assignee_id"], before["team"]):
        return f"ticket {number} is not yours, nor in your team's pool"
    team = after.get("team", "")
    if (before is None or before["team"] != team) and team != caller.team:
        return f"ticket {number}: only an admin files a ticket in another team ({team!r}); yours is {caller.team!r}"
    if (before is None or before["customer_id"] != after["customer_id"]) and not may_name_customer(
        known, caller, after["customer_id"]
    ):
        return f"ticket {number} names customer {after['customer_id']}, who has no ticket in your scope"
    assignee = known.get(Agent, after.get("assignee_id"))
    if caller.role == "lead" and assignee is not None and assignee.team != caller.team:
        return f"ticket {number}: a lead assigns tickets only within team {caller.team!r}"
    if sees_ticket(known, caller, after.get("assignee_id"), after.get("team", "")):
        return None
    if caller.role == "lead":
        return f"ticket {number}: a lead keeps tickets within team {caller.team!r}"
    return (
        f"ticket {number}: an agent may take a ticket or hand it back to the team pool; "
        "assigning it to someone else is a lead's job"
    )


def _review_problem(known: Known, caller: Caller, before: dict | None, after: dict) -> str | None:
    if caller.role != "lead":
        return "only a lead reviews conversations; an agent reads the reviews of their own work"
    if (before is None or before["reviewer_id"] != after["reviewer_id"]) and after["reviewer_id"] != caller.agent_id:
        return f"review {after['id']} names agent {after['reviewer_id']} as its reviewer; you can only review as yourself"
    for state in (before, after) if before is not None else (after,):
        agent = known.get(Agent, state["agent_id"])
        if agent is None or agent.team != caller.team:
            name = agent.name if agent is not None else state["agent_id"]
            return f"review of {name}'s work: a lead reviews only the agents of team {caller.team!r}"
    ticket = known.get(Ticket, after["ticket_id"])
    if ticket is None:
        return f"review {after['id']} names ticket {after['ticket_id']}, which is not on the server"
    if not sees_ticket(known, caller, ticket.assignee_id, ticket.team):
        return f"review of ticket {ticket.number}: the ticket is not in team {caller.team!r}"
    return None


def _child_problem(known: Known, caller: Caller, entity: str, after: dict, ticket: Ticket) -> str | None:
    visible = sees_ticket(known, caller, ticket.assignee_id, ticket.team)
    if not visible and not (entity == "interaction" and once_saw_ticket(known, caller, ticket.id)):
        return f"ticket {ticket.number} is not yours, nor in your team's pool"
    person = after.get("agent_id" if entity == "reminder" else "author_id")
    if person not in (None, caller.agent_id) and not (entity == "reminder" and caller.role == "lead"):
        return f"{entity} names agent {person} as its author; you can only write as yourself"
    return None


def _approved_by(known: Known, caller: Caller, entity: str, row_id: str) -> bool:
    """The row is the article or template of a proposal this lead approved."""
    proposal = known.get(KbProposal, row_id) if entity in PROPOSED_AS else None
    return (caller.role == "lead" and proposal is not None and proposal.state == "approved"
            and proposal.reviewer_id == caller.agent_id and proposal.kind == PROPOSED_AS[entity])


def _proposal_problem(known: Known, caller: Caller, before: dict | None, after: dict, ticket: Ticket) -> str | None:
    """A proposal's author writes it, waiting; a lead of the ticket's team reviews it as themselves."""
    title = after.get("title") or after["id"]
    if not sees_ticket(known, caller, ticket.assignee_id, ticket.team):
        return f"proposal {title!r}: ticket {ticket.number} is not yours, nor in your team's pool"
    start = before or {"state": "waiting", "reason": "", "reviewer_id": None, "reviewed_at": None}
    reviewed = {name for name in REVIEW_FIELDS if after.get(name) != start.get(name)}
    if reviewed:
        if caller.role != "lead":
            return (f"proposal {title!r}: only a lead or an admin approves or rejects knowledge-base proposals; "
                    f"an {caller.role} proposes them")
        if after.get("reviewer_id") != caller.agent_id:
            return f"proposal {title!r} names agent {after.get('reviewer_id')} as its reviewer; you review as yourself"
    if before is None and after.get("author_id") != caller.agent_id:
        return f"proposal {title!r} names agent {after.get('author_id')} as its author; you can only write as yourself"
    edited = {name for name, value in after.items() if before is not None and before.get(name) != value} - REVIEW_FIELDS
    if edited and before["author_id"] != caller.agent_id:
        return f"proposal {title!r}: only its author edits it"
    return None


def scope_key(session: Session, caller: Caller) -> str:
    """A short digest of everything that decides which tickets the caller sees: it changes
    when the account, its role or team, or (for a lead) the team's members change, and a
    device whose cursor was read under another key starts its ticket cursor over."""
    parts = [caller.agent_id, caller.role, caller.team]
    if caller.role == "lead":
        parts += sorted(session.execute(_team_members(caller)).scalars())
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:12]
