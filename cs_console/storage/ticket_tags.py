"""Tags on tickets: switching them on and off, many tickets at once, and the tags in use.

A tag is a row per ticket and tag (`TicketTag`), whose id the caller derives from both
(`cs_console.tags.tag_id`), so two devices tagging alike write one row; removing a tag
switches it off rather than deleting it, so the removal merges by its clock. Each change
leaves a "tagged" or "untagged" event for the ticket's trail, in the same transaction.
This module takes tags already in normal form: what a tag may look like is `cs_console.tags`'s.

Methods of `cs_console.store.Store`, which writes through `_insert` and `_update`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlmodel import Session, col, func, select

from cs_console.storage.errors import NotFound
from cs_console.storage.models import Ticket, TicketEvent, TicketTag
from cs_console.utc import utcnow

TagId = Callable[[str, str], str]
"""The id of the row of (ticket id, tag)."""


class TicketTags:
    """Reading and changing the tags of tickets."""

    def ticket_tags(self, ticket_id: str) -> list[str]:
        """The tags a ticket carries, alphabetical."""
        with self.read() as session:
            return list(session.exec(select(TicketTag.tag).where(TicketTag.ticket_id == ticket_id,
                                                                 col(TicketTag.active)).order_by(TicketTag.tag)))

    def tags_in_use(self) -> list[tuple[str, int]]:
        """Every tag some ticket carries, with how many do, most used first."""
        with self.read() as session:
            count = func.count()
            rows = session.exec(select(TicketTag.tag, count).where(col(TicketTag.active)).group_by(TicketTag.tag)
                                .order_by(count.desc(), TicketTag.tag))
            return [(tag, n) for tag, n in rows]

    def change_tags(self, ticket_ids: Sequence[str], *, add: Sequence[str] = (), remove: Sequence[str] = (),
                    row_id: TagId, author_id: str | None, at: datetime | None = None) -> int:
        """Put the tags `add` on every ticket and take `remove` off, in one transaction: all
        or none. Returns how many tags changed (a ticket that already had a tag added, or
        lacked one removed, is left as it is).

        Raises:
            NotFound: a ticket does not exist; nothing was changed.
        """
        at = at or utcnow()
        changed = 0
        with self.write() as session:
            for ticket_id in ticket_ids:
                if session.get(Ticket, ticket_id) is None:
                    raise NotFound(f"no ticket with id {ticket_id}")
                changed += self._switch_tags(session, ticket_id, add, True, row_id=row_id, author_id=author_id, at=at)
                changed += self._switch_tags(session, ticket_id, remove, False, row_id=row_id, author_id=author_id,
                                             at=at)
        return changed

    def _switch_tags(self, session: Session, ticket_id: str, tags: Sequence[str], active: bool, *, row_id: TagId,
                     author_id: str | None, at: datetime) -> int:
        """Switch `tags` on (or off) on a ticket inside the caller's transaction, each with its
        trail event; returns how many changed."""
        changed = 0
        for tag in tags:
            row = session.get(TicketTag, row_id(ticket_id, tag))
            if row is None and not active or row is not None and row.active == active:
                continue
            if row is None:
                self._insert(session, TicketTag(id=row_id(ticket_id, tag), ticket_id=ticket_id, tag=tag, active=True,
                                                updated_at=at))
            else:
                self._update(session, row, {"active": active, "updated_at": at})
            self._insert(session, TicketEvent(
                ticket_id=ticket_id, kind="tagged" if active else "untagged", at=at, author_id=author_id,
                detail=json.dumps({"tag": tag}, ensure_ascii=False, separators=(",", ":"))))
            changed += 1
        return changed
