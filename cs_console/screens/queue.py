"""The agent's queue: their tickets, most urgent first, narrowed as they type.

The queue is where an agent's day starts and returns to; Escape never leaves it. `a`
switches to all the tickets in this store, for a lead the whole team's, which on a desk of
some years runs to 100,000 tickets. So the rows live in a `QueueList` (compact
keys in memory, clocks only for the live tickets) and show through a `VirtualTable`,
which renders the rows on screen only: opening, scrolling and filtering stay instant
however long the queue.

Loading runs in a thread worker through `usecases.queue_load` (clocks settled first): the
live tickets and the first page of settled ones are shown at once, and the remaining pages
follow (on the first load) or replace the old list whole when they are all in (on a
reload, so the rows never shrink under the cursor). A newer load cancels an older one.
Filters by status, priority and text apply in memory, without a query.

The key footer is mounted just after the first rows are painted: Textual builds a Footer
more slowly than the rows, and the rows are what the agent came for.

The app's one-second tick recomputes clocks only for the rows on screen, and for the
agent's own live tickets, whose clocks alert them (`app.watch_clocks`) whatever the
view and filter show; a line repaints only when its text changed.

It never reads the database from the event loop and never makes a widget per row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.cache import LRUCache
from textual.containers import Container
from textual.widgets import Input, Static

from cs_console.clocks.follow_up import next_due_text
from cs_console.clocks.sla import FollowUpClocks, follow_up_clocks
from cs_console.lead.sentiment import SOOTHE_MARK
from cs_console.screens.base import ConsoleScreen
from cs_console.storage.queue_rows import QueueRow
from cs_console.text.display import short_age
from cs_console.text.strings import Strings, english
from cs_console.usecases.queue_list import (
    SETTLED_CLOCKS,
    QueueFilter,
    QueueList,
    reminder_due,
)
from cs_console.usecases.queue_load import QueueLoad
from cs_console.vocabulary import ACTIVE_STATUSES, PRIORITIES, STATUSES
from cs_console.widgets.clock_text import clock_text
from cs_console.widgets.current_result import show_if_current
from cs_console.widgets.key_footer import KeyFooter
from cs_console.widgets.paged_loader import PagedLoad
from cs_console.widgets.virtual_table import Column, SequenceRows, VirtualTable, with_headings

STATUS_FILTERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("active", ACTIVE_STATUSES),
    ("all", STATUSES),
    *((status, (status,)) for status in STATUSES),
)
"""What `s` cycles through: the working set first, then everything, then one status at a
time. Names are read as `queue.filter.<name>`, or a status's short label."""
PRIORITY_FILTERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("any", PRIORITIES),
    *((priority, (priority,)) for priority in PRIORITIES),
)
"""What `p` cycles through; read as `queue.filter.any` or a priority's name."""

COLUMNS = (
    Column("number", "queue.col.ticket", 11), Column("priority", "queue.col.priority", 6),
    Column("due", "queue.col.due", 12), Column("customer", "queue.col.customer", share=1, min_width=10),
    Column("subject", "queue.col.subject", share=2, min_width=12), Column("status", "queue.col.status", 8),
    Column("age", "queue.col.age", 4), Column("updated", "queue.col.updated", 4),
)
"""Headings are catalogue keys. Customer and subject share what the terminal has left, 1 to
2. "Next due" fits "✖ -99d 23h C"; ages take at most four characters (`display.short_age`)."""
REMINDER_MARK = "⏰ "
"""Put before the subject of a ticket whose personal reminder is due."""
UPSET_MARK = SOOTHE_MARK + " "
"""Put before the subject of a ticket whose customer's latest message needs soothing."""
FILTER_SLICE = 20_000
"""Rows a filter tests per frame in a loaded queue: a few milliseconds' work."""
CELL_CACHE = 2048
"""Rows whose cells are kept as last shown: the tick compares against them."""


class QueueScreen(ConsoleScreen):
    HELP_NOTE = "help.clocks"
    """What `?` adds under the keys: how to read the "next due" column's clocks."""

    DEFAULT_CSS = """
    QueueScreen #queue-footer-space {
        dock: bottom;
        height: 1;
    }
    """
    TICKS_COVERED = True
    AUTO_FOCUS = "#queue-table"
    """The list has the focus from the start: focusing the filter first (Textual's default,
    the first focusable widget) and moving away restyles the screen before its first paint."""
    CHANGES = frozenset({"new_ticket"})
    FOOTER_PRIORITY = ("new_ticket", "search", "team", "filter_status", "filter_priority", "knowledge_base")
    """The keys most used first (the team view, for a lead, among them): the footer shows those that fit."""
    BINDINGS = [
        Binding("n", "new_ticket", english("key.new_ticket"), id="new_ticket"),
        Binding("slash", "search", english("key.search"), id="search"),
        Binding("s", "cycle_status", english("key.filter_status"), id="filter_status"),
        Binding("p", "cycle_priority", english("key.filter_priority"), id="filter_priority"),
        Binding("a", "toggle_everyone", english("key.all_tickets"), id="all_tickets", show=False),
        Binding("r", "refresh", english("key.refresh"), id="refresh"),
        Binding("k", "knowledge_base", english("key.knowledge_base"), id="knowledge_base"),
        Binding("escape", "clear_search", "Clear", show=False),
    ]

    def __init__(self, *, everyone: bool = False, status: str = "active") -> None:
        """`everyone`: all the tickets in this store rather than the agent's; `status`: the
        status filter to start with, by its name in STATUS_FILTERS."""
        super().__init__()
        self.status_filter = [name for name, _ in STATUS_FILTERS].index(status)
        self.priority_filter = 0
        self.everyone = everyone
        self.queue: QueueList | None = None
        self._loads = 0
        """How many loads have started: only the newest may show its rows."""
        self._cells: LRUCache[str, tuple] = LRUCache(CELL_CACHE)
        self.labels = RowLabels.of(self.strings, self.app.no_color)

    def compose(self) -> ComposeResult:
        yield Static(id="queue-title", classes="title-bar")
        search = Input(placeholder=self.strings("queue.search_placeholder"), id="queue-search")
        empty = Static(id="queue-empty")
        search.display = empty.display = False  # hidden from the start: no second layout
        yield search
        yield VirtualTable(with_headings(COLUMNS, self.strings), id="queue-table")
        yield empty
        yield Container(id="queue-footer-space")

    def on_mount(self) -> None:
        self.reload()  # first, so that SQLite reads while the screen is being laid out
        self._update_title()

    def on_screen_resume(self) -> None:
        """Back from another screen: what was done there shows (the first load is on mount)."""
        if self.queue is not None:
            self.reload()

    def on_unmount(self) -> None:
        """Let go of the rows: Textual may hold a closed screen a while, a queue is large."""
        self.queue = None
        self._cells.clear()

    @property
    def table(self) -> VirtualTable:
        return self.query_one("#queue-table", VirtualTable)

    @property
    def rows(self) -> Sequence[QueueRow]:
        """The rows the filter passes, in queue order (loaded so far)."""
        return self.queue if self.queue is not None else ()

    @property
    def search_text(self) -> str:
        return self.query_one("#queue-search", Input).value

    def current_filter(self) -> QueueFilter:
        return QueueFilter(
            frozenset(STATUS_FILTERS[self.status_filter][1]),
            frozenset(PRIORITY_FILTERS[self.priority_filter][1]),
            self.search_text,
        )

    # -- loading ----------------------------------------------------------------------------

    def reload(self) -> None:
        """Load the queue again from the store; the rows shown stay until the new ones are in."""
        agent = self.app.agent
        self._loads += 1
        self._load(self._loads, None if self.everyone or agent is None else agent.id, self.current_filter(),
                   self.queue is None)

    @work(thread=True, exclusive=True, group="queue")
    def _load(self, load: int, agent_id: str | None, queue_filter: QueueFilter, progressive: bool) -> None:
        app = self.app
        loader = PagedLoad(app, progressive)
        loading = QueueLoad(app.store, app.config, agent_id, app.now())
        queue = loading.first(queue_filter, previous=self.queue)
        loader.show_first(self._show, load, queue)
        show_if_current(app, self._mark_upset, queue, loading.upset(queue))
        loader.follow(loading.later_pages(stop=lambda: loader.cancelled),
                      lambda settled, last: queue.add_settled(settled, last=last), partial(self._pages_added, queue))
        loader.show_all(self._show, load, queue)

    def _show(self, load: int, queue: QueueList, painted: Callable[[], None] | None = None) -> None:
        """Put a freshly loaded queue on screen, the cursor staying on the ticket it was on;
        `painted` is called once it is on screen. A load that a newer one replaced shows nothing."""
        if load != self._loads:
            if painted is not None:
                painted()
            return
        selected = self.table.cursor_key
        if queue.filter != self.current_filter():
            queue.set_filter(self.current_filter())
        self.queue = queue
        self._cells.clear()
        self.table.show(SequenceRows(queue, self._shown_cells, find=queue.index_of), keep=selected)
        own = queue.own(self.app.agent.id if self.app.agent else None)
        self.app.watch_clocks(own, [queue.clocks[row.id] for row in own])
        self._update_title()
        if painted is not None:
            self.call_after_refresh(painted)
        self.call_after_refresh(self._mount_footer)
        self.call_after_refresh(self.app.first_rows_shown)

    async def _mount_footer(self) -> None:
        """The key footer, in the line kept for it, once the first rows are on screen:
        Textual's Footer costs more to build than the rows, so it comes second. Mounted
        into that line, the footer moves nothing else, and nothing else is sent again."""
        space = self.query_one("#queue-footer-space")
        if space.children:
            return  # mounted after an earlier load
        await space.mount(KeyFooter())
        self.refresh_bindings()

    def _mark_upset(self, queue: QueueList, ticket_ids: frozenset[str]) -> None:
        """Mark the tickets whose customers need soothing, once their messages were read."""
        queue.upset = ticket_ids
        if queue is self.queue:
            for ticket_id in ticket_ids:
                self._cells.discard(ticket_id)
                self.table.refresh_row(ticket_id)

    def _pages_added(self, queue: QueueList) -> None:
        if queue is not self.queue:
            return  # a newer load has replaced it
        self.table.rows_changed()
        self._update_title()

    # -- rows -------------------------------------------------------------------------------

    def _clocks(self, row: QueueRow, now: datetime) -> FollowUpClocks:
        config = self.app.config
        return follow_up_clocks(row.events, row.priority, config.policy, config.calendar, now)

    def _shown_cells(self, row: QueueRow) -> tuple:
        """The cells a row shows, as last computed (by the tick, or now if never)."""
        cells = self._cells.get(row.id)
        if cells is None:
            now = self.app.now()
            live = self.queue is not None and self.queue.is_live(row)
            cells = self._cells[row.id] = row_cells(row, self._clocks(row, now) if live else SETTLED_CLOCKS, now,
                                                    self.labels, row.id in self.queue.upset)
        return cells

    def tick(self) -> None:
        """Recompute the clocks on screen and the agent's own; repaint only the rows whose text changed."""
        queue = self.queue
        tables = self.query("#queue-table").results(VirtualTable)
        table = next(tables, None)
        if queue is None or table is None:
            return  # not loaded yet, or the screen is being taken down under the app's timer
        now = self.app.now()
        own = queue.own(self.app.agent.id if self.app.agent else None)
        clocks = {row.id: self._clocks(row, now) for row in own}
        for index in table.visible_range():
            row = queue[index]
            if queue.is_live(row) and row.id not in clocks:
                clocks[row.id] = self._clocks(row, now)
            cells = row_cells(row, clocks.get(row.id, SETTLED_CLOCKS), now, self.labels, row.id in queue.upset)
            if self._cells.get(row.id) != cells:
                self._cells.discard(row.id)  # an LRUCache keeps the first value set for a key
                self._cells[row.id] = cells
                table.refresh_row(row.id)
        self.app.watch_clocks(own, [clocks[row.id] for row in own])

    def _update_title(self) -> None:
        agent, s = self.app.agent, self.strings
        loading = self.queue is None or not self.queue.complete or not self.queue.filtered
        status = STATUS_FILTERS[self.status_filter][0]
        priority = PRIORITY_FILTERS[self.priority_filter][0]
        title = s(
            "queue.title",
            who=s("queue.everyone") if self.everyone or agent is None else agent.name,
            count=f"{len(self.rows):,}{'…' if loading else ''}",
            status=s(f"queue.filter.{status}") if status in ("active", "all") else s(f"status.short.{status}"),
            priority=s("queue.filter.any") if priority == "any" else s(f"priority.{priority}"),
        )
        if self.search_text:
            title += f" · “{self.search_text}”"
        self.query_one("#queue-title", Static).update(title + self.readonly_mark())
        empty = self.query_one("#queue-empty", Static)
        empty.display = not loading and not self.rows
        empty.update(s("queue.empty"))

    def selected_ticket_id(self) -> str | None:
        return self.table.cursor_key

    # -- filters ----------------------------------------------------------------------------

    def apply_filter(self) -> None:
        """Apply the filter to the rows in memory; the cursor stays on its ticket if it passes.

        A loaded queue is tested FILTER_SLICE rows per frame: the first screenful of matches
        shows at once, the rest join below it frame by frame, so typing never stalls."""
        queue = self.queue
        if queue is not None:
            selected = self.table.cursor_key
            queue.set_filter(self.current_filter(), budget=FILTER_SLICE if queue.complete else None)
            self.table.show(self.table.source, keep=selected)
            if not queue.filtered:
                self.call_after_refresh(self._filter_more, queue, queue.filter)
        self._update_title()

    def _filter_more(self, queue: QueueList, queue_filter: QueueFilter) -> None:
        if queue is not self.queue or queue.filter != queue_filter or queue.filtered:
            return  # replaced by a reload or a newer keystroke
        shown = len(queue)
        queue.filter_more(FILTER_SLICE)
        if queue.filtered or (shown < self.table.size.height and len(queue) > shown):
            # Repaint once the screen can show more, or at the end for the scrollbar: each
            # repaint sends the whole table again, which a slow link feels.
            self.table.rows_changed()
        if queue.filtered:
            self._update_title()
        else:
            self.call_after_refresh(self._filter_more, queue, queue_filter)

    def action_search(self) -> None:
        search = self.query_one("#queue-search", Input)
        search.display = True
        search.focus()

    @on(Input.Changed, "#queue-search")
    def _narrow(self) -> None:
        self.apply_filter()

    @on(Input.Submitted, "#queue-search")
    def _search_done(self) -> None:
        """Enter in the filter opens the highlighted match at once; the list keeps the focus
        for when the agent comes back."""
        self.table.focus()
        if self.table.cursor_key is not None:
            self.app.open_ticket(self.table.cursor_key)

    def action_clear_search(self) -> None:
        search = self.query_one("#queue-search", Input)
        if search.value:
            search.value = ""
        search.display = False
        self.table.focus()

    def action_cycle_status(self) -> None:
        self.status_filter = (self.status_filter + 1) % len(STATUS_FILTERS)
        self.apply_filter()

    def action_cycle_priority(self) -> None:
        self.priority_filter = (self.priority_filter + 1) % len(PRIORITY_FILTERS)
        self.apply_filter()

    def action_toggle_everyone(self) -> None:
        self.everyone = not self.everyone
        self.queue = None
        self._cells.clear()
        self.reload()
        self._update_title()

    def action_refresh(self) -> None:
        self.reload()

    # -- other screens ----------------------------------------------------------------------

    @on(VirtualTable.RowSelected, "#queue-table")
    def _open_ticket(self, event: VirtualTable.RowSelected) -> None:
        self.app.open_ticket(event.key)

    def action_new_ticket(self) -> None:
        self.app.new_ticket()

    def action_knowledge_base(self) -> None:
        self.app.open_knowledge_base()


@dataclass(frozen=True)
class RowLabels:
    """The words a queue row shows, in the interface language."""

    priorities: Mapping[str, str]
    statuses: Mapping[str, str]
    done: str
    """"Next due" of a ticket whose clocks have all stopped."""
    no_color: bool = False
    """Clocks marked by weight and reverse video, not colour (`clock_text`)."""

    @classmethod
    def of(cls, strings: Strings, no_color: bool = False) -> RowLabels:
        return cls({p: strings(f"priority.short.{p}") for p in PRIORITIES},
                   {status: strings(f"status.short.{status}") for status in STATUSES}, strings("clock.done"), no_color)


def row_cells(row: QueueRow, clocks: FollowUpClocks, now: datetime, labels: RowLabels, upset: bool = False) -> tuple:
    """A row's cells in COLUMNS order, as text for the clocks at `now`; `upset`: the
    customer's latest message needs soothing."""
    mark = (REMINDER_MARK if reminder_due(row, now) else "") + (UPSET_MARK if upset else "")
    due = next_due_text(clocks, labels.done)
    return (
        row.number,
        labels.priorities[row.priority],
        clock_text(due, labels.no_color),
        row.customer_name,
        mark + row.subject,
        labels.statuses[row.status],
        short_age(now - row.created_at),
        short_age(now - row.updated_at),
    )

