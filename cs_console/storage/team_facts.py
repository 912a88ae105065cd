"""What the lead's screen, routing, the reports and staffing read: tickets with their events,
contacts and tags, never the message bodies (but for the latest customer message, for sentiment).

Read without the ORM: a period's report reads every ticket touched in it. The rows are
storage's own (`TicketFactsRow`, `ContactRow`); `usecases.ticket_facts` turns them into the
KPI code's `lead.kpi.TicketFacts`. This module refuses to know what a KPI, a tag or a team's
scope is.

Methods of `cs_console.store.Store`, which reads through `_plain_reads`.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Sequence
from datetime import datetime
from itertools import groupby
from operator import itemgetter
from typing import NamedTuple

from cs_console.storage.plain import ID_CHUNK
from cs_console.storage.plain import utc_from_text as _utc
from cs_console.utc import to_text
from cs_console.vocabulary import ACTIVE_STATUSES


class ContactRow(NamedTuple):
    """One interaction of a ticket without its text: who, what kind, when, any score."""

    kind: str
    at: datetime
    author_id: str | None
    satisfaction: int | None
    nps: int | None
    survey: str = "{}"
    """A callback's other survey answers, as stored (JSON)."""


class TicketFactsRow(NamedTuple):
    """One ticket as the lead's numbers read it."""

    id: str
    number: str
    subject: str
    customer_name: str
    customer_language: str
    assignee_id: str | None
    team: str
    category: str
    tags: tuple[str, ...]
    """The tags it carries, alphabetical."""
    priority: str
    status: str
    created_at: datetime
    updated_at: datetime
    events: tuple[tuple[str, datetime], ...]
    """(kind, at), oldest first: what the clocks are computed from."""
    contacts: tuple[ContactRow, ...]
    """Oldest first."""
    channel: str
    """How the ticket came in."""
    customer_id: str


class TeamFacts:
    """The lead's reads: tickets with events and contacts, customers' latest words, arrivals."""

    def ticket_facts(
        self,
        *,
        statuses: Sequence[str] | None = None,
        created_before: datetime | None = None,
        touched_since: datetime | None = None,
    ) -> list[TicketFactsRow]:
        """Tickets in `statuses` (any when None), created before `created_before`, and, when
        `touched_since` is given, changed since then or still active; oldest first."""
        where, args = ["1"], []
        if statuses is not None:
            where.append(f"t.status IN ({','.join('?' * len(statuses))})")
            args += list(statuses)
        if created_before is not None:
            where.append("t.created_at < ?")
            args.append(to_text(created_before))
        if touched_since is not None:
            where.append(f"(t.updated_at >= ? OR t.status IN ({','.join('?' * len(ACTIVE_STATUSES))}))")
            args += [to_text(touched_since), *ACTIVE_STATUSES]
        with self._plain_reads() as db:
            rows = db.execute(
                "SELECT t.id, t.number, t.subject, c.name, c.language, t.assignee_id, t.team, t.category, "
                "t.priority, t.status, t.created_at, t.updated_at, t.channel, t.customer_id FROM ticket t JOIN customer c ON c.id = t.customer_id "
                f"WHERE {' AND '.join(where)} ORDER BY t.created_at, t.id",
                args,
            ).fetchall()
            ids = [row[0] for row in rows]
            events = _events(db, ids)
            contacts: dict[str, list[ContactRow]] = {}
            tags: dict[str, list[str]] = {}
            for start in range(0, len(ids), ID_CHUNK):
                chunk = ids[start : start + ID_CHUNK]
                for ticket_id, kind, at, author, satisfaction, nps, survey in db.execute(
                    "SELECT ticket_id, kind, created_at, author_id, satisfaction, nps, survey FROM interaction "
                    f"WHERE ticket_id IN ({','.join('?' * len(chunk))}) ORDER BY ticket_id, created_at",
                    chunk,
                ):
                    contacts.setdefault(ticket_id, []).append(
                        ContactRow(kind, _utc(at), author, satisfaction, nps, survey))
                for ticket_id, tag in db.execute(
                    f"SELECT ticket_id, tag FROM ticket_tag WHERE ticket_id IN ({','.join('?' * len(chunk))}) "
                    "AND active ORDER BY ticket_id, tag",
                    chunk,
                ):
                    tags.setdefault(ticket_id, []).append(tag)
        return [
            TicketFactsRow(id, number, subject, customer, language or "", assignee, team, category,
                           tuple(tags.get(id, ())), priority, status, _utc(created), _utc(updated),
                           events.get(id, ()), tuple(contacts.get(id, ())), channel, customer_id)
            for id, number, subject, customer, language, assignee, team, category, priority, status, created, updated,
            channel, customer_id in rows
        ]

    def latest_customer_messages(self, ticket_ids: Sequence[str]) -> dict[str, str]:
        """Ticket id to the text of the customer's latest message, for tickets that have one."""
        latest: dict[str, str] = {}
        with self._plain_reads() as db:
            for start in range(0, len(ticket_ids), ID_CHUNK):
                chunk = list(ticket_ids[start : start + ID_CHUNK])
                # SQLite takes the bare column `body` from the row that holds max(created_at).
                latest.update(
                    (ticket_id, body)
                    for ticket_id, body, _ in db.execute(
                        "SELECT ticket_id, body, max(created_at) FROM interaction WHERE kind = 'customer_message' "
                        f"AND ticket_id IN ({','.join('?' * len(chunk))}) GROUP BY ticket_id",
                        chunk,
                    )
                )
        return latest

    def ticket_arrivals(
        self, since: datetime, until: datetime, members: Collection[str] | None = None, pools: Collection[str] = ()
    ) -> list[datetime]:
        """When each ticket created in `[since, until)` was created, for staffing. Given
        `members`, only the tickets assigned to one of them or unassigned and filed with a
        team in `pools`: a team's scope as `team.Scope` decides it (its `members` and `pools`)."""
        where, args = "created_at >= ? AND created_at < ?", [to_text(since), to_text(until)]
        if members is not None:
            # Lists as JSON: a team of any size is two bound parameters.
            where += (" AND (assignee_id IN (SELECT value FROM json_each(?))"
                      " OR (assignee_id IS NULL AND team IN (SELECT value FROM json_each(?))))")
            args += [json.dumps(sorted(members)), json.dumps(sorted(pools))]
        with self._plain_reads() as db:
            return [_utc(created) for (created,) in db.execute(f"SELECT created_at FROM ticket WHERE {where}", args)]


def _events(db: sqlite3.Connection, ticket_ids: list[str]) -> dict[str, tuple[tuple[str, datetime], ...]]:
    """Each ticket's `(kind, at)` events in time order, events at the same time in the order
    they were stored (the clocks replay ties in the order given)."""
    events: dict[str, tuple[tuple[str, datetime], ...]] = {}
    for start in range(0, len(ticket_ids), ID_CHUNK):
        chunk = ticket_ids[start : start + ID_CHUNK]
        found = db.execute(
            f"SELECT ticket_id, kind, at FROM ticket_event WHERE ticket_id IN ({','.join('?' * len(chunk))}) "
            "ORDER BY ticket_id, at, rowid",
            chunk,
        )
        for ticket_id, rows in groupby(found, itemgetter(0)):
            events[ticket_id] = tuple((kind, _utc(at)) for _, kind, at in rows)
    return events
