"""Drafts: text an agent typed and has not sent or saved yet.

Local to the device and never synced: a draft is written straight to its own table, never
through `_record`, so it never reaches the outbox, and like any committed row it survives a
crash. One row per key; which key names what (a ticket's composer, the new-ticket form), what
the fields mean and when a draft is empty are the caller's (`cs_console.usecases.drafts`).

A write that fails comes back from the store's door as a `StoreError` naming the file and
the reason, never as a driver error.

Methods of `cs_console.store.Store`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from sqlalchemy import delete
from sqlmodel import Session, col, select

from cs_console.storage.models import Draft
from cs_console.utc import utcnow


class Drafts:
    """Keeping, reading and dropping unsent text."""

    def save_draft(self, key: str, body: str, fields: Mapping[str, str] | None = None) -> None:
        """Keep `body` (and the form's other `fields`) under `key`, replacing what was there.

        Raises:
            StoreError: the database could not be written; the draft was not kept.
        """
        row = Draft(key=key, body=body, fields=json.dumps(dict(fields or {}), ensure_ascii=False), updated_at=utcnow())
        with self.write() as session:
            session.merge(row)

    def draft(self, key: str) -> Draft | None:
        with self.read() as session:
            return session.get(Draft, key)

    def drafts(self) -> list[Draft]:
        """Every draft on this device, the most recently typed first."""
        with self.read() as session:
            return list(session.exec(select(Draft).order_by(col(Draft.updated_at).desc(), Draft.key)))

    def discard_draft(self, key: str) -> None:
        """Drop the draft under `key`, if there is one.

        Raises:
            StoreError: the database could not be written; the draft is still there.
        """
        with self.write() as session:
            self._discard_draft(session, key)

    def _discard_draft(self, session: Session, key: str) -> None:
        """Drop a draft inside another write, so the text it held and the reply or ticket
        made from it are committed together: a crash never leaves both."""
        session.execute(delete(Draft).where(col(Draft.key) == key))

