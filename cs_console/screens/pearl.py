"""A complaint's PEARL checklist: Professional, Empathy, Accountability, Resolution, Learn.

The five steps of the complaint-handling rule, in Chinese or English, each with the note
it was done with or "not done yet". The note field starts on the first step not done:
type what was done and Enter records it (a ticket event, kept in the trail); Tab reaches
the list to pick another step. ctrl+r clears the complaint mark. Returns what to record;
the ticket screen writes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from cs_console.screens.base import ConsoleDialog
from cs_console.text.strings import english
from cs_console.usecases.complaints import Complaint
from cs_console.vocabulary import PEARL_STEPS


@dataclass(frozen=True)
class PearlChoice:
    """A step to record with its note, or (`clear`) the complaint mark to clear."""

    step: str = ""
    note: str = ""
    clear: bool = False


class PearlScreen(ConsoleDialog[PearlChoice | None]):
    CHANGES = frozenset({"clear"})
    BINDINGS = [
        Binding("ctrl+r", "clear", english("key.clear_complaint"), id="clear_complaint"),
        Binding("escape", "dismiss(None)", english("key.cancel"), id="cancel"),
    ]

    def __init__(self, complaint: Complaint) -> None:
        super().__init__()
        self.complaint = complaint
        self.step = complaint.next_step()

    def compose(self) -> ComposeResult:
        s, steps = self.strings, self.complaint.steps
        done = sum(step.done for step in steps)
        with Vertical(classes="dialog"):
            yield Static(f"[b]{s('pearl.title', done=done, total=len(steps))}[/b]")
            yield OptionList(*(Option(self._line(step.step, step.note), id=step.step) for step in steps),
                             id="pearl-steps")
            yield Static(id="pearl-label")
            yield Input(id="pearl-note")

    def _line(self, step: str, note: str) -> str:
        s = self.strings
        state = s("pearl.done_by", note=escape(note)) if note else s("pearl.not_done")
        return f"[b]{escape(s(f'pearl.{step}'))}[/b]\n   {state}"

    def on_mount(self) -> None:
        options = self.query_one("#pearl-steps", OptionList)
        options.highlighted = PEARL_STEPS.index(self.step)
        self._aim(self.step)
        self.query_one("#pearl-note", Input).focus()

    def _aim(self, step: str) -> None:
        self.step = step
        self.query_one("#pearl-label", Static).update(self.strings("pearl.note_for", step=self.strings(f"pearl.short.{step}")))

    @on(OptionList.OptionHighlighted, "#pearl-steps")
    def _highlighted(self, event: OptionList.OptionHighlighted) -> None:
        self._aim(event.option.id)

    @on(OptionList.OptionSelected, "#pearl-steps")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        self._aim(event.option.id)
        self.query_one("#pearl-note", Input).focus()

    @on(Input.Submitted, "#pearl-note")
    def _save(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.dismiss(PearlChoice(self.step, event.value.strip()))

    def action_clear(self) -> None:
        self.dismiss(PearlChoice(clear=True))
