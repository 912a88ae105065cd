"""The 1-3-7 clocks as the screens use them: a queue order, a short "next due" text, and
alerts when a clock turns at risk or overdue.

Pure: `sla` does the arithmetic; this module decides what an agent is shown and when they
are told. It never reads the database or the terminal.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from cs_console.clocks.sla import Budget, Clock, FollowUpClocks
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


OVERDUE_RANK, REMINDER_RANK, QUIET_RANK = range(3)
"""The first part of `queue_order`: a ticket with an overdue clock, one with a reminder due,
and the rest (whose place is their time left alone)."""


def queue_order(priority: str, clocks: FollowUpClocks, created_at: datetime, reminder_due: bool) -> tuple:
    """Sort key, most urgent first: overdue clocks (the most overdue first), then due
    reminders, then the least time left, then priority. A reminder the agent set never
    puts a ticket above one whose promise to a customer is already broken."""
    urgency = clocks.urgency
    rank = OVERDUE_RANK if urgency < 0 else REMINDER_RANK if reminder_due else QUIET_RANK
    return (rank, urgency, PRIORITIES.index(priority), created_at)


def clock_title(strings: Strings, name: str, budget: Budget) -> str:
    """A clock's title from the ticket's own target: "15m first response", "3wd solution"."""
    return strings("clock.title", target=budget.target_text(), clock=strings(f"clock.{name}"))


@dataclass(frozen=True)
class ClockAlert:
    ticket_id: str
    number: str
    clock: Clock
    budget: Budget
    """The clock's target for this ticket, which its title names."""

    def message(self, strings: Strings) -> str:
        """What the agent is told, in the language of `strings`: "DEMO-1: 15m first response at risk (2m)"."""
        clock = self.clock
        return strings("clock.alert", number=self.number, clock=clock_title(strings, clock.name, self.budget),
                       state=strings(f"clock_state.{clock.state}"), countdown=clock.countdown_text())


@dataclass
class ClockWatch:
    """Remembers each clock's last state so that a change into at-risk or overdue alerts once.

    The first sight of a ticket is silent: a clock that was already overdue when the console
    started is shown in the queue, not announced.
    """

    _states: dict[tuple[str, str], str] = field(default_factory=dict)

    def observe(self, ticket_id: str, number: str, clocks: FollowUpClocks,
                budgets: Mapping[str, Budget]) -> list[ClockAlert]:
        """The alerts for `clocks`; `budgets` are the ticket's targets (`SlaPolicy.budgets`)."""
        alerts = []
        for clock in clocks:
            key = (ticket_id, clock.name)
            before = self._states.get(key)
            self._states[key] = clock.state
            if before is not None and before != clock.state and clock.state in ALERT_STATES:
                alerts.append(ClockAlert(ticket_id, number, clock, budgets[clock.name]))
        return alerts
