"""Offered on the first start with an empty store: load the demo data, or start clean."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static


class DemoOfferScreen(ModalScreen[bool]):
    BINDINGS = [
        Binding("y", "dismiss(True)", "Load the demo"),
        Binding("n,escape", "dismiss(False)", "Start empty"),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                "[b]Welcome to cs-console[/b]\n\n"
                "This database has no tickets yet. Load the demo data set (shipping lines, "
                "offshore rigs, telecom and tender-hotline customers, a knowledge base)?\n\n"
                "[b]y[/b] load the demo   [b]n[/b] start empty"
            )
