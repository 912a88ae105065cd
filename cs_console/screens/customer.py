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

from collections.abc import Callable
from datetime import datetime
from functools import partial

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Static

from cs_console.screens.base import ConsoleScreen
from cs_console.storage.customers import HistoryEntry, HistoryTicket
from cs_console.storage.models import Customer
from cs_console.store import StoreError
from cs_console.text.display import clip, local_time
from cs_console.text.strings import CATALOG, Strings, english
from cs_console.usecases.customer_profile import site_names
from cs_console.usecases.paging import later_pages
from cs_console.usecases.ticket_trail import activity, activity_text
from cs_console.vocabulary import TRAIL_EVENT_KINDS
from cs_console.widgets.key_footer import KeyFooter
from cs_console.widgets.paged_loader import PagedLoad, append_page
from cs_console.widgets.virtual_table import Column, SequenceRows, VirtualTable, with_headings

FIRST_PAGE = 100
"""Rows of each list fetched before the first paint: a tall screen's worth."""
PAGE = 5_000
"""Rows per page after the first."""
TICKET_COLUMNS = (
    Column("number", "customer.col.ticket", 11), Column("when", "customer.col.opened", 16),
    Column("priority", "customer.col.priority", 6), Column("status", "customer.col.status", 8),
    Column("subject", "customer.col.subject", min_width=12),
)
"""Headings are catalogue keys, read in the interface language (`with_headings`)."""
HISTORY_COLUMNS = (
    Column("when", "customer.col.when", 16), Column("number", "customer.col.ticket", 11),
    Column("kind", "customer.col.kind", 13), Column("body", "customer.col.body", min_width=12),
)


class CustomerScreen(ConsoleScreen):
    BINDINGS = [
        Binding("escape", "back", english("key.back"), id="back"),
        Binding("tab", "app.focus_next", english("key.next_pane"), id="next_pane", show=False),
    ]
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
        self.names: dict[str, str] = {}
        """Agent id to name, for who did each step of a ticket's trail."""

    def compose(self) -> ComposeResult:
        yield Static(id="customer-profile", classes="title-bar")
        yield VirtualTable(with_headings(TICKET_COLUMNS, self.strings), id="customer-tickets")
        yield VirtualTable(with_headings(HISTORY_COLUMNS, self.strings), id="customer-history", zebra=False)
        yield Static(id="customer-entry")
        yield KeyFooter()

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
        app, store, customer_id = self.app, self.app.store, self.customer_id
        loader = PagedLoad(app, progressive)
        try:
            customer = store.customer(customer_id)
            tickets = store.customer_tickets_page(customer_id, None, FIRST_PAGE)
            entries = store.customer_interactions_page(customer_id, None, FIRST_PAGE)
            self.names = {agent.id: agent.name for agent in store.agents()}
        except StoreError as error:
            app.call_from_thread(self.notify, str(error), severity="error")
            return
        loader.show_first(self._show, customer, tickets, entries)
        for found, fetch, table in ((tickets, store.customer_tickets_page, "#customer-tickets"),
                                    (entries, store.customer_interactions_page, "#customer-history")):
            pages = later_pages(found, FIRST_PAGE, partial(fetch, customer_id), PAGE, stop=lambda: loader.cancelled)
            loader.follow(pages, partial(append_page, found), partial(self._rows_changed, table))
        loader.show_all(self._show, customer, tickets, entries)

    def _show(self, customer: Customer, tickets: list[HistoryTicket], entries: list[HistoryEntry],
              painted: Callable[[], None] | None = None) -> None:
        """Show the profile and both lists, each cursor staying on its row; `painted` is
        called once they are on screen."""
        s = self.strings
        sites = ", ".join(site_names(customer.sites))
        kind = _known(s, f"customer.kind.{customer.kind}", customer.kind.replace("_", " "))
        language = _known(s, f"customer.language.{customer.language}", customer.language)
        self.query_one("#customer-profile", Static).update(
            f"[b]{escape(customer.name)}[/b] · {kind} · {s('customer.language', language=language)}\n"
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
            self.query_one("#customer-entry", Static).update(s("customer.no_interactions"))
        if painted is not None:
            self.call_after_refresh(painted)

    def _rows_changed(self, table_id: str) -> None:
        self.query_one(table_id, VirtualTable).rows_changed()

    def _when(self, moment: datetime) -> str:
        return local_time(moment, self.app.config.zone, self.app.now(), self.strings)

    def _ticket_cells(self, ticket: HistoryTicket) -> tuple:
        s = self.strings
        return (ticket.number, self._when(ticket.created_at), s(f"priority.short.{ticket.priority}"),
                s(f"status.short.{ticket.status}"), ticket.subject)

    def _entry_cells(self, entry: HistoryEntry) -> tuple:
        return (self._when(entry.created_at), entry.number, *self._kind_and_text(entry))

    def _kind_and_text(self, entry: HistoryEntry) -> tuple[str, str]:
        """What an entry is and says: a message's kind and body, or a trail step worded."""
        s = self.strings
        if entry.kind not in TRAIL_EVENT_KINDS:
            return s(f"interaction.{entry.kind}"), entry.body
        step = activity(entry.kind, entry.created_at, entry.author_id, entry.body)
        return s("customer.activity"), activity_text(step, s, self.names, self.app.config.zone, self.app.now())

    @on(VirtualTable.RowHighlighted, "#customer-history")
    def _preview(self, event: VirtualTable.RowHighlighted) -> None:
        entry = self.entries[event.index]
        kind, text = self._kind_and_text(entry)
        self.query_one("#customer-entry", Static).update(
            f"[b]{self._when(entry.created_at)} · {entry.number} · {kind}[/b]  {escape(' '.join(text.split()))}"
        )

    @on(VirtualTable.RowSelected, "#customer-tickets")
    def _open_ticket(self, event: VirtualTable.RowSelected) -> None:
        self._open(event.key)

    @on(VirtualTable.RowSelected, "#customer-history")
    def _open_entry_ticket(self, event: VirtualTable.RowSelected) -> None:
        self._open(self.entries[event.index].ticket_id)

    def _open(self, ticket_id: str) -> None:
        self.app.open_ticket(ticket_id)

    def action_back(self) -> None:
        self.app.go_back()


def _known(strings: Strings, key: str, data: str) -> str:
    """A customer's kind or language as the catalogue names it, or as stored when it is not
    one the catalogue knows (both are free text an import may fill)."""
    return strings(key) if key in CATALOG else escape(data)
