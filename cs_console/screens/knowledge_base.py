"""The knowledge base: search as you type, results with the matched characters marked, and
a preview of the highlighted article or template.

The same screen is the composer's template picker: then it lists templates only and Enter
hands the chosen one back to the ticket. Each keystroke's search runs in a thread worker
and a newer keystroke supersedes an older one. The results are rows of a `VirtualTable`:
only the rows on screen are rendered, so a long result list costs no widget per hit. The
cursor stays in the query field; up, down and page keys move the table's cursor from there.
"""

from __future__ import annotations

from operator import attrgetter

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Static

from cs_console.kb.search import Hit
from cs_console.screens.base import ConsoleScreen
from cs_console.text.strings import english
from cs_console.usecases.kb_catalog import Catalog
from cs_console.widgets.current_result import show_if_current
from cs_console.widgets.key_footer import KeyFooter
from cs_console.widgets.virtual_table import Column, SequenceRows, VirtualTable, with_headings

RESULT_LIMIT = 200
"""Hits listed per search, best first. The table renders only the rows on screen, so the cap
is not for the screen's sake: past the best two hundred the ranking is noise (a broad query's
tail matches one letter somewhere in a body), and a longer list costs the search more (at
100,000 documents, p95 of a keystroke is about 7 ms for 30 hits and 11 ms for 200). The
picker asks the search for three times as many, as templates are filtered from all kinds."""
MATCH_STYLE = "bold underline"
"""Matched characters are marked by weight and underline, which survive NO_COLOR."""
RESULT_COLUMNS = (
    Column("kind", "kb.col.kind", 8), Column("title", "kb.col.title", share=3, min_width=12),
    Column("lang", "kb.col.lang", 4), Column("tags", "kb.col.tags", share=1, min_width=6),
)
"""Headings are catalogue keys (`columns` reads them in the interface language); 8 cells hold
either kind's name in either language (`kb.kind.*`)."""


class KnowledgeBaseScreen(ConsoleScreen[str | None]):
    BINDINGS = [
        Binding("escape", "close", english("key.back"), id="back"),
        Binding("down", "move(1)", english("key.next"), id="next", show=False, priority=True),
        Binding("up", "move(-1)", english("key.previous"), id="previous", show=False, priority=True),
        Binding("pagedown", "page(1)", english("key.page_down"), id="page_down", show=False),
        Binding("pageup", "page(-1)", english("key.page_up"), id="page_up", show=False),
    ]

    def __init__(self, *, picker: bool = False) -> None:
        super().__init__()
        self.picker = picker
        self.hits: list[Hit] = []
        self._shown_query: str | None = None
        """The query whose results are on screen; the one typed may be newer."""
        self._choose_when_shown = False
        """Enter came before the typed query's results: pick its best hit once they arrive."""

    def compose(self) -> ComposeResult:
        s = self.strings
        title = s("kb.picker_title") if self.picker else s("kb.title")
        yield Static(f"[b]{title}[/b] · {s('kb.hint')}", classes="title-bar")
        yield Input(placeholder=s("kb.placeholder"), id="kb-query")
        with Horizontal(id="kb-body"):
            yield VirtualTable(with_headings(RESULT_COLUMNS, s), id="kb-results")
            with VerticalScroll(id="kb-preview-pane"):
                yield Static(id="kb-counterpart")
                yield Static(id="kb-preview")
        yield KeyFooter()

    def on_mount(self) -> None:
        self.query_one("#kb-query").focus()
        self._search("")

    @on(Input.Changed, "#kb-query")
    def _query_changed(self, event: Input.Changed) -> None:
        self._search(event.value)

    @work(thread=True, exclusive=True, group="kb-search")
    def _search(self, query: str) -> None:
        catalog = self.app.catalog()
        limit = RESULT_LIMIT * 3 if self.picker else RESULT_LIMIT
        hits = catalog.search(query, limit=limit, lang=self.app.config.language)
        if self.picker:
            hits = [hit for hit in hits if hit.kind == "template"][:RESULT_LIMIT]
        empty_note = "" if len(catalog) else self.strings("kb.empty")
        show_if_current(self.app, self._show, query, hits, empty_note, catalog)

    def _show(self, query: str, hits: list[Hit], empty_note: str, catalog: Catalog) -> None:
        if query != self.query_one("#kb-query", Input).value:
            return  # a newer keystroke's results are on their way
        self.hits = hits
        self._shown_query = query
        rows = SequenceRows(hits, lambda hit: self._cells(hit, catalog), key=attrgetter("id"))
        # A new ranking starts over at its best hit, which the table then highlights.
        self.query_one("#kb-results", VirtualTable).show(rows, keep=hits[0].id if hits else None)
        if not hits:
            self.query_one("#kb-preview", Static).update(empty_note or (self.strings("kb.no_match") if query else ""))
        if self._choose_when_shown:
            self._choose_when_shown = False
            self._choose()

    def _cells(self, hit: Hit, catalog: Catalog) -> tuple:
        document = catalog.document(hit.id)
        return (self.strings(f"kb.kind.{hit.kind}"), _marked_title(hit), document.get("lang", ""),
                ", ".join(document.get("tags", [])))

    @on(VirtualTable.RowHighlighted, "#kb-results")
    def _preview(self, event: VirtualTable.RowHighlighted) -> None:
        document = self.app.catalog().document(event.key)
        s = self.strings
        tags = ", ".join(document.get("tags", []))
        kind = document["kind"]
        uses = " · " + s("kb.uses", count=document["uses"]) if kind == "template" else ""
        self.query_one("#kb-preview", Static).update(
            f"[b]{escape(document['title'])}[/b]\n[i]{s(f'kb.kind.{kind}')} · {document.get('lang', '')} · "
            f"{escape(tags)}{uses}[/i]\n\n{escape(document['body'])}"
        )
        self.query_one("#kb-counterpart", Static).update("")
        if kind == "article":
            self._show_counterpart(event.key)

    @work(thread=True, exclusive=True, group="kb-counterpart")
    def _show_counterpart(self, doc_id: str) -> None:
        """Name the same article in the other language under the preview, when there is one."""
        found = self.app.catalog().counterpart(doc_id)
        if found is not None:
            line = self.strings(f"kb.also_in.{found.get('lang')}", title=found["title"])
            show_if_current(self.app, self._counterpart_found, doc_id, line)

    def _counterpart_found(self, doc_id: str, line: str) -> None:
        if self.query_one("#kb-results", VirtualTable).cursor_key == doc_id:
            self.query_one("#kb-counterpart", Static).update(Text(line, style="italic"))

    def action_move(self, step: int) -> None:
        self.query_one("#kb-results", VirtualTable).action_cursor(step)

    def action_page(self, direction: int) -> None:
        self.query_one("#kb-results", VirtualTable).action_page(direction)

    @on(Input.Submitted, "#kb-query")
    def _choose(self) -> None:
        """Enter in the query picks the highlighted result, or, when the results of what was
        typed are still on their way, the best of them as soon as they arrive."""
        if self._shown_query != self.query_one("#kb-query", Input).value:
            self._choose_when_shown = True
            return
        chosen = self.query_one("#kb-results", VirtualTable).cursor_key
        if self.picker and chosen is not None:
            self.dismiss(chosen)

    @on(VirtualTable.RowSelected, "#kb-results")
    def _chosen(self, event: VirtualTable.RowSelected) -> None:
        if self.picker:
            self.dismiss(event.key)

    def action_close(self) -> None:
        self.dismiss(None)


def _marked_title(hit: Hit) -> Text:
    title = Text(hit.title)
    for start, end in hit.title_spans:
        title.stylize(MATCH_STYLE, start, end)
    return title
