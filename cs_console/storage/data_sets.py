"""Whole data sets in one transaction: the demo, a knowledge-base import, a generated history.

An import is a local change like any other (every row to the outbox); a bulk load is rows
that exist upstream already, as a first sync would bring them, so it goes to no outbox.
The demo goes to no outbox either, and marks the database as a demo database, which never
syncs: fake agents, customers and tickets must not reach a real server, nor anything typed
on them. Where the rows come from (files, the demo generator) is the caller's, not this module's.

Methods of `cs_console.store.Store`, which writes through `_insert` and `_update`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert
from sqlmodel import SQLModel, select

from cs_console.storage.columns import row_payload
from cs_console.storage.errors import StoreError
from cs_console.storage.models import OutboxOp, Ticket

DEMO_MARK = "demo"
"""The meta key set in a database that holds the demo."""


@dataclass(frozen=True)
class ImportCount:
    added: int
    updated: int


class DataSets:
    """Saving many rows at once, all or nothing."""

    def import_rows(self, rows: Iterable[SQLModel], *, update_existing: bool = False) -> ImportCount:
        """Save a data set (the demo, a knowledge-base import) in one transaction.

        Rows whose id is new are inserted; existing rows are kept as they are, or, with
        `update_existing`, get the fields that differ. Everything goes to the outbox.
        """
        added = updated = 0
        with self.write() as session:
            for row in rows:
                existing = session.get(type(row), row.id)
                if existing is None:
                    self._insert(session, row)
                    session.flush()
                    added += 1
                elif update_existing:
                    changes = {
                        name: value
                        for name, value in row_payload(row).items()
                        if name not in ("id", "field_clocks") and row_payload(existing)[name] != value
                    }
                    if changes:
                        self._update(session, existing, {name: getattr(row, name) for name in changes})
                        updated += 1
        return ImportCount(added, updated)

    def holds_demo(self) -> bool:
        """The database holds the demo data (`load_demo_rows`), so it never syncs."""
        with self.read() as session:
            return self._meta(session, DEMO_MARK) is not None

    def load_demo_rows(self, rows: Iterable[SQLModel]) -> int:
        """Save the demo in one transaction, to no outbox, and mark the database as a demo
        database; rows already there are kept. Returns the rows added.

        Raises:
            StoreError: the database holds work of its own (tickets, changes made here,
                or a sync with a server) and is not a demo database; nothing was added.
        """
        added = 0
        with self.write() as session:
            if self._meta(session, DEMO_MARK) is None and (
                self._meta(session, "sync.last_at") is not None
                or any(session.exec(select(func.count()).select_from(model)).one() for model in (Ticket, OutboxOp))
            ):
                raise StoreError(f"{self.path}: holds work of its own, and a database with the demo never syncs; "
                                 "load the demo into another one: cs-console --db PATH demo")
            self._set_meta(session, DEMO_MARK, "1")
            for row in rows:
                if session.get(type(row), row.id) is None:
                    session.add(row)
                    session.flush()
                    added += 1
        return added

    def bulk_load(self, model: type[SQLModel], rows: Sequence[dict]) -> None:
        """Insert many rows that exist upstream already, in one transaction, as a sync would
        bring them down: they are not local changes, so they go to no outbox. For large
        generated histories (benchmarks, trials); columns a row leaves out take the model's
        plain defaults."""
        defaults = {
            name: info.default
            for name, info in model.model_fields.items()
            if info.default_factory is None and not info.is_required()
        }
        with self.write() as session:
            session.execute(insert(model.__table__), [{**defaults, **row} for row in rows])
