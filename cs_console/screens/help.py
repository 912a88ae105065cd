"""`?`: every key the current screen answers to, read from its bindings and the app's, labelled
in the interface language as the footer is (`cs_console.widgets.key_labels`). A key the
screen does not offer now (the team view to an agent who is not a lead, a change in a
read-only session) is not listed."""

from __future__ import annotations

import re

from rich.markup import escape
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Static

from cs_console.screens.base import ConsoleDialog
from cs_console.text.strings import CATALOG, Strings, english
from cs_console.widgets.key_labels import binding_label

GENERAL_KEYS = (
    ("Escape", "back"),
    ("Tab, Shift+Tab", "fields"),
    ("Enter", "open"),
    ("ctrl+p", "palette"),
    ("ctrl+q", "quit"),
)
"""Keys every screen shares, and what they do (`help.general.<what>`)."""


class HelpScreen(ConsoleDialog[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", english("key.close"), id="close")]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.for_screen = screen
        self.offered = {active.binding.action for active in screen.active_bindings.values()}
        """The actions the screen answers to now, worked out while it is still on top."""

    def compose(self) -> ComposeResult:
        s = self.strings
        lines = [f"[b]{s('help.title', screen=screen_name(self.for_screen, s))}[/b]", ""]
        keys = self.app.config.keys
        labels = getattr(self.for_screen, "KEY_LABELS", None)
        for binding in [*self.for_screen.BINDINGS, *self.app.BINDINGS]:
            if not isinstance(binding, Binding) or not binding.description or binding.action not in self.offered:
                continue
            key = keys.get(binding.id, binding.key) if binding.id else binding.key
            lines.append(f"  {_key_name(key):<16} {escape(binding_label(binding, s, labels))}")
        lines += ["", f"[b]{s('help.everywhere')}[/b]", ""]
        lines += [f"  {key:<16} {s(f'help.general.{what}')}" for key, what in GENERAL_KEYS]
        note = getattr(self.for_screen, "HELP_NOTE", None)
        if note:
            lines += ["", escape(s(note))]
        lines += ["", escape(s("help.rebind"))]
        with VerticalScroll(classes="dialog"):
            yield Static("\n".join(lines))


def screen_name(screen: Screen, strings: Strings) -> str:
    """The screen's name for the help title: `help.screen.<name>`, else its class's name."""
    name = type(screen).__name__.removesuffix("Screen")
    key = f"help.screen.{re.sub(r'(?<!^)(?=[A-Z])', '_', name).lower()}"
    return strings(key) if key in CATALOG else name


def _key_name(key: str) -> str:
    names = {"slash": "/", "question_mark": "?", "escape": "Escape"}
    return ", ".join(names.get(part, part) for part in key.split(","))
