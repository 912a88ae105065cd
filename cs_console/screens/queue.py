"""The agent's queue: their tickets, most urgent first, narrowed as they type.

The queue is where an agent's day starts and returns to; Escape never leaves it. Loading
runs in a thread worker, and a newer filter cancels an older load.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Input, Static

from cs_console.display import PRIORITY_LABELS, STATUS_LABELS, clip, short_age
from cs_console.follow_up import next_due_text, queue_order
from cs_console.models import PRIORITIES, STATUSES
from cs_console.sla import STATE_SYMBOLS, FollowUpClocks, follow_up_clocks
from cs_console.store import QueueRow

ACTIVE_STATUSES = ("open", "waiting_on_customer", "solution_proposed")
STATUS_FILTERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("active", ACTIVE_STATUSES),
    ("all", STATUSES),
    *((STATUS_LABELS[status], (status,)) for status in STATUSES),
)
"""What `s` cycles through: the working set first, then everything, then one status at a time."""
PRIORITY_FILTERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("any", PRIORITIES),
    *((priority, (priority,)) for priority in PRIORITIES),
)

COLUMNS = (("number", "Ticket", 10), ("priority", "Pri", 6), ("due", "Next due", 11),
           ("customer", "Customer", 0), ("subject", "Subject", 0), ("status", "Status", 8),
           ("age", "Age", 3), ("updated", "Upd", 3))
"""Key, heading and width; customer and subject (0) share what the terminal has left."""
CUSTOMER_MIN_WIDTH = 10
SUBJECT_MIN_WIDTH = 12
REMINDER_MARK = "⏰ "
"""Put before the subject of a ticket whose personal reminder is due."""


class QueueScreen(Screen):
    BINDINGS = [
        Binding("n", "new_ticket", "New", id="new_ticket"),
        Binding("slash", "search", "Filter", id="search"),
        Binding("s", "cycle_status", "Status", id="filter_status"),
        Binding("p", "cycle_priority", "Priority", id="filter_priority"),
        Binding("r", "refresh", "Refresh", id="refresh"),
        Binding("k", "knowledge_base", "KB", id="knowledge_base"),
        Binding("escape", "clear_search", "Clear", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.status_filter = 0
        self.priority_filter = 0
        self.rows: list[QueueRow] = []
        self.clocks: list[FollowUpClocks] = []
        self._cells: list[dict[str, str]] = []

    def compose(self) -> ComposeResult:
        yield Static(id="queue-title", classes="title-bar")
        yield Input(placeholder="type to narrow: number, customer, subject", id="queue-search")
        yield DataTable(id="queue-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="queue-empty")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, heading, _ in COLUMNS:
            table.add_column(heading, key=key)
        self.query_one("#queue-search").display = False
        table.focus()
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    @property
    def search_text(self) -> str:
        return self.query_one("#queue-search", Input).value

    def reload(self) -> None:
        self._load(STATUS_FILTERS[self.status_filter][1], PRIORITY_FILTERS[self.priority_filter][1], self.search_text)

    @work(thread=True, exclusive=True, group="queue")
    def _load(self, statuses: tuple[str, ...], priorities: tuple[str, ...], text: str) -> None:
        agent = self.app.agent
        rows = self.app.store.queue(agent.id if agent else None, statuses, priorities, text)
        now = self.app.now()
        clocks = [self._clocks(row, now) for row in rows]
        order = sorted(
            range(len(rows)),
            key=lambda i: queue_order(rows[i].priority, clocks[i], rows[i].created_at, _reminder_due(rows[i], now)),
        )
        self.app.call_from_thread(self._show, [rows[i] for i in order], [clocks[i] for i in order])

    def _clocks(self, row: QueueRow, now) -> FollowUpClocks:
        config = self.app.config
        return follow_up_clocks(row.events, row.priority, config.policy, config.calendar, now)

    def _cells_for(self, row: QueueRow, clocks: FollowUpClocks, now, widths: dict[str, int]) -> dict[str, str]:
        mark = REMINDER_MARK if _reminder_due(row, now) else ""
        return {
            "number": row.number,
            "priority": PRIORITY_LABELS[row.priority],
            "due": next_due_text(clocks),
            "customer": clip(row.customer_name, widths["customer"]),
            "subject": clip(mark + row.subject, widths["subject"]),
            "status": STATUS_LABELS[row.status],
            "age": short_age(now - row.created_at),
            "updated": short_age(now - row.updated_at),
        }

    def _show(self, rows: list[QueueRow], clocks: list[FollowUpClocks]) -> None:
        table = self.query_one(DataTable)
        selected = self.selected_ticket_id()
        self.rows, self.clocks = rows, clocks
        table.clear()
        widths = self._column_widths()
        now = self.app.now()
        self._cells = [self._cells_for(row, clock, now, widths) for row, clock in zip(rows, clocks)]
        for row, cells in zip(rows, self._cells):
            table.add_row(*(_styled(key, text) for key, text in cells.items()), key=row.id)
        for index, row in enumerate(rows):
            if row.id == selected:
                table.move_cursor(row=index)
        self.app.watch_clocks(rows, clocks)
        self._update_title()
        empty = self.query_one("#queue-empty", Static)
        empty.update("" if rows else "No tickets match. s: status filter · p: priority · Escape: clear the filter")
        empty.display = not rows

    def tick(self) -> None:
        """Recompute the clocks and repaint only the cells whose text changed."""
        table = self.query_one(DataTable)
        now = self.app.now()
        widths = self._column_widths()
        self.clocks = [self._clocks(row, now) for row in self.rows]
        for index, (row, clocks) in enumerate(zip(self.rows, self.clocks)):
            cells = self._cells_for(row, clocks, now, widths)
            for key, text in cells.items():
                if self._cells[index][key] != text:
                    table.update_cell(row.id, key, _styled(key, text))
            self._cells[index] = cells
        self.app.watch_clocks(self.rows, self.clocks)

    def _column_widths(self) -> dict[str, int]:
        """Fixed columns keep their width; customer and subject share the rest, 1 to 2."""
        widths = {key: width for key, _, width in COLUMNS}
        flexible = self.app.size.width - sum(widths.values()) - 2 * len(COLUMNS) - 2
        widths["customer"] = max(CUSTOMER_MIN_WIDTH, flexible // 3)
        widths["subject"] = max(SUBJECT_MIN_WIDTH, flexible - widths["customer"])
        return widths

    def _update_title(self) -> None:
        agent = self.app.agent
        parts = [
            f"Queue · {agent.name if agent else 'everyone'}",
            f"{len(self.rows)} tickets",
            f"status: {STATUS_FILTERS[self.status_filter][0]}",
            f"priority: {PRIORITY_FILTERS[self.priority_filter][0]}",
        ]
        if self.search_text:
            parts.append(f"“{self.search_text}”")
        self.query_one("#queue-title", Static).update(" · ".join(parts))

    def selected_ticket_id(self) -> str | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            return None
        return self.rows[table.cursor_row].id

    @on(DataTable.RowSelected)
    def _open_ticket(self, event: DataTable.RowSelected) -> None:
        from cs_console.screens.ticket import TicketScreen

        self.app.push_screen(TicketScreen(event.row_key.value))

    def action_new_ticket(self) -> None:
        from cs_console.screens.new_ticket import NewTicketScreen

        self.app.push_screen(NewTicketScreen(), self._ticket_created)

    def _ticket_created(self, ticket_id: str | None) -> None:
        if ticket_id:
            from cs_console.screens.ticket import TicketScreen

            self.app.push_screen(TicketScreen(ticket_id))

    def action_knowledge_base(self) -> None:
        from cs_console.screens.knowledge_base import KnowledgeBaseScreen

        self.app.push_screen(KnowledgeBaseScreen())

    def action_search(self) -> None:
        search = self.query_one("#queue-search", Input)
        search.display = True
        search.focus()

    @on(Input.Changed, "#queue-search")
    def _narrow(self) -> None:
        self.reload()

    @on(Input.Submitted, "#queue-search")
    def _search_done(self) -> None:
        self.query_one(DataTable).focus()

    def action_clear_search(self) -> None:
        search = self.query_one("#queue-search", Input)
        if search.value:
            search.value = ""
        search.display = False
        self.query_one(DataTable).focus()

    def action_cycle_status(self) -> None:
        self.status_filter = (self.status_filter + 1) % len(STATUS_FILTERS)
        self.reload()

    def action_cycle_priority(self) -> None:
        self.priority_filter = (self.priority_filter + 1) % len(PRIORITY_FILTERS)
        self.reload()

    def action_refresh(self) -> None:
        self.reload()


def _reminder_due(row: QueueRow, now) -> bool:
    return row.reminder is not None and row.reminder.due_at <= now


STATE_STYLES = {STATE_SYMBOLS["breached"]: "bold red", STATE_SYMBOLS["at_risk"]: "bold yellow",
                STATE_SYMBOLS["paused"]: "dim"}
"""Colour follows the state symbol that starts the text, which is always shown too, so
NO_COLOR and 16-colour terminals lose nothing."""


def _styled(key: str, text: str) -> str | Text:
    return Text(text, style=STATE_STYLES.get(text[:1], "")) if key == "due" else text
