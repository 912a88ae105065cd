"""Logging the closing callback: the customer's 1-5 satisfaction score, their words and, when
they were asked, how likely they are to recommend us (NPS, 0-10).

The 7-day closure clock is met only by a closed ticket with a callback, so the score is
required; the comment and the NPS are optional. The NPS field comes last so that the usual
"score, Tab, comment, Enter" still logs a callback without it. A wrong NPS ("11", "x") is
refused with a sentence naming the field, and nothing is saved until it is right or empty.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Static

from cs_console.screens.base import ConsoleDialog
from cs_console.text.strings import english

NPS_RANGE = range(11)
"""The recommendation question's answers: 0 (not at all likely) to 10 (extremely likely)."""


@dataclass(frozen=True)
class CallbackLog:
    satisfaction: int
    comment: str
    nps: int | None = None
    """None when the customer was not asked."""


def parse_nps(text: str) -> int | None:
    """The NPS an agent typed: None for nothing, else a whole number 0-10.

    Raises:
        ValueError: anything else ("11", "x", "7.5", "-1").
    """
    text = text.strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{1,2}", text) or int(text) not in NPS_RANGE:
        raise ValueError(text)
    return int(text)


class CallbackScreen(ConsoleDialog[CallbackLog | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", english("key.cancel"), id="cancel")]

    def __init__(self) -> None:
        super().__init__()

    def compose(self) -> ComposeResult:
        s = self.strings
        with Vertical(classes="dialog"):
            yield Static(f"[b]{s('callback.title')}[/b] · {s('callback.hint')}")
            yield Input(placeholder=s("callback.score"), id="callback-score", max_length=1, restrict=r"[1-5]?")
            yield Input(placeholder=s("callback.comment"), id="callback-comment")
            yield Input(placeholder=s("callback.nps"), id="callback-nps", max_length=3)
            yield Static(id="callback-problem")

    @on(Input.Submitted)
    def _save(self) -> None:
        score = self.query_one("#callback-score", Input).value
        if not score:
            self._refuse(self.strings("callback.no_score"), "#callback-score")
            return
        nps_text = self.query_one("#callback-nps", Input).value
        try:
            nps = parse_nps(nps_text)
        except ValueError:
            self._refuse(self.strings("callback.bad_nps", value=escape(nps_text.strip())), "#callback-nps")
            return
        self.dismiss(CallbackLog(int(score), self.query_one("#callback-comment", Input).value.strip(), nps))

    def _refuse(self, problem: str, field: str) -> None:
        self.query_one("#callback-problem", Static).update(problem)
        self.query_one(field).focus()
