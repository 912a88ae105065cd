"""Recording when an agent joined the team and when they leave, for the stability figures
(`lead.stability`). A lead does it for their own team, an admin for any; the server checks
the same (`server.scope`). It refuses to change anything else about an agent: roles and
teams are an admin's, on the server.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cs_console.errors import UserError
from cs_console.lead.roles import is_lead
from cs_console.sync.schema import check_values

if TYPE_CHECKING:
    from cs_console.storage.models import Agent
    from cs_console.store import Store


class NotAllowed(UserError):
    """The agent at the keyboard may not change these dates; the message says why."""


def set_agent_dates(store: Store, by: Agent | None, agent: Agent, changes: dict[str, str | None]) -> Agent:
    """Set `agent`'s `started_on` and/or `left_on` (YYYY-MM-DD, or None to clear) as `by`.

    Raises:
        NotAllowed: `by` is no lead or admin, or a lead of another team.
        ValueRefused: not a day, or a last day before the start; nothing was changed.
        StoreError: the store could not write (read-only included).
    """
    if not is_lead(by):
        raise NotAllowed(f"only a lead or an admin records when agents join and leave; "
                         f"{by.name if by else 'nobody'} works here" + (f" as {by.role}" if by else ""))
    if by.role != "admin" and agent.team != by.team:
        raise NotAllowed(f"{agent.name} works in {agent.team or 'no team'}; a lead records the dates of "
                         f"their own team ({by.team})")
    check_values("agent", {"started_on": changes.get("started_on", agent.started_on),
                           "left_on": changes.get("left_on", agent.left_on)})
    return store.set_agent_dates(agent.id, changes)
