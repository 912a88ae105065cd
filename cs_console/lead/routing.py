"""Who should take a ticket: agents ranked by skill, language, urgency and load, with reasons.

The rule of thumb leads use, as points a lead can read back: urgent technical issues go to
the experts in their category, billing goes to billing specialists whatever its urgency, and
the rest to whoever has least on their plate. An agent who cannot speak the customer's
language loses heavily; leads and admins lose a little, to keep time for escalations.

Every suggestion carries its reasons (each with its points), so the screen can say why.
This module only ranks: it never assigns, reads the database or knows who is allowed to.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from cs_console.lead.kpi import TicketFacts
from cs_console.vocabulary import ACTIVE_STATUSES, LEAD_ROLES

if TYPE_CHECKING:  # the tables' rows, read by attribute only
    from cs_console.storage.models import Agent

SKILL_POINTS = {"urgent": 8.0, "high": 5.0, "normal": 3.0, "low": 2.0}
"""Points for an agent whose skills include the ticket's category: expertise counts more
the more urgent the ticket, so urgent work goes to experts even when they are busier."""
SPECIALIST_CATEGORIES = frozenset({"billing"})
"""Categories that always go to their specialists: they get the urgent tickets' skill points."""
LOAD_POINTS = {"urgent": -0.5, "high": -1.0, "normal": -1.0, "low": -1.0}
"""Points per unit of load; an urgent ticket cares less about balance than about expertise."""
WAITING_WEIGHT = 0.5
"""A ticket waiting on the customer weighs half an open one in an agent's load."""
LANGUAGE_POINTS = 2.0
"""The agent speaks the customer's language."""
NO_LANGUAGE_POINTS = -6.0
"""The agent does not: every reply would need translating, so this outweighs a skill."""
TEAM_POINTS = 1.0
"""The agent belongs to the team the ticket was filed with."""
LEAD_POINTS = -4.0
"""Leads and admins take work last: their time goes to reviews and escalations."""


@dataclass(frozen=True)
class Candidate:
    """An agent as routing sees them, with their current load."""

    id: str
    name: str
    role: str
    team: str
    languages: frozenset[str]
    skills: frozenset[str]
    open: int = 0
    """Active tickets not waiting on the customer."""
    waiting: int = 0

    @property
    def load(self) -> float:
        return self.open + WAITING_WEIGHT * self.waiting


@dataclass(frozen=True)
class Reason:
    """One part of a score: what (`code`), its points, and the value it is about."""

    code: str
    """skill, no_skill, language, no_language, team, load, lead."""
    points: float
    value: str = ""


@dataclass(frozen=True)
class Suggestion:
    agent_id: str
    agent_name: str
    score: float
    reasons: tuple[Reason, ...]


def candidates(agents: Iterable[Agent], tickets: Iterable[TicketFacts]) -> list[Candidate]:
    """The active agents with their load counted from the active `tickets`."""
    open_count: dict[str, int] = {}
    waiting_count: dict[str, int] = {}
    for ticket in tickets:
        if ticket.assignee_id is None or ticket.status not in ACTIVE_STATUSES:
            continue
        counts = waiting_count if ticket.status == "waiting_on_customer" else open_count
        counts[ticket.assignee_id] = counts.get(ticket.assignee_id, 0) + 1
    return [
        Candidate(
            id=agent.id, name=agent.name, role=agent.role, team=agent.team,
            languages=_names(agent.languages), skills=_names(agent.skills),
            open=open_count.get(agent.id, 0), waiting=waiting_count.get(agent.id, 0),
        )
        for agent in agents
        if agent.active
    ]


def rank(ticket: TicketFacts, agents: Sequence[Candidate], exclude: Iterable[str] = ()) -> list[Suggestion]:
    """Every candidate but `exclude`d ones, best first (ties: lighter load, then name)."""
    skipped = set(exclude)
    scored = [(_suggest(ticket, agent), agent) for agent in agents if agent.id not in skipped]
    scored.sort(key=lambda pair: (-pair[0].score, pair[1].load, pair[1].name))
    return [suggestion for suggestion, _ in scored]


def route(tickets: Sequence[TicketFacts], agents: Sequence[Candidate]) -> list[tuple[TicketFacts, Suggestion]]:
    """A plan for unassigned tickets, in the order given (most urgent first is best): each
    goes to its top suggestion, whose load then grows by one, so a batch spreads out."""
    pool = {agent.id: agent for agent in agents}
    plan = []
    for ticket in tickets:
        ranked = rank(ticket, list(pool.values()))
        if not ranked:
            break
        best = ranked[0]
        plan.append((ticket, best))
        pool[best.agent_id] = replace(pool[best.agent_id], open=pool[best.agent_id].open + 1)
    return plan


def explain(reasons: Iterable[Reason], strings: Callable[..., str]) -> str:
    """Reasons as one line in the interface language, through the `routing.<code>` strings:
    "knows billing (+8), speaks zh (+2), load 3 (-3)"."""
    return ", ".join(strings(f"routing.{r.code}", value=r.value, points=r.points) for r in reasons)


def _suggest(ticket: TicketFacts, agent: Candidate) -> Suggestion:
    urgency = "urgent" if ticket.category in SPECIALIST_CATEGORIES else ticket.priority
    reasons = [
        Reason("skill", SKILL_POINTS[urgency], ticket.category)
        if ticket.category in agent.skills
        else Reason("no_skill", 0.0, ticket.category),
    ]
    language = ticket.customer_language
    if language:
        reasons.append(
            Reason("language", LANGUAGE_POINTS, language)
            if language in agent.languages
            else Reason("no_language", NO_LANGUAGE_POINTS, language)
        )
    if ticket.team and ticket.team == agent.team:
        reasons.append(Reason("team", TEAM_POINTS, agent.team))
    reasons.append(Reason("load", LOAD_POINTS[ticket.priority] * agent.load, f"{agent.load:g}"))
    if agent.role in LEAD_ROLES:
        reasons.append(Reason("lead", LEAD_POINTS, agent.role))
    return Suggestion(agent.id, agent.name, round(sum(r.points for r in reasons), 2), tuple(reasons))


def _names(text: str) -> frozenset[str]:
    """A JSON list of names from an agent row; a damaged value reads as none."""
    try:
        values = json.loads(text or "[]")
    except json.JSONDecodeError:
        return frozenset()
    return frozenset(v for v in values if isinstance(v, str)) if isinstance(values, list) else frozenset()
