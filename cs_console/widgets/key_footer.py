"""The key footer every screen shows: Textual's Footer, rebuilt only while its screen is shown.

Textual rebuilds a screen's footer whenever that screen's bindings may have changed, and a
screen covered by another one counts: each push rebuilds every key of the footer beneath,
unseen, while the new screen is loading its rows. A footer not on the top screen skips
that; a screen refreshes its bindings again when it comes back on top (Textual counts a
resume as a stack update), and its footer is rebuilt then.

Textual's Footer lays every key out in one line and cuts what does not fit, mid-word and,
in Chinese, mid-character ("? 帮 ▏^p 命令  板"). This one shows the keys that fit whole, the
most used first: `?` always (it lists the rest), then the screen's `FOOTER_PRIORITY` (ids of
its bindings or the app's, most used first), then the rest of its BINDINGS, then the app's.
It is rebuilt when the terminal's width changes.
"""

from __future__ import annotations

from rich.cells import cell_len
from textual import events
from textual.screen import Screen
from textual.widgets import Footer
from textual.widgets._footer import FooterKey

KEY_PADDING = 3
"""Cells a footer key takes beyond its key and label: a space either side of the key, one after the label."""
FOOTER_PADDING = 2
"""Cells the footer keeps free at its ends."""


def key_width(key: FooterKey) -> int:
    """Cells `key` takes in the footer (the command palette's has a bar before it)."""
    return cell_len(key.key_display) + cell_len(key.description) + KEY_PADDING + key.has_class("-command-palette")


class KeyFooter(Footer):
    _built_for_width = 0
    """The terminal's width when the keys were last chosen."""

    def bindings_changed(self, screen: Screen) -> None:
        # Footer.bindings_changed, with the rebuild skipped when by then the screen is covered.
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self.call_after_refresh(self._rebuild_if_shown)

    async def _rebuild_if_shown(self) -> None:
        if self.is_attached and self.screen is self.app.screen:  # is_current counts the one beneath too
            await self.recompose()

    def compose(self):
        self._built_for_width = self.app.size.width
        keys = list(super().compose())
        palette = [key for key in keys if key.has_class("-command-palette")]
        others = [key for key in keys if key not in palette]
        room = self.app.size.width - FOOTER_PADDING - sum(map(key_width, palette))
        rank = self._ranks()
        kept: set[int] = set()
        for index in sorted(range(len(others)), key=lambda i: rank.get(others[i].action, len(rank))):
            width = key_width(others[index])
            if width <= room:
                kept.add(index)
                room -= width
        yield from (key for index, key in enumerate(others) if index in kept)
        yield from palette

    def _ranks(self) -> dict[str, int]:
        """Action to rank in the footer, 0 first: help, then the screen's keys by use, then the app's."""
        screen = self.screen
        bindings = [b for b in screen.BINDINGS if hasattr(b, "action")]
        by_id = {b.id: b.action for b in [*self.app.BINDINGS, *bindings] if hasattr(b, "action") and b.id}
        order = [by_id[i] for i in getattr(screen, "FOOTER_PRIORITY", ()) if i in by_id]
        order += [b.action for b in bindings if b.action not in order]
        return {action: rank for rank, action in enumerate(["help", *order])}

    def on_resize(self, event: events.Resize) -> None:
        if self._bindings_ready and self.app.size.width != self._built_for_width:
            self.call_after_refresh(self._rebuild_if_shown)
