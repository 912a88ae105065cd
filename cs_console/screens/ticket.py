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
from textual.widgets import Footer, Static

from cs_console.display import INTERACTION_LABELS, PRIORITY_LABELS, STATUS_NAMES, clip, local_time
from cs_console.follow_up import CLOCK_TITLES
from cs_console.kb.redlines import CompliancePrompt, compliance_prompts, find_red_lines
from cs_console.kb.templates import fill, template_values, unfilled
from cs_console.screens.composer import Composer
from cs_console.screens.callback import CallbackLog
from cs_console.screens.reminder import ReminderRequest
from cs_console.sla import follow_up_clocks
from cs_console.store import StoreError, TicketDetail
from cs_console.widgets.sync_status import SyncStatusBar

MAX_PROMPTS = 2
"""Compliance prompts shown at once; more would push the conversation off an 80x24 screen."""
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
        Binding("ctrl+t", "templates", "Template", id="templates", priority=True),
        Binding("escape", "back", "Back"),
    ]

    def __init__(self, ticket_id: str) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        self.detail: TicketDetail | None = None
        self.mode = "public_reply"
        self._clock_text = ""
        self.due_times: dict = {}
        self._sent_in_cycle: int | None = None
        """The sync cycle that carries the last reply up; "sent" shows once it finished."""

    def compose(self) -> ComposeResult:
        yield Static(id="ticket-header", classes="title-bar")
        yield Static(id="ticket-clocks")
        yield Static(id="ticket-compliance")
        yield VerticalScroll(id="conversation")
        yield Static(COMPOSER_MODES[self.mode], id="composer-label")
        yield Composer(id="composer")
        yield Static(id="composer-status")
        yield SyncStatusBar()
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#conversation").focus()
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="ticket")
    def reload(self) -> None:
        store = self.app.store
        try:
            detail = store.ticket_detail(self.ticket_id)
        except StoreError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        text = "\n".join([detail.ticket.subject, *(i.body for i in detail.interactions)])
        prompts = compliance_prompts(text, store.compliance_articles())
        self.app.call_from_thread(self._show, detail, prompts)

    def _show(self, detail: TicketDetail, prompts: list[CompliancePrompt]) -> None:
        self.detail = detail
        compliance = self.query_one("#ticket-compliance", Static)
        width = self.app.size.width - 2
        compliance.update(
            "\n".join(escape(clip(f"⚖ {p.trigger} → {p.title}: {p.rule}", width)) for p in prompts[:MAX_PROMPTS])
        )
        compliance.display = bool(prompts)
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
        """Refresh the clock lines (repainted only when their text changed) and say "sent"
        once a sync has carried the last reply up."""
        sync = self.app.sync_state
        if self._sent_in_cycle is not None and sync.last_ok_cycle >= self._sent_in_cycle:
            self._sent_in_cycle = None
            self._say("sent" if sync.pending == 0 else f"sent · {sync.pending} other changes still waiting")
        lines_widget = self.query("#ticket-clocks")
        if self.detail is None or not lines_widget:
            return  # not loaded yet, or the screen is being taken down
        config, now = self.app.config, self.app.now()
        events = [(event.kind, event.at) for event in self.detail.events]
        clocks = follow_up_clocks(events, self.detail.ticket.priority, config.policy, config.calendar, now)
        self.due_times = {clock.name: clock.due if clock.is_open else None for clock in clocks}
        lines = []
        for clock in clocks:
            line = f"{CLOCK_TITLES[clock.name]:<22} {clock.symbol()} {clock.state_word()}"
            if clock.is_open and clock.state != "paused":
                line += f" {clock.countdown_text()}"
            if clock.due is not None and clock.is_open:
                line += f" · due {local_time(clock.due, config.zone, now)}"
            lines.append(line)
        text = "\n".join(lines)
        if self._clock_text != text:
            self._clock_text = text
            lines_widget.first(Static).update(text)

    def action_compose(self, mode: str) -> None:
        self.mode = mode
        self.query_one("#composer-label", Static).update(COMPOSER_MODES[mode])
        self.query_one("#composer", Composer).focus()

    def action_send(self) -> None:
        composer = self.query_one("#composer", Composer)
        text = composer.text.strip()
        if not text:
            self._say("Nothing to send: type in the composer first (r: reply, i: note)")
            return
        warnings = self._warnings(text) if self.mode == "public_reply" else []
        if not warnings:
            self._start_send(text)
            return
        from cs_console.screens.confirm import ConfirmScreen

        question = "[b]Before this reply goes out[/b]\n" + "\n".join(f"• {escape(w)}" for w in warnings)
        question += "\n\nSend it anyway?"
        self._say("not sent yet: " + "; ".join(warnings))
        self.app.push_screen(ConfirmScreen(question), lambda confirmed: self._start_send(text) if confirmed else None)

    def _warnings(self, text: str) -> list[str]:
        """What the agent is asked to confirm: red-line phrases and unfilled placeholders."""
        warnings = [f"red line: “{hit.phrase}” reads as evasive to a customer" for hit in
                    find_red_lines(text, self.app.config.red_lines)]
        warnings += [f"placeholder not filled: ⟦{name}⟧" for name in unfilled(text)]
        return warnings

    def _start_send(self, text: str) -> None:
        self.query_one("#composer", Composer).read_only = True
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
        composer = self.query_one("#composer", Composer)
        composer.read_only = False
        composer.clear()
        sync = self.app.sync_state
        if not sync.configured:
            self._say("saved on this device (not logged in to a sync server)")
        elif sync.online is False:
            self._say("saved · queued offline, goes out when the link is back")
        else:
            self._say("saved · sending…")
            self._sent_in_cycle = sync.cycle + 1
        self.app.local_change()
        self.query_one("#conversation").focus()
        self.reload()

    def _send_failed(self, reason: str) -> None:
        self.query_one("#composer", Composer).read_only = False
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
        self.app.call_from_thread(self.app.local_change)
        self.reload()

    @on(Composer.TemplateRequested)
    def action_templates(self) -> None:
        from cs_console.screens.knowledge_base import KnowledgeBaseScreen

        if self.mode != "public_reply":
            self.action_compose("public_reply")
        self.app.push_screen(KnowledgeBaseScreen(picker=True), self._template_chosen)

    def _template_chosen(self, template_id: str | None) -> None:
        self.query_one("#composer", Composer).focus()
        if template_id is not None and self.detail is not None:
            self._fill_template(template_id)

    @work(thread=True, group="template")
    def _fill_template(self, template_id: str) -> None:
        catalog, detail = self.app.catalog(), self.detail
        values = template_values(detail.ticket, detail.customer, self.app.agent, self.due_times, self.app.config.zone)
        filled = fill(catalog.document(template_id)["body"], values)
        catalog.note_use(template_id)
        self.app.call_from_thread(self._insert_template, filled)

    def _insert_template(self, filled) -> None:
        composer = self.query_one("#composer", Composer)
        composer.insert(filled.text)
        composer.focus()
        problems = [f"⟦{name}⟧ unknown" for name in filled.unknown] + [f"⟦{name}⟧ empty" for name in filled.empty]
        if problems:
            self._say("fill in before sending: " + ", ".join(problems))

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
        composer = self.query_one("#composer", Composer)
        if composer.has_focus:
            self.query_one("#conversation").focus()
        else:
            self.app.go_back()
