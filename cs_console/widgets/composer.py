"""The reply composer: a text area that opens the template picker on `::`.

The two colons must be typed one right after the other (a time like 10:30 followed later by
another colon does not count), as agents asked of other helpdesks (zammad#4866).
"""

from __future__ import annotations

from textual import events
from textual.message import Message
from textual.widgets import TextArea

TRIGGER = "::"


class Composer(TextArea):
    class TemplateRequested(Message):
        """The agent typed `::`; the colons have been taken out of the text."""

    def __init__(self, **kwargs) -> None:
        super().__init__(soft_wrap=True, show_line_numbers=False, **kwargs)
        self._last_key_was_colon = False

    async def _on_key(self, event: events.Key) -> None:
        colon = event.character == ":"
        if colon and self._last_key_was_colon and not self.read_only:
            event.stop()
            event.prevent_default()
            self._last_key_was_colon = False
            row, column = self.cursor_location
            if column > 0 and self.document.get_line(row)[column - 1] == ":":
                self.delete((row, column - 1), (row, column))
            self.post_message(self.TemplateRequested())
            return
        self._last_key_was_colon = colon
        await super()._on_key(event)
