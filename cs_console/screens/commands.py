"""The command palette's entries, every title from the catalogue in the interface language.

Textual's own system commands (theme, quit, keys, maximize, screenshot) are built here again
with catalogue titles (`app.cmd.<name>`), so none is found by its English help text; the
console's commands (`app.<name>`) stand beside them and reach their screens through the
app's navigation methods. `ConsoleApp.get_system_commands` yields both, and Textual's
system-commands provider (in `App.COMMANDS`) puts them in the palette.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from textual.app import App, SystemCommand
from textual.screen import Screen

from cs_console.lead.team import is_lead
from cs_console.text.strings import Strings


def _command(strings: Strings, key: str, callback: Callable[[], Any]) -> SystemCommand:
    """A command titled `key` and explained by `key_help` in the catalogue."""
    return SystemCommand(strings(key), strings(f"{key}_help"), callback)


def textual_commands(app: App, screen: Screen) -> Iterator[SystemCommand]:
    """Textual's own commands, on the conditions Textual 8's `App.get_system_commands` sets."""
    s = app.strings
    yield _command(s, "app.cmd.theme", app.action_change_theme)
    yield _command(s, "app.cmd.quit", app.action_quit)
    if screen.query("HelpPanel"):
        yield _command(s, "app.cmd.keys_hide", app.action_hide_help_panel)
    else:
        yield _command(s, "app.cmd.keys_show", app.action_show_help_panel)
    if screen.maximized is not None:
        yield _command(s, "app.cmd.minimize", screen.action_minimize)
    elif screen.focused is not None and screen.focused.allow_maximize:
        yield _command(s, "app.cmd.maximize", screen.action_maximize)
    yield _command(s, "app.cmd.screenshot", lambda: app.set_timer(0.1, app.deliver_screenshot))


def console_commands(app: App) -> Iterator[SystemCommand]:
    """The console's own commands: the team view for leads only, and the queue's once the
    agent is known (the queue opens then)."""
    s = app.strings
    yield _command(s, "app.help", app.action_help)
    if is_lead(app.agent):
        yield _command(s, "app.team_view", app.action_team)
    yield _command(s, "app.switch_agent", app.action_switch_agent)
    yield _command(s, "app.refused", app.action_refused)
    if app.agent is not None:
        yield _command(s, "app.new_ticket", app.new_ticket)
        yield _command(s, "app.queue", app.back_to_queue)
        yield _command(s, "app.knowledge_base", app.open_knowledge_base)
