"""The base of the lead's tables (the team board, the ticket lists), which are redrawn on
every tick: on a slow link only the cells that changed may be sent again."""

from __future__ import annotations

from textual.widgets import DataTable


class SteadyTable(DataTable):
    """A small table that repaints only the cells whose text changed, keeping the cursor on
    the same row when rows come and go. Used for lists that stay small (a team, one agent's
    queue, the breaches); the long lists use virtual lists."""

    def __init__(self, **kwargs) -> None:
        super().__init__(cursor_type="row", zebra_stripes=True, **kwargs)
        self._keys: list[str] = []
        self._cells: dict[str, tuple] = {}
        self.column_keys: list[str] = []

    def set_columns(self, columns: list[tuple[str, str]]) -> None:
        for key, heading in columns:
            self.add_column(heading, key=key)
        self.column_keys = [key for key, _ in columns]

    @property
    def keys(self) -> tuple[str, ...]:
        """The row keys, top to bottom."""
        return tuple(self._keys)

    def current_key(self) -> str | None:
        if not self._keys or not 0 <= self.cursor_row < len(self._keys):
            return None
        return self._keys[self.cursor_row]

    def show_rows(self, rows: list[tuple[str, tuple]]) -> None:
        keys = [key for key, _ in rows]
        if keys == self._keys:
            for key, cells in rows:
                for column, before, after in zip(self.column_keys, self._cells[key], cells):
                    if str(before) != str(after) or getattr(before, "style", None) != getattr(after, "style", None):
                        self.update_cell(key, column, after)
        else:
            current = self.current_key()
            self.clear()
            for key, cells in rows:
                self.add_row(*cells, key=key)
            if current in keys:
                self.move_cursor(row=keys.index(current))
        self._keys = keys
        self._cells = dict(rows)
