"""The reply composer: a text area that opens the template picker on `::`.

The two colons must be typed one right after the other (a time like 10:30 followed later by
another colon does not count), as agents asked of other helpdesks (zammad#4866), and at the
start of a word: "fe80::1" is an IPv6 address, not a request for a template. If the picker
is closed without a choice, the colons it took are given back (`picker_closed`).
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
        self._took_trigger = False

    async def _on_key(self, event: events.Key) -> None:
        colon = event.character == ":"
        if colon and self._last_key_was_colon and not self.read_only and self._colon_starts_word():
            event.stop()
            event.prevent_default()
            self._last_key_was_colon = False
            row, column = self.cursor_location
            self.delete((row, column - 1), (row, column))
            self._took_trigger = True
            self.post_message(self.TemplateRequested())
            return
        self._last_key_was_colon = colon
        await super()._on_key(event)

    def _colon_starts_word(self) -> bool:
        """True when the colon just before the cursor stands at the start of a word."""
        row, column = self.cursor_location
        line = self.document.get_line(row)
        if column == 0 or line[column - 1] != ":":
            return False
        return column == 1 or line[column - 2].isspace()

    def picker_closed(self, inserted: bool) -> None:
        """The template picker closed: without a choice, put back the `::` that opened it."""
        if self._took_trigger and not inserted:
            self.insert(TRIGGER)
        self._took_trigger = False
