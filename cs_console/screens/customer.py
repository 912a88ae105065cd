"""A customer's profile and full history: every ticket and interaction, newest first.

An agent opens it from a ticket to see what happened before they answer; Enter on a past
ticket opens that ticket.
"""

from __future__ import annotations

import json

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static

from cs_console.display import INTERACTION_LABELS, PRIORITY_LABELS, STATUS_LABELS, clip, local_time
from cs_console.store import CustomerHistory, StoreError

HISTORY_BODY_WIDTH = 160
"""How much of each interaction the history shows; the ticket screen shows it whole."""


class CustomerScreen(Screen):
    BINDINGS = [Binding("escape", "back", "Back"), Binding("tab", "app.focus_next", "Next pane", show=False)]

    def __init__(self, customer_id: str) -> None:
        super().__init__()
        self.customer_id = customer_id

    def compose(self) -> ComposeResult:
        yield Static(id="customer-profile", classes="title-bar")
        yield DataTable(id="customer-tickets", cursor_type="row")
        yield VerticalScroll(id="customer-history")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for key, heading in (("number", "Ticket"), ("when", "Opened"), ("priority", "Pri"),
                             ("status", "Status"), ("subject", "Subject")):
            table.add_column(heading, key=key)
        table.focus()
        self.reload()

    @work(thread=True, exclusive=True, group="customer")
    def reload(self) -> None:
        try:
            history = self.app.store.customer_history(self.customer_id)
        except StoreError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.app.call_from_thread(self._show, history)

    def _show(self, history: CustomerHistory) -> None:
        customer = history.customer
        sites = ", ".join(json.loads(customer.sites or "[]"))
        self.query_one("#customer-profile", Static).update(
            f"[b]{escape(customer.name)}[/b] · {customer.kind.replace('_', ' ')} · language {customer.language}\n"
            f"{escape(customer.contact_name)} · {customer.phone} · {customer.email}\n"
            f"{escape(clip(sites, 150))}\n"
            f"[i]{escape(clip(customer.preferences, 150))}[/i]"
        )
        zone, now = self.app.config.zone, self.app.now()
        table = self.query_one(DataTable)
        table.clear()
        for ticket in history.tickets:
            table.add_row(
                ticket.number,
                local_time(ticket.created_at, zone, now),
                PRIORITY_LABELS[ticket.priority],
                STATUS_LABELS[ticket.status],
                clip(ticket.subject, 40),
                key=ticket.id,
            )
        log = self.query_one("#customer-history", VerticalScroll)
        log.remove_children()
        log.mount_all(
            Static(
                f"[b]{local_time(interaction.created_at, zone, now)} · {ticket.number} · "
                f"{INTERACTION_LABELS[interaction.kind]}[/b]  {escape(clip(interaction.body, HISTORY_BODY_WIDTH))}",
                classes=f"entry {interaction.kind}",
            )
            for ticket, interaction in history.interactions
        )

    @on(DataTable.RowSelected)
    def _open_ticket(self, event: DataTable.RowSelected) -> None:
        from cs_console.screens.ticket import TicketScreen

        self.app.push_screen(TicketScreen(event.row_key.value))

    def action_back(self) -> None:
        self.app.go_back()
