"""A queue as a compact list in memory: its order and its filters, instant at 100,000 tickets.

A queue has two parts. A ticket whose clocks have all stopped (closed, the callback made)
is *settled*: its place never moves, priority first and then oldest first, the order the
store pages settled tickets in. Every other ticket is *live* (a clock running or paused,
or a reminder open): its place moves with the clock, so its clocks are computed from its
events and it is sorted by `follow_up.queue_order`. A live ticket with a reminder due or
a clock open goes before every settled one (whose most urgent clock is infinitely far,
`sla.urgency_key`); a live ticket with neither merges into the settled part at the place
`queue_order` gives it. Live tickets are the working set, hundreds for an agent and a few
thousand for a team, so a queue of 100,000 never computes 100,000 clocks.

Filtering by status, priority and text scans compact rows, and when the new filter can only
pass fewer rows than the last (one more letter typed) it scans the last result only, with
the rows the last filter had still to test when it was not through. A
complete list can be filtered a slice at a time (`set_filter(budget=...)`, then
`filter_more`): matches come in queue order, so the first screenful is known after the
first slice, and a keystroke never waits for 100,000 rows.

Pure: no database, no terminal. It refuses to page or to render: the store pages, the
screen renders the rows in view.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from math import inf

from cs_console.clocks.calendars import ALWAYS, BusinessCalendar
from cs_console.clocks.follow_up import QUIET_RANK, queue_order
from cs_console.clocks.sla import (
    DEFAULT_POLICY,
    FollowUpClocks,
    SlaError,
    SlaPolicy,
    follow_up_clocks,
    queue_clocks,
)
from cs_console.storage.queue_rows import QueueRow
from cs_console.vocabulary import PRIORITIES, STATUSES

_ALL_STATUSES = frozenset(STATUSES)
_ALL_PRIORITIES = frozenset(PRIORITIES)
_RANK = {priority: rank for rank, priority in enumerate(PRIORITIES)}
_KINDS = {(status, priority): index for index, (status, priority) in
          enumerate((s, p) for s in STATUSES for p in PRIORITIES)}
"""(status, priority) to one small int, so a filter tests one set membership per row."""
_SETTLED_HISTORY = (("created", datetime(2000, 1, 1, tzinfo=UTC)),) + tuple(
    (kind, datetime(2000, 1, 2, tzinfo=UTC)) for kind in ("closed", "callback")
)

SETTLED_CLOCKS: FollowUpClocks = follow_up_clocks(
    _SETTLED_HISTORY, "normal", DEFAULT_POLICY, ALWAYS, _SETTLED_HISTORY[-1][1]
)
"""The clocks of any settled ticket as a queue row shows them: every one stopped."""


def settled_at(priority: str, events: Sequence[tuple[str, datetime]], policy: SlaPolicy,
               calendar: BusinessCalendar) -> datetime | None:
    """When every clock of a ticket has stopped, or will stop with no further event; None
    while one still runs or waits (or the events cannot be replayed, e.g. none yet).

    A clock stops at an event, so that is when, with one exception: a closed ticket still
    waiting for its callback misses its closure clock at the closure due (`sla`), a moment
    the policy and calendar decide.
    """
    if not events:
        return None
    last = max(at for _, at in events)
    try:
        clocks = follow_up_clocks(events, priority, policy, calendar, last)
        waiting = clocks.most_urgent
        if waiting is None:
            return last
        if waiting is clocks.closure and waiting.due is not None and not any(
                clock.is_open for clock in clocks if clock is not waiting):
            at_due = follow_up_clocks(events, priority, policy, calendar, waiting.due)
            return waiting.due if at_due.most_urgent is None else None
    except SlaError:
        pass  # not known to have stopped: the queue treats it as live
    return None


def settled_order(row: QueueRow) -> tuple:
    """Where a settled ticket goes: priority first, then oldest first (the store's order)."""
    return (_RANK[row.priority], row.created_at, row.id)


def _search_text(row: QueueRow) -> str:
    """What a filter's words are looked for in: number, subject, customer, any case, and the
    tags as "#typhoon", so that a word "#typh" finds the tickets tagged so."""
    return f"{row.number}\n{row.subject}\n{row.customer_name}\n{row.tags}".casefold()


def reminder_due(row: QueueRow, now: datetime) -> bool:
    return row.reminder is not None and row.reminder.due_at <= now


@dataclass(frozen=True)
class QueueFilter:
    """What the queue shows: tickets with one of `statuses` and `priorities`, whose number,
    subject, customer or tags ("#typhoon") contain every word of `text` (any case)."""

    statuses: frozenset[str] = _ALL_STATUSES
    priorities: frozenset[str] = _ALL_PRIORITIES
    text: str = ""

    @property
    def words(self) -> tuple[str, ...]:
        return tuple(self.text.casefold().split())

    def narrows(self, before: QueueFilter) -> bool:
        """Whether every row this filter passes passed `before` too, so that only
        `before`'s rows need scanning: each old word is inside a new one."""
        words = self.words
        return (
            self.statuses <= before.statuses
            and self.priorities <= before.priorities
            and all(any(old in new for new in words) for old in before.words)
        )


class QueueList:
    """One queue's tickets in memory, most urgent first, and the rows its filter passes.

    Built from the live tickets; settled pages are appended as they arrive (`complete`
    tells when the last has). Indexing, `len` and iteration give the rows the filter
    passes, in order.
    """

    def __init__(self, live: Iterable[QueueRow], policy: SlaPolicy, calendar: BusinessCalendar,
                 now: datetime, queue_filter: QueueFilter = QueueFilter(),
                 previous: QueueList | None = None) -> None:
        """`previous`, the list this one replaces (complete, no longer changing): rows that
        have not changed are shared with it rather than held twice while both exist."""
        self._previous = previous if previous is not None and previous.complete else None
        live = list(live)
        computed = queue_clocks(((row.priority, row.events) for row in live), policy, calendar, now)
        self.clocks: dict[str, FollowUpClocks] = {row.id: clocks for row, clocks in zip(live, computed)}
        """Each live ticket's clocks at the `now` the list was built for."""
        self.live: list[QueueRow] = live
        keys = [queue_order(row.priority, clocks, row.created_at, reminder_due(row, now))
                for row, clocks in zip(live, computed)]
        order = sorted(range(len(live)), key=keys.__getitem__)
        moving = [live[i] for i in order if keys[i][0] != QUIET_RANK or keys[i][1] != inf]
        self._quiet = sorted((live[i] for i in order if keys[i][0] == QUIET_RANK and keys[i][1] == inf),
                             key=settled_order)
        """Live tickets with no clock open and no reminder due, waiting to merge into the settled part."""
        self._live_ids = {row.id for row in live}
        self.rows: list[QueueRow] = []
        self._hay: list[str] = []
        self._kinds: list[int] = []
        self._places: dict[str, int] = {}
        self.filter = queue_filter
        self.positions: list[int] = []
        """Indexes into `rows` of the rows the filter passes, ascending (found so far)."""
        self._candidates: Sequence[int] = ()
        """Rows the filter is still testing, from `_tested` on (`filter_more`)."""
        self._tested = 0
        self.complete = False
        self.upset: frozenset[str] = previous.upset if previous is not None else frozenset()
        """Live tickets whose customer's latest message needs soothing (`sentiment`): the
        list this one replaces knew them, until the screen reads them again."""
        self._append(moving)

    # -- building ---------------------------------------------------------------------------

    def add_settled(self, page: Sequence[QueueRow], *, last: bool) -> None:
        """Append the next page of settled tickets, in the store's order (`last`: no more
        follow). Tickets already here as live are skipped; quiet live ones merge in."""
        page = [key for key in page if key.id not in self._live_ids]
        if last:
            merging, self._quiet = self._quiet, []
        else:
            bound = settled_order(page[-1]) if page else None
            split = 0
            while bound is not None and split < len(self._quiet) and settled_order(self._quiet[split]) <= bound:
                split += 1
            merging, self._quiet = self._quiet[:split], self._quiet[split:]
        self._append(sorted([*page, *merging], key=settled_order) if merging else page)
        self.complete = last
        if last:
            self._previous = None

    def _append(self, rows: Sequence[QueueRow]) -> None:
        start = len(self.rows)
        if self._previous is None:
            self.rows.extend(rows)
            self._hay.extend(map(_search_text, rows))
        else:
            for row in rows:
                row, hay = self._previous._shared(row) or (row, _search_text(row))
                self.rows.append(row)
                self._hay.append(hay)
            rows = self.rows[start:]
        self._kinds.extend(_KINDS[row.status, row.priority] for row in rows)
        self._places.update((row.id, start + offset) for offset, row in enumerate(rows))
        self.positions.extend(self._matching(range(start, len(self.rows))))

    # -- filtering --------------------------------------------------------------------------

    def set_filter(self, queue_filter: QueueFilter, *, budget: int | None = None) -> None:
        """Filter the rows again; with a `budget` (a complete list only), test that many
        rows now and leave the rest to `filter_more`."""
        if budget is not None and not self.complete:
            raise ValueError("a list still loading is filtered whole: its pages append to the result")
        if not queue_filter.narrows(self.filter):
            candidates: Sequence[int] = range(len(self.rows))
        elif self.filtered:
            candidates = self.positions
        else:  # typed on before the last filter was through: what it passed, and what it had left
            candidates = self.positions + list(self._candidates[self._tested:])
        self.filter = queue_filter
        self._candidates = candidates
        self._tested = 0
        self.positions = []
        self.filter_more(budget)

    @property
    def filtered(self) -> bool:
        """Whether the filter has tested every row (`positions` is the whole result)."""
        return self._tested >= len(self._candidates)

    def filter_more(self, budget: int | None = None) -> None:
        """Test up to `budget` more rows (all that are left when None)."""
        candidates = self._candidates
        end = len(candidates) if budget is None else min(len(candidates), self._tested + budget)
        found = self._matching(candidates[self._tested:end])
        self.positions.extend(found)
        self._tested = end
        if self.filtered:
            self._candidates, self._tested = (), 0

    def _matching(self, within: Sequence[int]) -> list[int]:
        """The indexes in `within` whose rows the filter passes, in order; the longest word,
        which passes fewest, is tested first."""
        queue_filter = self.filter
        found = within
        if queue_filter.statuses != _ALL_STATUSES or queue_filter.priorities != _ALL_PRIORITIES:
            kinds = self._kinds
            allowed = {_KINDS[pair] for pair in _KINDS
                       if pair[0] in queue_filter.statuses and pair[1] in queue_filter.priorities}
            found = [index for index in found if kinds[index] in allowed]
        hay = self._hay
        for word in sorted(queue_filter.words, key=len, reverse=True):
            found = [index for index in found if word in hay[index]]
        return found if isinstance(found, list) else list(found)

    # -- reading ----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self.positions)

    def __getitem__(self, index: int) -> QueueRow:
        return self.rows[self.positions[index]]

    def __iter__(self) -> Iterator[QueueRow]:
        rows = self.rows
        return (rows[index] for index in self.positions)

    def index_of(self, ticket_id: str) -> int | None:
        """Where the ticket is among the rows the filter passes, or None."""
        place = self._places.get(ticket_id)
        if place is None:
            return None
        index = bisect_left(self.positions, place)
        return index if index < len(self.positions) and self.positions[index] == place else None

    def _shared(self, row: QueueRow) -> tuple[QueueRow, str] | None:
        """This list's equal copy of `row` and its search text, if it holds one."""
        place = self._places.get(row.id)
        if place is not None and self.rows[place] == row:
            return self.rows[place], self._hay[place]
        return None

    def is_live(self, row: QueueRow) -> bool:
        return row.id in self._live_ids

    def own(self, agent_id: str | None) -> list[QueueRow]:
        """The live tickets assigned to `agent_id`: the ones whose clocks alert them."""
        return [row for row in self.live if row.assignee_id == agent_id]

