"""The Textual application: owns the store, the settings, the agent and the clock.

Screens ask the app for these and never open the database themselves. The clock is
injectable so tests can move time; everything that reads "now" asks `app.now()`.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable, Iterable
from datetime import datetime

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from cs_console.config import Config
from cs_console.models import Agent
from cs_console.paths import ASSETS_DIR
from cs_console.store import Store
from cs_console.utc import utcnow


class ConsoleApp(App):
    """cs-console's terminal user interface."""

    TITLE = "cs-console"
    CSS_PATH = str(ASSETS_DIR / "app.tcss")
    BINDINGS = [
        Binding("question_mark", "help", "Help", id="help"),
        Binding("ctrl+q", "quit", "Quit", priority=True),
    ]

    def __init__(self, store: Store, config: Config, clock: Callable[[], datetime] = utcnow) -> None:
        super().__init__()
        self.store = store
        self.config = config
        self.now = clock
        self.agent: Agent | None = None

    def on_mount(self) -> None:
        self.set_keymap(self.config.keys)
        self._start()

    @work(thread=True, exclusive=True, group="start")
    def _start(self) -> None:
        agent = self.store.current_agent()
        empty = self.store.is_empty()
        self.call_from_thread(self._started, agent, empty)

    def _started(self, agent: Agent | None, empty: bool) -> None:
        from cs_console.screens.demo_offer import DemoOfferScreen

        self.agent = agent
        if empty:
            self.push_screen(DemoOfferScreen(), self._demo_answered)
        else:
            self._open_queue()

    def _demo_answered(self, load: bool | None) -> None:
        self._prepare_store(bool(load))

    @work(thread=True, exclusive=True, group="start")
    def _prepare_store(self, load_demo: bool) -> None:
        if load_demo:
            from cs_console.demo import load_demo as load

            load(self.store, self.now())
        agent = self.store.current_agent()
        if agent is None:
            agent = self.store.create_agent(getpass.getuser())
            self.store.set_current_agent(agent.id)
        self.call_from_thread(self._agent_ready, agent)

    def _agent_ready(self, agent: Agent) -> None:
        self.agent = agent
        self._open_queue()

    def _open_queue(self) -> None:
        from cs_console.screens.queue import QueueScreen

        self.push_screen(QueueScreen())

    def action_help(self) -> None:
        from cs_console.screens.help import HelpScreen

        if not isinstance(self.screen, HelpScreen):
            self.push_screen(HelpScreen(self.screen))

    def go_back(self) -> None:
        """Escape: leave the current screen unless it is the queue."""
        from cs_console.screens.queue import QueueScreen

        if len(self.screen_stack) > 2 and not isinstance(self.screen, QueueScreen):
            self.pop_screen()

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Help", "Every key of this screen", self.action_help)
        from cs_console.screens.queue import QueueScreen

        queue = next((s for s in self.screen_stack if isinstance(s, QueueScreen)), None)
        if queue is not None:
            yield SystemCommand("New ticket", "Take a call or message as a new ticket", queue.action_new_ticket)
            yield SystemCommand("Queue", "Back to the ticket queue", lambda: self._back_to(queue))

    def _back_to(self, screen: Screen) -> None:
        while self.screen is not screen and len(self.screen_stack) > 2:
            self.pop_screen()
