"""Setting a personal follow-up reminder on a ticket: when, and a note to self."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from cs_console.when import FORMS, WhenError, parse_when


@dataclass(frozen=True)
class ReminderRequest:
    due_at: datetime
    note: str


class ReminderScreen(ModalScreen[ReminderRequest | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"[b]Remind me[/b] · when? {FORMS}")
            yield Input(placeholder="when", id="reminder-when")
            yield Input(placeholder="note, e.g. call back the chief engineer", id="reminder-note")
            yield Static(id="reminder-problem")

    @on(Input.Submitted)
    def _save(self) -> None:
        text = self.query_one("#reminder-when", Input).value
        try:
            due = parse_when(text, self.app.now(), self.app.config.zone)
        except WhenError as error:
            self.query_one("#reminder-problem", Static).update(str(error))
            self.query_one("#reminder-when").focus()
            return
        self.dismiss(ReminderRequest(due, self.query_one("#reminder-note", Input).value))
