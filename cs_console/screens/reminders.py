"""My reminders: every open personal reminder, soonest first, from the command palette.

Enter opens the ticket; `d` marks the highlighted reminder done and `z` snoozes it to a new
time, so a due reminder can be cleared rather than toasting and topping the queue for ever.
"""

from __future__ import annotations

from rich.markup import escape
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from cs_console.screens.base import ConsoleScreen
from cs_console.screens.reminder import ReminderRequest
from cs_console.storage.models import Reminder
from cs_console.store import StoreError
from cs_console.text.display import local_time
from cs_console.text.strings import english
from cs_console.widgets.current_result import show_if_current
from cs_console.widgets.key_footer import KeyFooter


class RemindersScreen(ConsoleScreen):
    CHANGES = frozenset({"done", "snooze"})
    BINDINGS = [
        Binding("d", "done", english("key.reminder_done"), id="reminder_done"),
        Binding("z", "snooze", english("key.snooze"), id="snooze"),
        Binding("escape", "back", english("key.back"), id="back"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.reminders: list[tuple[Reminder, str, str]] = []

    def compose(self) -> ComposeResult:
        yield Static(id="reminders-title", classes="title-bar")
        yield OptionList(id="reminders-list")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one(OptionList).focus()
        self.reload()

    def on_screen_resume(self) -> None:
        self.reload()

    @work(thread=True, exclusive=True, group="reminders")
    def reload(self) -> None:
        agent = self.app.agent
        try:
            reminders = self.app.store.open_reminders(agent.id if agent else None)
        except StoreError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error")
            return
        show_if_current(self.app, self._show, reminders)

    def _show(self, reminders: list[tuple[Reminder, str, str]]) -> None:
        s, zone, now = self.strings, self.app.config.zone, self.app.now()
        self.reminders = reminders
        self.query_one("#reminders-title", Static).update(s("reminders.title", count=len(reminders)))
        options = self.query_one(OptionList)
        highlighted = options.highlighted
        options.clear_options()
        if not reminders:
            options.add_option(Option(s("reminders.empty"), disabled=True))
            return
        options.add_options([
            Option(f"{'⏰ ' + s('reminders.due') + ' · ' if reminder.due_at <= now else ''}"
                   f"{local_time(reminder.due_at, zone, now, s)} · [b]{number}[/b] · "
                   f"{escape(reminder.note or subject)}", id=reminder.id)
            for reminder, number, subject in reminders
        ])
        options.highlighted = min(highlighted or 0, len(reminders) - 1)

    def _current(self) -> tuple[Reminder, str, str] | None:
        index = self.query_one(OptionList).highlighted
        return self.reminders[index] if self.reminders and index is not None else None

    @on(OptionList.OptionSelected)
    def _open(self) -> None:
        current = self._current()
        if current is not None:
            self.app.open_ticket(current[0].ticket_id)

    def action_done(self) -> None:
        current = self._current()
        if current is not None:
            reminder = current[0]
            self._write(self.strings("ticket.reminder_done"),
                        lambda store, agent_id, at: store.finish_reminder(reminder.id, author_id=agent_id, at=at))

    def action_snooze(self) -> None:
        from cs_console.screens.reminder import ReminderScreen

        current = self._current()
        if current is not None:
            self.app.push_screen(ReminderScreen(current[0].note), lambda request: self._snoozed(current[0], request))

    def _snoozed(self, reminder: Reminder, request: ReminderRequest | None) -> None:
        if request is not None:
            when = local_time(request.due_at, self.app.config.zone, self.app.now(), self.strings)
            self._write(self.strings("ticket.reminder_snoozed", when=when),
                        lambda store, agent_id, at: store.snooze_reminder(reminder.id, request.due_at,
                                                                          author_id=agent_id, at=at))

    @work(thread=True, group="reminders-write")
    def _write(self, done_message: str, change) -> None:
        app = self.app
        try:
            change(app.store, app.agent.id if app.agent else None, app.now())
        except StoreError as error:
            app.call_from_thread(self.notify, str(error), severity="error")
            return
        app.call_from_thread(self.notify, done_message)
        app.call_from_thread(app.local_change)
        self.reload()

    def action_back(self) -> None:
        self.app.go_back()
