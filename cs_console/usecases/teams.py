"""Refusing a team nobody works in, before a report or a staffing plan counts nothing.

A report or staffing figures for a misspelt team would be all zeros and look true. It
refuses to guess the team meant: the error lists the teams there are.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from cs_console.errors import UserError

if TYPE_CHECKING:
    from cs_console.storage.models import Agent


class UnknownTeam(UserError):
    """No agent works in `team`; `teams` are the ones agents do work in."""

    def __init__(self, team: str, teams: Iterable[str]) -> None:
        self.team = team
        self.teams = tuple(teams)
        super().__init__(f"{team!r}: no such team; teams: {', '.join(self.teams) or 'none'}")


def check_team(name: str | None, agents: Iterable[Agent]) -> None:
    """Refuse a team no agent works in; None (every team) always passes.

    Raises:
        UnknownTeam: no agent's team is `name`.
    """
    agents = list(agents)
    if name is not None and name not in {agent.team for agent in agents}:
        raise UnknownTeam(name, sorted({agent.team for agent in agents if agent.team}))
