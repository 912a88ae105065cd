"""`cs-console kb import`: checked file entries written into the store, each file whole or not at all.

`cs_console.kb.importer` reads and checks the files and merges an entry with its stored
row; this module finds the rows, gives each entry its id (the demo's id for the same key,
so importing the demo's own files updates rows in place) and saves a file's rows in one
transaction. It refuses half a file, and it never deletes: a row missing from a file stays.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cs_console.demo.data_set import demo_id
from cs_console.kb.importer import ID_KINDS, Entry, RefusedFile, importable_files, merged, read_entries, stored_values
from cs_console.storage.models import KbArticle, Macro, Template
from cs_console.utc import utcnow

if TYPE_CHECKING:
    from sqlmodel import SQLModel

    from cs_console.store import Store

MODELS = {"article": KbArticle, "template": Template, "macro": Macro}


@dataclass(frozen=True)
class FileReport:
    path: Path
    added: int
    updated: int
    unchanged: int

    def __str__(self) -> str:
        return f"{self.path}: {self.added} added, {self.updated} updated, {self.unchanged} unchanged"


@dataclass(frozen=True)
class ImportOutcome:
    reports: tuple[FileReport, ...]
    refused: tuple[RefusedFile, ...]


def entry_id(entry: Entry) -> str:
    """The row id of an entry: the one the demo gives the same kind and key."""
    return demo_id(ID_KINDS[entry.kind], entry.key)


def import_paths(store: Store, paths: Iterable[Path], now: datetime | None = None) -> ImportOutcome:
    """Import every file named, and every importable file in each folder named.

    Each file is all or nothing; a refused file does not stop the others.
    """
    reports: list[FileReport] = []
    refused: list[RefusedFile] = []
    for path in paths:
        try:
            files = importable_files(path)
        except RefusedFile as error:
            refused.append(error)
            continue
        for file in files:
            try:
                reports.append(import_file(store, file, now))
            except RefusedFile as error:
                refused.append(error)
    return ImportOutcome(tuple(reports), tuple(refused))


def import_file(store: Store, path: Path, now: datetime | None = None) -> FileReport:
    """Import one file in one transaction, or nothing of it.

    Raises:
        RefusedFile: the file cannot be read or has at least one bad row.
    """
    entries = read_entries(path)
    rows, unchanged = _rows(store, entries, now or utcnow())
    count = store.import_rows(rows, update_existing=True)
    return FileReport(path, count.added, count.updated, unchanged)


def _rows(store: Store, entries: list[Entry], now: datetime) -> tuple[list[SQLModel], int]:
    """The rows to save, and how many entries match their row already."""
    rows: list[SQLModel] = []
    unchanged = 0
    with store.read() as session:
        for entry in entries:
            model, row_id = MODELS[entry.kind], entry_id(entry)
            existing = session.get(model, row_id)
            before = stored_values(existing) if existing is not None else None
            values = merged(entry, before, deleted=existing is not None and existing.deleted)
            if values is None:
                unchanged += 1
                continue
            rows.append(model(id=row_id, updated_at=now, deleted=False, **values))
    return rows, unchanged
