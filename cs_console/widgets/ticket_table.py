"""A lead's list of tickets with their next clock: select with space, then act on them all.

The breaches, the escalations and one agent's queue are the same table over different
tickets; it says what the lead asked for in messages (`Reassign`, `BulkAction`,
`SelectionChanged`) and leaves the moving and changing of work to the screen. An action
applies to the selection, or to the ticket under the cursor when nothing is selected.
"""

from __future__ import annotations

from datetime import datetime

from textual.binding import Binding
from textual.message import Message

from cs_console.clocks.follow_up import next_due_text
from cs_console.lead import team
from cs_console.lead.sentiment import SOOTHE_MARK
from cs_console.text.display import clip
from cs_console.text.strings import english
from cs_console.widgets.clock_text import clock_text
from cs_console.widgets.key_labels import localize_bindings
from cs_console.widgets.steady_table import SteadyTable

SUBJECT_MIN_WIDTH = 12
AGENT_MIN_WIDTH = 12
"""Cells an agent's name keeps, here and on the lead's team board."""


class TicketTable(SteadyTable):
    """Tickets with their next clock, selectable with space, reassigned with `a`."""

    BINDINGS = [
        Binding("space", "toggle_select", english("key.select"), id="select"),
        Binding("a", "reassign", english("key.reassign"), id="reassign"),
        Binding("number_sign", "bulk('tag')", english("key.tag"), id="tag"),
        Binding("p", "bulk('set_priority')", english("key.set_priority"), id="set_priority"),
        Binding("x", "bulk('close_duplicate')", english("key.close_duplicate"), id="close_duplicate"),
    ]

    class Reassign(Message):
        """The lead asked to move these tickets."""

        def __init__(self, ticket_ids: list[str]) -> None:
            super().__init__()
            self.ticket_ids = ticket_ids

    class BulkAction(Message):
        """The lead asked to tag, give a priority to or close as duplicates (`action`) these tickets."""

        def __init__(self, action: str, ticket_ids: list[str]) -> None:
            super().__init__()
            self.action = action
            self.ticket_ids = ticket_ids

    class SelectionChanged(Message):
        pass

    def __init__(self, *, clock: str | None = None, show_agent: bool = True, **kwargs) -> None:
        super().__init__(**kwargs)
        self.clock = clock
        """None: the most urgent clock; "escalation": the experts' clock (48 hours by default)."""
        self.show_agent = show_agent
        self.selected: set[str] = set()
        self._shown: tuple[list[team.TicketState], dict[str, str], datetime] = ([], {}, datetime.min)
        localize_bindings(self, self.app.strings)

    def on_mount(self) -> None:
        s = self.app.strings
        columns = [("sel", " "), ("number", s("lead.col.ticket"))]
        if self.show_agent:
            columns.append(("agent", s("lead.col.agent")))
        columns += [("priority", s("lead.col.priority")),
                    ("due", s("lead.col.expert_clock", target=self.app.config.policy.escalation.target_text())
                     if self.clock == "escalation" else s("lead.col.due")),
                    ("mood", SOOTHE_MARK), ("subject", f"{s('lead.col.customer')} · {s('lead.col.subject')}")]
        self.set_columns(columns)

    def show(self, states: list[team.TicketState], names: dict[str, str], now: datetime) -> None:
        self._shown = (states, names, now)
        self.selected &= {state.facts.id for state in states}
        fixed = 1 + 10 + 6 + 11 + 1 + (AGENT_MIN_WIDTH if self.show_agent else 0)
        subject = max(SUBJECT_MIN_WIDTH, self.app.size.width - fixed - 2 * len(self.column_keys) - 4)
        s = self.app.strings
        nobody, done = s("lead.nobody"), s("clock.done")
        rows = []
        for state in states:
            facts, clocks = state.facts, state.clocks
            if self.clock == "escalation" and clocks.escalation is not None:
                due = f"{clocks.escalation.symbol()} {clocks.escalation.countdown_text()}"
            else:
                due = next_due_text(clocks, done)
            cells = ["●" if facts.id in self.selected else " ", facts.number]
            if self.show_agent:
                cells.append(clip(names.get(facts.assignee_id or "", nobody), AGENT_MIN_WIDTH))
            cells += [s(f"priority.short.{facts.priority}"), clock_text(due, self.app.no_color),
                      SOOTHE_MARK if state.soothe else " ",
                      clip(f"{facts.customer_name} · {facts.subject}", subject)]
            rows.append((facts.id, tuple(cells)))
        self.show_rows(rows)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("toggle_select", "reassign", "bulk") and self.app.store.readonly:
            return False
        return True

    def action_toggle_select(self) -> None:
        key = self.current_key()
        if key is None:
            return
        self.selected ^= {key}
        self.show(*self._shown)
        self.move_cursor(row=min(self.cursor_row + 1, self.row_count - 1))
        self.post_message(self.SelectionChanged())

    def chosen(self) -> list[str]:
        """The selected tickets in table order, or the one under the cursor when none is."""
        chosen = [key for key in self._keys if key in self.selected]
        current = self.current_key()
        return chosen or ([current] if current else [])

    def action_reassign(self) -> None:
        self.post_message(self.Reassign(self.chosen()))

    def action_bulk(self, action: str) -> None:
        self.post_message(self.BulkAction(action, self.chosen()))

    def clear_selection(self) -> None:
        self.selected.clear()
        self.show(*self._shown)
        self.post_message(self.SelectionChanged())
