"""`?`: every key the current screen answers to, read from its bindings and the app's."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

GENERAL_KEYS = (
    ("Escape", "back / cancel"),
    ("Tab, Shift+Tab", "move between fields"),
    ("Enter", "open or choose"),
    ("ctrl+p", "command palette"),
    ("ctrl+q", "quit"),
)


class HelpScreen(ModalScreen[None]):
    BINDINGS = [Binding("escape,question_mark,q", "dismiss", "Close")]

    def __init__(self, screen: Screen) -> None:
        super().__init__()
        self.for_screen = screen

    def compose(self) -> ComposeResult:
        lines = [f"[b]Keys · {type(self.for_screen).__name__.removesuffix('Screen')}[/b]", ""]
        keys = self.app.config.keys
        for binding in [*self.for_screen.BINDINGS, *self.app.BINDINGS]:
            if not isinstance(binding, Binding) or not binding.description:
                continue
            key = keys.get(binding.id, binding.key) if binding.id else binding.key
            lines.append(f"  {_key_name(key):<16} {binding.description}")
        lines += ["", "[b]Everywhere[/b]", ""]
        lines += [f"  {key:<16} {what}" for key, what in GENERAL_KEYS]
        lines += ["", "Keys are rebound in config.toml under [keys], by binding id."]
        with VerticalScroll(classes="dialog"):
            yield Static("\n".join(lines))


def _key_name(key: str) -> str:
    names = {"slash": "/", "question_mark": "?", "escape": "Escape"}
    return ", ".join(names.get(part, part) for part in key.split(","))
