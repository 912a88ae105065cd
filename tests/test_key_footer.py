"""The key footer shows the keys of its screen as they are when the screen is on top, even
when they changed while another screen covered it."""

from __future__ import annotations

import time

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static

from cs_console.widgets.key_footer import KeyFooter


def footer_keys(screen: Screen) -> list[str]:
    return [key.description for key in screen.query_one(KeyFooter).query("FooterKey")]


class Queue(Screen):
    BINDINGS = [Binding("n", "new", "New"), Binding("d", "delete", "Delete")]

    def __init__(self) -> None:
        super().__init__()
        self.can_delete = True

    def compose(self) -> ComposeResult:
        yield Static("queue")
        yield KeyFooter()

    def check_action(self, action: str, parameters: tuple) -> bool | None:
        return self.can_delete if action == "delete" else True


class Ticket(Screen):
    BINDINGS = [Binding("r", "reply", "Reply")]

    def compose(self) -> ComposeResult:
        yield Static("ticket")
        yield KeyFooter()


class FooterApp(App):
    ENABLE_COMMAND_PALETTE = False

    def on_mount(self) -> None:
        self.push_screen(Queue())


async def footer_settles(pilot, screen, keys: list[str]) -> list[str]:
    """The screen's footer keys once they read `keys`, or as they stand after a while (a
    loaded machine may take more than one pause to lay the footer out)."""
    deadline = time.monotonic() + 30  # a deadline, not a pause: a quick machine waits no longer
    while footer_keys(screen) != keys and time.monotonic() < deadline:
        await pilot.pause(0.02)
    return footer_keys(screen)


async def test_a_screen_back_on_top_shows_its_keys_as_they_are_now():
    app = FooterApp()
    async with app.run_test(size=(80, 10)) as pilot:
        queue = app.screen
        assert await footer_settles(pilot, queue, ["New", "Delete"]) == ["New", "Delete"]

        await app.push_screen(Ticket())
        assert await footer_settles(pilot, app.screen, ["Reply"]) == ["Reply"]
        queue.can_delete = False
        queue.refresh_bindings()
        await pilot.pause()
        assert footer_keys(queue) == ["New", "Delete"], "covered: not rebuilt"

        app.pop_screen()
        await pilot.pause()
        assert app.screen is queue
        assert await footer_settles(pilot, queue, ["New"]) == ["New"], "rebuilt on its return, without the key it lost"


async def shown_ticket_footer(demo_store, language: str, width: int) -> str:
    """The last line of the terminal on a demo ticket, as it would show it."""
    from cs_console.app import ConsoleApp
    from cs_console.config import from_mapping
    from cs_console.screens.ticket import TicketScreen
    from tests.conftest import NOW
    from tests.test_interface_strings import shown
    from tests.test_tui_first_loop import settle

    app = ConsoleApp(demo_store, from_mapping({"language": language}), clock=lambda: NOW)
    async with app.run_test(size=(width, 24)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await settle(pilot)
        assert isinstance(app.screen, TicketScreen)
        return shown(app).splitlines()[-1]


async def test_a_narrow_chinese_footer_shows_whole_labels_only(demo_store):
    from cs_console.text.strings import CATALOG

    line = await shown_ticket_footer(demo_store, "zh", 80)
    assert "? 帮助" in line and "命令面板" in line, line
    labels = {chinese for key, (_, chinese) in CATALOG.items() if key.startswith("key.")}
    shown_labels = [word for word in line.replace("▏", " ").split() if not word.isascii()]
    assert shown_labels and all(word in labels for word in shown_labels), line


async def test_a_wide_footer_shows_the_most_used_keys_escalate_and_remind_among_them(demo_store):
    line = await shown_ticket_footer(demo_store, "en", 120)
    for key in ("r Reply", "^s Send", "e Escalate", "m Remind", "? Help"):
        assert key in line, line
