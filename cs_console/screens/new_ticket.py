"""A call taken at the desk becomes work: pick or create the organisation, its contact and
maybe its asset, then the ticket.

The customer field searches names, contacts, vessels (by name or IMO number) and sites,
phone numbers and email addresses as the agent types; the last option always creates a new
customer with the typed name. Once the organisation is chosen, its contacts and assets are
offered (the first contact, or the caller, chosen already); a name typed as a new contact
makes one with the ticket. ctrl+s saves. Opened for a call (`cs-console call NUMBER`), the form comes filled in
with the caller, or a new customer with their number, and the channel `phone`. The form is
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

from cs_console.channels.phone import display_phone
from cs_console.channels.reach import shown_list
from cs_console.screens.base import ConsoleScreen
from cs_console.storage.full_text import CustomerHit
from cs_console.storage.models import Asset, Contact, Customer
from cs_console.store import StoreError
from cs_console.text.display import clip
from cs_console.text.strings import english
from cs_console.usecases.attachments import attach_path, clean_path, path_problem
from cs_console.usecases.caller_lookup import Caller, find_customers
from cs_console.usecases.drafts import NEW_TICKET, DraftText, call_key
from cs_console.usecases.new_ticket import TicketDraft, TicketIncomplete, check_draft, create_ticket
from cs_console.usecases.ticket_relations import duplicate_candidates, link_tickets
from cs_console.vocabulary import CATEGORIES, CHANNELS, PRIORITIES
from cs_console.widgets.current_result import show_if_current
from cs_console.widgets.key_footer import KeyFooter

PICKER_LIMIT = 8
"""Customers the picker offers: by name, contact, email or sites, by pinyin, or by a name
typed with a slip (`cs_console.usecases.search_all.find_customers`)."""
NEW_CUSTOMER = "+new"
"""Option id of "create a new customer with the typed name"."""
TYPED_FIELDS = ("customer_search", "customer_id", "new_customer_name", "new_contact_name", "subject")
"""The kept fields that make a draft on their own; the choices' defaults do not."""
CHOICES = {"category": CATEGORIES, "priority": PRIORITIES, "channel": CHANNELS}


class NewTicketScreen(ConsoleScreen[str | None]):
    BINDINGS = [
        Binding("ctrl+s", "save", english("key.save"), id="send", priority=True),
        Binding("f4", "attach", english("key.attach"), id="attach_to_new", priority=True),
        Binding("escape", "cancel", english("key.cancel"), id="cancel"),
    ]
    KEY_LABELS = {"send": "key.save", "attach_to_new": "key.attach"}
    """ctrl+s shares the ticket's `send` id, so one rebinding moves both; here it saves."""

    def __init__(self, caller: Caller | None = None) -> None:
        super().__init__()
        self.caller = caller
        self.draft_key = NEW_TICKET if caller is None else call_key(caller.phone)
        """Where the form is kept: a call's form apart from the one the agent may have left."""
        self.customer: Customer | CustomerHit | None = None
        self.new_customer_name: str | None = None
        self.new_customer_phone = caller.phone if caller is not None and caller.customer is None else ""
        self._matches: dict[str, CustomerHit] = {}
        self.link_to: tuple[str, str] | None = None
        """A likely duplicate (id, number) the agent chose to link the new ticket to once saved."""
        self._parts_wanted: tuple[str | None, str | None] = (None, None)
        """The contact and asset to choose once the customer's lists are in (a call's, a draft's)."""
        self.files: list[str] = []
        """Paths to attach to the first message once the ticket is saved."""
        self._draft: DraftText | None = None
        """The form as last given to the app's drafts (None: nothing to keep)."""
        self._draft_restored = False
        self._prefill: DraftText | None = None
        """The form as a call filled it in: nothing to keep until the agent changes it."""
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
            with Horizontal(id="ticket-parts"):
                yield Select([], prompt=s("new_ticket.contact_none"), id="contact")
                yield Input(placeholder=s("new_ticket.new_contact"), id="contact-name")
                yield Select([], prompt=s("new_ticket.asset_none"), id="asset")
            yield Input(placeholder=s("new_ticket.subject"), id="subject")
            yield OptionList(id="duplicate-candidates")
            with Horizontal(id="ticket-choices"):
                yield Select([(s(f"category.{c}"), c) for c in CATEGORIES], value="other", allow_blank=False, id="category")
                yield Select([(s(f"priority.{p}"), p) for p in PRIORITIES], value="normal", allow_blank=False, id="priority")
                yield Select([(s(f"channel.{c}"), c) for c in CHANNELS], value="phone", allow_blank=False, id="channel")
            yield TextArea(id="first-message", soft_wrap=True)
            yield Static(id="new-ticket-status")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#first-message", TextArea).border_title = self.strings("new_ticket.first_message")
        candidates = self.query_one("#duplicate-candidates", OptionList)
        candidates.border_title = self.strings("duplicates.title")
        candidates.display = False
        self.query_one("#customer-search").focus()
        self._restore_draft()

    def _fill_for_call(self, caller: Caller) -> None:
        """The caller as the customer (or a new one named by their number), channel phone;
        kept as a draft once the agent changes it."""
        s, number = self.strings, display_phone(caller.phone)
        self.query_one("#channel", Select).value = "phone"
        if caller.customer is not None:
            self.customer = caller.customer
            self._show_customer(s("new_ticket.customer_chosen", name=caller.customer.name))
            self._load_parts(caller.customer.id, caller.contact.id if caller.contact else None, None)
            status = s("new_ticket.call_known", number=number, name=caller.customer.name)
            self.query_one("#subject").focus()
        else:
            self.new_customer_name = number
            self._show_customer(s("new_ticket.customer_new", name=number))
            self.query_one("#customer-search", Input).value = ""
            status = s("new_ticket.call_unknown", number=number)
        self.query_one("#new-ticket-status", Static).update(escape(status))
        self._prefill = self._form()

    def on_unmount(self) -> None:
        if self._draft is not None:
            self.app.notify(self.strings("drafts.kept", what=self.strings("drafts.new_ticket")))

    def _form(self) -> DraftText | None:
        """What the form holds now, as a draft; None while nothing has been typed (or changed
        since a call filled it in)."""
        fields = {
            "customer_search": self.query_one("#customer-search", Input).value,
            "customer_id": self.customer.id if self.customer else "",
            "new_customer_name": self.new_customer_name or "",
            "new_customer_phone": self.new_customer_phone,
            "contact_id": _chosen(self.query_one("#contact", Select)) or "",
            "new_contact_name": self.query_one("#contact-name", Input).value,
            "asset_id": _chosen(self.query_one("#asset", Select)) or "",
            "subject": self.query_one("#subject", Input).value,
            **{name: str(self.query_one(f"#{name}", Select).value) for name in CHOICES},
        }
        body = self.query_one("#first-message", TextArea).text
        typed = body.strip() or any(fields[name].strip() for name in TYPED_FIELDS)
        form = DraftText(body, fields) if typed else None
        return None if form == self._prefill else form

    @work(thread=True, group="draft")
    def _restore_draft(self) -> None:
        draft = customer = None
        try:
            draft = self.app.drafts.read(self.draft_key)
        except StoreError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
        if draft is not None and draft.fields.get("customer_id"):
            try:
                customer = self.app.store.customer(draft.fields["customer_id"])
            except StoreError:
                pass  # the customer is gone: the rest of the form still comes back
        show_if_current(self.app, self._put_back, draft, customer)

    def _put_back(self, draft: DraftText | None, customer: Customer | None) -> None:
        """Fill the form from the kept draft, unless the agent has started filling it in."""
        self._draft_restored = True
        if draft is None and self.caller is not None:
            self._fill_for_call(self.caller)
            return
        if draft is None or self._form() is not None:
            self._keep_draft()
            return
        fields = draft.fields
        self.query_one("#customer-search", Input).value = fields.get("customer_search", "")
        self.query_one("#subject", Input).value = fields.get("subject", "")
        self.query_one("#contact-name", Input).value = fields.get("new_contact_name", "")
        for name, allowed in CHOICES.items():
            if fields.get(name) in allowed:
                self.query_one(f"#{name}", Select).value = fields[name]
        self.query_one("#first-message", TextArea).load_text(draft.body)
        self.customer, self.new_customer_name = customer, fields.get("new_customer_name") or None
        self.new_customer_phone = fields.get("new_customer_phone", "")
        if customer is not None:
            self._show_customer(self.strings("new_ticket.customer_chosen", name=customer.name))
            self._load_parts(customer.id, fields.get("contact_id") or None, fields.get("asset_id") or None)
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
            self.app.keep_draft(self.draft_key, draft)

    @on(Input.Changed, "#customer-search")
    def _search_customers(self, event: Input.Changed) -> None:
        self._find(event.value)

    @work(thread=True, exclusive=True, group="customer-search")
    def _find(self, text: str) -> None:
        matches = find_customers(self.app.store, text, self.app.config.phone_region, limit=PICKER_LIMIT)
        show_if_current(self.app, self._show_matches, text.strip(), matches)

    def _show_matches(self, text: str, matches: list[CustomerHit]) -> None:
        options = self.query_one("#customer-matches", OptionList)
        options.clear_options()
        self._matches = {customer.id: customer for customer in matches}
        options.add_options(
            Option(" · ".join(clip(part, 40) for part in (c.name, c.contacts, c.phones, c.assets) if part), id=c.id)
            for c in matches
        )
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
        self._load_parts(self.customer.id if self.customer else None, None, None)
        self.query_one("#subject").focus()
        self._keep_draft()

    def _show_customer(self, label: str) -> None:
        self.query_one("#customer-chosen", Static).update(escape(label))
        self._look_for_duplicates()

    @on(Input.Changed, "#subject")
    def _look_for_duplicates(self) -> None:
        """Warn of the chosen customer's open tickets with a similar subject, as the subject is typed."""
        subject = self.query_one("#subject", Input).value
        self._find_duplicates(self.customer.id if self.customer else None, subject)

    @work(thread=True, exclusive=True, group="duplicates")
    def _find_duplicates(self, customer_id: str | None, subject: str) -> None:
        found = duplicate_candidates(self.app.store, customer_id, subject, now=self.app.now()) \
            if customer_id and subject.strip() else []
        show_if_current(self.app, self._show_duplicates, found)

    def _show_duplicates(self, found: list) -> None:
        s, candidates = self.strings, self.query_one("#duplicate-candidates", OptionList)
        candidates.clear_options()
        for ticket in found:
            subject = clip(ticket.subject, 40)
            candidates.add_option(Option(s("duplicates.open", number=ticket.number, subject=subject),
                                         id=f"open:{ticket.id}"))
            candidates.add_option(Option(s("duplicates.link", number=ticket.number),
                                         id=f"link:{ticket.id}:{ticket.number}"))
        candidates.display = bool(found)
        if found:
            candidates.highlighted = 0

    @on(OptionList.OptionSelected, "#duplicate-candidates")
    def _duplicate_chosen(self, event: OptionList.OptionSelected) -> None:
        """Open the likely duplicate (the form stays, kept as a draft), or link to it once saved."""
        what, ticket_id, *number = event.option.id.split(":")
        if what == "open":
            self.app.open_ticket(ticket_id)
            return
        self.link_to = (ticket_id, number[0])
        self.query_one("#new-ticket-status", Static).update(escape(self.strings("duplicates.will_link",
                                                                               number=number[0])))

    @work(thread=True, exclusive=True, group="customer-parts")
    def _load_parts(self, customer_id: str | None, contact_id: str | None, asset_id: str | None) -> None:
        """Offer the customer's contacts and assets; choose `contact_id` (else the first
        contact) and `asset_id`. A new customer has none."""
        contacts, assets = [], []
        if customer_id is not None:
            try:
                contacts, assets = self.app.store.contacts_of(customer_id), self.app.store.assets_of(customer_id)
            except StoreError as error:
                self.app.call_from_thread(self.notify, str(error), severity="error")
        show_if_current(self.app, self._show_parts, contacts, assets, contact_id, asset_id)

    def _show_parts(self, contacts: list[Contact], assets: list[Asset], contact_id: str | None,
                    asset_id: str | None) -> None:
        s = self.strings
        contact = self.query_one("#contact", Select)
        contact.set_options((" · ".join(part for part in (c.name, c.role, shown_list(c.phones)) if part), c.id)
                            for c in contacts)
        if contacts:
            contact.value = contact_id if contact_id in {c.id for c in contacts} else contacts[0].id
        asset = self.query_one("#asset", Select)
        asset.set_options((" · ".join(part for part in (a.name, s(f"asset.kind.{a.kind}"), a.imo) if part), a.id)
                          for a in assets)
        if asset_id in {a.id for a in assets}:
            asset.value = asset_id

    def action_save(self) -> None:
        """Refuse an incomplete draft at once (pure, no database), else save it in a worker."""
        s = self.strings
        status = self.query_one("#new-ticket-status", Static)
        draft = TicketDraft(
            subject=self.query_one("#subject", Input).value,
            first_message=self.query_one("#first-message", TextArea).text,
            customer_id=self.customer.id if self.customer else None,
            new_customer_name=self.new_customer_name or "",
            new_customer_phone=self.new_customer_phone if self.customer is None else "",
            contact_id=_chosen(self.query_one("#contact", Select)) if self.customer else None,
            new_contact_name=self.query_one("#contact-name", Input).value,
            asset_id=_chosen(self.query_one("#asset", Select)) if self.customer else None,
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
            with app.drafts.sending(self.draft_key):
                ticket = create_ticket(app.store, draft, app.agent, self.strings, at=app.now(),
                                       clears_draft=self.draft_key)
            if self.link_to is not None:
                link_tickets(app.store, ticket.id, self.link_to[0], "related",
                             author_id=app.agent.id if app.agent else None, at=app.now())
            self._attach_files(ticket.id)
        except (StoreError, ValueError) as error:
            customer = draft.customer_id or draft.new_customer_name
            kept = app.store.keep_unsaved(f"new ticket for {customer} · {draft.subject}", draft.first_message)
            message = self.strings("new_ticket.not_saved_kept", path=kept) if kept else \
                self.strings("new_ticket.not_saved", reason=error)
            app.call_from_thread(self._not_saved, message)
            return
        app.call_from_thread(self._saved, ticket.id)

    def _attach_files(self, ticket_id: str) -> None:
        """Attach the chosen files to the new ticket's first message (in the save worker)."""
        app = self.app
        first = app.store.ticket_detail(ticket_id).interactions[0]
        for path in self.files:
            try:
                attach_path(app.store, ticket_id, path, app.config.attachment_budget,
                            author_id=app.agent.id if app.agent else None, interaction_id=first.id)
            except (StoreError, ValueError) as error:
                app.call_from_thread(self.notify, self.strings("attach.failed", reason=str(error)), severity="error")

    def action_attach(self) -> None:
        from cs_console.screens.attach import AttachScreen

        budget = self.app.config.attachment_budget
        self.app.push_screen(AttachScreen(lambda text: path_problem(text, budget)), self._file_chosen)

    def _file_chosen(self, path: str | None) -> None:
        if path:
            self.files.append(path)
            names = ", ".join(clean_path(text).name for text in self.files)
            self.query_one("#new-ticket-status", Static).update(escape(self.strings("attach.with_ticket", names=names)))

    def _saved(self, ticket_id: str) -> None:
        self._draft = None  # it became the ticket
        self.dismiss(ticket_id)

    def _not_saved(self, message: str) -> None:
        self.query_one("#new-ticket-status", Static).update(escape(message))
        if self._draft is not None:
            self.app.keep_draft(self.draft_key, self._draft)  # it is still unsaved

    def action_cancel(self) -> None:
        self.dismiss(None)


def _chosen(select: Select) -> str | None:
    """The id a list of contacts or assets has chosen, or None."""
    return None if select.is_blank() else str(select.value)
