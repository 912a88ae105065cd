"""One ticket: who, what, the whole conversation, and a composer to answer.

Sending never blocks and never goes unconfirmed: the composer says "saving…" until the
store has committed the reply, then "saved · queued for sync"; on failure the text stays in
the composer with the reason, so nothing the agent typed is lost. What is typed and not sent
is kept as the ticket's draft (`usecases.drafts`) as the agent types, put back when the
ticket opens again, and dropped with the reply that sends it. When the database itself
can no longer be written, the text is also appended to the recovery file beside it.
"""

from __future__ import annotations

from pathlib import Path

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import Static, TextArea

from cs_console.clocks.follow_up import clock_title
from cs_console.clocks.sla import follow_up_clocks
from cs_console.kb.redlines import CompliancePrompt, compliance_prompts, find_red_lines
from cs_console.kb.templates import fill, template_values, unfilled
from cs_console.lead.survey import split_answers
from cs_console.screens.base import ConsoleScreen
from cs_console.screens.callback import CallbackLog
from cs_console.screens.escalate import EscalationRequest
from cs_console.screens.merge_link import MergeAndLink
from cs_console.screens.reminder import ReminderRequest
from cs_console.storage.tickets import TicketDetail
from cs_console.store import StoreError
from cs_console.sync.schedule import size_text
from cs_console.text.display import channel_name, clip, local_time, pad
from cs_console.text.strings import english
from cs_console.usecases.attachments import (
    FileState,
    attach_path,
    clean_path,
    file_states,
    hand_to_viewer,
    open_attachment,
    path_problem,
)
from cs_console.usecases.complaints import Complaint, complaint_of, mark_complaint, record_pearl_step
from cs_console.usecases.drafts import DraftText, reply_key
from cs_console.usecases.kb_proposals import ProposalDraft, ProposalRefused, proposal_draft, propose
from cs_console.usecases.macros import MacroChoice, MacroPlan, MacroRefused, apply_macro, macro_choices, plan_macro
from cs_console.usecases.survey import survey_questions
from cs_console.usecases.tagging import change_tags, tags_in_use
from cs_console.usecases.ticket_changes import add_interaction, answer_escalation, change_status
from cs_console.usecases.ticket_parties import ticket_parties
from cs_console.vocabulary import CLOSE_REASONS, PRIORITIES, STATUSES
from cs_console.widgets.clock_text import clock_lines
from cs_console.widgets.composer import Composer
from cs_console.widgets.current_result import show_if_current
from cs_console.widgets.key_footer import KeyFooter
from cs_console.widgets.sync_status import SyncStatusBar
from cs_console.widgets.thread_view import delivery_text, thread_entries

MAX_PROMPTS = 2
"""Compliance prompts shown at once; more would push the conversation off an 80x24 screen."""
CLOCK_TITLE_WIDTH = 22
"""Cells of the clock titles' column, so the state words line up (in Chinese too)."""


class TicketScreen(MergeAndLink, ConsoleScreen):
    HELP_NOTE = "help.clocks"
    """What `?` adds under the keys: how to read the clocks (`help` screen)."""

    BINDINGS = [
        Binding("r", "compose('public_reply')", english("key.reply"), id="reply"),
        Binding("i", "compose('internal_note')", english("key.note"), id="note"),
        Binding("s", "set_status", english("key.set_status"), id="set_status"),
        Binding("c", "customer", english("key.customer"), id="customer"),
        Binding("x", "propose_solution", english("key.propose_solution"), id="propose_solution"),
        Binding("b", "callback", english("key.callback"), id="callback"),
        Binding("e", "escalate", english("key.escalate"), id="escalate"),
        Binding("m", "remind", english("key.remind"), id="remind"),
        Binding("a", "compose('expert_answer')", english("key.expert_answer"), id="expert_answer", show=False),
        Binding("p", "set_priority", english("key.set_priority"), id="set_priority", show=False),
        Binding("g", "merge", english("key.merge"), id="merge", show=False),
        Binding("l", "link", english("key.link"), id="link", show=False),
        Binding("u", "undo_merge", english("key.undo_merge"), id="undo_merge", show=False),
        Binding("o", "complaint", english("key.complaint"), id="complaint", show=False),
        Binding("k", "propose_kb", english("key.propose_kb"), id="propose_kb", show=False),
        Binding("number_sign", "tag", english("key.tag"), id="tag", show=False),
        Binding("f", "attach", english("key.attach"), id="attach"),
        Binding("v", "open_attachment", english("key.open_attachment"), id="open_attachment", show=False),
        Binding("ctrl+s", "send", english("key.send"), id="send", priority=True),
        Binding("ctrl+t", "templates", english("key.templates"), id="templates", priority=True),
        Binding("ctrl+r", "run_macro", english("key.run_macro"), id="run_macro", priority=True, show=False),
        Binding("ctrl+z", "undo_macro", english("key.undo_macro"), id="undo_macro", priority=True, show=False),
        Binding("escape", "back", english("key.back"), id="back"),
    ]
    FOOTER_PRIORITY = ("reply", "note", "send", "attach", "set_status", "propose_solution", "callback", "escalate",
                       "remind", "customer", "templates")
    """The keys most used first: the footer shows those that fit (`KeyFooter`)."""
    CHANGES = frozenset({"compose", "set_status", "propose_solution", "callback", "escalate", "remind", "send",
                         "templates", "set_priority", "run_macro", "merge", "link", "undo_merge", "complaint",
                         "propose_kb", "tag", "attach"})

    def __init__(self, ticket_id: str) -> None:
        super().__init__()
        self.ticket_id = ticket_id
        self.detail: TicketDetail | None = None
        self.complaint: Complaint | None = None
        self.tags: list[str] = []
        """The tags the ticket carries, as last read."""
        self.mode = "public_reply"
        self._clock_text = ""
        self.due_times: dict = {}
        self._sent_in_cycle: int | None = None
        """The sync cycle that carries the last reply up; "sent" shows once it finished."""
        self._last_delivery: tuple | None = None
        """The newest mailed reply and its delivery state as last said under the composer."""
        self.draft_key = reply_key(ticket_id)
        self._draft: DraftText | None = None
        """The composer's text as last given to the app's drafts (None: nothing to keep)."""
        self._draft_restored = False
        """Changes are kept only once the kept draft was looked for, so an empty composer
        at mount never overwrites it."""
        self._warned = False
        """The composer's status shows what the text must be checked for before it goes out."""
        self._macro: MacroPlan | None = None
        """A macro waiting for the send that applies it (`usecases.macros`)."""
        self._before_macro = ""
        """The composer's text before the waiting macro filled it, for its undo."""
        self.files_to_send: list[str] = []
        """Paths attached while a reply or note was being written: they go with it."""
        self.files: dict[str | None, list[FileState]] = {}
        """The ticket's attachments by message (None: the ticket's own), as last read."""

    def compose(self) -> ComposeResult:
        yield Static(id="ticket-header", classes="title-bar")
        yield Static(id="ticket-clocks")
        yield Static(id="ticket-compliance")
        yield VerticalScroll(id="conversation")
        yield Static(self.strings(f"ticket.mode.{self.mode}"), id="composer-label")
        yield Composer(id="composer")
        yield Static(id="macro-waiting")
        yield Static(id="composer-status")
        yield SyncStatusBar()
        yield KeyFooter()

    def on_mount(self) -> None:
        if self.app.store.readonly:
            for widget in self.query("#composer-label, #composer, #composer-status"):
                widget.display = False
        self.query_one("#conversation").focus()
        self.reload()
        self._restore_draft()

    def on_unmount(self) -> None:
        if self._draft is not None:
            what = self.detail.ticket.number if self.detail else self.strings(f"interaction.{self.mode}")
            self.app.notify(self.strings("drafts.kept", what=what))

    @work(thread=True, group="draft")
    def _restore_draft(self) -> None:
        try:
            draft = self.app.drafts.read(self.draft_key)
        except StoreError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            draft = None
        show_if_current(self.app, self._put_back, draft)

    def _put_back(self, draft: DraftText | None) -> None:
        """Put the kept draft back in the composer, unless the agent has started typing."""
        self._draft_restored = True
        composer = self.query_one("#composer", Composer)
        if draft is None or composer.text.strip():
            self._keep_draft()
            return
        composer.load_text(draft.body)
        composer.move_cursor(composer.document.end)
        self._draft = draft
        self.action_compose(draft.fields.get("mode", "public_reply"))
        self._say(self.strings("drafts.restored"))

    @on(TextArea.Changed, "#composer")
    def _keep_draft(self) -> None:
        """Give the composer's text to the app's drafts when it changed."""
        if not self._draft_restored:
            return
        text = self.query_one("#composer", Composer).text
        draft = DraftText(text, {"mode": self.mode}) if text.strip() else None
        if draft != self._draft:
            self._draft = draft
            self.app.keep_draft(self.draft_key, draft)

    def on_screen_resume(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="ticket")
    def reload(self) -> None:
        store = self.app.store
        try:
            detail = store.ticket_detail(self.ticket_id)
            tags = store.ticket_tags(self.ticket_id)
        except StoreError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        text = "\n".join([detail.ticket.subject, *(i.body for i in detail.interactions)])
        prompts = compliance_prompts(text, store.compliance_articles())
        files = file_states(store, self.ticket_id, self.app.config.attachment_budget)
        show_if_current(self.app, self._show, detail, prompts, tags, files)

    def _show(self, detail: TicketDetail, prompts: list[CompliancePrompt], tags: list[str],
              files: dict[str | None, list[FileState]]) -> None:
        self.detail, self.tags, self.files = detail, tags, files
        compliance = self.query_one("#ticket-compliance", Static)
        width = self.app.size.width - 2
        s = self.strings
        lines = [clip(f"⚖ {p.trigger} → {p.title}: {p.rule}", width) for p in prompts[:MAX_PROMPTS]]
        self.complaint = complaint_of(detail, self.app.now(), self.app.config.lexicon)
        complaint_line = self._complaint_line(self.complaint)
        compliance.update("\n".join(escape(line) for line in ([clip(complaint_line, width)] if complaint_line else [])
                                     + lines))
        compliance.display = bool(lines or complaint_line)
        ticket = detail.ticket
        assignee = escape(detail.assignee.name) if detail.assignee else s("ticket.unassigned")
        channel = channel_name(ticket.channel, s)
        self.query_one("#ticket-header", Static).update(
            f"[b]{ticket.number}[/b]  {s(f'priority.short.{ticket.priority}').strip()}  ·  "
            f"{s(f'status.{ticket.status}')}  ·  {assignee}{self.readonly_mark()}\n"
            f"[b]{escape(ticket.subject)}[/b]{escape(''.join(f'  #{tag}' for tag in tags))}\n"
            f"{escape(' · '.join(ticket_parties(detail)))} · {channel}"
            + "".join(f"\n{line}" for line in self.relation_lines(detail.relations, ticket.merged_into))
        )
        self.tick()
        conversation = self.query_one("#conversation", VerticalScroll)
        conversation.remove_children()
        entries = thread_entries(detail, s, self.app.config.zone, self.app.now(), survey_questions(self.app.config),
                                 self._file_lines)
        if self.files.get(None):
            entries.append(Static(self._file_lines(None).lstrip("\n"), classes="entry attachments"))
        conversation.mount_all(entries)
        conversation.call_after_refresh(conversation.scroll_end, animate=False)
        self._say_last_delivery(detail)

    def _complaint_line(self, complaint: Complaint) -> str:
        """The complaint's banner, or the sentiment flag's suggestion to mark one, or nothing."""
        s, key = self.strings, self.app.config.keys["complaint"]
        if complaint.marked:
            done = sum(step.done for step in complaint.steps)
            when = local_time(complaint.since, self.app.config.zone, self.app.now(), s)
            return s("complaint.banner", when=when, done=done, total=len(complaint.steps), press=key)
        return s("complaint.suggest", press=key) if complaint.suggested else ""

    def _file_lines(self, interaction_id: str | None) -> str:
        """One line per file of a message: "📎 hatch.jpg · 2.0 MB · sending 45%"."""
        s = self.strings
        return "".join(
            f"\n📎 {escape(file.attachment.filename)} · {size_text(file.attachment.size)} · "
            + escape(s(f"attach.state.{file.state}", percent=file.percent, reason=file.reason))
            for file in self.files.get(interaction_id, ()))

    def _say_last_delivery(self, detail: TicketDetail) -> None:
        """Under the composer, once the server has mailed the newest reply or failed to: say so."""
        if detail.ticket.channel != "email":
            return
        reply = next((i for i in reversed(detail.interactions) if i.kind == "public_reply"), None)
        if reply is None or reply.id not in detail.deliveries:
            return
        state = (reply.id, detail.delivery_of(reply.id))
        if state != self._last_delivery:
            self._last_delivery = state
            self._say(self.strings("ticket.last_reply", state=delivery_text(detail, reply.id, self.strings)))

    def tick(self) -> None:
        """Refresh the clock lines (repainted only when their text changed) and say "sent"
        once a sync has carried the last reply up."""
        s, sync = self.strings, self.app.sync_state
        if self._sent_in_cycle is not None and sync.last_ok_cycle >= self._sent_in_cycle:
            self._sent_in_cycle = None
            emailed = self.detail is not None and self.detail.ticket.channel == "email"
            if emailed:
                self._say(s("ticket.on_server"))
            else:
                self._say(s("ticket.sent") if sync.pending == 0 else s("ticket.sent_others_waiting", count=sync.pending))
        lines_widget = self.query("#ticket-clocks")
        if self.detail is None or not lines_widget:
            return  # not loaded yet, or the screen is being taken down
        config, now = self.app.config, self.app.now()
        events = [(event.kind, event.at) for event in self.detail.events]
        priority = self.detail.ticket.priority
        clocks = follow_up_clocks(events, priority, config.policy, config.calendar, now)
        budgets = config.policy.budgets(priority)
        self.due_times = {clock.name: clock.due if clock.is_open else None for clock in clocks}
        lines = []
        for clock in clocks:
            state = s(f"clock_state.{clock.state}")
            if clock.reason:
                state = s("ticket.waived_because", state=state, reason=s(f"close_reason.{clock.reason}"))
            line = f"{pad(clock_title(s, clock.name, budgets[clock.name]), CLOCK_TITLE_WIDTH)} {clock.symbol()} {state}"
            if clock.is_open and clock.state != "paused":
                line += f" {clock.countdown_text()}"
            if clock.due is not None and clock.is_open:
                line += " · " + s("ticket.due", time=local_time(clock.due, config.zone, now, s))
            lines.append(line)
        text = "\n".join(lines)
        if self._clock_text != text:
            self._clock_text = text
            lines_widget.first(Static).update(clock_lines(text, self.app.no_color))

    def action_compose(self, mode: str) -> None:
        self.mode = mode
        self.query_one("#composer-label", Static).update(self.strings(f"ticket.mode.{mode}"))
        self.query_one("#composer", Composer).focus()
        self._keep_draft()

    def action_send(self) -> None:
        composer = self.query_one("#composer", Composer)
        text = composer.text.strip()
        if not text and self._macro is None:
            keys = self.app.config.keys
            self._say(self.strings("ticket.nothing_to_send", reply=keys["reply"], note=keys["note"]))
            return
        warnings = self._warnings(text) if text and self.mode == "public_reply" else []
        if not warnings:
            self._start_send(text)
            return
        from cs_console.screens.confirm import ConfirmScreen

        s = self.strings
        question = f"[b]{s('ticket.confirm_title')}[/b]\n" + "\n".join(f"• {escape(w)}" for w in warnings)
        question += f"\n\n{s('ticket.confirm_question')}"
        self._say_warnings(warnings)
        self.app.push_screen(ConfirmScreen(question), lambda confirmed: self._start_send(text) if confirmed else None)

    def _say_warnings(self, warnings: list[str]) -> None:
        s = self.strings
        self._say(s("ticket.not_sent_yet", warnings=s("common.clause_separator").join(warnings)) if warnings else "")
        self._warned = bool(warnings)

    @on(Composer.Changed, "#composer")
    def _recheck_warnings(self) -> None:
        """A warning shown before a send is checked again as the text changes, so it never
        names a phrase that is no longer there."""
        if self._warned:
            text = self.query_one("#composer", Composer).text.strip()
            self._say_warnings(self._warnings(text) if text and self.mode == "public_reply" else [])

    def _warnings(self, text: str) -> list[str]:
        """What the agent is asked to confirm: red-line phrases and unfilled placeholders."""
        s = self.strings
        warnings = [s("ticket.red_line", phrase=hit.phrase) for hit in find_red_lines(text, self.app.config.red_lines)]
        warnings += [s("ticket.placeholder_unfilled", name=name) for name in unfilled(text)]
        return warnings

    def _start_send(self, text: str) -> None:
        self.query_one("#composer", Composer).read_only = True
        self._say(self.strings("common.saving"))
        self._send(self.mode, text)

    @work(thread=True, group="send")
    def _send(self, kind: str, text: str) -> None:
        agent = self.app.agent
        try:
            with self.app.drafts.sending(self.draft_key):
                if kind == "expert_answer":
                    if agent is None:
                        raise ValueError(self.strings("ticket.expert_needs_agent"))
                    message = answer_escalation(self.app.store, self.ticket_id, text, author_id=agent.id,
                                                at=self.app.now(), clears_draft=self.draft_key)
                elif self._macro is not None:
                    message = apply_macro(self.app.store, self.ticket_id, self._macro, kind=kind, text=text,
                                          author_id=agent.id if agent else None, at=self.app.now(),
                                          clears_draft=self.draft_key)
                else:
                    message = add_interaction(
                        self.app.store, self.ticket_id, kind, text, author_id=agent.id if agent else None,
                        at=self.app.now(), clears_draft=self.draft_key,
                    )
        except (StoreError, ValueError) as error:
            number = self.detail.ticket.number if self.detail else ""
            kept = self.app.store.keep_unsaved(f"ticket {number} ({self.ticket_id}) · {kind}", text)
            self.app.call_from_thread(self._send_failed, str(error), kept)
            return
        files, self.files_to_send = self.files_to_send, []
        for path in files:
            self._attach_now(path, message.id if message is not None else None)
        self.app.call_from_thread(self._sent)

    def _sent(self) -> None:
        composer = self.query_one("#composer", Composer)
        composer.read_only = False
        self._draft = None  # it went out with the reply
        composer.clear()
        if self._macro is not None:
            self.notify(self.strings("macro.applied", title=self._macro.macro.title))
            self._hold_macro(None)
        s, sync = self.strings, self.app.sync_state
        if not sync.configured:
            self._say(s("ticket.saved_local"))
        elif sync.online is False:
            self._say(s("ticket.saved_offline"))
        else:
            self._say(s("ticket.saved_sending"))
            self._sent_in_cycle = sync.cycle + 1
        self.app.local_change()
        self.query_one("#conversation").focus()
        self.reload()

    def _send_failed(self, reason: str, kept: Path | None) -> None:
        """The text stays in the composer; once the store stopped writing it is also in `kept`."""
        self.query_one("#composer", Composer).read_only = False
        if kept is not None:
            self._say(escape(self.strings("ticket.send_failed_kept", path=kept)))
        else:
            self._say(escape(self.strings("ticket.send_failed", reason=reason)))
        if self._draft is not None:
            self.app.keep_draft(self.draft_key, self._draft)  # it is still unsent

    def _say(self, text: str) -> None:
        self._warned = False
        self.query_one("#composer-status", Static).update(text)

    def action_set_status(self) -> None:
        from cs_console.screens.choose import ChooseScreen

        if self.detail is None:
            return
        s, current = self.strings, self.detail.ticket.status
        options = [(status, s(f"status.{status}")) for status in STATUSES if status != current]
        self.app.push_screen(ChooseScreen(s("ticket.set_status"), options), self._status_chosen)

    def action_set_priority(self) -> None:
        from cs_console.screens.choose import ChooseScreen

        if self.detail is None:
            return
        s, current = self.strings, self.detail.ticket.priority
        options = [(priority, s(f"priority.{priority}")) for priority in PRIORITIES if priority != current]
        self.app.push_screen(ChooseScreen(s("ticket.set_priority"), options), self._priority_chosen)

    def _priority_chosen(self, priority: str | None) -> None:
        if priority:
            self._store_action(
                self.strings("ticket.priority_changed", priority=self.strings(f"priority.{priority}")),
                lambda store, agent_id, at: store.change_priority(self.ticket_id, priority, author_id=agent_id, at=at),
            )

    @work(thread=True, group="tag")
    def action_tag(self) -> None:
        try:
            in_use = tags_in_use(self.app.store)
        except StoreError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        show_if_current(self.app, self._ask_tags, in_use)

    def _ask_tags(self, in_use: list[str]) -> None:
        from cs_console.screens.tag import TagScreen

        number = self.detail.ticket.number if self.detail else ""
        self.app.push_screen(TagScreen(self.strings("tag.title", number=number), in_use, self.tags), self._tags_typed)

    def _tags_typed(self, typed: str | None) -> None:
        if typed:
            self._store_action(
                self.strings("ticket.tags_saved", changes=typed.strip()),
                lambda store, agent_id, at: change_tags(store, [self.ticket_id], typed, author_id=agent_id, at=at),
            )

    def _status_chosen(self, status: str | None) -> None:
        if status == "closed" and self.detail is not None and not any(
            event.kind == "first_response" for event in self.detail.events
        ):
            from cs_console.screens.choose import ChooseScreen

            s = self.strings  # closing unanswered: a kept promise only for a reason the policy accepts
            options = [("", s("close_reason.none")), *((reason, s(f"close_reason.{reason}")) for reason in CLOSE_REASONS)]
            self.app.push_screen(ChooseScreen(s("ticket.close_reason"), options),
                                 lambda reason: self._change_status("closed", reason or None) if reason is not None else None)
        elif status:
            self._change_status(status)

    def _change_status(self, status: str, reason: str | None = None) -> None:
        self._store_action(
            self.strings("ticket.status_changed", status=self.strings(f"status.{status}")),
            lambda store, agent_id, at: change_status(store, self.ticket_id, status, author_id=agent_id, reason=reason,
                                                      at=at),
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
        composer = self.query_one("#composer", Composer)
        composer.picker_closed(inserted=template_id is not None)
        composer.focus()
        if template_id is not None and self.detail is not None:
            self._fill_template(template_id)

    @work(thread=True, group="template")
    def _fill_template(self, template_id: str) -> None:
        catalog, detail = self.app.catalog(), self.detail
        values = template_values(detail.ticket, detail.customer, self.app.agent, self.due_times, self.app.config.zone,
                                 detail.contact)
        filled = fill(catalog.document(template_id)["body"], values)
        catalog.note_use(template_id)
        agent = self.app.agent
        try:
            self.app.store.note_kb_use(self.ticket_id, template_id, "template", author_id=agent.id if agent else None,
                                       at=self.app.now())
        except StoreError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
        self.app.call_from_thread(self._insert_template, filled)

    def _insert_template(self, filled) -> None:
        composer = self.query_one("#composer", Composer)
        composer.insert(filled.text)
        composer.focus()
        self._insert_problems(filled)

    def _insert_problems(self, filled) -> None:
        """Say which placeholders an inserted template left unfilled."""
        s = self.strings
        problems = [s("ticket.placeholder_unknown", name=name) for name in filled.unknown]
        problems += [s("ticket.placeholder_empty", name=name) for name in filled.empty]
        if problems:
            self._say(s("ticket.fill_before_sending", problems=s("common.list_separator").join(problems)))

    @work(thread=True, group="macro")
    def action_run_macro(self) -> None:
        choices = macro_choices(self.app.store)
        show_if_current(self.app, self._ask_macro, choices)

    def _ask_macro(self, choices: list[MacroChoice]) -> None:
        from cs_console.screens.choose import ChooseScreen

        if not choices:
            self.notify(self.strings("macro.none"))
            return
        by_id = {choice.id: choice for choice in choices}
        self.app.push_screen(ChooseScreen(self.strings("macro.choose"), [(choice.id, choice.title) for choice in choices]),
                             lambda chosen: self._plan_macro(by_id[chosen]) if chosen else None)

    @work(thread=True, group="macro")
    def _plan_macro(self, macro: MacroChoice) -> None:
        if self.detail is None:
            return
        try:
            plan = plan_macro(self.app.store, macro, self.detail, self.app.agent, self.due_times, self.app.config.zone,
                              self.app.now())
        except (MacroRefused, StoreError) as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        show_if_current(self.app, self._confirm_macro, plan)

    def _confirm_macro(self, plan: MacroPlan) -> None:
        from cs_console.screens.confirm import ConfirmScreen
        from cs_console.screens.macro_preview import confirm_question, plan_steps

        steps = plan_steps(self.strings, plan, self.app.config.zone, self.app.now())
        self.app.push_screen(ConfirmScreen(confirm_question(self.strings, plan, steps)),
                             lambda confirmed: self._hold_macro(plan) if confirmed else None)

    def _hold_macro(self, plan: MacroPlan | None) -> None:
        """Hold `plan` until the next send (None: drop the one held), its text in the composer."""
        from cs_console.screens.macro_preview import plan_steps

        self._macro = plan
        line = self.query_one("#macro-waiting", Static)
        line.display = plan is not None
        if plan is None:
            return
        composer = self.query_one("#composer", Composer)
        self._before_macro = composer.text
        if plan.reply is not None:
            self.action_compose("public_reply")
            composer.insert(plan.reply.text)
            self._insert_problems(plan.reply)
        s = self.strings
        steps = plan_steps(s, plan, self.app.config.zone, self.app.now())
        line.update(escape(s("macro.staged", title=plan.macro.title, steps=s("common.clause_separator").join(steps))))

    def action_undo_macro(self) -> None:
        """Forget the held macro and put the composer's text back; without one, the composer's own undo."""
        composer = self.query_one("#composer", Composer)
        if self._macro is None:
            composer.undo()
            return
        title = self._macro.macro.title
        composer.load_text(self._before_macro)
        composer.move_cursor(composer.document.end)
        self._hold_macro(None)
        self._say(self.strings("macro.undone", title=title))

    def action_propose_solution(self) -> None:
        self._change_status("solution_proposed")

    def action_complaint(self) -> None:
        """Mark the ticket a complaint; once it is one, open its PEARL checklist."""
        from cs_console.screens.pearl import PearlScreen

        complaint = self.complaint
        if complaint is None:
            return
        if not complaint.marked:
            self._store_action(self.strings("complaint.marked"), lambda store, agent_id, at: mark_complaint(
                store, self.ticket_id, True, author_id=agent_id, suggested=complaint.suggested, at=at))
            return
        self.app.push_screen(PearlScreen(complaint), self._pearl_chosen)

    def _pearl_chosen(self, choice) -> None:
        if choice is None:
            return
        if choice.clear:
            self._store_action(self.strings("complaint.cleared"), lambda store, agent_id, at: mark_complaint(
                store, self.ticket_id, False, author_id=agent_id, at=at))
            return
        step = self.strings(f"pearl.short.{choice.step}")
        self._store_action(self.strings("pearl.saved", step=step), lambda store, agent_id, at: record_pearl_step(
            store, self.ticket_id, choice.step, choice.note, author_id=agent_id, at=at))

    def action_propose_kb(self) -> None:
        """Propose an article or template from this resolved ticket, pre-filled from its thread."""
        from cs_console.screens.kb_proposal import ProposalScreen

        if self.detail is None:
            return
        agent = self.app.agent
        try:
            draft = proposal_draft(self.detail, agent.id if agent else None)
        except ProposalRefused as error:
            self.notify(str(error), severity="error")
            return
        self.app.push_screen(ProposalScreen(self.detail.ticket.number, draft), self._proposal_written)

    def _proposal_written(self, draft: ProposalDraft | None) -> None:
        if draft is not None:
            self._store_action(self.strings("proposal.saved"), lambda store, agent_id, at: propose(
                store, self.ticket_id, draft, author=self.app.agent, at=at))

    def action_callback(self) -> None:
        from cs_console.screens.callback import CallbackScreen

        self.app.push_screen(CallbackScreen(survey_questions(self.app.config)), self._callback_logged)

    def _callback_logged(self, log: CallbackLog | None) -> None:
        if log is not None:
            satisfaction, nps, survey = split_answers(log.answers)
            self._store_action(
                self.strings("ticket.callback_logged"),
                lambda store, agent_id, at: add_interaction(
                    store, self.ticket_id, "callback", log.comment, author_id=agent_id, satisfaction=satisfaction,
                    nps=nps, survey=survey, at=at,
                ),
            )

    @work(thread=True, group="escalate")
    def action_escalate(self) -> None:
        teams = sorted({agent.team for agent in self.app.store.agents() if agent.team})
        show_if_current(self.app, self._ask_escalation, teams)

    def _ask_escalation(self, teams: list[str]) -> None:
        from cs_console.screens.escalate import EscalateScreen

        self.app.push_screen(EscalateScreen(teams), self._escalation_asked)

    def _escalation_asked(self, request: EscalationRequest | None) -> None:
        if request is not None and self.detail is not None:
            s = self.strings
            clock = clock_title(s, "escalation", self.app.config.policy.budgets(self.detail.ticket.priority)["escalation"])
            self._store_action(
                s("ticket.escalated", team=request.team, clock=clock),
                lambda store, agent_id, at: store.escalate(self.ticket_id, request.team, request.reason,
                                                           author_id=agent_id, at=at),
            )

    def action_remind(self) -> None:
        from cs_console.screens.reminder import ReminderScreen

        self.app.push_screen(ReminderScreen(), self._reminder_set)

    def _reminder_set(self, request: ReminderRequest | None) -> None:
        if request is not None:
            when = local_time(request.due_at, self.app.config.zone, self.app.now(), self.strings)
            self._store_action(
                self.strings("ticket.reminder_set", when=when),
                lambda store, agent_id, at: store.add_reminder(self.ticket_id, request.due_at, request.note,
                                                               agent_id=agent_id, at=at),
            )

    def action_attach(self) -> None:
        from cs_console.screens.attach import AttachScreen

        budget = self.app.config.attachment_budget
        self.app.push_screen(AttachScreen(lambda text: path_problem(text, budget)), self._file_chosen)

    def _file_chosen(self, path: str | None) -> None:
        if not path:
            return
        if self.query_one("#composer", Composer).text.strip():
            self.files_to_send.append(path)
            names = ", ".join(clean_path(text).name for text in self.files_to_send)
            self._say(escape(self.strings("attach.with_message", names=names)))
        else:
            self._attach_in_worker(path)

    @work(thread=True, group="send")
    def _attach_in_worker(self, path: str) -> None:
        if self._attach_now(path, None):
            self.app.call_from_thread(self.app.local_change)
            self.reload()

    def _attach_now(self, path: str, interaction_id: str | None) -> bool:
        """Attach in this (worker) thread; say what happened."""
        agent = self.app.agent
        try:
            row = attach_path(self.app.store, self.ticket_id, path, self.app.config.attachment_budget,
                              author_id=agent.id if agent else None, interaction_id=interaction_id)
        except (StoreError, ValueError) as error:
            self.app.call_from_thread(self.notify, self.strings("attach.failed", reason=str(error)), severity="error")
            return False
        self.app.call_from_thread(self.notify, self.strings("attach.attached", name=row.filename))
        return True

    def action_open_attachment(self) -> None:
        from cs_console.screens.choose import ChooseScreen

        s = self.strings
        options = [(file.attachment.id, f"{file.attachment.filename} · {size_text(file.attachment.size)} · "
                    + s(f"attach.state.{file.state}", percent=file.percent, reason=file.reason))
                   for files in self.files.values() for file in files]
        if not options:
            self.notify(s("attach.none"))
            return
        self.app.push_screen(ChooseScreen(s("attach.choose"), options),
                             lambda chosen: self._open_file(chosen) if chosen else None)

    @work(thread=True, group="open")
    def _open_file(self, attachment_id: str) -> None:
        from cs_console.sync.client import fetch_attachment

        app, s = self.app, self.strings
        settings = app.sync_settings
        row = app.store.attachment(attachment_id)
        if not app.store.blobs.has(row.sha256):
            app.call_from_thread(self.notify, s("attach.fetching", name=row.filename))

        def fetch(sha256: str, size: int) -> str | None:
            if settings is None:
                return "this console does not sync, so the file cannot be fetched"
            return fetch_attachment(app.store, settings, sha256, size)

        try:
            opened = open_attachment(app.store, attachment_id, fetch)
        except (StoreError, ValueError) as error:
            app.call_from_thread(self.notify, str(error), severity="error")
            return
        if hand_to_viewer(opened):
            app.call_from_thread(self.notify, s("attach.opened", name=row.filename))
        else:
            app.call_from_thread(self.notify, s("attach.saved", name=row.filename, path=opened), timeout=20)
        self.reload()

    def action_customer(self) -> None:
        if self.detail is not None:
            self.app.open_customer(self.detail.customer.id)

    def action_back(self) -> None:
        composer = self.query_one("#composer", Composer)
        if composer.has_focus:
            self.query_one("#conversation").focus()
        else:
            self.app.go_back()
