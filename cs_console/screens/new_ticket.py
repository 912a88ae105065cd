"""A call taken at the desk becomes work: pick or create the customer, then the ticket.

The customer field searches names, contacts, vessels and sites as the agent types; the
last option always creates a new customer with the typed name. ctrl+s saves. The form is
kept as a draft (`usecases.drafts`) as the agent fills it in, put back when it opens again,
and dropped with the ticket it becomes.
"""

from __future__ import annotations

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, OptionList, Select, Static, TextArea
from textual.widgets.option_list import Option

from cs_console.screens.base import ConsoleScreen
from cs_console.storage.full_text import CustomerHit
from cs_console.storage.models import Customer
from cs_console.store import StoreError
from cs_console.text.display import clip
from cs_console.text.strings import english
from cs_console.usecases.drafts import NEW_TICKET, DraftText
from cs_console.usecases.new_ticket import TicketDraft, TicketIncomplete, check_draft, create_ticket
from cs_console.usecases.search_all import find_customers
from cs_console.vocabulary import CHANNELS, PRIORITIES
from cs_console.widgets.key_footer import KeyFooter

CATEGORIES = (
    "safety_equipment", "pollution_prevention", "emissions", "manning_certification",
    "delay_claim", "port_state_control", "sim_activation", "billing", "roaming",
    "number_porting", "bid_documents", "bid_deadline", "e_bidding_platform", "other",
)
PICKER_LIMIT = 8
"""Customers the picker offers: by name, contact, email or sites, by pinyin, or by a name
typed with a slip (`cs_console.usecases.search_all.find_customers`)."""
NEW_CUSTOMER = "+new"
"""Option id of "create a new customer with the typed name"."""
TYPED_FIELDS = ("customer_search", "customer_id", "new_customer_name", "subject")
"""The kept fields that make a draft on their own; the choices' defaults do not."""
CHOICES = {"category": CATEGORIES, "priority": PRIORITIES, "channel": CHANNELS}


class NewTicketScreen(ConsoleScreen[str | None]):
    BINDINGS = [
        Binding("ctrl+s", "save", english("key.save"), id="send", priority=True),
        Binding("escape", "cancel", english("key.cancel"), id="cancel"),
    ]
    KEY_LABELS = {"send": "key.save"}
    """ctrl+s shares the ticket's `send` id, so one rebinding moves both; here it saves."""

    def __init__(self) -> None:
        super().__init__()
        self.customer: Customer | CustomerHit | None = None
        self.new_customer_name: str | None = None
        self._matches: dict[str, CustomerHit] = {}
        self._draft: DraftText | None = None
        """The form as last given to the app's drafts (None: nothing to keep)."""
        self._draft_restored = False
        """Changes are kept only once the kept draft was looked for, so an empty form at
        mount never overwrites it."""

    def compose(self) -> ComposeResult:
        s = self.strings
        hint = s("new_ticket.hint", save=self.app.config.keys["send"])
        yield Static(f"[b]{s('new_ticket.title')}[/b] · {hint}", classes="title-bar")
        with Vertical(id="new-ticket-form"):
            yield Input(placeholder=s("new_ticket.customer_search"), id="customer-search")
            yield OptionList(id="customer-matches")
            yield Static(s("new_ticket.customer_none"), id="customer-chosen")
            yield Input(placeholder=s("new_ticket.subject"), id="subject")
            with Horizontal(id="ticket-choices"):
                yield Select([(s(f"category.{c}"), c) for c in CATEGORIES], value="other", allow_blank=False, id="category")
                yield Select([(s(f"priority.{p}"), p) for p in PRIORITIES], value="normal", allow_blank=False, id="priority")
                yield Select([(s(f"channel.{c}"), c) for c in CHANNELS], value="phone", allow_blank=False, id="channel")
            yield TextArea(id="first-message", soft_wrap=True)
            yield Static(id="new-ticket-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#first-message", TextArea).border_title = self.strings("new_ticket.first_message")
        self.query_one("#customer-search").focus()
        self._restore_draft()

    def on_unmount(self) -> None:
        if self._draft is not None:
            self.app.notify(self.strings("drafts.kept", what=self.strings("drafts.new_ticket")))

    def _form(self) -> DraftText | None:
        """What the form holds now, as a draft; None while nothing has been typed."""
        fields = {
            "customer_search": self.query_one("#customer-search", Input).value,
            "customer_id": self.customer.id if self.customer else "",
            "new_customer_name": self.new_customer_name or "",
            "subject": self.query_one("#subject", Input).value,
            **{name: str(self.query_one(f"#{name}", Select).value) for name in CHOICES},
        }
        body = self.query_one("#first-message", TextArea).text
        typed = body.strip() or any(fields[name].strip() for name in TYPED_FIELDS)
        return DraftText(body, fields) if typed else None

    @work(thread=True, group="draft")
    def _restore_draft(self) -> None:
        draft = customer = None
        try:
            draft = self.app.drafts.read(NEW_TICKET)
        except StoreError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
        if draft is not None and draft.fields.get("customer_id"):
            try:
                customer = self.app.store.customer(draft.fields["customer_id"])
            except StoreError:
                pass  # the customer is gone: the rest of the form still comes back
        self.app.call_from_thread(self._put_back, draft, customer)

    def _put_back(self, draft: DraftText | None, customer: Customer | None) -> None:
        """Fill the form from the kept draft, unless the agent has started filling it in."""
        self._draft_restored = True
        if draft is None or self._form() is not None:
            self._keep_draft()
            return
        fields = draft.fields
        self.query_one("#customer-search", Input).value = fields.get("customer_search", "")
        self.query_one("#subject", Input).value = fields.get("subject", "")
        for name, allowed in CHOICES.items():
            if fields.get(name) in allowed:
                self.query_one(f"#{name}", Select).value = fields[name]
        self.query_one("#first-message", TextArea).load_text(draft.body)
        self.customer, self.new_customer_name = customer, fields.get("new_customer_name") or None
        if customer is not None:
            self._show_customer(self.strings("new_ticket.customer_chosen", name=customer.name))
        elif self.new_customer_name:
            self._show_customer(self.strings("new_ticket.customer_new", name=self.new_customer_name))
        self._draft = self._form()
        self.query_one("#new-ticket-status", Static).update(self.strings("drafts.restored"))

    @on(Input.Changed)
    @on(Select.Changed)
    @on(TextArea.Changed)
    def _keep_draft(self) -> None:
        """Give the form to the app's drafts when it changed."""
        if not self._draft_restored:
            return
        draft = self._form()
        if draft != self._draft:
            self._draft = draft
            self.app.keep_draft(NEW_TICKET, draft)

    @on(Input.Changed, "#customer-search")
    def _search_customers(self, event: Input.Changed) -> None:
        self._find(event.value)

    @work(thread=True, exclusive=True, group="customer-search")
    def _find(self, text: str) -> None:
        matches = find_customers(self.app.store, text, limit=PICKER_LIMIT)
        self.app.call_from_thread(self._show_matches, text.strip(), matches)

    def _show_matches(self, text: str, matches: list[CustomerHit]) -> None:
        options = self.query_one("#customer-matches", OptionList)
        options.clear_options()
        self._matches = {customer.id: customer for customer in matches}
        options.add_options(Option(f"{clip(c.name, 40)} · {clip(c.contact_name, 20)}", id=c.id) for c in matches)
        if text:
            options.add_option(Option(self.strings("new_ticket.new_customer_option", name=text), id=NEW_CUSTOMER))
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
            label = self.strings("new_ticket.customer_new", name=self.new_customer_name)
        else:
            self.customer = self._matches[event.option.id]
            self.new_customer_name = None
            label = self.strings("new_ticket.customer_chosen", name=self.customer.name)
        self._show_customer(label)
        self.query_one("#subject").focus()
        self._keep_draft()

    def _show_customer(self, label: str) -> None:
        self.query_one("#customer-chosen", Static).update(escape(label))

    def action_save(self) -> None:
        """Refuse an incomplete draft at once (pure, no database), else save it in a worker."""
        s = self.strings
        status = self.query_one("#new-ticket-status", Static)
        draft = TicketDraft(
            subject=self.query_one("#subject", Input).value,
            first_message=self.query_one("#first-message", TextArea).text,
            customer_id=self.customer.id if self.customer else None,
            new_customer_name=self.new_customer_name or "",
            category=self.query_one("#category", Select).value,
            priority=self.query_one("#priority", Select).value,
            channel=self.query_one("#channel", Select).value,
        )
        try:
            check_draft(draft, s)
        except TicketIncomplete as problem:
            status.update(escape(s("new_ticket.cannot_save", problem=problem)))
            return
        status.update(s("common.saving"))
        self._save(draft)

    @work(thread=True, exclusive=True, group="save")
    def _save(self, draft: TicketDraft) -> None:
        app = self.app
        try:
            with app.drafts.sending(NEW_TICKET):
                ticket = create_ticket(app.store, draft, app.agent, self.strings, at=app.now(), clears_draft=NEW_TICKET)
        except (StoreError, ValueError) as error:
            customer = draft.customer_id or draft.new_customer_name
            kept = app.store.keep_unsaved(f"new ticket for {customer} · {draft.subject}", draft.first_message)
            message = self.strings("new_ticket.not_saved_kept", path=kept) if kept else \
                self.strings("new_ticket.not_saved", reason=error)
            app.call_from_thread(self._not_saved, message)
            return
        app.call_from_thread(self._saved, ticket.id)

    def _saved(self, ticket_id: str) -> None:
        self._draft = None  # it became the ticket
        self.dismiss(ticket_id)

    def _not_saved(self, message: str) -> None:
        self.query_one("#new-ticket-status", Static).update(escape(message))
        if self._draft is not None:
            self.app.keep_draft(NEW_TICKET, self._draft)  # it is still unsaved

    def action_cancel(self) -> None:
        self.dismiss(None)
