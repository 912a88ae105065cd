"""Loading an agent's queue (or everyone's): settle the clocks, then read it a page at a time.

Before a queue is read, every ticket with events its clocks were not checked against is
settled (`queue_list.settled_at`), and all of them when the clock settings changed, so the
store can page settled tickets in their lasting order. Then the live tickets and the first
settled page make a `QueueList` that can be painted at once; the customers' moods and the
later pages follow. Reads and writes the store: call it from a thread worker. It refuses
to render or to wait for the screen: the worker decides when to paint.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from cs_console.lead.sentiment import soothing_flags
from cs_console.usecases.paging import later_pages
from cs_console.usecases.queue_list import QueueFilter, QueueList, settled_at

if TYPE_CHECKING:
    from cs_console.config import Config
    from cs_console.storage.queue_rows import QueueRow
    from cs_console.store import Store

FIRST_PAGE = 200
"""Settled tickets fetched with the live ones, before the first paint: a tall screen's worth."""
PAGE = 10_000
"""Settled tickets per page after the first."""
CHECK_BATCH = 5_000
"""Tickets whose clocks are checked per transaction, after events were added to them: one
or two on a normal day, every ticket once after an upgrade."""


class QueueLoad:
    """One load of one queue (`agent_id`'s, or everyone's when None) as it stands at `now`."""

    def __init__(self, store: Store, config: Config, agent_id: str | None, now: datetime) -> None:
        self.store, self.config, self.agent_id, self.now = store, config, agent_id, now
        self._first: list[QueueRow] = []

    def first(self, queue_filter: QueueFilter, previous: QueueList | None = None) -> QueueList:
        """Settle the clocks, then the queue's live tickets and first settled page: enough
        to paint. `previous`, the list this load replaces, shares its unchanged rows."""
        store, config = self.store, self.config
        store.check_clocks_again_unless(config.clock_settings)
        while unchecked := store.unchecked_tickets(CHECK_BATCH):
            store.save_settled({ticket_id: (settled_at(priority, events, config.policy, config.calendar), len(events))
                                for ticket_id, priority, events in unchecked})
        queue = QueueList(store.live_tickets(self.agent_id, self.now), config.policy, config.calendar, self.now,
                          queue_filter, previous=previous)
        self._first = store.settled_page(self.agent_id, self.now, None, FIRST_PAGE)
        queue.add_settled(self._first, last=len(self._first) < FIRST_PAGE)
        return queue

    def upset(self, queue: QueueList) -> frozenset[str]:
        """The live tickets whose customer's latest message needs soothing."""
        found = self.store.latest_customer_messages([row.id for row in queue.live])
        return frozenset(soothing_flags(found, self.config.lexicon))

    def later_pages(self, stop: Callable[[], bool] = lambda: False) -> Iterator[tuple[Sequence[QueueRow], bool]]:
        """The settled pages after the first, each with whether it is the last; asks `stop`
        before each read, so a load a newer one replaced reads no further."""
        return later_pages(self._first, FIRST_PAGE, partial(self.store.settled_page, self.agent_id, self.now), PAGE,
                           stop)
