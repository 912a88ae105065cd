"""The one-line sync status an agent glances at: online or offline, changes waiting (how many,
their bytes, and the key that lists them), the link's measured speed and how fresh the data
is. It repaints only when its text changes, on the app's tick."""

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
        app = self.app
        self.show(app.sync_state.describe(app.now(), app.strings, app.config.key("outbox")))

    def show(self, text: str) -> None:
        if str(self.content) != text:
            self.update(text)
