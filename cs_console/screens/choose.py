"""A small modal list to pick one value from the keyboard; Escape picks nothing."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cs_console.screens.base import ConsoleDialog
from cs_console.text.strings import english


class ChooseScreen(ConsoleDialog[str | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", english("key.cancel"), id="cancel")]

    def __init__(self, title: str, options: list[tuple[str, str]]) -> None:
        super().__init__()
        self.title_text = title
        self.options = options

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"[b]{self.title_text}[/b] · {self.strings('choose.hint')}")
            yield OptionList(*(Option(label, id=value) for value, label in self.options))

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
