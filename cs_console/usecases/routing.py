"""Moving work: who should take these tickets, a plan for every unassigned one, and the move.

The lead screen's reassign dialog and `u`, and `cs-console route [--apply]`, rank and plan
from the same `TeamData`, so a suggestion on screen is the one the command prints. Ranking
and planning are pure; `move_tickets` writes (call it from a thread worker). It refuses to
decide: nothing moves until a person confirms (the screen's `y`, the command's `--apply`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cs_console.lead import routing
from cs_console.lead.kpi import TicketFacts
from cs_console.store import StoreError

if TYPE_CHECKING:
    from cs_console.store import Store
    from cs_console.usecases.team_load import TeamData


@dataclass(frozen=True)
class AgentOption:
    """An agent who could take the chosen tickets, best first in `reassign_options`."""

    agent_id: str
    name: str
    score: float
    """The agent's routing score, averaged over the tickets."""
    load: float
    reasons: tuple[routing.Reason, ...]
    """Why, for the first of the tickets."""


@dataclass(frozen=True)
class RoutePlan:
    """Each unassigned ticket with the agent it would go to, most urgent first."""

    waiting: int
    """Unassigned tickets; more than `moves` when nobody can take them."""
    moves: list[tuple[TicketFacts, routing.Suggestion]]

    def by_agent(self) -> dict[str, list[str]]:
        """The moves as agent id to ticket ids, in the order agents first appear."""
        grouped: dict[str, list[str]] = {}
        for ticket, suggestion in self.moves:
            grouped.setdefault(suggestion.agent_id, []).append(ticket.id)
        return grouped


@dataclass(frozen=True)
class Moved:
    """How many tickets moved, and the error that stopped the rest (None: all moved)."""

    count: int
    error: StoreError | None = None


def reassign_options(data: TeamData, ticket_ids: list[str]) -> tuple[list[TicketFacts], list[AgentOption]]:
    """The tickets of `data` among `ticket_ids`, and the agents ranked for all of them
    together: highest total score first, then the lighter load, then by name. When every
    ticket has the same owner, that owner is left out (moving to them moves nothing)."""
    by_id = {facts.id: facts for facts in data.facts}
    tickets = [by_id[ticket_id] for ticket_id in ticket_ids if ticket_id in by_id]
    if not tickets:
        return [], []
    candidates = routing.candidates(data.agents, data.facts)
    owners = {ticket.assignee_id for ticket in tickets}
    exclude = [owner for owner in owners if owner] if len(owners) == 1 else []
    totals: dict[str, float] = {}
    first: dict[str, routing.Suggestion] = {}
    for index, ticket in enumerate(tickets):
        for suggestion in routing.rank(ticket, candidates, exclude):
            totals[suggestion.agent_id] = totals.get(suggestion.agent_id, 0.0) + suggestion.score
            if index == 0:
                first[suggestion.agent_id] = suggestion
    loads = {candidate.id: candidate.load for candidate in candidates}
    names = data.names
    order = sorted(totals, key=lambda agent_id: (-totals[agent_id], loads[agent_id], names[agent_id]))
    return tickets, [AgentOption(agent_id, names[agent_id], totals[agent_id] / len(tickets), loads[agent_id],
                                 first[agent_id].reasons) for agent_id in order]


def route_plan(data: TeamData) -> RoutePlan:
    """Every unassigned ticket of `data`, most urgent first, to its top suggestion; each
    move adds to that agent's load, so a batch spreads out."""
    waiting = data.waiting
    if not waiting:
        return RoutePlan(0, [])
    return RoutePlan(len(waiting), routing.route(waiting, routing.candidates(data.agents, data.facts)))


def move_tickets(store: Store, by_agent: dict[str, list[str]], at: datetime | None = None,
                 author_id: str | None = None) -> Moved:
    """Assign each agent their tickets, one transaction per agent, stopping at the first
    failure; each ticket's trail says `author_id` moved it."""
    moved = 0
    try:
        for agent_id, ticket_ids in by_agent.items():
            store.assign_many(ticket_ids, agent_id, author_id=author_id, at=at)
            moved += len(ticket_ids)
    except StoreError as error:
        return Moved(moved, error)
    return Moved(moved)
