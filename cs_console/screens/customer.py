"""A customer's profile and full history: every ticket and interaction, newest first.

An agent opens it from a ticket to see what happened before they answer; Enter on a past
ticket, or on an interaction, opens that ticket. A long-standing customer's history runs to
tens of thousands of interactions, so both lists are `VirtualTable`s over keyset pages:
the first page of each shows at once, the rest follow in a thread worker (on a reload,
the new lists replace the old ones whole once they are in). Each interaction takes one
line; the highlighted one reads in full below the list. It never reads the database from
the event loop and never makes a widget per row.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import datetime

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import get_current_worker

from cs_console.display import (
    INTERACTION_LABELS,
    PRIORITY_LABELS,
    STATUS_LABELS,
    clip,
    local_time,
)
from cs_console.models import Customer
from cs_console.store import HistoryEntry, HistoryTicket, StoreError
from cs_console.widgets.virtual_table import (
    FIRST_PAINT_WAIT_S,
    Column,
    SequenceRows,
    VirtualTable,
)

FIRST_PAGE = 100
"""Rows of each list fetched before the first paint: a tall screen's worth."""
PAGE = 5_000
"""Rows per page after the first."""
TICKET_COLUMNS = (
    Column("number", "Ticket", 11), Column("when", "Opened", 16), Column("priority", "Pri", 6),
    Column("status", "Status", 8), Column("subject", "Subject", min_width=12),
)
HISTORY_COLUMNS = (
    Column("when", "When", 16), Column("number", "Ticket", 11), Column("kind", "What", 13),
    Column("body", "Said", min_width=12),
)


class CustomerScreen(Screen):
    BINDINGS = [Binding("escape", "back", "Back"), Binding("tab", "app.focus_next", "Next pane", show=False)]
    DEFAULT_CSS = """
    CustomerScreen #customer-entry {
        height: 3;
        padding: 0 1;
        background: $boost;
    }
    """

    def __init__(self, customer_id: str) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.tickets: list[HistoryTicket] | None = None
        self.entries: list[HistoryEntry] | None = None

    def compose(self) -> ComposeResult:
        yield Static(id="customer-profile", classes="title-bar")
        yield VirtualTable(TICKET_COLUMNS, id="customer-tickets")
        yield VirtualTable(HISTORY_COLUMNS, id="customer-history", zebra=False)
        yield Static(id="customer-entry")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#customer-tickets", VirtualTable).focus()
        self.reload()

    def on_unmount(self) -> None:
        """Let go of the rows: Textual may hold a closed screen a while, a history is large."""
        self.tickets = self.entries = None

    def reload(self) -> None:
        self._load(progressive=self.tickets is None)

    @work(thread=True, exclusive=True, group="customer")
    def _load(self, progressive: bool) -> None:
        worker = get_current_worker()
        app, store, customer_id = self.app, self.app.store, self.customer_id
        try:
            customer = store.customer(customer_id)
            tickets = store.customer_tickets_page(customer_id, None, FIRST_PAGE)
            entries = store.customer_interactions_page(customer_id, None, FIRST_PAGE)
        except StoreError as error:
            app.call_from_thread(self.notify, str(error), severity="error")
            return
        if progressive:
            painted = threading.Event()
            app.call_from_thread(self._show, customer, tickets, entries, painted.set)
            painted.wait(FIRST_PAINT_WAIT_S)
        for found, fetch, table in ((tickets, store.customer_tickets_page, "#customer-tickets"),
                                    (entries, store.customer_interactions_page, "#customer-history")):
            more = len(found) == FIRST_PAGE
            page = found
            while more and not worker.is_cancelled:
                page = fetch(customer_id, page[-1], PAGE)
                more = len(page) == PAGE
                if progressive:
                    app.call_from_thread(self._add_page, found, page, table)
                else:
                    found.extend(page)
        if not progressive and not worker.is_cancelled:
            app.call_from_thread(self._show, customer, tickets, entries)

    def _show(self, customer: Customer, tickets: list[HistoryTicket], entries: list[HistoryEntry],
              painted: Callable[[], None] | None = None) -> None:
        """Show the profile and both lists, each cursor staying on its row; `painted` is
        called once they are on screen."""
        sites = ", ".join(json.loads(customer.sites or "[]"))
        self.query_one("#customer-profile", Static).update(
            f"[b]{escape(customer.name)}[/b] · {customer.kind.replace('_', ' ')} · language {customer.language}\n"
            f"{escape(customer.contact_name)} · {customer.phone} · {customer.email}\n"
            f"{escape(clip(sites, 150))}\n"
            f"[i]{escape(clip(customer.preferences, 150))}[/i]"
        )
        self.tickets, self.entries = tickets, entries
        for table_id, items, cells in (("#customer-tickets", tickets, self._ticket_cells),
                                       ("#customer-history", entries, self._entry_cells)):
            table = self.query_one(table_id, VirtualTable)
            table.show(SequenceRows(items, cells), keep=table.cursor_key)
        if not entries:
            self.query_one("#customer-entry", Static).update("No interactions yet.")
        if painted is not None:
            self.call_after_refresh(painted)

    def _add_page(self, found: list, page: list, table_id: str) -> None:
        found.extend(page)
        self.query_one(table_id, VirtualTable).rows_changed()

    def _when(self, moment: datetime) -> str:
        return local_time(moment, self.app.config.zone, self.app.now())

    def _ticket_cells(self, ticket: HistoryTicket) -> tuple:
        return (ticket.number, self._when(ticket.created_at), PRIORITY_LABELS[ticket.priority],
                STATUS_LABELS[ticket.status], ticket.subject)

    def _entry_cells(self, entry: HistoryEntry) -> tuple:
        return (self._when(entry.created_at), entry.number, INTERACTION_LABELS[entry.kind], entry.body)

    @on(VirtualTable.RowHighlighted, "#customer-history")
    def _preview(self, event: VirtualTable.RowHighlighted) -> None:
        entry = self.entries[event.index]
        self.query_one("#customer-entry", Static).update(
            f"[b]{self._when(entry.created_at)} · {entry.number} · {INTERACTION_LABELS[entry.kind]}[/b]  "
            f"{escape(' '.join(entry.body.split()))}"
        )

    @on(VirtualTable.RowSelected, "#customer-tickets")
    def _open_ticket(self, event: VirtualTable.RowSelected) -> None:
        self._open(event.key)

    @on(VirtualTable.RowSelected, "#customer-history")
    def _open_entry_ticket(self, event: VirtualTable.RowSelected) -> None:
        self._open(self.entries[event.index].ticket_id)

    def _open(self, ticket_id: str) -> None:
        from cs_console.screens.ticket import TicketScreen

        self.app.push_screen(TicketScreen(ticket_id))

    def action_back(self) -> None:
        self.app.go_back()
