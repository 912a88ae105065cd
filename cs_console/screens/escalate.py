"""Escalating a ticket: to which expert team, and why. Nothing is escalated until both are given."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from cs_console.screens.base import ConsoleDialog
from cs_console.text.strings import english


@dataclass(frozen=True)
class EscalationRequest:
    team: str
    reason: str


class EscalateScreen(ConsoleDialog[EscalationRequest | None]):
    """Pick the team with the arrows while typing the reason; Enter escalates, Escape cancels."""

    BINDINGS = [
        Binding("escape", "dismiss(None)", english("key.cancel"), id="cancel"),
        Binding("up", "team(-1)", show=False),
        Binding("down", "team(1)", show=False),
    ]

    def __init__(self, teams: list[str]) -> None:
        super().__init__()
        self.teams = teams

    def compose(self) -> ComposeResult:
        s = self.strings
        with Vertical(classes="dialog"):
            yield Static(f"[b]{s('escalate.title')}[/b] · {s('escalate.hint')}", id="escalate-title")
            yield Static(s("escalate.team"))
            yield OptionList(*(Option(team, id=team) for team in self.teams), id="escalate-team")
            yield Input(placeholder=s("escalate.reason"), id="escalate-reason")
            yield Static(s("escalate.no_teams") if not self.teams else "", id="escalate-problem")

    def on_mount(self) -> None:
        teams = self.query_one("#escalate-team", OptionList)
        if self.teams:
            teams.highlighted = 0
        self.query_one("#escalate-reason", Input).focus()

    def action_team(self, step: int) -> None:
        """Up and down choose the team without leaving the reason."""
        teams = self.query_one("#escalate-team", OptionList)
        if self.teams:
            teams.highlighted = ((teams.highlighted or 0) + step) % len(self.teams)

    @on(OptionList.OptionSelected)
    def _team_picked(self) -> None:
        self.query_one("#escalate-reason", Input).focus()

    @on(Input.Submitted)
    def _escalate(self) -> None:
        teams = self.query_one("#escalate-team", OptionList)
        reason = self.query_one("#escalate-reason", Input).value.strip()
        problem = self.query_one("#escalate-problem", Static)
        if teams.highlighted is None:
            problem.update(self.strings("escalate.no_team" if self.teams else "escalate.no_teams"))
            return
        if not reason:
            problem.update(self.strings("escalate.no_reason"))
            return
        self.dismiss(EscalationRequest(self.teams[teams.highlighted], reason))
