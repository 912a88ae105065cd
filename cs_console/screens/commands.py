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

from cs_console.lead.roles import is_lead
from cs_console.text.strings import Strings


def _textual(strings: Strings, name: str, callback: Callable[[], Any]) -> SystemCommand:
    """One of Textual's commands, titled `app.cmd.<name>` and explained by `app.cmd.<name>_help`."""
    return SystemCommand(strings(f"app.cmd.{name}"), strings(f"app.cmd.{name}_help"), callback)


def textual_commands(app: App, screen: Screen) -> Iterator[SystemCommand]:
    """Textual's own commands, on the conditions Textual 8's `App.get_system_commands` sets."""
    s = app.strings
    yield _textual(s, "theme", app.action_change_theme)
    yield _textual(s, "quit", app.action_quit)
    if screen.query("HelpPanel"):
        yield _textual(s, "keys_hide", app.action_hide_help_panel)
    else:
        yield _textual(s, "keys_show", app.action_show_help_panel)
    if screen.maximized is not None:
        yield _textual(s, "minimize", screen.action_minimize)
    elif screen.focused is not None and screen.focused.allow_maximize:
        yield _textual(s, "maximize", screen.action_maximize)
    yield _textual(s, "screenshot", lambda: app.set_timer(0.1, app.deliver_screenshot))


def console_commands(app: App, screen: Screen) -> Iterator[SystemCommand]:
    """The console's own commands: the team view for leads only, switching agent on a device
    without a login only, the queue's once the agent is known (the queue opens then), and
    running a macro on the ticket shown."""
    s = app.strings
    run_macro = getattr(screen, "action_run_macro", None)
    if run_macro is not None and not app.store.readonly:
        yield SystemCommand(s("app.macro"), s("app.macro_help"), run_macro)
    yield SystemCommand(s("app.help"), s("app.help_help"), app.action_help)
    if is_lead(app.agent):
        yield SystemCommand(s("app.team_view"), s("app.team_view_help"), app.action_team)
    if not app.sync_state.configured:  # logged in: the device works as the token's owner
        yield SystemCommand(s("app.switch_agent"), s("app.switch_agent_help"), app.action_switch_agent)
    yield SystemCommand(s("app.outbox"), s("app.outbox_help"), app.action_outbox)
    if app.agent is not None:
        if not app.store.readonly:
            yield SystemCommand(s("app.new_ticket"), s("app.new_ticket_help"), app.new_ticket)
        yield SystemCommand(s("app.drafts"), s("app.drafts_help"), app.action_drafts)
        yield SystemCommand(s("app.queue"), s("app.queue_help"), app.back_to_queue)
        yield SystemCommand(s("app.reminders"), s("app.reminders_help"), app.open_reminders)
        yield SystemCommand(s("app.my_reviews"), s("app.my_reviews_help"), lambda: _open_my_reviews(app))
        yield SystemCommand(s("app.knowledge_base"), s("app.knowledge_base_help"), app.open_knowledge_base)
        yield SystemCommand(s("app.kb_proposals"), s("app.kb_proposals_help"), app.open_kb_proposals)
        yield SystemCommand(s("app.search"), s("app.search_help"), app.action_search_all)


def _open_my_reviews(app: App) -> None:
    """The reviews of the agent's own work; loaded when asked for, so start-up stays light."""
    from cs_console.screens.my_reviews import MyReviewsScreen

    app.push_screen(MyReviewsScreen())
