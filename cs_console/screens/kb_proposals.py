"""Knowledge-base proposals, from the command palette.

A lead or admin sees every proposal on their team's tickets, waiting ones first: `a`
approves the highlighted one (it becomes an article or template at once, and reaches
every device with the knowledge base), `j` rejects it with a reason typed below. An agent
sees their own proposals and what became of them, with the reason of a rejection.
Enter opens the ticket a proposal came from.
"""

from __future__ import annotations

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from cs_console.lead.roles import is_lead
from cs_console.screens.base import ConsoleScreen
from cs_console.storage.kb_proposals import ProposalRow
from cs_console.store import StoreError
from cs_console.text.display import clip
from cs_console.text.strings import english
from cs_console.usecases.kb_proposals import ProposalRefused, review
from cs_console.widgets.current_result import show_if_current
from cs_console.widgets.key_footer import KeyFooter

STATE_ORDER = {"waiting": 0, "rejected": 1, "approved": 2}


class ProposalsScreen(ConsoleScreen):
    CHANGES = frozenset({"approve", "reject"})
    BINDINGS = [
        Binding("a", "approve", english("key.approve"), id="approve"),
        Binding("j", "reject", english("key.reject"), id="reject"),
        Binding("escape", "back", english("key.back"), id="back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[ProposalRow] = []

    def compose(self) -> ComposeResult:
        yield Static(self.strings("proposal.list_title"), classes="title-bar")
        yield OptionList(id="proposals-list")
        yield Static(id="proposal-reason-label")
        yield Input(id="proposal-reason")
        yield KeyFooter()

    def on_mount(self) -> None:
        self._reasoning(False)
        self.query_one(OptionList).focus()
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in self.CHANGES and not is_lead(self.app.agent):
            return False
        return super().check_action(action, parameters)

    @work(thread=True, exclusive=True, group="proposals")
    def reload(self) -> None:
        agent = self.app.agent
        try:
            rows = self.app.store.kb_proposals(author_id=None if is_lead(agent) else (agent.id if agent else ""))
        except StoreError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        show_if_current(self.app, self._show, sorted(rows, key=lambda row: STATE_ORDER[row.proposal.state]))

    def _show(self, rows: list[ProposalRow]) -> None:
        found = self.query(OptionList)
        if not found:
            return  # read before the screen was composed; on_mount reads again
        s, width = self.strings, self.app.size.width - 4
        self.rows = rows
        options = found.first()
        highlighted = options.highlighted
        options.clear_options()
        if not rows:
            options.add_option(Option(s("proposal.none"), disabled=True))
            return
        for row in rows:
            p = row.proposal
            line = s("proposal.line", state=s(f"proposal.state.{p.state}"), kind=s(f"proposal.kind.{p.kind}"),
                     title=p.title, author=row.author, number=row.number)
            if p.state == "rejected":
                line += "\n   " + s("proposal.rejected_because", reviewer=row.reviewer, reason=p.reason)
            options.add_option(Option(escape(clip(line, width * 2)), id=p.id))
        options.highlighted = min(highlighted or 0, len(rows) - 1)

    def _current(self) -> ProposalRow | None:
        index = self.query_one(OptionList).highlighted
        return self.rows[index] if self.rows and index is not None else None

    @on(OptionList.OptionSelected, "#proposals-list")
    def _open(self) -> None:
        current = self._current()
        if current is not None:
            self.app.open_ticket(current.proposal.ticket_id)

    def action_approve(self) -> None:
        current = self._current()
        if current is not None:
            self._review(current, True, "")

    def action_reject(self) -> None:
        if self._current() is not None:
            self._reasoning(True)

    def _reasoning(self, shown: bool) -> None:
        label, field = self.query_one("#proposal-reason-label", Static), self.query_one("#proposal-reason", Input)
        label.update(self.strings("proposal.reason_prompt") if shown else "")
        label.display = field.display = shown
        if shown:
            field.focus()

    @on(Input.Submitted, "#proposal-reason")
    def _rejected(self, event: Input.Submitted) -> None:
        current = self._current()
        if current is not None and event.value.strip():
            self._review(current, False, event.value.strip())
            event.input.value = ""
            self._reasoning(False)
            self.query_one(OptionList).focus()

    @work(thread=True, group="proposals-write")
    def _review(self, row: ProposalRow, approve: bool, reason: str) -> None:
        app = self.app
        try:
            review(app.store, row.proposal.id, reviewer=app.agent, approve=approve, reason=reason, at=app.now())
        except (StoreError, ProposalRefused) as error:
            app.call_from_thread(self.notify, str(error), severity="error")
            return
        said = "proposal.approved" if approve else "proposal.rejected"
        app.call_from_thread(self.notify, self.strings(said, title=row.proposal.title))
        app.call_from_thread(app.local_change)
        self.reload()

    def action_back(self) -> None:
        if self.query_one("#proposal-reason", Input).has_focus:
            self._reasoning(False)
            self.query_one(OptionList).focus()
        else:
            self.app.go_back()
