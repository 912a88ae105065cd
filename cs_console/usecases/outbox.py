"""The outbox as an agent reads it: every change not on the server yet, and what to do with one.

Each change is an `OutboxItem`: when it was made, what kind of change it was (a reply, an
internal note, a status change, a new ticket...), the ticket it was for, a one-line preview
and the whole text, about how many bytes it takes, and its state:

- waiting: it goes up with the next sync (urgent work first, `sync.priority`);
- sending: a sync that carries it is under way;
- refused: the server refused it, and said why (sync set it aside, `Store.set_aside_operations`,
  so nothing typed is lost);
- settled: the server took it, but a later change to the same field stays (last writer
  wins); listed with both values, each field's, until the agent discards the notice.

An item can be sent again (`retry`: a refused one goes up as the newest), put back in its
ticket's composer to edit and send anew (`edit_again`: a message, refused or waiting), or
discarded (`discard`). `refused_changes` is the read the app's notice after a sync makes.
The reads and actions touch the store: call them from a thread worker.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from cs_console.storage.models import OutboxOp
from cs_console.storage.sync_state import op_bytes
from cs_console.sync.schema import TICKET_CHILDREN
from cs_console.text.display import clip
from cs_console.usecases.drafts import DraftKeeper, reply_key
from cs_console.vocabulary import INTERACTION_KINDS

if TYPE_CHECKING:
    from cs_console.store import Store

KINDS = (*INTERACTION_KINDS, "new_ticket", "ticket", "ticket_event", "ticket_tag", "reminder", "customer", "agent",
         "kb_article", "template", "macro")
"""What a change can be: a message of one of the interaction kinds, a new ticket, a change to
a ticket, or a change to another synced row (by its entity name)."""
STATES = ("waiting", "sending", "refused", "settled")
COMPOSER_KINDS = ("public_reply", "internal_note")
"""Messages the ticket's composer writes, so the ones that can be put back in it."""
TEXT_FIELDS = ("body", "note")
"""The field that holds what a person typed: a message's body, a reminder's note."""
HIDDEN_FIELDS = frozenset({"id", "ticket_id", "hlc", "field_clocks"})
"""Bookkeeping the whole text of a change leaves out; the ticket has a line of its own."""
PREVIEW_CELLS = 60
"""How much of the text the list shows (wide characters count two); Enter shows it whole."""


class OutboxRefusal(Exception):
    """What cannot be done with an item, in the sentence the agent reads (a `strings` key)."""

    def __init__(self, key: str) -> None:
        super().__init__(key)
        self.key = key


@dataclass(frozen=True)
class OutboxItem:
    """One change not on the server, in the terms of the screen."""

    op_id: str
    made_at: datetime
    """When the change was made on this device."""
    kind: str
    """One of `KINDS`."""
    ticket_id: str | None
    """The ticket it is for; None for a change not about a ticket."""
    number: str
    """The ticket's number; "" for a change that is not about a ticket, or one of a ticket
    this device no longer holds."""
    title: str
    """The ticket's subject, or the name or title of the row changed; may be ""."""
    preview: str
    """The start of `text` on one line."""
    text: str
    """What was typed (a body, a note), else the fields changed, one `name: value` a line."""
    size: int
    """About how many bytes it takes to send."""
    state: str = "waiting"
    """One of `STATES`."""
    reason: str | None = None
    """The server's sentence, for a refused change."""
    settled: tuple[tuple[str, str, str], ...] = ()
    """(field, this device's value, the value that stays) of a settled change, values as shown."""

    @property
    def editable(self) -> bool:
        """A message the composer can take back, to edit and send anew."""
        return self.kind in COMPOSER_KINDS and self.ticket_id is not None and self.state != "sending"

    @property
    def discardable(self) -> bool:
        """A settled change's notice, a refused change, or a message still waiting."""
        return self.state in ("refused", "settled") or (self.state == "waiting" and self.kind in INTERACTION_KINDS)


def outbox_items(store: Store, sending_since: datetime | None = None) -> list[OutboxItem]:
    """Every change not on the server, newest first; those made before `sending_since` (when
    the sync under way started) are sending.

    Raises:
        StoreError: the database cannot be read.
    """
    operations = store.outbox_operations()
    settled = store.settled_operations()
    titles = store.ticket_titles(ticket_ids([*operations, *((op, None) for op, _ in settled)]))
    items = describe(operations, titles)
    if sending_since is not None:
        items = [_sending(item) if item.state == "waiting" and item.made_at <= sending_since else item for item in items]
    if not settled:
        return items
    names = {agent.id: agent.name for agent in store.agents()}
    items += [replace(_item(op, None, titles), state="settled",
                      settled=tuple((name, _shown(name, ours, names), _shown(name, stays, names)) for name, ours, stays in lost))
              for op, lost in settled]
    return sorted(items, key=lambda item: item.made_at, reverse=True)


def _shown(field: str, value: object, agent_names: Mapping[str, str]) -> str:
    """A field's value as the agent reads it: an agent by name, the team pool by saying so."""
    if field == "assignee_id":
        return agent_names.get(str(value), str(value)) if value else "-"
    return str(value)


def _sending(item: OutboxItem) -> OutboxItem:
    return OutboxItem(**{**item.__dict__, "state": "sending"})


def by_ticket(items: Iterable[OutboxItem]) -> list[list[OutboxItem]]:
    """Items (newest first) grouped by ticket, the group with the newest change first;
    changes not about a ticket make one group."""
    groups: dict[str | None, list[OutboxItem]] = {}
    for item in items:
        groups.setdefault(item.ticket_id, []).append(item)
    return list(groups.values())


def refused_changes(store: Store, newest: int | None = None) -> list[OutboxItem]:
    """Every refused change (or the `newest` ones set aside), described, newest first.

    Raises:
        StoreError: the database cannot be read.
    """
    operations = store.refused_operations()
    if newest is not None:
        operations = operations[len(operations) - newest:]
    return describe(operations, store.ticket_titles(ticket_ids(operations)))


def retry(store: Store, item: OutboxItem) -> None:
    """Send a refused change again, as the newest; a waiting one goes with the next sync as is."""
    if item.state == "refused":
        store.retry_operation(item.op_id)


def discard(store: Store, item: OutboxItem) -> None:
    """Never send this change; a waiting message leaves this device too.

    Raises:
        OutboxRefusal: a change that is going up now, or a waiting field change.
    """
    if not item.discardable:
        raise OutboxRefusal("outbox.cannot_discard_sending" if item.state == "sending" else "outbox.cannot_discard")
    if item.state == "settled":
        store.forget_settled(item.op_id)
    else:
        store.discard_operation(item.op_id)


def edit_again(store: Store, drafts: DraftKeeper, item: OutboxItem) -> str:
    """Put a message back in its ticket's composer (after any text already drafted there) and
    drop it from the outbox, in one transaction; returns the ticket to open.

    Raises:
        OutboxRefusal: not a reply or note, or going up now.
    """
    if not item.editable:
        raise OutboxRefusal("outbox.cannot_edit_sending" if item.state == "sending" else "outbox.cannot_edit")
    key = reply_key(item.ticket_id)
    with drafts.replacing(key) as drafted:
        body = f"{drafted.body.rstrip()}\n\n{item.text}" if drafted and drafted.body.strip() else item.text
        store.discard_operation(item.op_id, draft=(key, body, {"mode": item.kind}))
    return item.ticket_id


def ticket_ids(operations: Iterable[tuple[OutboxOp, str | None]]) -> set[str]:
    """The tickets the operations were for, whose number and subject `describe` needs."""
    return {found for op, _ in operations if (found := _ticket_id(op, json.loads(op.payload)))}


def describe(operations: Iterable[tuple[OutboxOp, str | None]],
             titles: Mapping[str, tuple[str, str]]) -> list[OutboxItem]:
    """Each operation with the server's reason (None: waiting), newest first; `operations`
    come oldest first and `titles` maps ticket ids to their (number, subject)."""
    items = [_item(op, reason, titles) for op, reason in operations][::-1]
    return sorted(items, key=lambda item: item.made_at, reverse=True)  # stable: the same moment, newest seq first


def _item(op: OutboxOp, reason: str | None, titles: Mapping[str, tuple[str, str]]) -> OutboxItem:
    payload = json.loads(op.payload)
    ticket_id = _ticket_id(op, payload)
    number, title = titles.get(ticket_id or "", (payload.get("number", ""), payload.get("subject", "")))
    if ticket_id is None:
        title = str(payload.get("name") or payload.get("title") or "")
    typed = next((payload[name] for name in TEXT_FIELDS if payload.get(name)), None)
    text = str(typed) if typed is not None else "\n".join(
        f"{name}: {value}" for name, value in payload.items() if name not in HIDDEN_FIELDS)
    return OutboxItem(op.op_id, op.created_at, _kind(op, payload), ticket_id, number, title,
                      clip(text, PREVIEW_CELLS), text, op_bytes(op), "refused" if reason is not None else "waiting",
                      reason)


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
