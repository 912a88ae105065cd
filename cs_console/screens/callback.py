"""Logging the closing callback: the customer's 1-5 satisfaction score and their words.

The 7-day closure clock is met only by a closed ticket with a callback, so the score is
required; the comment is optional.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static


@dataclass(frozen=True)
class CallbackLog:
    satisfaction: int
    comment: str


class CallbackScreen(ModalScreen[CallbackLog | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("[b]Callback[/b] · how satisfied is the customer? Type 1-5, Enter saves, Escape cancels")
            yield Input(placeholder="score 1-5", id="callback-score", max_length=1, restrict=r"[1-5]?")
            yield Input(placeholder="what the customer said (optional)", id="callback-comment")
            yield Static(id="callback-problem")

    @on(Input.Submitted)
    def _save(self) -> None:
        score = self.query_one("#callback-score", Input).value
        if not score:
            self.query_one("#callback-problem", Static).update("The score is missing: type 1 (unhappy) to 5 (very happy)")
            self.query_one("#callback-score").focus()
            return
        self.dismiss(CallbackLog(int(score), self.query_one("#callback-comment", Input).value.strip()))
