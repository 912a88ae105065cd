"""What the console reads before its first screen: whether the store holds any ticket, and
who works at this device. Plain sqlite3, so the console paints before SQLAlchemy is
loaded; the queue's rows come the same way (`storage.queue_rows`).

Methods of `cs_console.store.Store` and of `cs_console.lazy_store.LazyStore`, which read
through `_plain_reads`.
"""

from __future__ import annotations

from typing import NamedTuple


class WorkingAgent(NamedTuple):
    """The agent at the keyboard as the console holds it: `Agent`'s columns that the
    screens read, without the ORM. `current_agent` gives the model."""

    id: str
    name: str
    role: str
    team: str
    timezone: str


class FirstScreenReads:
    """The reads that decide the first screen: the demo offer, or the agent's queue."""

    def is_empty(self) -> bool:
        """No ticket at all yet."""
        with self._plain_reads() as db:
            return db.execute("SELECT 1 FROM ticket LIMIT 1").fetchone() is None

    def working_agent(self) -> WorkingAgent | None:
        """Who works on this device (`set_current_agent`), if anyone does yet."""
        with self._plain_reads() as db:
            found = db.execute(
                "SELECT agent.id, name, role, team, timezone FROM meta JOIN agent ON agent.id = meta.value "
                "WHERE meta.key = 'current_agent_id'").fetchone()
        return None if found is None else WorkingAgent(*found)
