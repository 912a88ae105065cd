"""Search everything: one box over every ticket, message and note, and every customer.

Reached with ctrl+f from any screen, or from the palette. Each keystroke's search runs in a
thread worker (`cs_console.usecases.search_all`) and a newer keystroke supersedes an older
one, so typing never waits. Results are rows of a `VirtualTable`, customers first, then
tickets newest first, each with the text it matched in and the matched words marked. Enter
opens the highlighted ticket or customer. A filter the search does not understand is named
under the box, and the results of the last good query stay.
"""

from __future__ import annotations

from operator import attrgetter

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Input, Static

from cs_console.screens.base import ConsoleScreen
from cs_console.search.query import QueryError
from cs_console.text.display import local_time
from cs_console.text.strings import english
from cs_console.usecases.search_all import Found, search_everything
from cs_console.widgets.current_result import show_if_current
from cs_console.widgets.key_footer import KeyFooter
from cs_console.widgets.virtual_table import Column, SequenceRows, VirtualTable, with_headings

MATCH_STYLE = "bold underline"
"""Matched words are marked by weight and underline, which survive NO_COLOR."""
RESULT_COLUMNS = (
    Column("kind", "search.col.kind", 8), Column("title", "search.col.title", share=2, min_width=16),
    Column("snippet", "search.col.snippet", share=3, min_width=16), Column("detail", "search.col.detail", share=1),
    Column("at", "search.col.at", 16),
)


class SearchScreen(ConsoleScreen[str | None]):
    """Opens what is chosen; or, given a `pick` prompt, is a ticket picker (merge into…,
    link…) that lists tickets only and gives back the chosen one's id."""

    BINDINGS = [
        Binding("escape", "close", english("key.back"), id="back"),
        Binding("down", "move(1)", english("key.next"), id="next", show=False, priority=True),
        Binding("up", "move(-1)", english("key.previous"), id="previous", show=False, priority=True),
        Binding("pagedown", "page(1)", english("key.page_down"), id="page_down", show=False),
        Binding("pageup", "page(-1)", english("key.page_up"), id="page_up", show=False),
    ]

    def __init__(self, pick: str | None = None) -> None:
        super().__init__()
        self.pick = pick
        self.found: list[Found] = []
        self._shown_query: str | None = None
        self._open_when_shown = False

    def compose(self) -> ComposeResult:
        s = self.strings
        title = escape(self.pick) if self.pick else s("search.title")
        yield Static(f"[b]{title}[/b] · {s('search.hint')}", classes="title-bar")
        yield Input(placeholder=s("search.placeholder"), id="search-query")
        yield Static(id="search-note")
        yield VirtualTable(with_headings(RESULT_COLUMNS, s), id="search-results")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#search-query").focus()

    @on(Input.Changed, "#search-query")
    def _query_changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    @work(thread=True, exclusive=True, group="search-all")
    def _search(self, query: str) -> None:
        try:
            found, note = search_everything(self.app.store, query, now=self.app.now()), ""
            if self.pick:
                found = [result for result in found if result.kind == "ticket"]
        except QueryError as error:
            found, note = None, str(error)
        show_if_current(self.app, self._show, query, found, note)

    def _show(self, query: str, found: list[Found] | None, note: str) -> None:
        if query != self.query_one("#search-query", Input).value:
            return  # a newer keystroke's results are on their way
        self._shown_query = query
        if found is not None:
            self.found = found
            rows = SequenceRows(found, self._cells, key=attrgetter("id"))
            self.query_one("#search-results", VirtualTable).show(rows, keep=found[0].id if found else None)
            if not found and query.strip():
                note = self.strings("search.no_match")
        self.query_one("#search-note", Static).update(Text(note))
        if self._open_when_shown:
            self._open_when_shown = False
            self._open()

    def _cells(self, found: Found) -> tuple:
        marked = Text(found.snippet)
        for start, end in found.spans:
            marked.stylize(MATCH_STYLE, start, end)
        at = local_time(found.at, self.app.config.zone, self.app.now(), self.strings) if found.at else ""
        return self.strings(f"search.kind.{found.kind}"), found.title, marked, found.detail, at

    def action_move(self, step: int) -> None:
        self.query_one("#search-results", VirtualTable).action_cursor(step)

    def action_page(self, direction: int) -> None:
        self.query_one("#search-results", VirtualTable).action_page(direction)

    @on(Input.Submitted, "#search-query")
    def _open(self) -> None:
        """Enter opens the highlighted result, or, when the results of what was typed are
        still on their way, the first of them as soon as they arrive."""
        if self._shown_query != self.query_one("#search-query", Input).value:
            self._open_when_shown = True
            return
        self._open_key(self.query_one("#search-results", VirtualTable).cursor_key)

    @on(VirtualTable.RowSelected, "#search-results")
    def _chosen(self, event: VirtualTable.RowSelected) -> None:
        self._open_key(event.key)

    def _open_key(self, key: str | None) -> None:
        chosen = next((found for found in self.found if found.id == key), None)
        if chosen is None:
            return
        if self.pick:
            self.dismiss(chosen.id)
        elif chosen.kind == "ticket":
            self.app.open_ticket(chosen.id)
        else:
            self.app.open_customer(chosen.id)

    def action_close(self) -> None:
        self.dismiss(None)
