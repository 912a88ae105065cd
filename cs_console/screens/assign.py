"""Choosing who takes tickets: agents ranked best first, each with why, from the keyboard.

The lead moves the highlight and reads the reasons of the highlighted agent underneath
(skill, language, load...); Enter picks, Escape picks nobody. Picking moves nothing by
itself: the lead screen asks for a deliberate `y` before anything changes.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cs_console.screens.base import ConsoleDialog


@dataclass(frozen=True)
class AgentChoice:
    """One agent on offer: the id returned when picked, its line, and its reasons."""

    agent_id: str
    label: str
    reasons: str


class AssignScreen(ConsoleDialog[str | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def __init__(self, title: str, hint: str, choices: list[AgentChoice]) -> None:
        super().__init__()
        self.title_text = title
        self.hint = hint
        self.choices = choices

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(f"[b]{escape(self.title_text)}[/b]\n{escape(self.hint)}")
            yield OptionList(*(Option(escape(c.label), id=c.agent_id) for c in self.choices), id="assign-options")
            yield Static(id="assign-reasons")

    def on_mount(self) -> None:
        self._explain(0)

    @on(OptionList.OptionHighlighted)
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._explain(event.option_index)

    def _explain(self, index: int) -> None:
        if 0 <= index < len(self.choices):
            self.query_one("#assign-reasons", Static).update(escape(self.choices[index].reasons))

    @on(OptionList.OptionSelected)
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(event.option.id)
