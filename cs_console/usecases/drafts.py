"""Unsent text is kept as the agent types, so Escape, ctrl+q or a crash loses none of it.

A draft is named by a stable key: `reply:<ticket id>` for a ticket's composer (whether it is
a reply or an internal note rides in its fields, as `mode`), `new-ticket` for the new-ticket
form, `call:<number>` for the form opened for a caller (`cs-console call`), so a call never
overwrites a form the agent left half-filled. Drafts live in the device's store, never synced.

`DraftKeeper` is the one way drafts are written. A screen tells it every change at once, on
the event loop and without touching the database (`note`); a thread worker writes the latest
text later (`write`, debounced by the app). Writes keep the order the agent typed in: a
worker writes whatever is latest when it runs, so a late worker never puts back older text.
Sending a reply or saving a ticket takes the key first (`sending`), so no write that was
still waiting can bring back a text that was just sent. Reads see text not written yet.

It refuses to know about screens or widgets: what a form's fields are is the screen's.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cs_console.storage.models import Draft
    from cs_console.store import Store

NEW_TICKET = "new-ticket"
"""The key of the new-ticket form's draft (one form, one draft)."""
REPLY_PREFIX = "reply:"
CALL_PREFIX = "call:"


def reply_key(ticket_id: str) -> str:
    """The key of a ticket's composer draft."""
    return f"{REPLY_PREFIX}{ticket_id}"


def call_key(phone: str) -> str:
    """The key of the new-ticket form opened for a call from `phone` (E.164)."""
    return f"{CALL_PREFIX}{phone}"


def caller_of(key: str) -> str | None:
    """The caller's number a draft key belongs to; None for any other draft."""
    return key.removeprefix(CALL_PREFIX) if key.startswith(CALL_PREFIX) else None


def ticket_of(key: str) -> str | None:
    """The ticket a draft key belongs to; None for a new-ticket form."""
    return key.removeprefix(REPLY_PREFIX) if key.startswith(REPLY_PREFIX) else None


@dataclass(frozen=True)
class DraftText:
    """What was typed: the text, and the other fields of the form or composer it was typed in."""

    body: str
    fields: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DraftEntry:
    """One draft as the drafts list shows it."""

    key: str
    text: DraftText
    ticket_id: str | None
    """The ticket it answers; None for the new-ticket form."""
    ticket_number: str = ""
    ticket_subject: str = ""
    """Empty when the ticket is not on this device (any more)."""


_NOTHING = object()
"""Marks "no newer text waiting" for a key, apart from None (the draft is to be dropped)."""


class DraftKeeper:
    """The device's drafts: noted at once from the event loop, written from thread workers."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._lock = threading.Lock()
        """Held for every write and read, so they happen one at a time and in order."""
        self._waiting: dict[str, DraftText | None] = {}
        """The latest text of each key, not written yet (None: to be dropped)."""

    def note(self, key: str, text: DraftText | None) -> None:
        """The agent changed the text under `key` (None: nothing left to keep). Touches no
        database, so the event loop may call it on every keystroke; `write` stores it."""
        self._waiting.pop(key, None)  # the most recently noted last, for `entries`
        self._waiting[key] = text

    def write(self, key: str) -> None:
        """Store the latest text noted under `key`, if it is not stored yet. Thread workers only.

        Raises:
            StoreError: it could not be written; it stays waiting, for the next write or `keep_all`.
        """
        with self._lock:
            self._write(key)

    def read(self, key: str) -> DraftText | None:
        """The draft under `key`, including text noted but not written yet. Thread workers only."""
        with self._lock:
            waiting = self._waiting.get(key, _NOTHING)
            if waiting is not _NOTHING:
                return waiting
            row = self._store.draft(key)
        return None if row is None else _text(row)

    @contextmanager
    def sending(self, key: str) -> Iterator[None]:
        """Hold the drafts while the text under `key` is sent: waiting text for it is
        forgotten, and the reply or ticket should drop the stored draft in its own
        transaction (`clears_draft=key`). Thread workers only."""
        with self._lock:
            self._waiting.pop(key, None)
            yield

    @contextmanager
    def replacing(self, key: str) -> Iterator[DraftText | None]:
        """Hold the drafts while another transaction writes the text under `key`: yields the
        text there now (noted or stored); once the block succeeds, noted text not written yet
        is forgotten, so it never overwrites what the block stored. Thread workers only."""
        with self._lock:
            waiting = self._waiting.get(key, _NOTHING)
            if waiting is _NOTHING:
                row = self._store.draft(key)
                waiting = None if row is None else _text(row)
            yield waiting
            self._waiting.pop(key, None)

    def entries(self) -> list[DraftEntry]:
        """Every draft, the most recent first, with its ticket's number and subject. Thread workers only."""
        with self._lock:
            waiting = self._waiting.copy()
            stored = [row for row in self._store.drafts() if row.key not in waiting]
        texts = {key: text for key, text in reversed(waiting.items()) if text is not None}
        texts.update((row.key, _text(row)) for row in stored)
        titles = self._store.ticket_titles({ticket_of(key) for key in texts} - {None})
        entries = []
        for key, text in texts.items():
            ticket_id = ticket_of(key)
            number, subject = titles.get(ticket_id, ("", ""))
            entries.append(DraftEntry(key, text, ticket_id, number, subject))
        return entries

    def keep_all(self) -> int:
        """Write every text still waiting, then count the drafts kept: for quitting. Thread workers only.

        Raises:
            StoreError: a draft could not be written.
        """
        with self._lock:
            for key in list(self._waiting):
                self._write(key)
            return len(self._store.drafts())

    def _write(self, key: str) -> None:
        text = self._waiting.pop(key, _NOTHING)
        if text is _NOTHING:
            return
        try:
            if text is None:
                self._store.discard_draft(key)
            else:
                self._store.save_draft(key, text.body, text.fields)
        except BaseException:
            self._waiting.setdefault(key, text)
            raise


def _text(row: Draft) -> DraftText:
    return DraftText(row.body, json.loads(row.fields or "{}"))
