"""The team at a glance, as a lead needs it in the first minute: who is drowning, which clocks
are about to break, which customers are upset, what waits on the experts.

From the active tickets of a lead's scope (with their clocks and sentiment marks) it makes
one row per agent (active tickets, overdue and at-risk clocks, upset customers, the oldest
ticket waiting on us), the breach list across the team, the escalation queue with its
48-hour clock, and one agent's queue for a drill-down. A lead sees their own team; an
admin, or a lead without a team, sees everyone.

Pure: no database, no screen; `now` is given. It refuses to decide who may change what.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cs_console.clocks.calendars import BusinessCalendar
from cs_console.clocks.sla import FollowUpClocks, SlaPolicy, queue_clocks, queue_clocks_at
from cs_console.lead.kpi import TicketFacts
from cs_console.lead.routing import WAITING_WEIGHT
from cs_console.vocabulary import PRIORITIES

if TYPE_CHECKING:  # the tables' rows, read by attribute only
    from cs_console.storage.models import Agent

AGENT_REPLY_KINDS = frozenset({"public_reply", "call_log"})
"""What answers a customer's message, for "waiting on us since"."""


@dataclass(frozen=True)
class TicketState:
    """An active ticket with its clocks at `now` and the words that mark its customer upset."""

    facts: TicketFacts
    clocks: FollowUpClocks
    soothe: tuple[str, ...] = ()


@dataclass(frozen=True)
class AgentRow:
    """One line of the team board; `agent_id` None is the line of unassigned tickets."""

    agent_id: str | None
    name: str
    role: str
    active: int
    waiting_on_customer: int
    at_risk: int
    """Clocks at risk across the agent's tickets."""
    breached: int
    """Clocks overdue across the agent's tickets."""
    upset: int
    """Tickets whose customer's latest message needs soothing."""
    oldest_wait: timedelta | None
    """How long the ticket that has waited longest on us has waited."""
    oldest_number: str | None

    @property
    def load(self) -> float:
        return self.active - self.waiting_on_customer + WAITING_WEIGHT * self.waiting_on_customer


@dataclass(frozen=True)
class Scope:
    """Whose tickets a lead sees: the agents of `team`, or everyone when `team` is None."""

    team: str | None

    @classmethod
    def of(cls, agent: Agent) -> Scope:
        return cls(None if agent.role == "admin" or not agent.team else agent.team)

    def agents(self, agents: Iterable[Agent]) -> list[Agent]:
        return [a for a in agents if self.team is None or a.team == self.team]

    def members(self, agents: Iterable[Agent]) -> frozenset[str] | None:
        """The ids of the scope's agents, whose tickets it holds; None when it holds every ticket."""
        return None if self.team is None else frozenset(a.id for a in self.agents(agents))

    @property
    def pools(self) -> tuple[str, ...]:
        """The `team` values of the unassigned tickets the scope holds: its team's pool, and
        tickets filed with no team (made on a device before anyone set one). Empty for the
        scope of every ticket, which needs no pool."""
        return () if self.team is None else ("", self.team)

    def tickets(self, tickets: Iterable[TicketFacts], agents: Iterable[Agent]) -> list[TicketFacts]:
        """Tickets of the scope's agents, and unassigned tickets in its `pools`. The store
        applies the same rule in SQL when given `members` and `pools` (`ticket_arrivals`)."""
        members = self.members(agents)
        if members is None:
            return list(tickets)
        return [t for t in tickets if t.assignee_id in members or (t.assignee_id is None and t.team in self.pools)]

    def label(self, everyone: str) -> str:
        """The team's name, or `everyone` (the "all teams" of the interface language)."""
        return everyone if self.team is None else self.team


def states(
    tickets: Sequence[TicketFacts],
    flags: Mapping[str, tuple[str, ...]],
    policy: SlaPolicy,
    calendar: BusinessCalendar,
    now: datetime,
) -> list[TicketState]:
    """Each ticket with its clocks at `now` and its sentiment words, most urgent first."""
    clocks = queue_clocks(((t.priority, t.events) for t in tickets), policy, calendar, now)
    made = [TicketState(t, c, flags.get(t.id, ())) for t, c in zip(tickets, clocks)]
    made.sort(key=_urgency)
    return made


def states_at(
    tickets: Sequence[TicketState],
    policy: SlaPolicy,
    calendar: BusinessCalendar,
    now: datetime,
) -> list[TicketState]:
    """The same tickets as `states` made them, with their clocks at another `now` (moved
    rather than replayed, `sla.queue_clocks_at`), most urgent first."""
    clocks = queue_clocks_at((state.clocks for state in tickets), policy, calendar, now)
    made = [TicketState(state.facts, c, state.soothe) for state, c in zip(tickets, clocks)]
    made.sort(key=_urgency)
    return made


def board(agents: Sequence[Agent], tickets: Sequence[TicketState], now: datetime) -> list[AgentRow]:
    """One row per agent (busiest first, by load), then the unassigned tickets' row."""
    by_agent: dict[str | None, list[TicketState]] = {agent.id: [] for agent in agents}
    by_agent[None] = []
    for state in tickets:
        by_agent.setdefault(state.facts.assignee_id, []).append(state)
    names = {agent.id: (agent.name, agent.role) for agent in agents}
    rows = [_row(agent_id, *names.get(agent_id, (agent_id, "agent")), own, now)
            for agent_id, own in by_agent.items() if agent_id is not None]
    rows.sort(key=lambda row: (-row.load, -row.breached, row.name))
    rows.append(_row(None, "", "", by_agent[None], now))
    return rows


def breaches(tickets: Iterable[TicketState]) -> list[TicketState]:
    """Tickets with a clock overdue or at risk, most urgent first."""
    return [s for s in tickets if any(c.state in ("breached", "at_risk") for c in s.clocks)]


def escalations(tickets: Iterable[TicketState]) -> list[TicketState]:
    """Escalated tickets still waiting on the experts' answer, least time left first."""
    waiting = [s for s in tickets if s.clocks.escalation is not None and s.clocks.escalation.is_open]
    return sorted(waiting, key=lambda s: s.clocks.escalation.remaining)


def tagged(tickets: Iterable[TicketState], tag: str | None) -> list[TicketState]:
    """The tickets that carry `tag` (every one when None), in the order given."""
    return list(tickets) if tag is None else [s for s in tickets if tag in s.facts.tags]


def queue_of(tickets: Iterable[TicketState], agent_id: str | None) -> list[TicketState]:
    """One agent's active tickets (None: the unassigned ones), most urgent first."""
    return [s for s in tickets if s.facts.assignee_id == agent_id]


def waiting_since(ticket: TicketFacts) -> datetime | None:
    """Since when the customer has waited on us: their first message after our last reply,
    or the ticket's creation if we never replied; None when we spoke last or they are the
    ones we wait on."""
    if ticket.status == "waiting_on_customer":
        return None
    since: datetime | None = ticket.created_at
    for contact in ticket.contacts:
        if contact.kind in AGENT_REPLY_KINDS and contact.author_id is not None:
            since = None
        elif contact.kind == "customer_message" and since is None:
            since = contact.at
    return since


def _row(agent_id: str | None, name: str, role: str, own: list[TicketState], now: datetime) -> AgentRow:
    oldest: tuple[timedelta, str] | None = None
    for state in own:
        since = waiting_since(state.facts)
        if since is not None and (oldest is None or now - since > oldest[0]):
            oldest = (now - since, state.facts.number)
    return AgentRow(
        agent_id=agent_id,
        name=name,
        role=role,
        active=len(own),
        waiting_on_customer=sum(s.facts.status == "waiting_on_customer" for s in own),
        at_risk=sum(c.state == "at_risk" for s in own for c in s.clocks),
        breached=sum(c.state == "breached" for s in own for c in s.clocks),
        upset=sum(bool(s.soothe) for s in own),
        oldest_wait=oldest[0] if oldest else None,
        oldest_number=oldest[1] if oldest else None,
    )


def _urgency(state: TicketState) -> tuple:
    return (state.clocks.urgency, PRIORITIES.index(state.facts.priority), state.facts.created_at)
