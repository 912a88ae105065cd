"""What an agent's action means for a ticket's history.

The 1-3-7 clocks are computed from a ticket's events, so every status change and every
reply must leave the right events behind. These rules are pure; the store applies them in
the same transaction as the change itself.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from cs_console.errors import UserError
from cs_console.vocabulary import CLOSE_REASONS, FIRST_RESPONSE_KINDS, STATUSES

STATUS_EVENT = {
    "waiting_on_customer": "waiting_on_customer",
    "solution_proposed": "solution_proposed",
    "resolved": "resolved",
    "closed": "closed",
}
"""The event a ticket records on entering a status; "open" records none of its own."""

FINISHED = frozenset({"resolved", "closed"})
REASON_LEAD = timedelta(microseconds=1)
"""How much earlier than the close its reason ("marked_duplicate") is recorded: every device
then replays the reason first, in whatever order the two rows reached it."""


class WorkflowError(UserError, ValueError):
    """An action that the ticket's state does not allow; the message is for the agent."""


def events_for_status_change(old: str, new: str, reason: str | None = None) -> tuple[str, ...]:
    """Events recorded when a ticket goes from status `old` to `new`.

    Leaving "waiting on customer" resumes the paused clocks (`customer_replied`); leaving
    resolved or closed for a working status reopens the ticket (`reopened`). Closing with a
    `reason` (one of `CLOSE_REASONS`) records it first ("marked_duplicate"), which waives the
    clocks of a ticket closed unanswered rather than missing them.
    """
    if new not in STATUSES:
        raise WorkflowError(f"unknown status {new!r}; expected one of {', '.join(STATUSES)}")
    if reason is not None and (new != "closed" or reason not in CLOSE_REASONS):
        raise WorkflowError(f"close reason {reason!r}: only closing takes one, and it is one of "
                            f"{', '.join(CLOSE_REASONS)}")
    if old == new:
        return ()
    events: list[str] = []
    if old == "waiting_on_customer":
        events.append("customer_replied")
    if old in FINISHED and new not in FINISHED:
        events.append("reopened")
    if reason is not None:
        events.append(f"marked_{reason}")
    if new in STATUS_EVENT:
        events.append(STATUS_EVENT[new])
    return tuple(events)


def event_time(kind: str, at: datetime) -> datetime:
    """When an event of `kind` recorded by a change at `at` is stamped (`REASON_LEAD`)."""
    return at - REASON_LEAD if kind.startswith("marked_") else at


def expert_answer_team(events: Iterable[tuple[str, dict]], agent_team: str) -> str:
    """The expert team an answer by an agent of `agent_team` answers for: the team the
    ticket's latest escalation went to, which nobody has answered yet. `events` are the
    ticket's (kind, detail), oldest first.

    Raises:
        WorkflowError: nothing is waiting for an answer, or the agent is in another team.
    """
    waiting = None
    for kind, detail in events:
        if kind == "escalated":
            waiting = detail.get("team", "")
        elif kind == "expert_answered":
            waiting = None
    if waiting is None:
        raise WorkflowError("this ticket has no escalation waiting for an expert answer")
    if waiting != agent_team:
        raise WorkflowError(f"only {waiting} can answer this escalation; you are in {agent_team or 'no team'}")
    return waiting


def events_for_interaction(kind: str, *, by_agent: bool, responded: bool) -> tuple[str, ...]:
    """Events recorded with a new interaction; `responded` says a first response exists."""
    if by_agent and kind in FIRST_RESPONSE_KINDS and not responded:
        return ("first_response",)
    if kind == "callback":
        return ("callback",)
    return ()


def status_after_customer_message(status: str) -> str:
    """A customer's message brings a ticket that waited on them back to work."""
    return "open" if status == "waiting_on_customer" else status
