"""A customer's profile and full history: the organisation, its contacts and assets, every
ticket and interaction, newest first.

An agent opens it from a ticket to see what happened before they answer; Enter on a past
ticket, or on an interaction, opens that ticket. From the keyboard: `e` edits the
organisation, `c` adds a contact and `a` an asset, Enter on a contact or asset edits it, `x`
removes it, `h` lists only its tickets (again: the whole organisation's). A long-standing customer's history runs to
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

from rich.cells import cell_len
from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import DataTable, Static

from cs_console.channels.reach import shown_list
from cs_console.screens.base import ConsoleScreen
from cs_console.screens.organisation_form import RecordForm
from cs_console.storage.customers import HistoryEntry, HistoryTicket
from cs_console.storage.models import Asset, Contact, Customer
from cs_console.store import StoreError
from cs_console.text.display import clip, local_time
from cs_console.text.strings import CATALOG, Strings, english
from cs_console.usecases.organisation_edit import (
    AssetForm,
    ContactForm,
    OrganisationForm,
    asset_form,
    contact_form,
    organisation_form,
    save_asset,
    save_contact,
    save_organisation,
)
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
        Binding("e", "edit_organisation", english("key.edit_organisation"), id="edit_organisation"),
        Binding("c", "add_contact", english("key.add_contact"), id="add_contact"),
        Binding("a", "add_asset", english("key.add_asset"), id="add_asset"),
        Binding("x", "remove_part", english("key.remove_part"), id="remove_part"),
        Binding("h", "part_history", english("key.part_history"), id="part_history"),
    ]
    CHANGES = frozenset({"edit_organisation", "add_contact", "add_asset", "remove_part"})
    DEFAULT_CSS = """
    CustomerScreen #customer-entry {
        height: 3;
        padding: 0 1;
        background: $boost;
    }
    CustomerScreen #customer-parts {
        height: auto;
        max-height: 9;
    }
    CustomerScreen #customer-parts DataTable {
        width: 1fr;
        height: auto;
        max-height: 9;
    }
    """

    def __init__(self, customer_id: str) -> None:
        super().__init__()
        self.customer_id = customer_id
        self.customer: Customer | None = None
        self.contacts: list[Contact] = []
        self.assets: list[Asset] = []
        self.history_of: Contact | Asset | None = None
        """The contact or asset whose tickets the ticket list shows; None: the organisation's."""
        self.tickets: list[HistoryTicket] | None = None
        self.entries: list[HistoryEntry] | None = None
        self.names: dict[str, str] = {}
        """Agent id to name, for who did each step of a ticket's trail."""

    def compose(self) -> ComposeResult:
        yield Static(id="customer-profile", classes="title-bar")
        with Horizontal(id="customer-parts"):
            yield DataTable(id="customer-contacts", cursor_type="row", zebra_stripes=True)
            yield DataTable(id="customer-assets", cursor_type="row", zebra_stripes=True)
        yield Static(id="customer-tickets-title")
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
        named = {} if self.history_of is None else {
            "contact_id" if isinstance(self.history_of, Contact) else "asset_id": self.history_of.id}
        fetch_tickets = partial(store.customer_tickets_page, **named)
        try:
            customer = store.customer(customer_id)
            contacts, assets = store.contacts_of(customer_id), store.assets_of(customer_id)
            tickets = fetch_tickets(customer_id, None, FIRST_PAGE)
            entries = store.customer_interactions_page(customer_id, None, FIRST_PAGE)
            self.names = {agent.id: agent.name for agent in store.agents()}
        except StoreError as error:
            app.call_from_thread(self.notify, str(error), severity="error")
            return
        parts = (customer, contacts, assets)
        loader.show_first(self._show, parts, tickets, entries)
        for found, fetch, table in ((tickets, fetch_tickets, "#customer-tickets"),
                                    (entries, store.customer_interactions_page, "#customer-history")):
            pages = later_pages(found, FIRST_PAGE, partial(fetch, customer_id), PAGE, stop=lambda: loader.cancelled)
            loader.follow(pages, partial(append_page, found), partial(self._rows_changed, table))
        loader.show_all(self._show, parts, tickets, entries)

    def _show(self, parts: tuple[Customer, list[Contact], list[Asset]], tickets: list[HistoryTicket],
              entries: list[HistoryEntry], painted: Callable[[], None] | None = None) -> None:
        """Show the profile, contacts, assets and both lists, each cursor staying on its row;
        `painted` is called once they are on screen."""
        s = self.strings
        customer, contacts, assets = parts
        self.customer, self.contacts, self.assets = customer, contacts, assets
        kind = next((s(key) for key in (f"organisation.kind.{customer.kind}", f"customer.kind.{customer.kind}")
                     if key in CATALOG), escape(customer.kind.replace("_", " ")))
        language = _known(s, f"customer.language.{customer.language}", customer.language)
        self.query_one("#customer-profile", Static).update(
            f"[b]{escape(customer.name)}[/b] · {kind} · {s('customer.language', language=language)}"
            f"{self.readonly_mark()}\n"
            f"[i]{escape(clip(customer.preferences, 150))}[/i]"
        )
        self._fill(self.query_one("#customer-contacts", DataTable),
                   (s("organisation.contacts"), s("organisation.col.role"), s("organisation.col.phones"),
                    s("organisation.col.emails")),
                   contacts, lambda c: (c.name, c.role, shown_list(c.phones), shown_list(c.emails)),
                   s("organisation.no_contacts"))
        self._fill(self.query_one("#customer-assets", DataTable),
                   (s("organisation.assets"), s("organisation.col.kind"), "IMO", s("organisation.col.flag")),
                   assets, lambda a: (a.name, _known(s, f"asset.kind.{a.kind}", a.kind), a.imo, a.flag),
                   s("organisation.no_assets"))
        self.query_one("#customer-tickets-title", Static).update(
            s("organisation.history_all") if self.history_of is None
            else s("organisation.history_of", name=escape(self.history_of.name)))
        self.tickets, self.entries = tickets, entries
        for table_id, items, cells in (("#customer-tickets", tickets, self._ticket_cells),
                                       ("#customer-history", entries, self._entry_cells)):
            table = self.query_one(table_id, VirtualTable)
            table.show(SequenceRows(items, cells), keep=table.cursor_key)
        if not entries:
            self.query_one("#customer-entry", Static).update(s("customer.no_interactions"))
        if painted is not None:
            self.call_after_refresh(painted)

    @staticmethod
    def _fill(table: DataTable, headings: tuple[str, ...], rows: list, cells: Callable, empty: str) -> None:
        """Rows of a small list, the cursor kept on the row it was on; a hint when there are none.

        Each column is as wide as its widest cell, measured here: the table measures new rows
        only when it next goes idle, and until then a name longer than the old ones was cut."""
        where = table.cursor_row
        lines = [(row.id, tuple(str(cell) for cell in cells(row))) for row in rows] or \
            [("", (empty, *("" for _ in headings[1:])))]
        table.clear(columns=True)
        for index, heading in enumerate(headings):
            table.add_column(heading, width=max(cell_len(heading), *(cell_len(line[index]) for _, line in lines)))
        for key, line in lines:
            table.add_row(*(escape(cell) for cell in line), key=key)
        table.move_cursor(row=min(where, max(table.row_count - 1, 0)))

    def _part(self) -> Contact | Asset | None:
        """The contact or asset under the cursor of the focused list, if one is."""
        focused = self.focused
        items = {"customer-contacts": self.contacts, "customer-assets": self.assets}.get(getattr(focused, "id", ""))
        if not items or not isinstance(focused, DataTable) or focused.cursor_row >= len(items):
            return None
        return items[focused.cursor_row]

    def _form(self, title: str, fields: list, save: Callable[[dict[str, str]], object]) -> None:
        def saved(done: bool | None) -> None:
            if done:
                self.notify(self.strings("organisation.saved"))
                self.reload()
        self.app.push_screen(RecordForm(title, fields, save), saved)

    def _labelled(self, values: dict[str, str]) -> list:
        return [(name, self.strings(f"organisation.field.{name}"), value) for name, value in values.items()]

    def action_edit_organisation(self) -> None:
        if self.customer is None:
            return
        app, customer_id = self.app, self.customer_id
        self._form(self.strings("organisation.edit_title"), self._labelled(vars(organisation_form(self.customer))),
                   lambda values: save_organisation(app.store, customer_id, OrganisationForm(**values), app.strings))

    def action_add_contact(self) -> None:
        self._edit_contact(None)

    def action_add_asset(self) -> None:
        self._edit_asset(None)

    def _edit_contact(self, contact: Contact | None) -> None:
        app, customer_id = self.app, self.customer_id
        form = contact_form(contact) if contact else ContactForm("")
        self._form(self.strings("organisation.contact_title"), self._labelled(vars(form)),
                   lambda values: save_contact(app.store, customer_id, contact.id if contact else None,
                                               ContactForm(**values), app.strings, app.config.phone_region))

    def _edit_asset(self, asset: Asset | None) -> None:
        app, customer_id = self.app, self.customer_id
        form = asset_form(asset) if asset else AssetForm("")
        self._form(self.strings("organisation.asset_title"), self._labelled(vars(form)),
                   lambda values: save_asset(app.store, customer_id, asset.id if asset else None,
                                             AssetForm(**values), app.strings))

    @on(DataTable.RowSelected, "#customer-contacts")
    def _contact_chosen(self, event: DataTable.RowSelected) -> None:
        if event.cursor_row < len(self.contacts) and not self.app.store.readonly:
            self._edit_contact(self.contacts[event.cursor_row])

    @on(DataTable.RowSelected, "#customer-assets")
    def _asset_chosen(self, event: DataTable.RowSelected) -> None:
        if event.cursor_row < len(self.assets) and not self.app.store.readonly:
            self._edit_asset(self.assets[event.cursor_row])

    def action_remove_part(self) -> None:
        part = self._part()
        if part is not None:
            self._remove(part)

    @work(thread=True, group="customer-write")
    def _remove(self, part: Contact | Asset) -> None:
        store = self.app.store
        try:
            (store.change_contact if isinstance(part, Contact) else store.change_asset)(part.id, {"removed": True})
        except StoreError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.app.call_from_thread(self.notify, self.strings("organisation.removed", name=part.name))
        self.app.call_from_thread(self.reload)

    def action_part_history(self) -> None:
        """The tickets of the highlighted contact or asset; pressed again on it (or with
        none highlighted), the whole organisation's."""
        part = self._part()
        again = part is not None and self.history_of is not None and part.id == self.history_of.id
        self.history_of = None if part is None or again else part
        self.reload()

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
