"""Proposing an article or template to the knowledge base from a resolved ticket.

The form comes pre-filled from the thread (`usecases.kb_proposals.proposal_draft`): the
subject as the title, the agent's replies as the body, the ticket's category. The agent
edits it down to what others can reuse; ctrl+g switches between article and template,
ctrl+s saves it as a proposal a lead or admin reviews, Escape leaves without saving.
"""

from __future__ import annotations

from dataclasses import replace

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static, TextArea

from cs_console.screens.base import ConsoleDialog
from cs_console.text.strings import english
from cs_console.usecases.kb_proposals import ProposalDraft
from cs_console.vocabulary import PROPOSAL_KINDS


class ProposalScreen(ConsoleDialog[ProposalDraft | None]):
    BINDINGS = [
        Binding("ctrl+s", "save", english("key.save"), id="save_proposal", priority=True),
        Binding("ctrl+g", "switch_kind", english("key.kind"), id="proposal_kind", priority=True),
        Binding("escape", "dismiss(None)", english("key.cancel"), id="cancel"),
    ]

    def __init__(self, number: str, draft: ProposalDraft) -> None:
        super().__init__()
        self.number = number
        self.draft = draft

    def compose(self) -> ComposeResult:
        s = self.strings
        with Vertical(classes="dialog"):
            yield Static(f"[b]{s('proposal.title', number=self.number)}[/b]")
            yield Static(id="proposal-kind")
            yield Input(self.draft.title, placeholder=s("proposal.field_title"), id="proposal-title")
            yield Input(self.draft.category, placeholder=s("proposal.field_category"), id="proposal-category")
            yield TextArea(self.draft.body, id="proposal-body")
            yield Static(id="proposal-problem")

    def on_mount(self) -> None:
        self._show_kind()
        self.query_one("#proposal-title", Input).focus()

    def _show_kind(self) -> None:
        kind = self.strings(f"proposal.kind.{self.draft.kind}")
        self.query_one("#proposal-kind", Static).update(self.strings("proposal.kind_line", kind=kind))

    def action_switch_kind(self) -> None:
        following = PROPOSAL_KINDS[(PROPOSAL_KINDS.index(self.draft.kind) + 1) % len(PROPOSAL_KINDS)]
        self.draft = replace(self.draft, kind=following)
        self._show_kind()

    def action_save(self) -> None:
        """Hand the form back to be saved; an empty title or body stays here, said why."""
        draft = replace(
            self.draft,
            title=self.query_one("#proposal-title", Input).value.strip(),
            category=self.query_one("#proposal-category", Input).value.strip() or "other",
            body=self.query_one("#proposal-body", TextArea).text.strip(),
        )
        if not draft.title or not draft.body:
            self.query_one("#proposal-problem", Static).update(self.strings("proposal.missing"))
            self.query_one("#proposal-title" if not draft.title else "#proposal-body").focus()
            return
        self.dismiss(draft)
