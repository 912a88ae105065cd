"""The 1-3-7 clocks as the screens use them: a queue order, a short "next due" text, and
alerts when a clock turns at risk or overdue.

Pure: `sla` does the arithmetic; this module decides what an agent is shown and when they
are told. It never reads the database or the terminal.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from cs_console.clocks.sla import Clock, FollowUpClocks, urgency_key
from cs_console.text.strings import Strings
from cs_console.vocabulary import PRIORITIES

CLOCK_CODES = {"first_response": "R", "solution": "S", "closure": "C", "escalation": "E"}
"""One letter per clock for the queue's narrow column: Response, Solution, Closure, Escalation.
Their titles are the catalogue's `clock.<name>` (`cs_console.text.strings`)."""
ALERT_STATES = frozenset({"at_risk", "breached"})
"""States an agent is told about once, when a clock enters them."""


def next_due_text(clocks: FollowUpClocks, done: str) -> str:
    """The most urgent open clock as symbol, countdown and clock letter: "✖ -1h 05m R";
    `done` when every clock has stopped (the interface's `clock.done`)."""
    clock = clocks.most_urgent
    if clock is None:
        return done
    return f"{clock.symbol()} {clock.countdown_text()} {CLOCK_CODES[clock.name]}"


def queue_order(priority: str, clocks: FollowUpClocks, created_at: datetime, reminder_due: bool) -> tuple:
    """Sort key, most urgent first: due reminders, then the least time left, then priority."""
    return (not reminder_due, urgency_key(clocks), PRIORITIES.index(priority), created_at)


@dataclass(frozen=True)
class ClockAlert:
    ticket_id: str
    number: str
    clock: Clock

    def message(self, strings: Strings) -> str:
        """What the agent is told, in the language of `strings`: "DEMO-1: 1h first response at risk (10m)"."""
        clock = self.clock
        return strings("clock.alert", number=self.number, clock=strings(f"clock.{clock.name}"),
                       state=strings(f"clock_state.{clock.state}"), countdown=clock.countdown_text())


@dataclass
class ClockWatch:
    """Remembers each clock's last state so that a change into at-risk or overdue alerts once.

    The first sight of a ticket is silent: a clock that was already overdue when the console
    started is shown in the queue, not announced.
    """

    _states: dict[tuple[str, str], str] = field(default_factory=dict)

    def observe(self, ticket_id: str, number: str, clocks: FollowUpClocks) -> list[ClockAlert]:
        alerts = []
        for clock in clocks:
            key = (ticket_id, clock.name)
            before = self._states.get(key)
            self._states[key] = clock.state
            if before is not None and before != clock.state and clock.state in ALERT_STATES:
                alerts.append(ClockAlert(ticket_id, number, clock))
        return alerts
