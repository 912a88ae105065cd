"""The key footer shows the keys of its screen as they are when the screen is on top, even
when they changed while another screen covered it."""

from __future__ import annotations

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


async def test_a_screen_back_on_top_shows_its_keys_as_they_are_now():
    app = FooterApp()
    async with app.run_test(size=(80, 10)) as pilot:
        await pilot.pause()
        queue = app.screen
        assert footer_keys(queue) == ["New", "Delete"]

        await app.push_screen(Ticket())
        await pilot.pause()
        assert footer_keys(app.screen) == ["Reply"]
        queue.can_delete = False
        queue.refresh_bindings()
        await pilot.pause()
        assert footer_keys(queue) == ["New", "Delete"], "covered: not rebuilt"

        app.pop_screen()
        await pilot.pause()
        await pilot.pause()
        assert app.screen is queue
        assert footer_keys(queue) == ["New"], "rebuilt on its return, without the key it lost"
