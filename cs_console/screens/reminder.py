"""Setting a personal follow-up reminder on a ticket: when, and a note to self."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from cs_console.screens.base import ConsoleDialog
from cs_console.text.strings import english
from cs_console.text.when import WhenError, parse_when


@dataclass(frozen=True)
class ReminderRequest:
    due_at: datetime
    note: str


class ReminderScreen(ConsoleDialog[ReminderRequest | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", english("key.cancel"), id="cancel")]

    def __init__(self, note: str = "") -> None:
        """`note`: the note of a reminder being snoozed, kept unless the agent changes it."""
        super().__init__()
        self.note = note

    def compose(self) -> ComposeResult:
        s = self.strings
        with Vertical(classes="dialog"):
            yield Static(f"[b]{s('reminder.title')}[/b] · {s('reminder.when_hint', forms=s('when.forms'))}")
            yield Input(placeholder=s("reminder.when"), id="reminder-when")
            yield Input(self.note, placeholder=s("reminder.note"), id="reminder-note")
            yield Static(id="reminder-problem")

    @on(Input.Submitted)
    def _save(self) -> None:
        text = self.query_one("#reminder-when", Input).value
        try:
            due = parse_when(text, self.app.now(), self.app.config.zone)
        except WhenError as error:
            self.query_one("#reminder-problem", Static).update(escape(error.say(self.strings)))
            self.query_one("#reminder-when").focus()
            return
        self.dismiss(ReminderRequest(due, self.query_one("#reminder-note", Input).value))
