"""Logging the closing callback: the survey's answers, one key per question, and the
customer's words.

Made to be keyed while the customer talks: the cursor starts on the first question, a digit
on the question's scale answers it and moves on by itself, Tab skips a question (every
answer is optional), Enter saves from anywhere, Escape cancels. The 0-10 NPS question takes
10 as `+`, or as `1` then `0`: a `1` waits there for a `0` (Tab or Enter keeps the 1).
Backspace clears an answer. The questions are the survey in force (`usecases.survey`),
asked in the interface language.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.widgets import Input, Static

from cs_console.lead.survey import Question
from cs_console.screens.base import ConsoleDialog
from cs_console.text.strings import english

TEN_KEY = "+"
"""The one key that answers 10 on a 0-10 question."""


@dataclass(frozen=True)
class CallbackLog:
    answers: dict[str, int] = field(default_factory=dict)
    """Question key to answer; a skipped question is absent."""
    comment: str = ""


def keyed_answer(scores: range, current: int | None, key: str) -> tuple[int | None, bool] | None:
    """What a key press makes of a question's answer: (the answer, whether the cursor moves
    on), or None when the key is no answer to this question.

    A digit on the scale answers; on a 0-10 scale `+` is 10, and a `1` waits for a `0`
    that makes it 10."""
    if key == TEN_KEY and 10 in scores:
        return 10, True
    if not key.isdigit() or len(key) != 1:
        return None
    digit = int(key)
    if 10 in scores and current == 1 and digit == 0:
        return 10, True
    if digit not in scores:
        return None
    return digit, not (10 in scores and digit == 1)


class AnswerField(Static, can_focus=True):
    """One question's answer: a digit typed here answers it and moves the cursor on."""

    def __init__(self, question: Question, **kwargs) -> None:
        super().__init__(**kwargs)
        self.question = question
        self.answer: int | None = None

    def on_mount(self) -> None:
        self._show()

    def on_key(self, event: events.Key) -> None:
        if event.key in ("backspace", "delete"):
            self.answer = None
        else:
            keyed = keyed_answer(self.question.scores, self.answer, event.character or "")
            if keyed is None:
                return
            self.answer, advance = keyed
            if advance:
                self.screen.focus_next()
        event.stop()
        self._show()

    def _show(self) -> None:
        self.update(f"[{self.answer if self.answer is not None else ' '}]")


class CallbackScreen(ConsoleDialog[CallbackLog | None]):
    BINDINGS = [
        Binding("escape", "dismiss(None)", english("key.cancel"), id="cancel"),
        Binding("enter", "save", english("key.save"), id="save"),
        Binding("question_mark", "app.help", english("key.help"), id="help"),
    ]
    HELP_NOTE = "callback.help"

    def __init__(self, questions: tuple[Question, ...]) -> None:
        super().__init__()
        self.questions = questions

    def compose(self) -> ComposeResult:
        s = self.strings
        with Vertical(classes="dialog", id="callback-survey"):
            yield Static(f"[b]{s('callback.title')}[/b] · {s('callback.hint')}")
            for question in self.questions:
                scores = question.scores
                with Horizontal(classes="survey-question"):
                    yield AnswerField(question, id=f"answer-{question.key}", classes="survey-answer")
                    yield Static(f"{scores.start}-{scores[-1]}", classes="survey-scale")
                    yield Static(question.text(s.language), classes="survey-text")
            yield Input(placeholder=s("callback.comment"), id="callback-comment")

    def on_mount(self) -> None:
        if self.questions:
            self.query_one(AnswerField).focus()

    @on(Input.Submitted)
    def action_save(self) -> None:
        answers = {field.question.key: field.answer for field in self.query(AnswerField) if field.answer is not None}
        self.dismiss(CallbackLog(answers, self.query_one("#callback-comment", Input).value.strip()))
