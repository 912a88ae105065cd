"""Offered on the first start with an empty store: load the demo data, or start clean."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Static

from cs_console.screens.base import ConsoleDialog
from cs_console.text.strings import english


class DemoOfferScreen(ConsoleDialog[bool]):
    BINDINGS = [
        Binding("y", "dismiss(True)", english("key.load_demo"), id="load_demo"),
        Binding("n,escape", "dismiss(False)", english("key.start_empty"), id="start_empty"),
    ]

    def __init__(self) -> None:
        super().__init__()

    def compose(self) -> ComposeResult:
        s = self.strings
        with Vertical(classes="dialog"):
            yield Static(
                f"[b]{s('demo.title')}[/b]\n\n{s('demo.question')}\n\n"
                f"[b]y[/b] {s('demo.load')}   [b]n[/b] {s('demo.empty')}"
            )
