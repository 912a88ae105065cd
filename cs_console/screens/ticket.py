"""One ticket: who, what, the whole conversation, and a composer to answer.

Sending never blocks and never goes unconfirmed: the composer says "saving…" until the
store has committed the reply, then "saved · queued for sync"; on failure the text stays in
the composer with the reason, so nothing the agent typed is lost.
"""

from __future__ import annotations

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Static, TextArea

from cs_console.display import INTERACTION_LABELS, PRIORITY_LABELS, STATUS_NAMES, local_time
from cs_console.follow_up import CLOCK_TITLES
from cs_console.screens.callback import CallbackLog
from cs_console.screens.reminder import ReminderRequest
from cs_console.sla import follow_up_clocks
from cs_console.store import StoreError, TicketDetail

COMPOSER_MODES = {
    "public_reply": "Reply to the customer",
    "internal_note": "Internal note (the customer never sees it)",
}


class TicketScreen(Screen):
    BINDINGS = [
        Binding("r", "compose('public_reply')", "Reply", id="reply"),
        Binding("i", "compose('internal_note')", "Note", id="note"),
        Binding("s", "set_status", "Status", id="set_status"),
        Binding("c", "customer", "Customer", id="customer"),
        Binding("x", "propose_solution", "Solution", id="propose_solution"),
        Binding("b", "callback", "Callback", id="callback"),
        Binding("e", "escalate", "Escalate", id="escalate", show=False),
        Binding("m", "remind", "Remind", id="remind", show=False),
        Binding("ctrl+s", "send", "Send", id="send", priority=True),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, ticket_id: str) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        self.detail: TicketDetail | None = None
        self.mode = "public_reply"
        self._clock_text = ""

    def compose(self) -> ComposeResult:
        yield Static(id="ticket-header", classes="title-bar")
        yield Static(id="ticket-clocks")
        yield VerticalScroll(id="conversation")
        yield Static(COMPOSER_MODES[self.mode], id="composer-label")
        yield TextArea(id="composer", soft_wrap=True, show_line_numbers=False)
        yield Static(id="composer-status")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#conversation").focus()
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="ticket")
    def reload(self) -> None:
        try:
            detail = self.app.store.ticket_detail(self.ticket_id)
        except StoreError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.app.call_from_thread(self._show, detail)

    def _show(self, detail: TicketDetail) -> None:
        self.detail = detail
        ticket, customer = detail.ticket, detail.customer
        assignee = detail.assignee.name if detail.assignee else "unassigned"
        self.query_one("#ticket-header", Static).update(
            f"[b]{ticket.number}[/b]  {PRIORITY_LABELS[ticket.priority].strip()}  ·  "
            f"{STATUS_NAMES[ticket.status]}  ·  {assignee}\n"
            f"[b]{escape(ticket.subject)}[/b]\n"
            f"{escape(customer.name)} · {escape(customer.contact_name)} · {customer.phone} · {ticket.channel}"
        )
        self.tick()
        conversation = self.query_one("#conversation", VerticalScroll)
        conversation.remove_children()
        zone, now = self.app.config.zone, self.app.now()
        entries = []
        for interaction in detail.interactions:
            author = detail.authors.get(interaction.author_id, customer.contact_name or customer.name)
            heading = f"{INTERACTION_LABELS[interaction.kind]} · {escape(author)} · {local_time(interaction.created_at, zone, now)}"
            if interaction.satisfaction is not None:
                heading += f" · satisfaction {interaction.satisfaction}/5"
            entries.append(
                Static(f"[b]{heading}[/b]\n{escape(interaction.body)}", classes=f"entry {interaction.kind}")
            )
        conversation.mount_all(entries)
        conversation.call_after_refresh(conversation.scroll_end, animate=False)

    def tick(self) -> None:
        """Refresh the clock lines; the widget repaints only when their text changed."""
        if self.detail is None:
            return
        config, now = self.app.config, self.app.now()
        events = [(event.kind, event.at) for event in self.detail.events]
        clocks = follow_up_clocks(events, self.detail.ticket.priority, config.policy, config.calendar, now)
        lines = []
        for clock in clocks:
            line = f"{CLOCK_TITLES[clock.name]:<22} {clock.symbol()} {clock.state_word()}"
            if clock.is_open and clock.state != "paused":
                line += f" {clock.countdown_text()}"
            if clock.due is not None and clock.is_open:
                line += f" · due {local_time(clock.due, config.zone, now)}"
            lines.append(line)
        text = "\n".join(lines)
        widget = self.query_one("#ticket-clocks", Static)
        if self._clock_text != text:
            self._clock_text = text
            widget.update(text)

    def action_compose(self, mode: str) -> None:
        self.mode = mode
        self.query_one("#composer-label", Static).update(COMPOSER_MODES[mode])
        self.query_one("#composer", TextArea).focus()

    def action_send(self) -> None:
        composer = self.query_one("#composer", TextArea)
        text = composer.text.strip()
        if not text:
            self._say("Nothing to send: type in the composer first (r: reply, i: note)")
            return
        composer.read_only = True
        self._say("saving…")
        self._send(self.mode, text)

    @work(thread=True, group="send")
    def _send(self, kind: str, text: str) -> None:
        agent = self.app.agent
        try:
            self.app.store.add_interaction(
                self.ticket_id, kind, text, author_id=agent.id if agent else None, at=self.app.now()
            )
        except (StoreError, ValueError) as error:
            self.app.call_from_thread(self._send_failed, str(error))
            return
        self.app.call_from_thread(self._sent)

    def _sent(self) -> None:
        composer = self.query_one("#composer", TextArea)
        composer.read_only = False
        composer.clear()
        self._say("saved · queued for sync")
        self.query_one("#conversation").focus()
        self.reload()

    def _send_failed(self, reason: str) -> None:
        self.query_one("#composer", TextArea).read_only = False
        self._say(f"not sent: {reason} (your text is still here)")

    def _say(self, text: str) -> None:
        self.query_one("#composer-status", Static).update(text)

    def action_set_status(self) -> None:
        from cs_console.screens.choose import ChooseScreen

        if self.detail is None:
            return
        current = self.detail.ticket.status
        options = [(status, name) for status, name in STATUS_NAMES.items() if status != current]
        self.app.push_screen(ChooseScreen("Set status", options), self._status_chosen)

    def _status_chosen(self, status: str | None) -> None:
        if status:
            self._change_status(status)

    def _change_status(self, status: str) -> None:
        self._store_action(
            f"Status: {STATUS_NAMES[status]}",
            lambda store, agent_id, at: store.change_status(self.ticket_id, status, author_id=agent_id, at=at),
        )

    @work(thread=True, group="send")
    def _store_action(self, done_message: str, action) -> None:
        """Run one store write off the event loop, then say it happened and show the result."""
        agent = self.app.agent
        try:
            action(self.app.store, agent.id if agent else None, self.app.now())
        except (StoreError, ValueError) as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        self.app.call_from_thread(self.notify, done_message)
        self.reload()

    def action_propose_solution(self) -> None:
        self._change_status("solution_proposed")

    def action_callback(self) -> None:
        from cs_console.screens.callback import CallbackScreen

        self.app.push_screen(CallbackScreen(), self._callback_logged)

    def _callback_logged(self, log: CallbackLog | None) -> None:
        if log is not None:
            self._store_action(
                "Callback logged",
                lambda store, agent_id, at: store.add_interaction(
                    self.ticket_id, "callback", log.comment, author_id=agent_id, satisfaction=log.satisfaction, at=at
                ),
            )

    def action_escalate(self) -> None:
        self._store_action(
            "Escalated to the expert team: answer due within 48 hours",
            lambda store, agent_id, at: store.escalate(self.ticket_id, author_id=agent_id, at=at),
        )

    def action_remind(self) -> None:
        from cs_console.screens.reminder import ReminderScreen

        self.app.push_screen(ReminderScreen(), self._reminder_set)

    def _reminder_set(self, request: ReminderRequest | None) -> None:
        if request is not None:
            when = local_time(request.due_at, self.app.config.zone, self.app.now())
            self._store_action(
                f"Reminder set for {when}",
                lambda store, agent_id, at: store.add_reminder(self.ticket_id, request.due_at, request.note, agent_id=agent_id),
            )

    def action_customer(self) -> None:
        from cs_console.screens.customer import CustomerScreen

        if self.detail is not None:
            self.app.push_screen(CustomerScreen(self.detail.customer.id))

    def action_back(self) -> None:
        composer = self.query_one("#composer", TextArea)
        if composer.has_focus:
            self.query_one("#conversation").focus()
        else:
            self.app.go_back()

    @on(TextArea.Changed, "#composer")
    def _typing(self, event: TextArea.Changed) -> None:
        if event.text_area.text:
            self._say("")
