"""What an agent's action means for a ticket's history.

The 1-3-7 clocks are computed from a ticket's events, so every status change and every
reply must leave the right events behind. These rules are pure; the store applies them in
the same transaction as the change itself.
"""

from __future__ import annotations

from cs_console.errors import UserError
from cs_console.vocabulary import FIRST_RESPONSE_KINDS, STATUSES

STATUS_EVENT = {
    "waiting_on_customer": "waiting_on_customer",
    "solution_proposed": "solution_proposed",
    "resolved": "resolved",
    "closed": "closed",
}
"""The event a ticket records on entering a status; "open" records none of its own."""

FINISHED = frozenset({"resolved", "closed"})


class WorkflowError(UserError, ValueError):
    """An action that the ticket's state does not allow; the message is for the agent."""


def events_for_status_change(old: str, new: str) -> tuple[str, ...]:
    """Events recorded when a ticket goes from status `old` to `new`.

    Leaving "waiting on customer" resumes the paused clocks (`customer_replied`); leaving
    resolved or closed for a working status reopens the ticket (`reopened`).
    """
    if new not in STATUSES:
        raise WorkflowError(f"unknown status {new!r}; expected one of {', '.join(STATUSES)}")
    if old == new:
        return ()
    events: list[str] = []
    if old == "waiting_on_customer":
        events.append("customer_replied")
    if old in FINISHED and new not in FINISHED:
        events.append("reopened")
    if new in STATUS_EVENT:
        events.append(STATUS_EVENT[new])
    return tuple(events)


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
