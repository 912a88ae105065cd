"""Who leads: the one question about roles that the console's first screen asks.

It lives apart from `cs_console.lead.team` so that the queue screen's footer (which shows
the team key to leads only) can ask it without importing the team board, the KPIs and
routing (12 ms of start-up). It refuses to decide anything else about an agent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cs_console.vocabulary import LEAD_ROLES

if TYPE_CHECKING:  # the tables' rows, read by attribute only
    from cs_console.storage.models import Agent


def is_lead(agent: Agent | None) -> bool:
    """Leads and admins get the team view and may move work between agents."""
    return agent is not None and agent.role in LEAD_ROLES
