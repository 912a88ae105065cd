"""The changes the server refused, as an agent reads them: what, on which ticket, and why.

Sync sets aside an operation the server refuses (`Store.set_aside_operations`), keeping it
and the server's reason, so nothing typed is lost. This module turns each kept operation
into a `RefusedChange`: when it was made, what kind of change it was (a reply, an internal
note, a status change, a new ticket...), the ticket it was for, a one-line preview and the
whole text, which the agent reads and types again where it now belongs.

`refused_changes` is the one read both the refused-changes screen and the app's notice
after a sync make; everything else here is pure. Call it from a thread worker. It refuses
to resend, edit or drop an operation: what becomes of the text is the agent's call.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cs_console.storage.models import OutboxOp
from cs_console.sync.schema import TICKET_CHILDREN
from cs_console.text.display import clip
from cs_console.vocabulary import INTERACTION_KINDS

if TYPE_CHECKING:
    from cs_console.store import Store

KINDS = (*INTERACTION_KINDS, "new_ticket", "ticket", "ticket_event", "reminder", "customer", "agent", "kb_article",
         "template")
"""What a refused change can be: a message of one of the interaction kinds, a new ticket, a
change to a ticket, or a change to another synced row (by its entity name)."""
TEXT_FIELDS = ("body", "note")
"""The field that holds what a person typed: a message's body, a reminder's note."""
HIDDEN_FIELDS = frozenset({"id", "ticket_id", "hlc", "field_clocks"})
"""Bookkeeping the whole text of a change leaves out; the ticket has a line of its own."""
PREVIEW_CELLS = 60
"""How much of the text the list shows (wide characters count two); Enter shows it whole."""


@dataclass(frozen=True)
class RefusedChange:
    """One operation the server refused, with its reason, in the terms of the screen."""

    op_id: str
    made_at: datetime
    """When the change was made on this device."""
    kind: str
    """One of `KINDS`."""
    number: str
    """The ticket's number; "" for a change that is not about a ticket, or one of a ticket
    this device no longer holds."""
    title: str
    """The ticket's subject, or the name or title of the row changed; may be ""."""
    preview: str
    """The start of `text` on one line."""
    text: str
    """What was typed (a body, a note), else the fields changed, one `name: value` a line."""
    reason: str
    """The server's sentence."""


def refused_changes(store: Store, newest: int | None = None) -> list[RefusedChange]:
    """Every refused change (or the `newest` ones set aside), described, newest first.

    Reads the store: call from a thread worker.

    Raises:
        StoreError: the database cannot be read.
    """
    operations = store.refused_operations()
    if newest is not None:
        operations = operations[len(operations) - newest:]
    return describe(operations, store.ticket_titles(ticket_ids(operations)))


def ticket_ids(operations: Iterable[tuple[OutboxOp, str]]) -> set[str]:
    """The tickets the operations were for, whose number and subject `describe` needs."""
    return {found for op, _ in operations if (found := _ticket_id(op, json.loads(op.payload)))}


def describe(operations: Iterable[tuple[OutboxOp, str]], titles: Mapping[str, tuple[str, str]]) -> list[RefusedChange]:
    """Each refused operation with its reason, newest first; `operations` come oldest first
    (as `Store.refused_operations` gives them) and `titles` maps ticket ids to their
    (number, subject)."""
    return [_change(op, reason, titles) for op, reason in operations][::-1]


def _change(op: OutboxOp, reason: str, titles: Mapping[str, tuple[str, str]]) -> RefusedChange:
    payload = json.loads(op.payload)
    ticket_id = _ticket_id(op, payload)
    number, title = titles.get(ticket_id or "", (payload.get("number", ""), payload.get("subject", "")))
    if ticket_id is None:
        title = str(payload.get("name") or payload.get("title") or "")
    typed = next((payload[name] for name in TEXT_FIELDS if payload.get(name)), None)
    text = str(typed) if typed is not None else "\n".join(
        f"{name}: {value}" for name, value in payload.items() if name not in HIDDEN_FIELDS)
    return RefusedChange(op.op_id, op.created_at, _kind(op, payload), number, title,
                         clip(text, PREVIEW_CELLS), text, reason)


def _ticket_id(op: OutboxOp, payload: dict) -> str | None:
    if op.entity == "ticket":
        return op.entity_id
    if op.entity in TICKET_CHILDREN:
        return payload.get("ticket_id")
    return None


def _kind(op: OutboxOp, payload: dict) -> str:
    if op.entity == "interaction" and payload.get("kind") in INTERACTION_KINDS:
        return payload["kind"]
    if op.entity == "ticket" and op.action == "insert":
        return "new_ticket"
    return op.entity
