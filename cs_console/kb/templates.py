"""Standard phrases: filling a template's `{placeholders}` from the ticket, customer and agent.

A template is text written by a team lead and sent, after filling, to a customer. Filling
is a plain text substitution: one regular expression finds `{dotted.name}` and each name is
looked up in a flat mapping of strings. It refuses to run code of any kind — no
`str.format`, no attribute or index access, no expressions — so `{ticket.__class__}` or
`{0.__globals__}` is just an unknown name. It never fails either: a placeholder that is
unknown, or known but empty for this ticket, stays in the text visibly marked as
`⟦name⟧` and is reported, so the composer can warn before the reply goes out.

`{{` and `}}` are literal braces, as in Python's format strings.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

if TYPE_CHECKING:  # the tables' rows, read by attribute only
    from cs_console.storage.models import Agent, Contact, Customer, Ticket


CLOCK_PLACEHOLDERS = {
    "first_response": "when the first response is due",
    "solution": "when the initial solution is due",
    "closure": "when closure with a callback is due",
    "escalation": "when the expert team's answer to an escalation is due",
}
"""Clock name (as the SLA module names its clocks) to what its `{clock.NAME.due}` means."""

PLACEHOLDERS: dict[str, str] = {
    "customer.name": "the customer's name (company, vessel operator or person)",
    "customer.contact_name": "the person at the customer the ticket is for (its contact)",
    "ticket.number": "the ticket number, e.g. K7QXA-0042",
    "ticket.subject": "the ticket's subject",
    "agent.name": "the name of the agent who sends the reply",
    **{f"clock.{name}.due": f"{meaning}, in the agent's time zone" for name, meaning in CLOCK_PLACEHOLDERS.items()},
}
"""Every placeholder a template may use, with what it is replaced by."""

MARK_OPEN, MARK_CLOSE = "⟦", "⟧"
"""Brackets around a placeholder left unfilled: rare in real text, so they stand out."""

DUE_FORMAT = "%a %d %b %H:%M"
"""How a due time reads in a reply ("Tue 25 Nov 14:00"), the same as on the agent's screen."""

_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}\n]{1,80})\}")
"""A literal brace pair, or one placeholder: anything up to 80 characters between braces."""
_MARK = re.compile(f"{MARK_OPEN}([^{MARK_OPEN}{MARK_CLOSE}\\n]+){MARK_CLOSE}")


@dataclass(frozen=True)
class FilledTemplate:
    """A template after filling, with the placeholders it could not fill."""

    text: str
    unknown: tuple[str, ...] = ()
    """Names that are not placeholders at all (typos, or attempts at code), first-seen order."""
    empty: tuple[str, ...] = ()
    """Known names without a value for this ticket (no contact person, no clock yet)."""

    @property
    def complete(self) -> bool:
        """True when every placeholder was filled and the text can go out as it is."""
        return not self.unknown and not self.empty


def fill(body: str, values: Mapping[str, str]) -> FilledTemplate:
    """Replace each `{name}` in `body` by `values[name]`; never raises.

    A name counts as known when it is in PLACEHOLDERS or in `values`. Values are inserted
    as they are: braces inside a customer's name are not filled a second time.
    """
    unknown: dict[str, None] = {}
    empty: dict[str, None] = {}

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token in ("{{", "}}"):
            return token[0]
        name = match.group(1).strip()
        value = values.get(name)
        if value is not None and value.strip():
            return value
        (empty if name in PLACEHOLDERS or name in values else unknown)[name] = None
        return f"{MARK_OPEN}{name}{MARK_CLOSE}"

    text = _TOKEN.sub(replace, body)
    return FilledTemplate(text=text, unknown=tuple(unknown), empty=tuple(empty))


def unfilled(text: str) -> tuple[str, ...]:
    """The placeholder marks still in `text` after the agent edited it, for the send check."""
    return tuple(dict.fromkeys(_MARK.findall(text)))


def template_values(
    ticket: Ticket,
    customer: Customer,
    agent: Agent | None,
    due_times: Mapping[str, datetime | None],
    zone: ZoneInfo,
    contact: Contact | None = None,
) -> dict[str, str]:
    """The values `fill` takes for one ticket (and the contact it names); absent things are
    empty strings.

    `due_times` maps clock names ("first_response", "solution", "closure", "escalation")
    to aware due instants, or None for a clock that has none (stopped, met, not started).
    """
    values = {
        "customer.name": customer.name,
        "customer.contact_name": contact.name if contact is not None else customer.contact_name,
        "ticket.number": ticket.number,
        "ticket.subject": ticket.subject,
        "agent.name": agent.name if agent is not None else "",
    }
    for name, due in due_times.items():
        values[f"clock.{name}.due"] = due.astimezone(zone).strftime(DUE_FORMAT) if due is not None else ""
    return values
