"""Tagging one ticket or a lead's selection: type tags, "-tag" removes one, → completes.

The words are checked as they will be kept (`cs_console.tags`) before the dialog closes, so
a bad word is named here and nothing is written; completion offers the tags in use (the
ticket's own after a "-"). The dialog returns what was typed; the caller writes it.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.suggester import Suggester
from textual.widgets import Input, Static

from cs_console.screens.base import ConsoleDialog
from cs_console.tags import BadTag, tag_changes
from cs_console.text.strings import english

SHOWN_TAGS = 12
"""Tags in use listed under the input; the rest are found by typing."""


class TagSuggester(Suggester):
    """Completes the word being typed from the tags in use, or after "-" from the ticket's own."""

    def __init__(self, in_use: list[str], own: list[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=False)
        self.in_use, self.own = in_use, own

    async def get_suggestion(self, value: str) -> str | None:
        head, _, word = value.rpartition(" ")
        removing = word.startswith("-")
        typed = word.removeprefix("-").lstrip("#").casefold()
        if not typed:
            return None
        found = next((tag for tag in (self.own if removing else self.in_use) if tag.startswith(typed)), None)
        if found is None:
            return None
        return f"{head} {'-' if removing else ''}{found}".lstrip() if head else f"{'-' if removing else ''}{found}"


class TagScreen(ConsoleDialog[str | None]):
    """Enter saves the tags typed, Escape cancels."""

    BINDINGS = [Binding("escape", "dismiss(None)", english("key.cancel"), id="cancel")]

    def __init__(self, title: str, in_use: list[str], own: Sequence[str] = ()) -> None:
        super().__init__()
        self.title_text = title
        self.in_use = in_use
        self.own = list(own)

    def compose(self) -> ComposeResult:
        s = self.strings
        with Vertical(classes="dialog"):
            yield Static(f"[b]{escape(self.title_text)}[/b] · {s('tag.hint')}", id="tag-title")
            if self.own:
                yield Static(escape(s("tag.own", tags=" ".join(f"#{tag}" for tag in self.own))), id="tag-own")
            yield Input(placeholder=s("tag.placeholder"), suggester=TagSuggester(self.in_use, self.own), id="tag-input")
            listed = " ".join(f"#{tag}" for tag in self.in_use[:SHOWN_TAGS])
            yield Static(escape(s("tag.in_use", tags=listed) if listed else s("tag.none_in_use")), id="tag-in-use")
            yield Static(id="tag-problem")

    def on_mount(self) -> None:
        self.query_one("#tag-input", Input).focus()

    @on(Input.Submitted)
    def _save(self, event: Input.Submitted) -> None:
        try:
            tag_changes(event.value)
        except BadTag as error:
            self.query_one("#tag-problem", Static).update(escape(str(error)))
            return
        self.dismiss(event.value)
