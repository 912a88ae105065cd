"""Asking for a file to attach: a path, typed with completion or pasted.

The suggestion after the cursor is the first path that completes what was typed (→ or End
takes it; Tab takes it too); Enter attaches, Escape gives up. A path the file system does
not know is refused by the caller with a sentence, and the dialog stays open for another.
"""

from __future__ import annotations

import asyncio

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.suggester import Suggester
from textual.widgets import Input, Static

from cs_console.screens.base import ConsoleDialog
from cs_console.text.strings import english
from cs_console.usecases.attachments import path_completions
from cs_console.widgets.current_result import show_if_current


class PathSuggester(Suggester):
    """Completes file paths from the file system (no cache: folders change). A folder is listed
    in a thread: on a network mount or a slow disk, listing it must not hold up the typing."""

    def __init__(self) -> None:
        super().__init__(use_cache=False, case_sensitive=True)

    async def get_suggestion(self, value: str) -> str | None:
        completions = await asyncio.to_thread(path_completions, value) if value else []
        return completions[0] if completions else None


class AttachScreen(ConsoleDialog[str | None]):
    BINDINGS = [Binding("escape", "dismiss(None)", english("key.cancel"), id="cancel"),
                Binding("tab", "complete", english("key.complete"), id="complete", priority=True)]

    def __init__(self, check=None) -> None:
        """`check(path_text)` returns the sentence that refuses the path, or None."""
        super().__init__()
        self.check = check

    def compose(self) -> ComposeResult:
        s = self.strings
        with Vertical(classes="dialog"):
            yield Static(f"[b]{s('attach.title')}[/b] · {s('attach.hint')}")
            yield Input(placeholder=s("attach.placeholder"), suggester=PathSuggester(), id="attach-path")
            yield Static(id="attach-problem")

    def action_complete(self) -> None:
        path = self.query_one("#attach-path", Input)
        path.cursor_position = len(path.value)
        path.action_cursor_right()  # at the end, this takes the suggestion

    @on(Input.Submitted)
    def _chosen(self, event: Input.Submitted) -> None:
        self._check(event.value)

    @work(thread=True, exclusive=True, group="attach-check")
    def _check(self, path: str) -> None:
        """The check reads the file system, so it runs off the event loop too."""
        problem = self.check(path) if self.check else None
        show_if_current(self.app, self._refuse if problem else self.dismiss, problem or path)

    def _refuse(self, problem: str) -> None:
        self.query_one("#attach-problem", Static).update(escape(problem))
