"""The knowledge base: search as you type, results with the matched characters marked, and
a preview of the highlighted article or template.

The same screen is the composer's template picker: then it lists templates only and Enter
hands the chosen one back to the ticket. Each keystroke's search runs in a thread worker
and a newer keystroke supersedes an older one.
"""

from __future__ import annotations

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Input, OptionList, Static
from textual.widgets.option_list import Option

from cs_console.kb.search import Hit
from cs_console.key_labels import localize_bindings
from cs_console.strings import english

RESULT_LIMIT = 30
MATCH_STYLE = "bold underline"
"""Matched characters are marked by weight and underline, which survive NO_COLOR."""
KIND_MARKS = {"article": "A", "template": "T"}
"""A letter per kind, so the list reads the same in any terminal font."""


class KnowledgeBaseScreen(Screen[str | None]):
    BINDINGS = [
        Binding("escape", "close", english("key.back"), id="back"),
        Binding("down", "move(1)", english("key.next"), id="next", show=False, priority=True),
        Binding("up", "move(-1)", english("key.previous"), id="previous", show=False, priority=True),
    ]

    def __init__(self, *, picker: bool = False) -> None:
        super().__init__()
        self.picker = picker
        self.hits: list[Hit] = []
        self.strings = self.app.strings
        localize_bindings(self, self.strings)

    def compose(self) -> ComposeResult:
        s = self.strings
        title = s("kb.picker_title") if self.picker else s("kb.title")
        yield Static(f"[b]{title}[/b] · {s('kb.hint')}", classes="title-bar")
        yield Input(placeholder=s("kb.placeholder"), id="kb-query")
        with Horizontal(id="kb-body"):
            yield OptionList(id="kb-results")
            with VerticalScroll(id="kb-preview-pane"):
                yield Static(id="kb-preview")
        yield Footer()

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
        self.app.call_from_thread(self._show, query, hits, empty_note)

    def _show(self, query: str, hits: list[Hit], empty_note: str) -> None:
        if query != self.query_one("#kb-query", Input).value:
            return  # a newer keystroke's results are on their way
        self.hits = hits
        results = self.query_one("#kb-results", OptionList)
        results.clear_options()
        results.add_options(Option(_marked_title(hit), id=hit.id) for hit in hits)
        if hits:
            results.highlighted = 0
        else:
            self.query_one("#kb-preview", Static).update(empty_note or (self.strings("kb.no_match") if query else ""))

    @on(OptionList.OptionHighlighted, "#kb-results")
    def _preview(self, event: OptionList.OptionHighlighted) -> None:
        document = self.app.catalog().document(event.option.id)
        s = self.strings
        tags = ", ".join(document.get("tags", []))
        kind = document["kind"]
        uses = " · " + s("kb.uses", count=document["uses"]) if kind == "template" else ""
        self.query_one("#kb-preview", Static).update(
            f"[b]{escape(document['title'])}[/b]\n[i]{s(f'kb.kind.{kind}')} · {document.get('lang', '')} · "
            f"{escape(tags)}{uses}[/i]\n\n{escape(document['body'])}"
        )

    def action_move(self, step: int) -> None:
        results = self.query_one("#kb-results", OptionList)
        if results.option_count:
            current = results.highlighted or 0
            results.highlighted = max(0, min(results.option_count - 1, current + step))

    @on(Input.Submitted, "#kb-query")
    def _choose(self) -> None:
        results = self.query_one("#kb-results", OptionList)
        if self.picker and results.highlighted is not None and results.option_count:
            self.dismiss(results.get_option_at_index(results.highlighted).id)

    @on(OptionList.OptionSelected, "#kb-results")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if self.picker:
            self.dismiss(event.option.id)

    def action_close(self) -> None:
        self.dismiss(None)


def _marked_title(hit: Hit) -> Text:
    text = Text(f"{KIND_MARKS.get(hit.kind, '·')} ")
    title = Text(hit.title)
    for start, end in hit.title_spans:
        title.stylize(MATCH_STYLE, start, end)
    return text + title
