"""The line-API table: it asks for the rows on screen only, moves its cursor by keyboard,
says which row was chosen, and repaints one row when one row changes."""

from __future__ import annotations

from rich.text import Text
from textual.app import App, ComposeResult

from cs_console.widgets.virtual_table import (
    Column,
    SequenceRows,
    TableRow,
    VirtualTable,
)

COLUMNS = (Column("number", "No", 6), Column("name", "Name", share=1, min_width=4),
           Column("note", "Note", share=2, min_width=4))
ROWS = 100_000


class CountingSource:
    """A hundred thousand rows made on demand, counting what the table asked for."""

    def __init__(self, count: int = ROWS) -> None:
        self.count = count
        self.asked: list[tuple[int, int]] = []
        self.names: dict[int, str] = {}

    @property
    def row_count(self) -> int:
        return self.count

    def rows(self, offset: int, limit: int) -> list[TableRow]:
        self.asked.append((offset, limit))
        return [TableRow(f"k{index}", (f"{index:06d}", self.names.get(index, f"name {index}"), "台风延误 delay claim"))
                for index in range(offset, min(self.count, offset + limit))]

    def index_of(self, key: str) -> int | None:
        index = int(key[1:])
        return index if index < self.count else None


class TableApp(App):
    def __init__(self, source) -> None:
        super().__init__()
        self.source = source
        self.chosen: list[tuple[int, str]] = []

    def compose(self) -> ComposeResult:
        yield VirtualTable(COLUMNS, id="table")

    def on_mount(self) -> None:
        table = self.query_one(VirtualTable)
        table.show(self.source)
        table.focus()

    def on_virtual_table_row_selected(self, event: VirtualTable.RowSelected) -> None:
        self.chosen.append((event.index, event.key))


def line_text(table: VirtualTable, y: int) -> str:
    return table.render_line(y).text


async def test_only_the_rows_on_screen_are_asked_for():
    source = CountingSource()
    app = TableApp(source)
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        table = app.query_one(VirtualTable)
        assert table.row_count == ROWS
        assert source.asked and max(limit for _, limit in source.asked) <= 12
        assert line_text(table, 0).startswith(" No")
        assert line_text(table, 1).startswith(">000000")
        assert line_text(table, 2).startswith(" 000001")


async def test_keys_move_the_cursor_and_the_view_follows():
    app = TableApp(CountingSource())
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(VirtualTable)
        page = len(table.visible_range())
        await pilot.press("down", "down")
        assert table.cursor_row == 2
        await pilot.press("pagedown")
        assert table.cursor_row == 2 + page
        await pilot.press("end")
        await pilot.pause()
        assert table.cursor_row == ROWS - 1
        assert ROWS - 1 in table.visible_range()
        assert line_text(table, len(table.visible_range())).startswith(f">{ROWS - 1:06d}")
        await pilot.press("up")
        assert table.cursor_row == ROWS - 2
        await pilot.press("home")
        await pilot.pause()
        assert table.cursor_row == 0 and table.scroll_offset.y == 0


async def test_enter_posts_the_key_of_the_cursor_row():
    app = TableApp(CountingSource())
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.press("end", "up", "enter")
        await pilot.pause()
        assert app.chosen == [(ROWS - 2, f"k{ROWS - 2}")]


async def test_refresh_row_repaints_that_row_only():
    source = CountingSource()
    app = TableApp(source)
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        table = app.query_one(VirtualTable)
        before = [table.render_line(y) for y in range(1, 6)]
        source.names[3] = "renamed"
        repainted: list[int] = []
        original = table.refresh_line
        table.refresh_line = lambda y: (repainted.append(y), original(y))
        table.refresh_row("k3")
        assert repainted == [4], "one line: the header is line 0, row 3 is line 4"
        after = [table.render_line(y) for y in range(1, 6)]
        assert "renamed" in after[3].text and "renamed" not in before[3].text
        assert all(after[i] is before[i] for i in (0, 1, 2, 4)), "the other rows come from the cache"


async def test_show_keeps_the_cursor_on_its_row_when_rows_move():
    rows = [f"t{index}" for index in range(50)]
    source = SequenceRows(rows, lambda key: (key, "", ""), key=str)
    app = TableApp(source)
    async with app.run_test(size=(60, 12)) as pilot:
        table = app.query_one(VirtualTable)
        table.move_cursor(30)
        rows.reverse()
        table.show(source, keep="t30")
        await pilot.pause()
        assert table.cursor_key == "t30" and table.cursor_row == 19


async def test_lines_fit_the_width_with_wide_characters_and_styled_cells():
    rows = ["台风延误 typhoon delay claim for the whole voyage"]
    source = SequenceRows(rows, lambda text: ("1", Text(text, style="bold red"), text), key=str)
    app = TableApp(source)
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        table = app.query_one(VirtualTable)
        width = table.scrollable_content_region.width
        for y in range(3):
            assert table.render_line(y).cell_length == width
        assert "…" in line_text(table, 1)
        assert table.cell_text(0, "name") == rows[0]


async def test_a_cells_marked_characters_keep_their_style_when_the_cell_is_cut():
    """A search result's matched characters stay marked (underlined) in the table, on the
    cursor's row too, and a cut title still fills exactly its column."""
    title = Text("台风延误\nclaim for a typhoon delay on the whole of the long voyage")
    title.stylize("underline", 0, 4)
    title.stylize("underline", 19, 26)
    rows = ["first", "second"]
    source = SequenceRows(rows, lambda key: (key, title, "note"), key=str)
    app = TableApp(source)
    async with app.run_test(size=(40, 8)) as pilot:
        await pilot.pause()
        table = app.query_one(VirtualTable)
        width = table.scrollable_content_region.width
        for y in (1, 2):
            line = table.render_line(y)
            assert line.cell_length == width and "\n" not in line.text
            marked = "".join(segment.text for segment in line if segment.style and segment.style.underline)
            assert marked == "台风延误", "the cut drops the second match, not the first"
            assert "…" in line.text
        assert table.cell_text(1, "name") == title.plain


async def test_a_line_sends_each_style_once():
    """Every segment costs its style's escape codes on the wire again: a row of plain cells
    must not repeat one style segment after segment (a slow link pays for each)."""
    app = TableApp(CountingSource())
    async with app.run_test(size=(60, 12)) as pilot:
        await pilot.pause()
        table = app.query_one(VirtualTable)
        for y in range(3):
            styles = [segment.style for segment in table.render_line(y)]
            assert all(before != after for before, after in zip(styles, styles[1:])), f"line {y}: {styles}"
            assert len(styles) <= 2, f"line {y}: one style for the text, one for what pads it at most"
