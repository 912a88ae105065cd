"""A ticket's trail: its conversation and what was done to it, in one time order.

The thread shows each message whole and, between them, one compact line per thing that
happened: a status change, an escalation and its answer, a reassignment, a close reason, a
reminder set or done. Those lines are the ticket's own events (synced like every other
event), so a lead reading any device's copy can tell who closed a ticket and when. The
clock-only events ("first_response", "closed"...) are left out: the status change beside
them says the same to a person. It refuses to word the lines: the screen does, in its language.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from cs_console.storage.models import Interaction, TicketEvent
from cs_console.storage.tickets import TicketDetail
from cs_console.vocabulary import ACTIVITY_EVENT_KINDS, CLOSE_REASONS

TRAIL_EVENT_KINDS = frozenset({*ACTIVITY_EVENT_KINDS, "escalated", "expert_answered",
                               *(f"marked_{reason}" for reason in CLOSE_REASONS)})
"""The events a person reads in the thread."""


@dataclass(frozen=True)
class Activity:
    """One thing done to a ticket: what (`kind`), when, by whom, and its detail."""

    kind: str
    at: datetime
    author_id: str | None
    detail: dict


def ticket_trail(detail: TicketDetail) -> list[Interaction | Activity]:
    """The ticket's messages and activities, oldest first; at the same instant an activity
    comes after the message that caused it."""
    activities = [_activity(event) for event in detail.events if event.kind in TRAIL_EVENT_KINDS]
    entries: list[tuple[datetime, int, Interaction | Activity]] = [
        *((interaction.created_at, 0, interaction) for interaction in detail.interactions),
        *((activity.at, 1, activity) for activity in activities),
    ]
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    return [entry for _at, _order, entry in entries]


def _activity(event: TicketEvent) -> Activity:
    try:
        detail = json.loads(event.detail or "{}")
    except ValueError:
        detail = {}
    return Activity(event.kind, event.at, event.author_id, detail if isinstance(detail, dict) else {})
