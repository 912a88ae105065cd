"""The key footer every screen shows: Textual's Footer, rebuilt only while its screen is shown.

Textual rebuilds a screen's footer whenever that screen's bindings may have changed, and a
screen covered by another one counts: each push rebuilds every key of the footer beneath,
unseen, while the new screen is loading its rows. A footer not on the top screen skips
that; a screen refreshes its bindings again when it comes back on top (Textual counts a
resume as a stack update), and its footer is rebuilt then.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widgets import Footer


class KeyFooter(Footer):
    def bindings_changed(self, screen: Screen) -> None:
        # Footer.bindings_changed, with the rebuild skipped when by then the screen is covered.
        self._bindings_ready = True
        if screen.app.app_focus and self.is_attached and screen is self.screen:
            self.call_after_refresh(self._rebuild_if_shown)

    async def _rebuild_if_shown(self) -> None:
        if self.is_attached and self.screen is self.app.screen:  # is_current counts the one beneath too
            await self.recompose()
