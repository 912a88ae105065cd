"""The queue's read model: tickets as a queue shows, sorts and filters them.

A queue, and a lead's team queue, can run to 100,000 tickets. These reads skip the ORM
(plain tuples from sqlite3, on the `queue_entry` table the migrations keep current) and page
by keyset: a page starts after the last row of the one before, on an index, so the
thousandth page costs what the first does. The store only keeps the rows; when a ticket's
clocks stop is the caller's to work out (`usecases.queue_list`), and this module refuses
to know the clock rules.

Methods of `cs_console.store.Store` (and of `cs_console.lazy_store.LazyStore`, which
shows the first screen before SQLAlchemy is loaded): it reads through `_plain_reads` and
writes, device-local bookkeeping only, through `_plain_write`, and imports no ORM.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import datetime
from operator import itemgetter
from sys import intern
from typing import NamedTuple

from cs_console.storage.plain import ID_CHUNK
from cs_console.storage.plain import utc_from_text as _utc
from cs_console.utc import to_text
from cs_console.vocabulary import PRIORITIES


class OpenReminder(NamedTuple):
    """A personal reminder not yet done, as a queue row carries it (`Reminder`'s columns,
    read without the ORM)."""

    id: str
    ticket_id: str
    agent_id: str | None
    due_at: datetime
    note: str


class QueueRow(NamedTuple):
    """One ticket as a queue shows, sorts and filters it. A named tuple, because a lead's
    queue holds 100,000 of them and a tuple costs a fraction of a dataclass to make and to
    keep. A ticket whose clocks all run no more (settled) comes without its events."""

    id: str
    number: str
    priority: str
    status: str
    subject: str
    customer_name: str
    assignee_id: str | None
    created_at: datetime
    updated_at: datetime
    events: tuple[tuple[str, datetime], ...] = ()
    """The `(kind, at)` history its clocks are computed from, in time order."""
    reminder: OpenReminder | None = None
    """The agent's earliest open personal reminder on this ticket."""
    tags: str = ""
    """Its tags as the queue's filter finds them: "#typhoon #vip" (empty: none)."""


_KEY_COLUMNS = "ticket_id, number, priority, status, subject, customer_name, assignee_id, created_at, updated_at"
"""The columns of a `QueueRow` but its events and reminder, from `queue_entry`."""
_AT = itemgetter(1)
_CLOCK_SETTINGS = "queue.clock_settings"
"""The meta key of the clock settings the settled moments were worked out under."""


class QueueRows:
    """The queue's reads, and the device-local index of when each ticket's clocks stopped."""

    def unchecked_tickets(self, limit: int) -> list[tuple[str, str, tuple[tuple[str, datetime], ...]]]:
        """Up to `limit` tickets whose clocks were not checked since their last event, as
        (id, priority, events): the caller works out when their clocks all stop and saves it
        (`save_settled`). Usually none; every ticket after an upgrade, a large sync or a
        change of the clock settings (`check_clocks_again_unless`)."""
        with self._plain_reads() as db:
            found = db.execute("SELECT ticket_id, priority, history FROM queue_entry WHERE checked = 0 LIMIT ?",
                               (limit,))
            return [(ticket_id, priority, _events(history)) for ticket_id, priority, history in found]

    def check_clocks_again_unless(self, clock_settings: str) -> None:
        """Mark every ticket's clocks to be checked again unless they were checked under
        these settings (`Config.clock_settings`): a closed ticket's settling moment
        depends on the policy and calendar. Device-local: no outbox."""
        with self._plain_reads() as db:
            if db.execute("SELECT value FROM meta WHERE key = ?", (_CLOCK_SETTINGS,)).fetchone() == (clock_settings,):
                return
        with self._plain_write() as db:
            db.execute("UPDATE queue_entry SET checked = 0 WHERE checked = 1")
            db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (_CLOCK_SETTINGS, clock_settings))

    def live_tickets(self, agent_id: str | None, now: datetime) -> tuple[QueueRow, ...]:
        """The tickets of `agent_id`'s queue (everyone's when None) whose place in it moves
        with the clock: a clock still open at `now` or not yet checked, or an open reminder
        (the agent's own, or anyone's for everyone's queue). Usually a small share."""
        # `+assignee_id`: found through the settled index (few rows: the desk's live tickets),
        # not the agent's (all of the agent's years of tickets): 1.0 ms against 3.3-21 ms for
        # an agent of a generated 100,000-ticket desk, on the way to the first paint.
        scope, scope_args = ("", ()) if agent_id is None else (" AND +assignee_id = ?", (agent_id,))
        with self._plain_reads() as db:
            rows = db.execute(
                f"SELECT {_KEY_COLUMNS}, history, tags FROM queue_entry "
                f"WHERE (settled_at IS NULL OR settled_at > ?){scope}",
                (to_text(now), *scope_args),
            ).fetchall()
            reminders = _open_reminders(db, agent_id)
            found = {row[0] for row in rows}
            others = [ticket_id for ticket_id in reminders if ticket_id not in found]
            for start in range(0, len(others), ID_CHUNK):
                chunk = others[start : start + ID_CHUNK]
                rows += db.execute(
                    f"SELECT {_KEY_COLUMNS}, history, tags FROM queue_entry "
                    f"WHERE ticket_id IN ({','.join('?' * len(chunk))}){scope}",
                    (*chunk, *scope_args),
                ).fetchall()
        return tuple(
            QueueRow(id, number, priority, status, subject, customer, assignee, _utc(created), _utc(updated),
                     _events(history), reminders.get(id), tags)
            for id, number, priority, status, subject, customer, assignee, created, updated, history, tags in rows
        )

    def save_settled(self, found: Mapping[str, tuple[datetime | None, int]]) -> None:
        """Record, for each ticket id, when its clocks had all stopped (None: one still runs)
        and how many events that was worked out from. A ticket that has had another event
        since stays unchecked. A device-local index derived from synced rows: no outbox."""
        with self._plain_write() as db:
            db.executemany(
                "UPDATE queue_entry SET settled_at = ?, checked = 1 "
                "WHERE ticket_id = ? AND length(history) - length(replace(history, ';', '')) = ?",
                [(None if at is None else to_text(at), ticket_id, seen) for ticket_id, (at, seen) in found.items()],
            )

    def settled_page(self, agent_id: str | None, now: datetime, after: QueueRow | None, limit: int) -> list[QueueRow]:
        """Up to `limit` tickets of the queue (everyone's when `agent_id` is None) whose clocks
        had all stopped by `now`, in their lasting order, priority first, then oldest first:
        the page that follows `after`, or the first page. Priorities, statuses, customers and
        assignees repeat across 100,000 rows, so each is kept as one shared string."""
        scope, scope_args = ("", ()) if agent_id is None else (" AND assignee_id = ?", (agent_id,))
        page: list = []
        with self._plain_reads() as db:
            for priority in PRIORITIES[PRIORITIES.index(after.priority) if after else 0 :]:
                bound = (to_text(after.created_at), after.id) if after and after.priority == priority else ("", "")
                page += db.execute(
                    f"SELECT {_KEY_COLUMNS}, tags FROM queue_entry WHERE priority = ?{scope} "
                    "AND (created_at, ticket_id) > (?, ?) AND +settled_at <= ? ORDER BY created_at, ticket_id LIMIT ?",
                    (priority, *scope_args, *bound, to_text(now), limit - len(page)),
                ).fetchall()
                if len(page) >= limit:
                    break
        # Shared strings: peak 200.9 MB against 230.1 MB without (bench_queue, 100k tickets).
        return [QueueRow(id, number, intern(priority), intern(status), subject, intern(customer),
                         assignee and intern(assignee), _utc(created), _utc(updated), tags=tags and intern(tags))
                for id, number, priority, status, subject, customer, assignee, created, updated, tags in page]


def _open_reminders(db: sqlite3.Connection, agent_id: str | None) -> dict[str, OpenReminder]:
    """The earliest open reminder per ticket, of `agent_id` (or anyone's when None)."""
    scope, scope_args = ("", ()) if agent_id is None else (" AND agent_id = ?", (agent_id,))
    earliest: dict[str, OpenReminder] = {}
    for id, ticket_id, agent, due_at, note in db.execute(
        f"SELECT id, ticket_id, agent_id, due_at, note FROM reminder WHERE done = 0{scope} ORDER BY due_at",
        scope_args,
    ):
        if ticket_id not in earliest:
            earliest[ticket_id] = OpenReminder(id, ticket_id, agent, _utc(due_at), note)
    return earliest


def _events(history: str) -> tuple[tuple[str, datetime], ...]:
    """A ticket's `(kind, at)` events from its "kind@at;" history, in time order, events at
    the same time in the order they were stored (the clocks replay ties in the order given)."""
    events = []
    for event in history.split(";")[:-1]:
        kind, _, at = event.partition("@")
        events.append((kind, _utc(at)))
    events.sort(key=_AT)
    return tuple(events)
