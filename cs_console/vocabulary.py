"""The words every layer shares: a ticket's statuses and priorities, channels, kinds of
interaction and agent roles.

Plain tuples and sets, importing nothing, so the tables, the clocks, the lead's reports and
the screens can all name the same values without depending on one another. Stored values
are these English words; the interface translates them (`status.*`, `priority.*`).
"""

from __future__ import annotations

PRIORITIES = ("urgent", "high", "normal", "low")
"""Most urgent first; the queue's tie-break order."""

STATUSES = ("open", "waiting_on_customer", "solution_proposed", "resolved", "closed")
ACTIVE_STATUSES = ("open", "waiting_on_customer", "solution_proposed")
"""Statuses of tickets still being worked: an agent's load, the team view's tickets."""

CHANNELS = ("phone", "email", "im", "radio", "on_site")
INTERACTION_KINDS = ("customer_message", "public_reply", "internal_note", "call_log", "callback")
FIRST_RESPONSE_KINDS = frozenset({"public_reply", "call_log"})
"""What counts as the first response to the customer: a written reply or a logged call."""
DELIVERY_STATES = ("sent", "failed")
"""What the server found when it mailed a public reply (`ReplyDelivery.state`); before
that a reply is "saved on this device" until sync acknowledges it, then "on the server"."""
SATISFACTION_SCORES = range(1, 6)
"""A callback's satisfaction score, 1 to 5."""
NPS_SCORES = range(11)
"""How likely the customer is to recommend us, 0 to 10, when a callback asked."""
EVENT_KINDS = (
    "created", "first_response", "solution_proposed", "waiting_on_customer", "customer_replied",
    "escalated", "resolved", "closed", "callback", "reopened",
)
"""The ticket events the clocks read; `cs_console.clocks.workflow` decides when each is recorded."""
ROLES = ("agent", "lead", "admin")
LEAD_ROLES = frozenset({"lead", "admin"})
"""Roles that see and move a team's work."""
