"""A table that shows 100,000 rows as fast as it shows ten.

Textual's DataTable builds every row up front and needs seconds to first paint at 100,000
rows. This widget follows Toolong's log view instead: a `ScrollView` whose virtual size is
the row count, and `render_line` asks a row source for the rows on screen only. Rendered
lines are kept in an LRU cache keyed by (row, width, cursor state); when one row changes,
`refresh_row` repaints that line and nothing else. A header line stays on top.

It refuses to know where rows come from, to sort or to filter: its owner hands it a
`RowSource` (an in-memory list, pages from SQLite) and tells it when rows change. Row
sources are asked from the event loop, so they must answer from memory, never from the
database.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from operator import attrgetter
from typing import Generic, Protocol, TypeVar

from rich.cells import set_cell_size
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.cache import LRUCache
from textual.events import Click, Resize
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from cs_console.text.display import clip

STRIP_CACHE_SIZE = 1024
"""Rendered lines kept: several screens' worth, so paging back and forth re-renders nothing."""
CURSOR_MARK = ">"
"""Drawn before the cursor row, so the cursor shows without colour (NO_COLOR, screen readers)."""
GAP = " "
"""Between two columns, and after the last; the cursor mark takes the place of one before the first."""

ONE_LINE = str.maketrans("\t\n\r", "   ")
"""A cell takes one line: tabs and line breaks in its text show as spaces."""

Cell = str | Text
"""A cell is plain text, or a rich Text when its style carries meaning: a breached clock
(the Text's style), a search's matched characters (its spans)."""
Item = TypeVar("Item")


@dataclass(frozen=True)
class Column:
    """A column: a fixed `width`, or, with width 0, a `share` of what the fixed ones leave
    (never under `min_width`)."""

    key: str
    heading: str
    width: int = 0
    share: int = 1
    min_width: int = 8


def with_headings(columns: Sequence[Column], heading: Callable[[str], str]) -> tuple[Column, ...]:
    """`columns` whose headings are keys, with `heading(key)` as the heading instead (the
    interface language's word, for a screen)."""
    return tuple(replace(column, heading=heading(column.heading)) for column in columns)


@dataclass(frozen=True)
class TableRow:
    key: str
    """Identifies the row across reloads and filters: a ticket id, an interaction id."""
    cells: tuple[Cell, ...]
    """One per column, in the table's column order."""


class RowSource(Protocol):
    """Where a VirtualTable's rows come from; answered from memory, on the event loop."""

    @property
    def row_count(self) -> int: ...

    def rows(self, offset: int, limit: int) -> Sequence[TableRow]:
        """The rows from `offset`, at most `limit` of them."""

    def index_of(self, key: str) -> int | None:
        """Where the row with `key` is now, or None when it is not there."""


class SequenceRows(Generic[Item]):
    """A RowSource over a sequence in memory: a list that grows as pages arrive, a queue.

    `cells` turns an item into its row's cells, `key` gives its key, and `find`, when the
    sequence has a faster way than a scan, where the item with a key is.
    """

    def __init__(self, items: Sequence[Item], cells: Callable[[Item], tuple[Cell, ...]], *,
                 key: Callable[[Item], str] = attrgetter("id"),
                 find: Callable[[str], int | None] | None = None) -> None:
        self.items = items
        self._cells = cells
        self._key = key
        self._find = find

    @property
    def row_count(self) -> int:
        return len(self.items)

    def rows(self, offset: int, limit: int) -> list[TableRow]:
        items, key, cells = self.items, self._key, self._cells
        return [TableRow(key(item), cells(item))
                for item in (items[index] for index in range(offset, min(len(items), offset + limit)))]

    def index_of(self, key: str) -> int | None:
        if self._find is not None:
            return self._find(key)
        return next((index for index, item in enumerate(self.items) if self._key(item) == key), None)


EMPTY: RowSource = SequenceRows((), lambda item: ())
"""No rows, for a table whose rows are still loading."""


class VirtualTable(ScrollView, can_focus=True):
    """Rows from a RowSource, a header, a cursor; Enter selects the cursor's row."""

    BINDINGS = [
        Binding("up", "cursor(-1)", "Up", show=False),
        Binding("down", "cursor(1)", "Down", show=False),
        Binding("pageup", "page(-1)", "Page up", show=False),
        Binding("pagedown", "page(1)", "Page down", show=False),
        Binding("home", "first", "First", show=False),
        Binding("end", "last", "Last", show=False),
        Binding("enter", "select", "Open", show=False),
    ]

    COMPONENT_CLASSES = {
        "virtual-table--header",
        "virtual-table--cursor",
        "virtual-table--odd-row",
    }

    DEFAULT_CSS = """
    VirtualTable {
        background: $surface;
        color: $foreground;
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        & > .virtual-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .virtual-table--odd-row {
            background: $surface-lighten-1 50%;
        }
        & > .virtual-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .virtual-table--cursor {
            background: $block-cursor-background;
            color: $block-cursor-foreground;
            text-style: $block-cursor-text-style;
        }
    }
    """

    cursor_row: reactive[int] = reactive(0, always_update=True, repaint=False)
    """The index of the row the cursor is on."""

    class RowHighlighted(Message):
        """The cursor moved onto a row."""

        def __init__(self, table: VirtualTable, index: int, key: str) -> None:
            super().__init__()
            self.table = table
            self.index = index
            self.key = key

        @property
        def control(self) -> VirtualTable:
            return self.table

    class RowSelected(RowHighlighted):
        """Enter (or a click on the cursor's row) chose a row."""

    def __init__(self, columns: Sequence[Column], *, zebra: bool = True, id: str | None = None) -> None:
        super().__init__(id=id)
        self.columns = tuple(columns)
        self.zebra = zebra
        self.source: RowSource = EMPTY
        self._strips: LRUCache[tuple, Strip] = LRUCache(STRIP_CACHE_SIZE)
        self._versions: dict[str, int] = {}
        """Bumped by `refresh_row`: part of the cache key, so a changed row renders anew."""
        self._window: dict[int, TableRow] = {}
        """The rows last fetched from the source, by index: the ones on screen."""
        self._widths: tuple[int, ...] = ()
        self._widths_for = -1
        self._styles: dict[tuple[str, bool], Style] = {}
        """Rich styles by (component class, focused): looking them up costs more than a row."""

    # -- what the owner calls ---------------------------------------------------------------

    @property
    def row_count(self) -> int:
        return self.source.row_count

    @property
    def cursor_key(self) -> str | None:
        """The key of the cursor's row, or None when the table is empty."""
        row = self._row(self.cursor_row)
        return row.key if row else None

    def show(self, source: RowSource, *, keep: str | None = None) -> None:
        """Show another source's rows, keeping the cursor on the row keyed `keep` when it is
        there, or else at the same index as far as the new rows reach."""
        self.source = source
        self._forget()
        index = source.index_of(keep) if keep is not None else None
        self._resize_rows()
        self.cursor_row = self.cursor_row if index is None else index
        self.refresh()

    def rows_changed(self) -> None:
        """The source's rows changed in number (a page arrived) or in content; repaint all."""
        self._forget()
        self._resize_rows()
        self.cursor_row = self.cursor_row
        self.refresh()

    def refresh_row(self, key: str) -> None:
        """Repaint the row keyed `key`, if it is on screen; every other line stays as drawn."""
        self._versions[key] = self._versions.get(key, 0) + 1
        for index in self.visible_range():
            row = self._row(index)
            if row is not None and row.key == key:
                del self._window[index]
                self.refresh_line(index + 1)
                return

    def visible_range(self) -> range:
        """The indexes of the rows on screen."""
        top = self.scroll_offset.y
        return range(top, min(self.row_count, top + self._page_height()))

    def cell_text(self, index: int, column: str) -> str:
        """The text row `index` shows in `column` (before clipping to the column width)."""
        row = self._row(index)
        if row is None:
            raise IndexError(f"no row {index} (the table has {self.row_count})")
        cell = row.cells[[c.key for c in self.columns].index(column)]
        return cell.plain if isinstance(cell, Text) else cell

    def move_cursor(self, index: int) -> None:
        self.cursor_row = index

    # -- cursor -----------------------------------------------------------------------------

    def validate_cursor_row(self, index: int) -> int:
        return max(0, min(index, self.row_count - 1))

    def watch_cursor_row(self, old: int, new: int) -> None:
        for index in {old, new}:
            self.refresh_line(index + 1)
        self._scroll_to_cursor()
        row = self._row(new)
        if row is not None:
            self.post_message(self.RowHighlighted(self, new, row.key))

    def _scroll_to_cursor(self) -> None:
        top, page = self.scroll_offset.y, self._page_height()
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif page and self.cursor_row >= top + page:
            self.scroll_to(y=self.cursor_row - page + 1, animate=False, immediate=True)

    def action_cursor(self, step: int) -> None:
        self.cursor_row += step

    def action_page(self, direction: int) -> None:
        page = max(1, self._page_height())
        self.scroll_to(y=self.scroll_offset.y + direction * page, animate=False, immediate=True)
        self.cursor_row += direction * page

    def action_first(self) -> None:
        self.cursor_row = 0

    def action_last(self) -> None:
        self.cursor_row = self.row_count - 1

    def action_select(self) -> None:
        row = self._row(self.cursor_row)
        if row is not None:
            self.post_message(self.RowSelected(self, self.cursor_row, row.key))

    def on_click(self, event: Click) -> None:
        index = self.scroll_offset.y + event.y - 1
        if event.y < 1 or index >= self.row_count:
            return
        if index == self.cursor_row:
            self.action_select()
        self.cursor_row = index

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles.clear()
        self._strips.clear()

    def _style(self, component: str = "") -> Style:
        """The widget's own style, or a component class's laid over it, as now styled."""
        key = (component, self.has_focus)
        style = self._styles.get(key)
        if style is None:
            style = self.rich_style
            if component:
                style += self.get_component_rich_style(component)
            self._styles[key] = style
        return style

    def on_unmount(self) -> None:
        """Let go of the rows: Textual may keep a closed screen's widgets a while."""
        self.source = EMPTY
        self._forget()

    def on_focus(self) -> None:
        self.refresh_line(self.cursor_row + 1)

    def on_blur(self) -> None:
        self.refresh_line(self.cursor_row + 1)

    # -- rendering --------------------------------------------------------------------------

    def on_resize(self, event: Resize) -> None:
        self._resize_rows()

    def _page_height(self) -> int:
        """Rows that fit under the header."""
        return max(0, self.scrollable_content_region.height - 1)

    def _resize_rows(self) -> None:
        self.virtual_size = Size(self.scrollable_content_region.width, self.row_count + 1)

    def _forget(self) -> None:
        self._strips.clear()
        self._versions.clear()
        self._window.clear()

    def _row(self, index: int) -> TableRow | None:
        if not 0 <= index < self.row_count:
            return None
        row = self._window.get(index)
        if row is None:
            top = self.scroll_offset.y
            start = top if top <= index < top + self._page_height() else index
            fetched = self.source.rows(start, max(1, self._page_height()))
            self._window = {start + offset: found for offset, found in enumerate(fetched)}
            row = self._window.get(index)
        return row

    def _column_widths(self, width: int) -> tuple[int, ...]:
        """Fixed columns keep their width; the others share what is left by their shares,
        the last of them taking the remainder, none narrower than its `min_width`."""
        if width != self._widths_for:
            left = width - sum(column.width for column in self.columns) - len(GAP) * (len(self.columns) + 1)
            flexible = [column for column in self.columns if not column.width]
            shares = sum(column.share for column in flexible) or 1
            widths, given = [], 0
            for column in self.columns:
                if column.width:
                    widths.append(column.width)
                    continue
                share = left - given if column is flexible[-1] else left * column.share // shares
                widths.append(max(column.min_width, share))
                given += widths[-1]
            self._widths, self._widths_for = tuple(widths), width
        return self._widths

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        if y == 0:
            return self._header(width)
        index = self.scroll_offset.y + y - 1
        row = self._row(index)
        if row is None:
            return Strip.blank(width, self._style())
        cursor = index == self.cursor_row
        key = (row.key, self._versions.get(row.key, 0), width, index & 1, cursor and (1 + self.has_focus))
        strip = self._strips.get(key)
        if strip is None:
            strip = self._strips[key] = self._render_row(row, index, width, cursor)
        return strip

    def _header(self, width: int) -> Strip:
        key = ("header", width)
        strip = self._strips.get(key)
        if strip is None:
            cells = tuple(column.heading for column in self.columns)
            strip = self._strips[key] = self._line(cells, width, " ", self._style("virtual-table--header"), None)
        return strip

    def _render_row(self, row: TableRow, index: int, width: int, cursor: bool) -> Strip:
        style = self._style("virtual-table--odd-row" if self.zebra and index & 1 else "")
        cursor_style = self.get_component_rich_style("virtual-table--cursor") if cursor else None
        return self._line(row.cells, width, CURSOR_MARK if cursor else " ", style, cursor_style)

    def _line(self, cells: Sequence[Cell], width: int, mark: str, style: Style, over: Style | None) -> Strip:
        """One line: the mark, then each cell cut or padded to its column, on `style`, with
        `over` (the cursor's colours) laid over everything."""
        segments = [Segment(mark)]
        for cell, cell_width in zip(cells, self._column_widths(width)):
            if isinstance(cell, Text) and cell.spans:
                segments.extend(self._marked_cell(cell, cell_width))
            elif isinstance(cell, Text):
                cell_style = cell.style if isinstance(cell.style, Style) else Style.parse(cell.style)
                segments.append(Segment(set_cell_size(clip(cell.plain, cell_width), cell_width), cell_style))
            else:
                segments.append(Segment(set_cell_size(clip(cell, cell_width), cell_width)))
            segments.append(Segment(GAP))
        # Runs of one style merged into one segment: each segment costs its style's escape
        # codes again on the wire, which a slow link pays for on every repaint.
        segments = list(Segment.simplify(Segment.apply_style(segments, style, over)))
        return Strip(segments).crop_extend(0, width, style)

    def _marked_cell(self, cell: Text, width: int) -> list[Segment]:
        """A cell whose spans style some of its characters (a search's matches), cut or padded
        to `width` cells with its spans kept. Breaks become spaces one for one rather than
        being collapsed as `clip` does, so the spans still fall on their characters."""
        text = Text(cell.plain.translate(ONE_LINE), style=cell.style, spans=cell.spans, end="")
        text.truncate(width, overflow="ellipsis", pad=True)
        return list(text.render(self.app.console))
