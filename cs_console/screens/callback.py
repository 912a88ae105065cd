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

from textual import on
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


def keyed_answer(scores: range, current: int | None, key: str) -> tuple[int, bool] | None:
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
    """One question's answer, shown as "[4]"; the dialog's keys set it."""

    def __init__(self, question: Question, **kwargs) -> None:
        super().__init__(**kwargs)
        self.question = question
        self.answer: int | None = None

    def on_mount(self) -> None:
        self.set_answer(None)

    def set_answer(self, answer: int | None) -> None:
        self.answer = answer
        self.update(f"[{answer if answer is not None else ' '}]")


class CallbackScreen(ConsoleDialog[CallbackLog | None]):
    """Keys that answer or move are priority bindings: they act on the question the cursor is
    on when each key is read, so answers keyed faster than the screen repaints (a phone
    desk's habit) land one per question."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", english("key.cancel"), id="cancel"),
        Binding("enter", "save", english("key.save"), id="save", priority=True),
        Binding("question_mark", "app.help", english("key.help"), id="help"),
        Binding("tab", "move(1)", show=False, priority=True),
        Binding("shift+tab", "move(-1)", show=False, priority=True),
        Binding("backspace,delete", "clear", show=False, priority=True),
        *(Binding(str(digit), f"answer('{digit}')", show=False, priority=True) for digit in range(10)),
        Binding("plus", f"answer('{TEN_KEY}')", show=False, priority=True),
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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Digits and Backspace answer questions; in the comment they are text."""
        if action in ("answer", "clear") and not isinstance(self.focused, AnswerField):
            return False
        return super().check_action(action, parameters)

    def action_answer(self, key: str) -> None:
        field = self.focused
        keyed = keyed_answer(field.question.scores, field.answer, key)
        if keyed is not None:
            field.set_answer(keyed[0])
            if keyed[1]:
                self.focus_next()

    def action_clear(self) -> None:
        self.focused.set_answer(None)

    def action_move(self, step: int) -> None:
        self.focus_next() if step > 0 else self.focus_previous()

    @on(Input.Submitted)
    def action_save(self) -> None:
        answers = {field.question.key: field.answer for field in self.query(AnswerField) if field.answer is not None}
        self.dismiss(CallbackLog(answers, self.query_one("#callback-comment", Input).value.strip()))
