"""The people who work on this device's tickets, and which of them is at the keyboard.

The working agent is device-local (kept in the meta table, never synced): choosing who is at
the keyboard is not a change to the shared data, so a read-only session still may. Accounts,
passwords and roles are the server's, not this module's.

Methods of `cs_console.store.Store`.
"""

from __future__ import annotations

from sqlmodel import select

from cs_console.storage.errors import NotFound
from cs_console.storage.models import Agent


class Agents:
    """The team list and the working agent."""

    def current_agent(self) -> Agent | None:
        with self.read() as session:
            agent_id = self._meta(session, "current_agent_id")
            return session.get(Agent, agent_id) if agent_id else None

    def set_current_agent(self, agent_id: str) -> None:
        with self.write() as session:
            if session.get(Agent, agent_id) is None:
                raise NotFound(f"no agent with id {agent_id}")
            self._set_meta(session, "current_agent_id", agent_id)

    def create_agent(self, name: str, **fields) -> Agent:
        agent = Agent(name=name, **fields)
        with self.write() as session:
            self._insert(session, agent)
        return agent

    def set_agent_dates(self, agent_id: str, changes: dict[str, str | None]) -> Agent:
        """Change an agent's `started_on` and/or `left_on` (YYYY-MM-DD or None), recorded
        for sync; the caller checks who may and that the days are days.

        Raises:
            NotFound: no such agent; nothing was changed.
        """
        unknown = set(changes) - {"started_on", "left_on"}
        if unknown:
            raise ValueError(f"not an agent's date: {', '.join(sorted(unknown))}")
        with self.write() as session:
            agent = session.get(Agent, agent_id)
            if agent is None:
                raise NotFound(f"no agent with id {agent_id}")
            changed = {name: value for name, value in changes.items() if getattr(agent, name) != value}
            if changed:
                self._update(session, agent, changed)
        return agent

    def agents(self) -> list[Agent]:
        with self.read() as session:
            return list(session.exec(select(Agent).order_by(Agent.name)))
