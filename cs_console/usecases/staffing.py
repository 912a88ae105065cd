"""Agents needed per hour (Erlang C over a team's ticket arrivals), for the lead screen's
staffing view and `cs-console staffing`.

Reads the arrivals of the last weeks in the scope asked for and plans all 168 hours of the
week. Call it from a thread worker. It refuses to choose a day or to render: the screen
and the command show the hours they want.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from cs_console.lead.staffing import HourPlan, StaffingSettings, answer_minutes, plan
from cs_console.usecases.teams import check_team

if TYPE_CHECKING:
    from cs_console.config import Config
    from cs_console.lead.team import Scope
    from cs_console.store import Store


@dataclass(frozen=True)
class StaffingPlan:
    scope: Scope
    tickets: int
    """Tickets that arrived in the weeks counted."""
    settings: StaffingSettings
    answer_minutes: float
    """The answer time the target counts (the setting, else the first-response budget)."""
    hours: list[HourPlan]
    """Monday 00:00 first."""


def staffing_plan(store: Store, config: Config, now: datetime, scope: Scope,
                  settings: StaffingSettings | None = None) -> StaffingPlan:
    """The staffing of `scope` from its arrivals before `now`; `settings` default to the config's.

    Raises:
        UnknownTeam: no agent works in the scope's team.
        StoreError: the database cannot be read.
    """
    settings = settings or config.staffing
    agents = store.agents()
    check_team(scope.team, agents)
    created = store.ticket_arrivals(now - timedelta(weeks=settings.history_weeks), now, scope.members(agents),
                                    scope.pools)
    answer = answer_minutes(settings.answer_minutes, config.policy, config.calendar)
    return StaffingPlan(scope, len(created), settings, answer, plan(created, config.timezone, now, settings, answer))
