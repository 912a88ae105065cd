"""The outbox: every change not on the server yet, grouped by ticket, newest first.

Opened from the command palette ("Outbox") or with ctrl+o (binding id `outbox`, named on
the status line) from any screen. Each change shows its state in words (waiting, sending,
refused with the server's reason, settled by the server against a later change with both
values), what it was, about how many bytes it takes and how old it is. Enter shows the whole text of the highlighted one below the list; `r` sends a
refused change again; `e` puts a reply or note back in its ticket's composer, to edit and
send anew; `d` discards a change, after a `y` (a message leaves this device too), or a
settled change's notice at once; Escape closes. Below the changes, the attached files not
yet whole on the server, each with its state (waiting, sending N%, deferred by the budget
and why); `w` sends them all at the next sync whatever the budget says. The sync
notification about refused changes points here.

Reading and every action run in thread workers; the list stays small, so an OptionList
holds it, one disabled line heading each ticket's group.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cs_console.screens.base import ConsoleScreen
from cs_console.screens.confirm import ConfirmScreen
from cs_console.store import StoreError
from cs_console.sync.schedule import size_text
from cs_console.text.display import short_age
from cs_console.text.strings import CATALOG, Strings, english
from cs_console.usecases.attachments import FileState, send_files_now, unsent_file_states
from cs_console.usecases.outbox import (
    OutboxItem,
    OutboxRefusal,
    by_ticket,
    discard,
    edit_again,
    outbox_items,
    retry,
)
from cs_console.widgets.current_result import show_if_current
from cs_console.widgets.key_footer import KeyFooter
from cs_console.widgets.sync_status import SyncStatusBar

STATE_MARKS = {"waiting": "…", "sending": "↑", "refused": "✖", "settled": "⇄"}
"""A symbol beside each state's word: urgency never by colour alone."""


def kind_label(item: OutboxItem, strings: Strings) -> str:
    """What the change was, in the interface language ("Internal note", "New ticket")."""
    key = f"refused.kind.{item.kind}"
    return strings(key) if key in CATALOG else item.kind


def about(item: OutboxItem) -> str:
    """The ticket (number and subject) or the row the change was for."""
    return f"{item.number} {item.title}".strip()


def notice(changes: list[OutboxItem], strings: Strings, key: str) -> str:
    """The one notification a sync cycle gives for the changes it set aside; `key` opens
    the outbox."""
    if len(changes) == 1:
        [change] = changes
        return strings("refused.notice_one", what=kind_label(change, strings), about=about(change) or "-",
                       reason=change.reason, binding=key)
    return strings("refused.notice_many", count=len(changes), reason=changes[0].reason, binding=key)


class OutboxScreen(ConsoleScreen):
    BINDINGS = [
        Binding("escape", "back", english("key.back"), id="back"),
        Binding("r", "retry", english("key.retry"), id="retry"),
        Binding("e", "edit_again", english("key.edit_again"), id="edit_again"),
        Binding("d", "discard", english("key.discard"), id="discard"),
        Binding("w", "send_files_now", english("key.send_files_now"), id="send_files_now"),
    ]
    CHANGES = frozenset({"retry", "edit_again", "discard", "send_files_now"})

    def __init__(self) -> None:
        super().__init__()
        self.items: list[OutboxItem] = []
        self.shown: str | None = None
        """The op id whose whole text the lower pane shows."""

    def compose(self) -> ComposeResult:
        yield Static(id="outbox-title", classes="title-bar")
        yield OptionList(id="outbox-list")
        with VerticalScroll(id="outbox-detail"):
            yield Static(self.strings("lead.loading"), id="outbox-text")
        yield SyncStatusBar()
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.query_one(SyncStatusBar).show_now()
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    def reload(self) -> None:
        """Read the outbox again (on opening or coming back, after a sync, after an action)."""
        self._load()

    @work(thread=True, exclusive=True, group="outbox")
    def _load(self) -> None:
        app = self.app
        try:
            items = outbox_items(app.store, app.sync_started_at)
            files = unsent_file_states(app.store, app.config.attachment_budget)
        except StoreError as error:
            app.call_from_thread(self.notify, str(error), severity="error")
            return
        show_if_current(app, self._show, items, files)

    def _show(self, items: list[OutboxItem], files: list[FileState] = ()) -> None:
        s = self.strings
        self.items = items
        refused = sum(item.state == "refused" for item in items)
        unsent = [item for item in items if item.state != "settled"]
        title = s("outbox.title", count=len(unsent), size=size_text(sum(item.size for item in unsent)), refused=refused)
        if len(unsent) < len(items):
            title += s("outbox.title_settled", count=len(items) - len(unsent))
        self.query_one("#outbox-title", Static).update(Text(title + self.readonly_mark()))
        options = self.query_one(OptionList)
        highlighted = options.highlighted_option.id if options.highlighted_option else None
        options.clear_options()
        for group in by_ticket(items):
            options.add_option(Option(Text(about(group[0]) or s("outbox.other"), style="bold"), disabled=True))
            options.add_options([Option(self._entry(item), id=item.op_id) for item in group])
        if files:
            options.add_option(Option(Text(s("outbox.files"), style="bold"), disabled=True))
            options.add_options([Option(self._file_entry(file), disabled=True) for file in files])
        ids = [item.op_id for group in by_ticket(items) for item in group]
        if ids:
            options.highlighted = options.get_option_index(highlighted if highlighted in ids else ids[0])
        by_id = {item.op_id: item for item in items}
        if self.shown in by_id:
            self._show_whole(by_id[self.shown])
        else:
            self.shown = None
            self.query_one("#outbox-text", Static).update(Text(s("outbox.hint" if items else "outbox.none")))

    def _entry(self, item: OutboxItem) -> Text:
        s = self.strings
        age = short_age(self.app.now() - item.made_at)
        entry = Text.assemble(
            (f"{STATE_MARKS[item.state]} {s(f'outbox.state.{item.state}')}", "bold"),
            f" · {kind_label(item, s)} · {size_text(item.size)} · {age}",
        )
        if item.preview:
            entry.append(f"\n  “{item.preview}”")
        if item.reason:
            entry.append(f"\n  ✖ {item.reason}")
        for line in self._settled_lines(item):
            entry.append(f"\n  ⇄ {line}")
        return entry

    def _settled_lines(self, item: OutboxItem) -> list[str]:
        return [self.strings("outbox.settled_field", field=name, ours=ours, stays=stays)
                for name, ours, stays in item.settled]

    def _file_entry(self, file: FileState) -> Text:
        state = self.strings(f"attach.state.{file.state}", percent=file.percent, reason=file.reason)
        return Text(f"📎 {state} · {file.attachment.filename} · {size_text(file.attachment.size)}")

    def _show_whole(self, item: OutboxItem) -> None:
        s = self.strings
        self.shown = item.op_id
        age = short_age(self.app.now() - item.made_at)
        lines = [s(f"outbox.state.{item.state}"), s("outbox.made", age=age, size=size_text(item.size))]
        if item.reason:
            lines.append(s("refused.reason", reason=item.reason))
        lines += self._settled_lines(item)
        whole = Text.assemble((f"{kind_label(item, s)} · {about(item)}", "bold"), "\n", " · ".join(lines),
                              "\n\n", item.text)
        self.query_one("#outbox-text", Static).update(whole)

    def _highlighted(self) -> OutboxItem | None:
        option = self.query_one(OptionList).highlighted_option
        return next((item for item in self.items if option is not None and item.op_id == option.id), None)

    @on(OptionList.OptionSelected, "#outbox-list")
    def _selected(self, event: OptionList.OptionSelected) -> None:
        item = next((item for item in self.items if item.op_id == event.option.id), None)
        if item is not None:
            self._show_whole(item)
            self.query_one("#outbox-detail").scroll_home(animate=False)

    # -- actions ------------------------------------------------------------------------------

    def action_retry(self) -> None:
        item = self._highlighted()
        if item is not None:
            self._act(lambda: retry(self.app.store, item), self.strings(
                "outbox.retried" if item.state == "refused" else "outbox.goes_next"))

    def action_discard(self) -> None:
        item = self._highlighted()
        if item is None:
            return
        if not item.discardable:
            self.notify(self.strings("outbox.cannot_discard_sending" if item.state == "sending"
                                     else "outbox.cannot_discard"), severity="warning")
            return
        if item.state == "settled":  # only a notice goes: the change is on the server
            self._act(lambda: discard(self.app.store, item), self.strings("outbox.settled_read"))
            return
        question = self.strings("outbox.discard_question", what=kind_label(item, self.strings),
                                about=about(item) or "-")

        def answered(yes: bool | None) -> None:
            if yes:
                self._act(lambda: discard(self.app.store, item), self.strings("outbox.discarded"))

        self.app.push_screen(ConfirmScreen(question), answered)

    def action_edit_again(self) -> None:
        item = self._highlighted()
        if item is not None:
            self._edit_again(item)

    @work(thread=True, group="outbox-action")
    def _edit_again(self, item: OutboxItem) -> None:
        app = self.app
        try:
            ticket_id = edit_again(app.store, app.drafts, item)
        except OutboxRefusal as refusal:
            app.call_from_thread(self.notify, self.strings(refusal.key), severity="warning")
            return
        except StoreError as error:
            app.call_from_thread(self.notify, str(error), severity="error")
            return
        app.call_from_thread(app.local_change)
        app.call_from_thread(app.reopen_ticket, ticket_id)

    @work(thread=True, group="outbox-action")
    def _act(self, action: Callable[[], None], done: str) -> None:
        app = self.app
        try:
            action()
        except OutboxRefusal as refusal:
            app.call_from_thread(self.notify, self.strings(refusal.key), severity="warning")
            return
        except StoreError as error:
            app.call_from_thread(self.notify, str(error), severity="error")
            return
        app.call_from_thread(self.notify, done)
        app.call_from_thread(app.local_change)
        app.call_from_thread(self.reload)

    def action_send_files_now(self) -> None:
        self._send_files_now()

    @work(thread=True, group="outbox-action")
    def _send_files_now(self) -> None:
        app = self.app
        try:
            count = send_files_now(app.store)
        except StoreError as error:
            app.call_from_thread(self.notify, str(error), severity="error")
            return
        app.call_from_thread(self.notify, self.strings("attach.send_now", count=count) if count
                             else self.strings("attach.nothing_to_send"))
        if count:
            app.call_from_thread(app.local_change)
        app.call_from_thread(self.reload)

    def action_back(self) -> None:
        self.app.go_back()
