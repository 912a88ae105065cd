"""What is left in a damaged database, and a copy of it in a new file.

`examine` runs SQLite's full integrity check and counts, table by table, the rows that can
still be read; `recover` copies those rows into a new file with the same schema, which
`restore` can then put in place. Neither ever writes to the file examined.

Rows are read in rowid order; where a damaged page stops the scan, each following rowid is
looked up alone until reading works again, so rows on whole pages after the damage are kept.
The full-text indexes are not rows anyone typed: they are left out of the count and built
again in the copy from the rows recovered.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from cs_console.storage.database_file import integrity_problems, read_only_connection
from cs_console.storage.errors import StoreError
from cs_console.storage.migrations import FULL_TEXT_INDEXES, ORGANISATION_SEARCHED, full_text_statements

BATCH_ROWS = 500
"""Rows per range read while the scan goes well."""
MAX_CELLS_PER_PAGE_SHARE = 4
"""When the largest rowid cannot be read, rowids are tried up to `pages * page_size / 4`: no
page holds more rows than that, so no readable row is missed."""


@dataclass(frozen=True)
class TableRows:
    name: str
    readable: int
    damaged: bool
    """Some of the table's pages could not be read: rows may be missing."""


@dataclass(frozen=True)
class Examination:
    path: Path
    problems: tuple[str, ...]
    """What `integrity_check` found; empty when the file is whole."""
    tables: tuple[TableRows, ...]
    schema_readable: bool


def examine(path: Path) -> Examination:
    """Check `path` and count what can still be read, without changing it.

    Raises:
        StoreError: the file does not exist or cannot be opened at all.
    """
    _must_exist(path)
    with read_only_connection(path) as connection:
        problems = tuple(integrity_problems(path, connection, quick=False))
        schema = _schema(connection)
        if schema is None:
            return Examination(path, problems, (), schema_readable=False)
        tables = tuple(_count(connection, name) for name, _sql in _data_tables(schema))
    return Examination(path, problems, tables, schema_readable=True)


def recover(path: Path, target: Path) -> tuple[TableRows, ...]:
    """Copy every readable row of `path` into the new file `target`, with the same schema,
    schema version and application id; returns what each table got.

    Raises:
        StoreError: `target` exists, the schema of `path` cannot be read, or `target`
            cannot be written.
    """
    _must_exist(path)
    if target.exists():
        raise StoreError(f"{target}: already exists; name a new file for the recovered database")
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    try:
        with read_only_connection(path) as source:
            schema = _schema(source)
            if schema is None:
                raise StoreError(f"{path}: its list of tables cannot be read; nothing can be recovered, "
                                 "restore a backup instead")
            version = _header_number(source, "user_version")
            application = _header_number(source, "application_id")
            copy = sqlite3.connect(partial, isolation_level=None)
            try:
                copied = _copy(source, copy, schema)
                copy.execute(f"PRAGMA user_version = {version}")
                copy.execute(f"PRAGMA application_id = {application}")
            finally:
                copy.close()
        os.replace(partial, target)
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise StoreError(f"cannot write {target} ({error})") from None
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise StoreError(f"cannot write {target} ({error.strerror or error})") from None
    return copied


def _copy(source: sqlite3.Connection, copy: sqlite3.Connection,
          schema: list[tuple[str, str, str]]) -> tuple[TableRows, ...]:
    """Tables first, with their rows, then indexes, triggers and views. An index the copied
    rows cannot satisfy is left out rather than failing the whole recovery."""
    copied = []
    copy.execute("BEGIN")
    for name, sql in _data_tables(schema):
        copy.execute(sql)
        columns = len(source.execute(f'PRAGMA table_info("{name}")').fetchall())
        insert = f'INSERT OR IGNORE INTO "{name}" VALUES ({", ".join("?" * columns)})'
        counter = _Counter()
        copy.executemany(insert, counter.walk(_readable_rows(source, name)))
        copied.append(TableRows(name, counter.rows, counter.damaged))
    for sql in (sql for kind, _name, sql in schema if kind != "table"):
        try:
            copy.execute(sql)
        except sqlite3.Error:
            pass
    if _full_text_tables(schema):
        for statement in FULL_TEXT_INDEXES:
            copy.execute(statement)
        if any(name == "contact" for kind, name, _sql in schema if kind == "table"):
            for statement in full_text_statements(ORGANISATION_SEARCHED):
                copy.execute(statement)
    copy.execute("COMMIT")
    return tuple(copied)


def _full_text_tables(schema: list[tuple[str, str, str]]) -> set[str]:
    """The virtual tables (the full-text indexes and their vocabularies) and the tables
    SQLite keeps for them."""
    virtual = [name for kind, name, sql in schema if kind == "table" and sql.upper().startswith("CREATE VIRTUAL")]
    return {name for kind, name, _sql in schema
            if kind == "table" and any(name == v or name.startswith(f"{v}_") for v in virtual)}


def _data_tables(schema: list[tuple[str, str, str]]) -> list[tuple[str, str]]:
    """(name, sql) of the tables that hold rows, full-text indexes left out."""
    indexes = _full_text_tables(schema)
    return [(name, sql) for kind, name, sql in schema if kind == "table" and name not in indexes]


class _Counter:
    """Counts the rows a walk yields and notes whether it met damage."""

    def __init__(self) -> None:
        self.rows = 0
        self.damaged = False

    def walk(self, rows: Iterator[tuple | None]) -> Iterator[tuple]:
        for row in rows:
            if row is None:
                self.damaged = True
                continue
            self.rows += 1
            yield row


def _count(connection: sqlite3.Connection, name: str) -> TableRows:
    counter = _Counter()
    for _row in counter.walk(_readable_rows(connection, name)):
        pass
    return TableRows(name, counter.rows, counter.damaged)


def _readable_rows(connection: sqlite3.Connection, table: str) -> Iterator[tuple | None]:
    """Every row of `table` that can be read, in rowid order; None once per damaged stretch."""
    last = -(2**63)
    top = _top_rowid(connection, table)
    while last < top:
        try:
            cursor = connection.execute(
                f'SELECT rowid, * FROM "{table}" WHERE rowid > ? ORDER BY rowid LIMIT {BATCH_ROWS}', (last,))
            count = 0
            for row in cursor:
                last = row[0]
                count += 1
                yield row[1:]
            if count < BATCH_ROWS:
                return
            continue
        except sqlite3.DatabaseError:
            yield None
        last = yield from _step_past_damage(connection, table, last, top)


def _step_past_damage(connection: sqlite3.Connection, table: str, last: int, top: int) -> Iterator[tuple]:
    """Look rowids up one by one after `last` until a lookup works; returns that rowid."""
    rowid = max(last, 0)
    while rowid < top:
        rowid += 1
        try:
            row = connection.execute(f'SELECT * FROM "{table}" WHERE rowid = ?', (rowid,)).fetchone()
        except sqlite3.DatabaseError:
            continue
        if row is not None:
            yield row
        return rowid
    return top


def _top_rowid(connection: sqlite3.Connection, table: str) -> int:
    try:
        top = connection.execute(f'SELECT max(rowid) FROM "{table}"').fetchone()[0]
        return top if top is not None else 0
    except sqlite3.DatabaseError:
        pages = _header_number(connection, "page_count")
        size = _header_number(connection, "page_size")
        return pages * size // MAX_CELLS_PER_PAGE_SHARE


def _schema(connection: sqlite3.Connection) -> list[tuple[str, str, str]] | None:
    """(type, name, sql) of every table, index, trigger and view the file defines, tables
    first; None when the schema cannot be read."""
    try:
        return connection.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
            "ORDER BY CASE type WHEN 'table' THEN 0 ELSE 1 END, rowid").fetchall()
    except sqlite3.DatabaseError:
        return None


def _header_number(connection: sqlite3.Connection, pragma: str) -> int:
    try:
        return connection.execute(f"PRAGMA {pragma}").fetchone()[0]
    except sqlite3.DatabaseError:
        return 0


def _must_exist(path: Path) -> None:
    if not path.is_file():
        raise StoreError(f"{path}: no such file")
