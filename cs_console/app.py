"""The Textual application: owns the store, the settings, the agent and the clock.

Screens ask the app for these and never open the database themselves. The clock is
injectable so tests can move time; everything that reads "now" asks `app.now()`.
"""

from __future__ import annotations

import getpass
import random
import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from rich.text import Text
from textual import work
from textual.app import App, ScreenType, SystemCommand
from textual.binding import Binding
from textual.command import CommandPalette
from textual.screen import Screen
from textual.timer import Timer
from textual.worker import WorkerFailed

from cs_console.clocks.follow_up import ClockWatch
from cs_console.clocks.sla import FollowUpClocks
from cs_console.config import Config
from cs_console.errors import UserError
from cs_console.lead.roles import is_lead
from cs_console.paths import asset
from cs_console.screens.base import Console
from cs_console.screens.commands import console_commands, textual_commands
from cs_console.storage.errors import ReadOnly, StoreError, WriteFailed
from cs_console.storage.first_screen import WorkingAgent
from cs_console.storage.queue_rows import QueueRow
from cs_console.sync.schedule import INTERVAL, LOW_BANDWIDTH_INTERVAL, SyncState
from cs_console.text.strings import Strings, english, interface_language
from cs_console.usecases.caller_lookup import Caller, look_up_caller
from cs_console.usecases.drafts import DraftKeeper, DraftText, caller_of, ticket_of
from cs_console.utc import utcnow
from cs_console.widgets.key_labels import localize_bindings
from cs_console.widgets.sync_status import SyncStatusBar

if TYPE_CHECKING:  # the store's ORM loads after the first screen (`lazy_store`)
    from cs_console.store import Store
    from cs_console.usecases.ticket_relations import MergeDone

TICK_SECONDS = 1.0
"""How often countdowns refresh; low-bandwidth mode ticks once a minute."""
LOW_BANDWIDTH_TICK_SECONDS = 60.0
LOW_BANDWIDTH_THEME = "ansi-dark"
"""Low-bandwidth mode paints in the terminal's own 16 colours: their codes are a third the
length of 256-colour ones, which cuts what a repaint sends by about 40%."""
DRAFT_SAVE_DELAY = 0.4
"""Seconds of quiet typing before a draft is written: one write per pause, not per key, and
still saved before a crash could take more than the last few keys."""

ADMIN_ACCOUNTS = frozenset({"root", "admin", "administrator"})
"""System accounts whose login name is no agent's name."""


def first_agent_name(strings: Strings) -> str:
    """The name of the first agent of an empty store: the account's full name, else its login
    name, but never an administrator's account ("root"), which says nothing about who works."""
    try:
        login = getpass.getuser()
    except (KeyError, OSError):
        login = ""
    try:
        import pwd

        full_name = pwd.getpwnam(login).pw_gecos.split(",")[0].strip() if login else ""
    except (ImportError, KeyError):
        full_name = ""
    if full_name and full_name.casefold() != login.casefold():
        return full_name
    if not login or login in ADMIN_ACCOUNTS:
        return strings("app.first_agent")
    return login


class ConsoleApp(App):
    """cs-console's terminal user interface."""

    TITLE = "cs-console"
    CSS_PATH = str(asset("app.tcss"))
    BINDINGS = [
        Binding("t", "team", english("key.team"), id="team"),
        Binding("ctrl+o", "outbox", english("key.outbox"), id="outbox", show=False),
        Binding("ctrl+f", "search_all", english("key.search_all"), id="search_all", show=False, priority=True),
        Binding("question_mark", "help", english("key.help"), id="help"),
        Binding("ctrl+q", "quit", english("key.quit"), id="quit", priority=True),
        Binding("ctrl+p", "command_palette", english("key.command_palette"), id="command_palette", show=False,
                priority=True),
    ]

    def __init__(self, store: Store, config: Config, clock: Callable[[], datetime] = utcnow, *,
                 call: str | None = None) -> None:
        super().__init__()
        self.call = call
        """A caller's number (`cs-console call`): their ticket or a new-ticket form opens over the queue."""
        self.store = store
        self.config = config
        self.now = clock
        self.agent: WorkingAgent | None = None
        self.clock_watch = ClockWatch()
        self._catalog = None
        self._catalog_lock = threading.Lock()
        self.sync_state = SyncState(configured=False)
        self._sync_settings = None
        self._syncing = False
        self.sync_started_at: datetime | None = None
        """When the sync under way started (None: none is): what was made before goes up in it."""
        self._jitter = random.Random()
        self._reminders_told: set[tuple[str, datetime]] = set()
        """Reminders told of, by id and due time: a snoozed one is told again when its new time comes."""
        self.drafts = DraftKeeper(store)
        """Unsent text of every composer and form, kept in the store as the agent types."""
        self.merges_done: list[MergeDone] = []
        """The merges made since the console started, which `u` on either ticket undoes."""
        self._draft_timers: dict[str, Timer] = {}
        self._told_stopped = False
        self._first_rows_shown = False
        self.strings = Strings(interface_language(config.raw, config.language))
        """The interface language's sentences (`cs_console.text.strings`), for the newer screens."""
        localize_bindings(self, self.strings)

    def on_mount(self) -> None:
        if self.config.low_bandwidth:
            self.theme = LOW_BANDWIDTH_THEME
        self.set_keymap(self.config.keys)
        self.set_interval(LOW_BANDWIDTH_TICK_SECONDS if self.config.low_bandwidth else TICK_SECONDS, self.tick)
        self._start()

    def catalog(self):
        """The knowledge-base index, loaded (or built) on first use; call from thread workers only."""
        from cs_console.usecases.kb_catalog import Catalog, shipped_glossary

        with self._catalog_lock:
            if self._catalog is None:
                self._catalog = Catalog(self.store, shipped_glossary(self.config.glossary))
            return self._catalog

    def tick(self) -> None:
        """The one app-wide timer: every visible countdown refreshes from here."""
        self._tell_if_stopped()
        for screen in self._console_screens():
            if screen is self.screen or screen.TICKS_COVERED:
                screen.tick()
        for bar in self.screen.query(SyncStatusBar):
            bar.show_now()
        now = self.now()
        if self.sync_state.due(now) and not self._syncing:
            self._syncing = True
            self.sync_started_at = now
            self.sync_state = self.sync_state.start_cycle()
            self._sync()
            self._reload_outbox()

    def _console_screens(self) -> list[Console]:
        """The console's screens and dialogs on the stack that are mounted, bottom first."""
        return [screen for screen in self.screen_stack if isinstance(screen, Console) and screen.is_mounted]

    # -- a database that fails --------------------------------------------------------------

    @work(thread=True, exclusive=True, group="backup")
    def _check_then_back_up(self) -> None:
        """The pages of a file too big to check before the first screen (`lazy_store`), then
        today's automatic backup, if the newest is a day old; never in the way of the agent.
        A damaged file makes the console read-only, says so, and is not backed up: its copy
        would push a whole backup out."""
        from cs_console.storage.backups import back_up_daily

        if not self.store.pages_checked:
            self.store.check_pages()
            if not self.store.pages_checked:  # damaged, or the console is closing
                if self.store.stopped_by is not None:
                    self.call_from_thread(self._tell_if_stopped)
                return
        try:
            back_up_daily(self.store.path, self.now())
        except UserError as error:
            self.call_from_thread(self.notify, str(error), title=self.strings("app.backup_failed"),
                                  severity="warning", timeout=15)

    def on_unmount(self) -> None:
        """Closing: a check of the file's pages under way ends now, not seconds later."""
        self.store.stop_checking_pages()

    def _tell_if_stopped(self) -> None:
        """Once the store stopped writing (a write failed, the file is damaged), say so once and
        show every screen read-only; what was being typed stays where it was."""
        failure = self.store.stopped_by
        if failure is None or self._told_stopped:
            return
        self._told_stopped = True
        self.notify(self.strings("app.read_only_now", reason=str(failure)), severity="error", timeout=60)
        self.refresh_bindings()

    def _handle_exception(self, error: Exception) -> None:
        """A store refusal nobody caught (a worker's write) leaves the console running
        read-only and says so; any other `UserError` ends the app with its one line and
        status 2, never a traceback. Anything else is a bug and keeps Textual's report."""
        cause = error.error if isinstance(error, WorkerFailed) else error
        if isinstance(cause, (WriteFailed, ReadOnly)):
            self.notify(str(cause), severity="error", timeout=30)
            return
        if isinstance(cause, UserError):
            self._stop(cause)
            return
        super()._handle_exception(error)

    def _stop(self, error: UserError) -> None:
        """End the console because it cannot go on: the error's line, status 2."""
        self.exit(return_code=2, message=Text(f"cs-console: error: {error}"))

    def _fatal_error(self) -> None:
        """Textual's crash report, without the local variables: they hold customers' text."""
        import rich
        from rich.segment import Segments
        from rich.traceback import Traceback

        self.bell()
        traceback = Traceback(show_locals=False, width=None, suppress=[rich])
        self._exit_renderables.append(Segments(self.console.render(traceback, self.console.options)))
        self._close_messages_no_wait()

    # -- sync -------------------------------------------------------------------------------

    @property
    def _sync_interval(self):
        return LOW_BANDWIDTH_INTERVAL if self.config.low_bandwidth else INTERVAL

    @property
    def sync_settings(self):
        """The login sync uses (`sync.login.Settings`), or None when this console does not sync."""
        return self._sync_settings

    @work(thread=True, exclusive=True, group="sync-setup")
    def _load_sync_settings(self) -> None:
        from cs_console.sync.login import LoginError, load_settings

        demo = self.store.holds_demo()
        try:
            settings = None if demo else load_settings()
        except LoginError:
            settings = None
        from cs_console.sync.link_speed import recalled

        pending, size = self.store.pending_size()
        speed = recalled(self.store).bytes_per_second
        self.call_from_thread(self._sync_configured, settings, pending, size, speed, demo)

    def _sync_configured(self, settings, pending: int, size: int, speed: float | None, demo: bool) -> None:
        self._sync_settings = settings
        self.sync_state = SyncState(configured=settings is not None, demo=demo, pending=pending, waiting_bytes=size,
                                    speed=speed, next_attempt_at=self.now() if settings else None)

    @work(thread=True, exclusive=True, group="sync")
    def _sync(self) -> None:
        from cs_console.sync.client import sync_once
        from cs_console.sync.link_speed import recalled
        from cs_console.usecases.outbox import refused_changes

        report = sync_once(self.store, self._sync_settings, self.config.attachment_budget)
        agent = self.store.working_agent()
        refused = refused_changes(self.store, newest=report.refused) if report.refused else []
        _, size = self.store.pending_size()
        speed = recalled(self.store).bytes_per_second
        self.call_from_thread(self._synced, report, agent, refused, size, speed)

    def _synced(self, report, agent: WorkingAgent | None, refused: list, size: int = 0, speed: float | None = None) -> None:
        self._syncing = False
        self.sync_started_at = None
        now = self.now()
        if report.ok:
            self.sync_state = self.sync_state.after_success(now, report.pending, self._sync_interval,
                                                            waiting_bytes=size, speed=speed)
        else:
            self.sync_state = self.sync_state.after_failure(now, report.pending, report.error, self._jitter,
                                                            waiting_bytes=size, speed=speed)
        if agent is not None and (self.agent is None or agent.id != self.agent.id):
            self.agent = agent
            self.config = self.config.for_agent(agent.timezone)
        if report.new_identity:
            self.notify(self.strings("sync.new_identity", prefix=self.store.ticket_prefix),
                        title=self.strings("refused.notice_title"), severity="warning", timeout=30)
        if refused:
            from cs_console.screens.outbox import notice

            self.notify(notice(refused, self.strings, self.config.key("outbox")),
                        title=self.strings("refused.notice_title"), severity="error", timeout=30)
        if report.received or refused:
            for screen in self._console_screens():
                screen.reload()
        else:
            self._reload_outbox()

    def _reload_outbox(self) -> None:
        """The outbox, if open, shows what a sync starting or ending changed."""
        from cs_console.screens.outbox import OutboxScreen

        outbox = self._shown(OutboxScreen)
        if outbox is not None and outbox.is_mounted:
            outbox.reload()

    def local_change(self) -> None:
        """A screen saved something: count what waits and sync at once if the link is up."""
        self._count_pending()

    @work(thread=True, group="sync-setup")
    def _count_pending(self) -> None:
        pending, size = self.store.pending_size()
        self.call_from_thread(self._pending_counted, pending, size)

    def _pending_counted(self, pending: int, size: int) -> None:
        self.sync_state = self.sync_state.after_local_change(self.now(), pending, size)

    # -- drafts -----------------------------------------------------------------------------

    def keep_draft(self, key: str, text: DraftText | None) -> None:
        """A composer or form changed: keep its text (None: nothing left to keep), written
        once the agent pauses, in a worker."""
        self.drafts.note(key, text)
        timer = self._draft_timers.pop(key, None)
        if timer is not None:
            timer.stop()
        self._draft_timers[key] = self.set_timer(DRAFT_SAVE_DELAY, partial(self._draft_due, key))

    def _draft_due(self, key: str) -> None:
        self._draft_timers.pop(key, None)
        self._write_draft(key)

    @work(thread=True, group="drafts", exit_on_error=False)
    def _write_draft(self, key: str) -> None:
        try:
            self.drafts.write(key)
        except StoreError as error:
            self.call_from_thread(self.notify, self.strings("drafts.not_kept", reason=str(error)), severity="warning")

    def action_drafts(self) -> None:
        """List the unsent drafts, to go on with one (from the palette)."""
        self._list_drafts()

    @work(thread=True, exclusive=True, group="drafts-list")
    def _list_drafts(self) -> None:
        from cs_console.screens.drafts import draft_options

        options = draft_options(self.drafts.entries(), self.strings)
        self.call_from_thread(self._choose_draft, options)

    def _choose_draft(self, options: list[tuple[str, str]]) -> None:
        from cs_console.screens.choose import ChooseScreen

        if not options:
            self.notify(self.strings("drafts.none"))
            return
        self.push_screen(ChooseScreen(self.strings("drafts.title"), options), self.open_draft)

    def open_draft(self, key: str | None) -> None:
        """Open what the draft under `key` was typed in; its screen puts the text back."""
        if key is None:
            return
        ticket_id, phone = ticket_of(key), caller_of(key)
        if phone is not None:
            self._look_up_caller(phone, form=True)
        elif ticket_id is None:
            self.new_ticket()
        else:
            self.open_ticket(ticket_id)

    async def action_quit(self) -> None:
        """Quit at once, keeping every draft: what waits is written first, in a worker, and
        the exit says how many are kept."""
        self._quit_keeping_drafts()

    @work(thread=True, exclusive=True, group="quit", exit_on_error=False)
    def _quit_keeping_drafts(self) -> None:
        s, message = self.strings, None
        try:
            kept = self.drafts.keep_all()
            if kept:
                message = s("drafts.kept_one") if kept == 1 else s("drafts.kept_many", count=kept)
        except StoreError as error:
            message = s("drafts.not_kept", reason=str(error))
        finally:  # whatever happened to the drafts, ctrl+q quits
            self.call_from_thread(self.exit, message=message)

    def watch_clocks(self, rows: list[QueueRow], clocks: list[FollowUpClocks]) -> None:
        """Tell the agent, once, about each clock that turns at risk or overdue and each reminder due."""
        now = self.now()
        for row, ticket_clocks in zip(rows, clocks):
            budgets = self.config.policy.budgets(row.priority)
            for alert in self.clock_watch.observe(row.id, row.number, ticket_clocks, budgets):
                severity = "error" if alert.clock.state == "breached" else "warning"
                self.notify(alert.message(self.strings), title=self.strings("app.clock_title"), severity=severity,
                            timeout=10)
            reminder = row.reminder
            if reminder is None or reminder.due_at > now or (reminder.id, reminder.due_at) in self._reminders_told:
                continue
            self._reminders_told.add((reminder.id, reminder.due_at))
            self.notify(f"{row.number}: {reminder.note or row.subject}", title=self.strings("app.reminder_title"),
                        timeout=15)

    @work(thread=True, exclusive=True, group="start")
    def _start(self) -> None:
        from cs_console.sync.login import settings_path

        if self.store.is_empty() and not settings_path().exists():
            self.call_from_thread(self._offer_demo)  # a device logged in waits for its tickets instead
        else:
            self._open_as_agent(load_demo=False)

    def _offer_demo(self) -> None:
        from cs_console.screens.demo_offer import DemoOfferScreen

        self.push_screen(DemoOfferScreen(), self._demo_answered)

    def _demo_answered(self, load: bool | None) -> None:
        self._prepare_store(bool(load))

    @work(thread=True, exclusive=True, group="start")
    def _prepare_store(self, load_demo: bool) -> None:
        self._open_as_agent(load_demo)

    def _open_as_agent(self, load_demo: bool) -> None:
        """Load the demo if asked, make sure the device has an agent, then open the queue;
        a store that refuses this ends the console (there is nothing to show).

        Runs in a thread worker."""
        try:
            if load_demo:
                from cs_console.demo.data_set import load_demo as load

                load(self.store, self.now())
            agent = self.store.working_agent()
            if agent is None:
                self.store.set_current_agent(self.store.create_agent(first_agent_name(self.strings)).id)
                agent = self.store.working_agent()
        except UserError as error:
            self.call_from_thread(self._stop, error)
            return
        self.call_from_thread(self._agent_ready, agent)

    def _agent_ready(self, agent: WorkingAgent) -> None:
        self.agent = agent
        self.config = self.config.for_agent(agent.timezone)
        self._open_queue()
        if self.call is not None:
            self._look_up_caller(self.call)

    @work(thread=True, exclusive=True, group="call")
    def _look_up_caller(self, number: str, form: bool = False) -> None:
        try:
            caller = look_up_caller(self.store, number, self.config.phone_region)
        except (StoreError, ValueError) as error:
            self.call_from_thread(self.notify, str(error), severity="error")
            return
        self.call_from_thread(self.answer_call, caller, form)

    def answer_call(self, caller: Caller, form: bool = False) -> None:
        """Open the caller's open ticket, else (or, with `form`, always: a kept draft of
        it) the new-ticket form filled in for them."""
        if caller.ticket_id is not None and not form:
            self.open_ticket(caller.ticket_id)
            return
        from cs_console.screens.new_ticket import NewTicketScreen

        self.push_screen(NewTicketScreen(caller), lambda ticket_id: self.open_ticket(ticket_id) if ticket_id else None)

    def _open_queue(self) -> None:
        from cs_console.screens.queue import QueueScreen

        self.push_screen(QueueScreen())

    def first_rows_shown(self) -> None:
        """The queue's first rows are on screen: now the work that would have competed with
        them for the interpreter, the sync settings (which load the store's ORM,
        `lazy_store`), the check of a large file and today's backup."""
        if not self._first_rows_shown:
            self._first_rows_shown = True
            self._load_sync_settings()
            self._check_then_back_up()

    def action_help(self) -> None:
        from cs_console.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    # -- navigation: screens open one another through these, never by importing each other --

    def open_ticket(self, ticket_id: str) -> None:
        """Open a ticket, or go back to it if it is open already (one composer, one draft)."""
        from cs_console.screens.ticket import TicketScreen

        shown = next((screen for screen in self.screen_stack
                      if isinstance(screen, TicketScreen) and screen.ticket_id == ticket_id), None)
        if shown is None:
            self.push_screen(TicketScreen(ticket_id))
        else:
            self._back_to(shown)

    def reopen_ticket(self, ticket_id: str) -> None:
        """Open a ticket afresh, so its composer puts back the draft just kept for it (a text
        taken back from the outbox): a screen of it already open closes first."""
        from cs_console.screens.ticket import TicketScreen

        shown = next((screen for screen in self.screen_stack
                      if isinstance(screen, TicketScreen) and screen.ticket_id == ticket_id), None)
        if shown is not None:
            self._back_to(shown)
            self.pop_screen()
        self.push_screen(TicketScreen(ticket_id))

    def open_customer(self, customer_id: str) -> None:
        from cs_console.screens.customer import CustomerScreen

        self.push_screen(CustomerScreen(customer_id))

    def new_ticket(self) -> None:
        """Take a call as a new ticket; the ticket opens once it is saved. Goes back to the
        form if it is open already (one form, one draft)."""
        from cs_console.screens.new_ticket import NewTicketScreen

        shown = next((screen for screen in self.screen_stack
                      if isinstance(screen, NewTicketScreen) and screen.caller is None), None)
        if shown is None:
            self.push_screen(NewTicketScreen(), lambda ticket_id: self.open_ticket(ticket_id) if ticket_id else None)
        else:
            self._back_to(shown)

    def open_reminders(self) -> None:
        from cs_console.screens.reminders import RemindersScreen

        shown = self._shown(RemindersScreen)
        if shown is None:
            self.push_screen(RemindersScreen())
        else:
            self._back_to(shown)

    def open_kb_proposals(self) -> None:
        from cs_console.screens.kb_proposals import ProposalsScreen

        self.push_screen(ProposalsScreen())

    def open_knowledge_base(self) -> None:
        from cs_console.screens.knowledge_base import KnowledgeBaseScreen

        self.push_screen(KnowledgeBaseScreen())

    def action_search_all(self) -> None:
        """Search everything (ctrl+f from any screen): goes back to the search if it is open."""
        from cs_console.screens.search import SearchScreen

        if self.agent is None:
            return
        shown = self._shown(SearchScreen)
        if shown is None:
            self.push_screen(SearchScreen())
        else:
            self._back_to(shown)

    def back_to_queue(self) -> None:
        from cs_console.screens.queue import QueueScreen

        queue = self._shown(QueueScreen)
        if queue is not None:
            self._back_to(queue)

    def go_back(self) -> None:
        """Escape: leave the current screen unless it is the queue."""
        from cs_console.screens.queue import QueueScreen

        if len(self.screen_stack) > 2 and not isinstance(self.screen, QueueScreen):
            self.pop_screen()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        """Textual's commands and the console's, titled in the interface language."""
        yield from textual_commands(self, screen)
        yield from console_commands(self, screen)

    def action_command_palette(self) -> None:
        """Textual's palette, with its search prompt in the interface language."""
        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder=self.strings("app.palette_placeholder")))

    # -- the team lead ----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """The team key shows in the queue's footer, for leads and admins only."""
        if action == "team":
            from cs_console.screens.queue import QueueScreen

            return is_lead(self.agent) and isinstance(self.screen, QueueScreen)
        return True

    def action_team(self) -> None:
        """Open the team view (leads and admins)."""
        from cs_console.screens.lead import LeadScreen

        if not is_lead(self.agent):
            agent = self.agent
            message = self.strings("lead.not_lead", agent=agent.name, role=self.strings(f"lead.role.{agent.role}")) \
                if agent else self.strings("lead.no_agent")
            self.notify(message, severity="warning")
            return
        lead = self._shown(LeadScreen)
        if lead is None:
            self.push_screen(LeadScreen())
        else:
            self._back_to(lead)

    def action_outbox(self) -> None:
        """Open the outbox: every change not on the server yet (from any screen)."""
        from cs_console.screens.outbox import OutboxScreen

        shown = self._shown(OutboxScreen)
        if shown is None:
            self.push_screen(OutboxScreen())
        else:
            self._back_to(shown)

    @work(thread=True, exclusive=True, group="switch-agent")
    def action_switch_agent(self) -> None:
        """Choose, from the palette, whom this device works as (on a device without a login)."""
        from cs_console.screens.choose import ChooseScreen
        from cs_console.usecases.agent_switch import switch_refusal

        s = self.strings
        refusal = switch_refusal(s)
        if refusal is not None:
            self.call_from_thread(self.notify, refusal, severity="warning", timeout=15)
            return
        options = [(agent.id, f"{agent.name} · {s(f'lead.role.{agent.role}')} · {agent.team or '-'}")
                   for agent in self.store.agents() if agent.active]
        self.call_from_thread(lambda: self.push_screen(ChooseScreen(s("app.switch_title"), options), self._switch_to))

    def _switch_to(self, agent_id: str | None) -> None:
        if agent_id is not None:
            self._set_agent(agent_id)

    @work(thread=True, exclusive=True, group="switch-agent")
    def _set_agent(self, agent_id: str) -> None:
        self.store.set_current_agent(agent_id)
        agent = self.store.working_agent()
        self.call_from_thread(self._agent_switched, agent)

    def _agent_switched(self, agent: WorkingAgent) -> None:
        from cs_console.screens.queue import QueueScreen

        self.agent = agent
        self.config = self.config.for_agent(agent.timezone)
        queue = self._shown(QueueScreen)
        if queue is not None:
            self._back_to(queue)
            queue.reload()
        self.refresh_bindings()
        self.notify(self.strings("app.switched", name=agent.name))

    def _shown(self, kind: type[ScreenType]) -> ScreenType | None:
        """The screen of this kind on the stack, if one is."""
        return next((screen for screen in self.screen_stack if isinstance(screen, kind)), None)

    def _back_to(self, screen: Screen) -> None:
        while self.screen is not screen and len(self.screen_stack) > 2:
            self.pop_screen()
