"""What every console screen and dialog shares, so no screen repeats its set-up.

Each one speaks the interface language: its footer labels are swapped once, here, and its
sentences come from `self.strings`. The app drives every screen through two hooks, called
on any console screen without asking whether it has them: `tick()` on the app's one timer
(countdowns move) and `reload()` when a sync brought changes (rows are read again). Both do
nothing unless a screen has something to refresh.
"""

from __future__ import annotations

from textual.screen import ModalScreen, Screen, ScreenResultType

from cs_console.text.strings import Strings
from cs_console.widgets.key_labels import localize_bindings


class Console:
    """The console's part of a screen or dialog; comes before Textual's class in the bases."""

    TICKS_COVERED = False
    """True for a screen whose tick must run even under another screen (the queue, whose
    clocks alert the agent whatever is on top); the others tick only while on top."""
    CHANGES: frozenset[str] = frozenset()
    """The screen's actions that change something: hidden from its footer, and refused, in a
    read-only session (`cs-console --readonly`)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        localize_bindings(self, self.strings)

    @property
    def strings(self) -> Strings:
        """The interface language's sentences (`cs_console.text.strings`)."""
        return self.app.strings

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        return not (action in self.CHANGES and self.app.store.readonly)

    def readonly_mark(self) -> str:
        """" · read-only" for a title bar in a read-only session, else nothing."""
        return f" · {self.strings('app.readonly_mark')}" if self.app.store.readonly else ""

    def tick(self) -> None:
        """The app's timer fired: refresh what moves with time (countdowns)."""

    def reload(self) -> None:
        """A sync or another screen changed the store: read what this screen shows again."""


class ConsoleScreen(Console, Screen[ScreenResultType]):
    """A full screen of the console."""


class ConsoleDialog(Console, ModalScreen[ScreenResultType]):
    """A dialog over a console screen."""
