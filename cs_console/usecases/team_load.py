"""The team as a lead sees it: whose tickets, their clocks, the upset customers, the board.

One load for the lead screen and for `cs-console route`, so both see the same tickets in
the same order. `load_team` reads the store (call it from a thread worker); `TeamData`
moves the clocks to a later `now` without reading again. It refuses to filter or sort for
display: the screen picks its views (breaches, escalations, one agent's queue) from
`lead.team`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from cs_console.lead import team
from cs_console.lead.kpi import TicketFacts
from cs_console.lead.roles import is_lead
from cs_console.lead.sentiment import soothing_flags
from cs_console.usecases.ticket_facts import ticket_facts
from cs_console.vocabulary import ACTIVE_STATUSES

if TYPE_CHECKING:
    from cs_console.config import Config
    from cs_console.storage.models import Agent
    from cs_console.store import Store


@dataclass(frozen=True)
class TeamData:
    """One load of the lead's scope, with clocks and the board as they stand at `now`."""

    lead: Agent | None
    agents: tuple[Agent, ...]
    facts: tuple[TicketFacts, ...]
    flags: dict[str, tuple[str, ...]]
    states: tuple[team.TicketState, ...]
    rows: tuple[team.AgentRow, ...]
    now: datetime
    generation: int
    """Which load this is: a tick computed from an older load never replaces a newer one."""

    @classmethod
    def make(cls, lead: Agent | None, agents, facts, flags, config: Config, now: datetime,
             generation: int) -> TeamData:
        states = team.states(facts, flags, config.policy, config.calendar, now)
        return cls(lead, tuple(agents), tuple(facts), dict(flags), tuple(states),
                   tuple(team.board(agents, states, now)), now, generation)

    def at(self, now: datetime, config: Config) -> TeamData:
        """The same tickets with their clocks at `now`, moved from these (`team.states_at`)."""
        states = team.states_at(self.states, config.policy, config.calendar, now)
        return replace(self, states=tuple(states), rows=tuple(team.board(self.agents, states, now)), now=now)

    @property
    def names(self) -> dict[str, str]:
        return {agent.id: agent.name for agent in self.agents}

    @property
    def waiting(self) -> list[TicketFacts]:
        """The unassigned tickets, most urgent first."""
        return [state.facts for state in self.states if state.facts.assignee_id is None]


def scope_of(agent: Agent | None) -> team.Scope:
    """Whose tickets `agent` works with from the team view: a lead's team (an admin's:
    every team); anyone else, or nobody, sees every ticket."""
    return team.Scope.of(agent) if is_lead(agent) else team.Scope(None)


def load_team(store: Store, lead: Agent | None, config: Config, now: datetime, generation: int = 0) -> TeamData:
    """The active tickets of `lead`'s scope (`scope_of`) with their clocks at `now`.

    Raises:
        StoreError: the database cannot be read.
    """
    agents = store.agents()
    scope = scope_of(lead)
    facts = scope.tickets(ticket_facts(store, statuses=ACTIVE_STATUSES), agents)
    flags = soothing_flags(store.latest_customer_messages([f.id for f in facts]), config.lexicon)
    return TeamData.make(lead, scope.agents(agents), facts, flags, config, now, generation)
