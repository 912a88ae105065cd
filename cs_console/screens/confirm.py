"""A yes/no question that needs a deliberate `y`: Enter alone never confirms, so a stray key
over a laggy SSH hop cannot send what the agent was warned about."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from cs_console.screens.base import ConsoleDialog
from cs_console.text.strings import english


class ConfirmScreen(ConsoleDialog[bool]):
    BINDINGS = [
        Binding("y", "dismiss(True)", english("key.yes"), id="yes"),
        Binding("n,escape", "dismiss(False)", english("key.no"), id="no"),
    ]

    def __init__(self, question: str) -> None:
        super().__init__()
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            s = self.strings
            yield Static(f"{self.question}\n\n[b]y[/b] {s('confirm.yes')}   [b]n[/b] {s('confirm.no')}")
