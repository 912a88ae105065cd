"""The changes the server refused, listed so that nothing an agent typed is silently lost.

Sync sets aside each operation the server refuses and keeps it with the server's reason;
the agent is told once, in a notification. This screen, opened from the command palette
("Refused changes") or with ctrl+r (binding id `refused`) from any screen, lists them newest
first: when, what (a reply, a note, a status change...), the ticket it was for, the start of
the text, and the reason. Enter shows the whole text of the highlighted one below the list,
to read and type again where it now belongs; Escape closes.

Reading runs in a thread worker; the list stays small, so an OptionList holds it. It
refuses to resend or delete anything: a refused change stays on the device as it was.
"""

from __future__ import annotations

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cs_console.screens.base import ConsoleScreen
from cs_console.store import StoreError
from cs_console.text.display import local_time
from cs_console.text.strings import CATALOG, Strings, english
from cs_console.usecases.refused_changes import RefusedChange, refused_changes
from cs_console.widgets.key_footer import KeyFooter
from cs_console.widgets.sync_status import SyncStatusBar


def kind_label(change: RefusedChange, strings: Strings) -> str:
    """What the change was, in the interface language ("Internal note", "New ticket")."""
    key = f"refused.kind.{change.kind}"
    return strings(key) if key in CATALOG else change.kind


def about(change: RefusedChange) -> str:
    """The ticket (number and subject) or the row the change was for."""
    return f"{change.number} {change.title}".strip()


def notice(changes: list[RefusedChange], strings: Strings, key: str) -> str:
    """The one notification a sync cycle gives for the changes it set aside; `key` opens
    this screen."""
    if len(changes) == 1:
        [change] = changes
        return strings("refused.notice_one", what=kind_label(change, strings), about=about(change) or "-",
                       reason=change.reason, binding=key)
    return strings("refused.notice_many", count=len(changes), reason=changes[0].reason, binding=key)


class RefusedScreen(ConsoleScreen):
    BINDINGS = [Binding("escape", "back", english("key.back"), id="back")]

    def __init__(self) -> None:
        super().__init__()
        self.changes: list[RefusedChange] = []
        self.shown: str | None = None
        """The op id whose whole text the lower pane shows."""

    def compose(self) -> ComposeResult:
        yield Static(id="refused-title", classes="title-bar")
        yield OptionList(id="refused-list")
        with VerticalScroll(id="refused-detail"):
            yield Static(self.strings("lead.loading"), id="refused-text")
        yield SyncStatusBar()
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.query_one(SyncStatusBar).show_now()
        self.reload()

    def reload(self) -> None:
        """Read the refused changes again (on opening, and after a sync)."""
        self._load()

    @work(thread=True, exclusive=True, group="refused")
    def _load(self) -> None:
        app = self.app
        try:
            changes = refused_changes(app.store)
        except StoreError as error:
            app.call_from_thread(self.notify, str(error), severity="error")
            return
        app.call_from_thread(self._show, changes)

    def _show(self, changes: list[RefusedChange]) -> None:
        s = self.strings
        self.changes = changes
        self.query_one("#refused-title", Static).update(Text(s("refused.title", count=len(changes))))
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        options.add_options([Option(self._entry(change), id=change.op_id) for change in changes])
        if changes:
            options.highlighted = min(highlighted or 0, len(changes) - 1)
        by_id = {change.op_id: change for change in changes}
        if self.shown in by_id:
            self._show_whole(by_id[self.shown])
        else:
            self.shown = None
            self.query_one("#refused-text", Static).update(Text(s("refused.hint" if changes else "refused.none")))

    def _entry(self, change: RefusedChange) -> Text:
        app = self.app
        when = local_time(change.made_at, app.config.zone, app.now())
        entry = Text.assemble((f"{when} · {kind_label(change, self.strings)}", "bold"), f" · {about(change)}")
        if change.preview:
            entry.append(f"\n  “{change.preview}”")
        entry.append(f"\n  ✖ {change.reason}")
        return entry

    def _show_whole(self, change: RefusedChange) -> None:
        app, s = self.app, self.strings
        self.shown = change.op_id
        when = local_time(change.made_at, app.config.zone, app.now())
        whole = Text.assemble((f"{kind_label(change, s)} · {about(change)}", "bold"), "\n",
                              s("refused.made", when=when), "\n", s("refused.reason", reason=change.reason),
                              "\n\n", change.text)
        self.query_one("#refused-text", Static).update(whole)

    @on(OptionList.OptionSelected, "#refused-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        change = next((c for c in self.changes if c.op_id == event.option.id), None)
        if change is not None:
            self._show_whole(change)
            self.query_one("#refused-detail").scroll_home(animate=False)

    def action_back(self) -> None:
        self.app.go_back()
