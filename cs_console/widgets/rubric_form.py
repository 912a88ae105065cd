"""The rubric as a form keyed with digits: one line per item, the item at ▸ takes the next
digit and the cursor moves on, so a whole review is one digit per item.

After the last item it asks its screen to move on (`Completed`), where the comment waits.
Each line says its score in digits and dots, never by colour alone.
"""

from __future__ import annotations

from rich.cells import cell_len, set_cell_size
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from cs_console.lead.rubric import SCORES, Rubric
from cs_console.text.display import pad
from cs_console.text.strings import english


class RubricForm(Widget, can_focus=True):
    BINDINGS = [
        *(Binding(str(digit), f"score({digit})", show=False) for digit in SCORES),
        Binding("down", "move(1)", english("key.next_item"), id="next_item", show=False),
        Binding("up", "move(-1)", english("key.previous_item"), id="previous_item", show=False),
    ]

    class Completed(Message):
        """Every item has its digit and the last one was just keyed."""

    def __init__(self, rubric: Rubric, language: str, **kwargs) -> None:
        super().__init__(**kwargs)
        self.rubric = rubric
        self.language = language
        self.scores: dict[str, int] = {}
        self.cursor = 0

    def set_scores(self, scores: dict[str, int]) -> None:
        self.scores = {item.key: scores[item.key] for item in self.rubric.items if item.key in scores}
        self.refresh()

    def action_score(self, digit: int) -> None:
        self.scores[self.rubric.items[self.cursor].key] = digit
        if self.cursor == len(self.rubric.items) - 1:
            self.refresh()
            self.post_message(self.Completed())
            return
        self.action_move(1)

    def action_move(self, step: int) -> None:
        self.cursor = (self.cursor + step) % len(self.rubric.items)
        self.refresh()

    def render(self) -> Text:
        top = SCORES[-1]
        width = max(20, self.size.width)
        label_width = max(cell_len(item.label(self.language)) for item in self.rubric.items) + 2
        lines = Text()
        for index, item in enumerate(self.rubric.items):
            digit = self.scores.get(item.key)
            mark = "▸" if index == self.cursor and self.has_focus else " "
            score = f"{digit} {'●' * digit}{'○' * (top - digit)}" if digit else f"· {'○' * top}"
            line = f"{mark} {index + 1}. {pad(item.label(self.language), label_width)}{score}  {item.hint(self.language)}"
            if cell_len(line) > width:
                line = set_cell_size(line, width - 1) + "…"
            lines.append(line + ("\n" if index < len(self.rubric.items) - 1 else ""),
                         style="reverse" if mark == "▸" else "")
        return lines

    def on_focus(self) -> None:
        self.refresh()

    def on_blur(self) -> None:
        self.refresh()
