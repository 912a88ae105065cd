"""A call taken at the desk becomes work: pick or create the customer, then the ticket.

The customer field searches names, contacts, vessels and sites as the agent types; the
last option always creates a new customer with the typed name. ctrl+s saves.
"""

from __future__ import annotations

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from cs_console.display import clip
from cs_console.models import CHANNELS, PRIORITIES, Customer
from cs_console.store import StoreError

CATEGORIES = (
    "safety_equipment", "pollution_prevention", "emissions", "manning_certification",
    "delay_claim", "port_state_control", "sim_activation", "billing", "roaming",
    "number_porting", "bid_documents", "bid_deadline", "e_bidding_platform", "other",
)
NEW_CUSTOMER = "+new"
"""Option id of "create a new customer with the typed name"."""


class NewTicketScreen(Screen[str | None]):
    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="send", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.customer: Customer | None = None
        self.new_customer_name: str | None = None
        self._matches: dict[str, Customer] = {}

    def compose(self) -> ComposeResult:
        yield Static("[b]New ticket[/b] · Tab moves between fields · ctrl+s saves · Escape cancels", classes="title-bar")
        with Vertical(id="new-ticket-form"):
            yield Input(placeholder="Customer: type part of a name, vessel or site", id="customer-search")
            yield OptionList(id="customer-matches")
            yield Static("Customer: none chosen yet", id="customer-chosen")
            yield Input(placeholder="Subject", id="subject")
            with Horizontal(id="ticket-choices"):
                yield Select([(c.replace("_", " "), c) for c in CATEGORIES], value="other", allow_blank=False, id="category")
                yield Select([(p, p) for p in PRIORITIES], value="normal", allow_blank=False, id="priority")
                yield Select([(c.replace("_", " "), c) for c in CHANNELS], value="phone", allow_blank=False, id="channel")
            yield TextArea(id="first-message", soft_wrap=True)
            yield Static(id="new-ticket-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#first-message", TextArea).border_title = "The customer's first message"
        self.query_one("#customer-search").focus()

    @on(Input.Changed, "#customer-search")
    def _search_customers(self, event: Input.Changed) -> None:
        self._find(event.value)

    @work(thread=True, exclusive=True, group="customer-search")
    def _find(self, text: str) -> None:
        matches = self.app.store.find_customers(text) if text.strip() else []
        self.app.call_from_thread(self._show_matches, text.strip(), matches)

    def _show_matches(self, text: str, matches: list[Customer]) -> None:
        options = self.query_one("#customer-matches", OptionList)
        options.clear_options()
        self._matches = {customer.id: customer for customer in matches}
        options.add_options(Option(f"{clip(c.name, 40)} · {clip(c.contact_name, 20)}", id=c.id) for c in matches)
        if text:
            options.add_option(Option(f"+ new customer “{text}”", id=NEW_CUSTOMER))
        if options.option_count:
            options.highlighted = 0

    @on(Input.Submitted, "#customer-search")
    def _take_first_match(self) -> None:
        options = self.query_one("#customer-matches", OptionList)
        if options.option_count:
            options.focus()

    @on(OptionList.OptionSelected, "#customer-matches")
    def _choose_customer(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == NEW_CUSTOMER:
            self.customer = None
            self.new_customer_name = self.query_one("#customer-search", Input).value.strip()
            label = f"Customer: {self.new_customer_name} (new)"
        else:
            self.customer = self._matches[event.option.id]
            self.new_customer_name = None
            label = f"Customer: {self.customer.name}"
        self.query_one("#customer-chosen", Static).update(label)
        self.query_one("#subject").focus()

    def action_save(self) -> None:
        subject = self.query_one("#subject", Input).value.strip()
        message = self.query_one("#first-message", TextArea).text.strip()
        problem = None
        if self.customer is None and not self.new_customer_name:
            problem = "choose a customer first (type in the customer field, Enter, pick one)"
        elif not subject:
            problem = "the subject is empty"
        elif not message:
            problem = "the customer's first message is empty"
        if problem:
            self.query_one("#new-ticket-status", Static).update(f"Cannot save: {problem}")
            return
        self.query_one("#new-ticket-status", Static).update("saving…")
        self._save(
            subject,
            message,
            self.query_one("#category", Select).value,
            self.query_one("#priority", Select).value,
            self.query_one("#channel", Select).value,
        )

    @work(thread=True, exclusive=True, group="save")
    def _save(self, subject: str, message: str, category: str, priority: str, channel: str) -> None:
        store, agent = self.app.store, self.app.agent
        try:
            ticket = store.create_ticket(
                customer_id=self.customer.id if self.customer else None,
                new_customer=None if self.customer else Customer(name=self.new_customer_name),
                subject=subject,
                first_message=message,
                category=category,
                priority=priority,
                channel=channel,
                assignee_id=agent.id if agent else None,
                team=agent.team if agent else "",
                at=self.app.now(),
            )
        except (StoreError, ValueError) as error:
            self.app.call_from_thread(self.query_one("#new-ticket-status", Static).update, f"Not saved: {error}")
            return
        self.app.call_from_thread(self.dismiss, ticket.id)

    def action_cancel(self) -> None:
        self.dismiss(None)
