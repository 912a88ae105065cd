"""The one-line sync status an agent glances at: online or offline, changes waiting, and how
fresh the data is. It repaints only when its text changes, on the app's tick."""

from __future__ import annotations

from textual.widgets import Static


class SyncStatusBar(Static):
    DEFAULT_CSS = """
    SyncStatusBar {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        background: $panel;
    }
    """

    def show_now(self) -> None:
        """Fill the line at once, on opening a screen; the app's tick keeps it current."""
        self.show(self.app.sync_state.describe(self.app.now(), self.app.strings))

    def show(self, text: str) -> None:
        if str(self.content) != text:
            self.update(text)
