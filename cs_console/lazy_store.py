"""The store as the console opens it: the first screen before SQLAlchemy.

SQLAlchemy, SQLModel and the table classes take about a quarter of a second to import,
more than a bare Textual app takes to start. The console's first screen needs none of it:
who works here and the queue's rows read through plain sqlite3 (`storage.first_screen`,
`storage.queue_rows`). So `cs-console` opens a `LazyStore`: the file is checked and
upgraded at once (a damaged or foreign file is refused before anything shows; its pages
are read only when that is cheap, and the console checks a larger file once its first
screen shows, `Store.check_pages`), those
reads answer from it directly, and the full `Store` is opened on the first call for
anything else, which a screen makes from a thread worker once its rows are on screen.
From then on every call, the plain reads included, goes through the full store, so
there is one door, one read-only flag and one record of a failure.

It refuses to be used from the event loop for anything but the first screen's reads and
the read-only flags: anything else may wait for the import.
"""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from cs_console.storage.database_file import START_CHECK_MAX_BYTES
from cs_console.storage.errors import StoreError
from cs_console.storage.first_screen import FirstScreenReads
from cs_console.storage.in_use import InUse
from cs_console.storage.opening import BUSY_TIMEOUT_MS, prepare
from cs_console.storage.plain import connect
from cs_console.storage.queue_rows import QueueRows

if TYPE_CHECKING:
    from cs_console.store import Store


class LazyStore(FirstScreenReads, QueueRows):
    """A `Store` whose ORM side opens on first use; every attribute it lacks is the full store's."""

    def __init__(self, path: Path, in_use: InUse | None = None, pages_checked: bool = False) -> None:
        self.path = path
        self._in_use = in_use
        self._lock = threading.Lock()
        self._store: Store | None = None
        self._readonly = False
        self._pages_checked = pages_checked
        self._own_lock = threading.Lock()
        self._connection: sqlite3.Connection | None = None

    @classmethod
    def open(cls, path: Path | str) -> LazyStore:
        """Check, upgrade and mark in use the database at `path`, as `Store.open` does.

        Raises:
            Damaged: the file is damaged (found by `quick_check` if the file is at most
                `START_CHECK_MAX_BYTES`).
            StoreError: the folder cannot be written; the file is unreadable, another
                program's or too new.
        """
        path, pages_checked = prepare(path, START_CHECK_MAX_BYTES)
        return cls(path, InUse.hold(path), pages_checked)

    def loaded(self) -> Store:
        """The full store, opened on the first call (which imports SQLAlchemy: call from a
        thread worker)."""
        with self._lock:
            if self._store is None:
                from cs_console.store import Store

                store = Store.on_prepared(self.path)
                store.readonly = self._readonly
                store.pages_checked = self._pages_checked
                self._store = store
            return self._store

    def __getattr__(self, name: str):
        if name.startswith("__") or name in ("_lock", "_store", "_own_lock", "_connection"):
            raise AttributeError(name)  # copying, pickling, or a half-built instance
        return getattr(self.loaded(), name)

    @property
    def readonly(self) -> bool:
        """`Store.readonly`: refuse every change a person makes."""
        return self._store.readonly if self._store is not None else self._readonly

    @readonly.setter
    def readonly(self, value: bool) -> None:
        self._readonly = value
        if self._store is not None:
            self._store.readonly = value

    @property
    def pages_checked(self) -> bool:
        """`Store.pages_checked`: `quick_check` has read every page since the file was opened."""
        return self._store.pages_checked if self._store is not None else self._pages_checked

    @property
    def stopped_by(self) -> StoreError | None:
        """`Store.stopped_by`: the failure that made the store read-only, if one did."""
        return self._store.stopped_by if self._store is not None else None

    def stop_checking_pages(self) -> None:
        """`Store.stop_checking_pages`; nothing to stop before the full store opens."""
        if self._store is not None:
            self._store.stop_checking_pages()

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
        if self._store is not None:
            self._store.close()
        if self._in_use is not None:
            self._in_use.release()

    def _plain_reads(self) -> AbstractContextManager[sqlite3.Connection]:
        return self._store._plain_reads() if self._store is not None else self._own("BEGIN")

    def _plain_write(self) -> AbstractContextManager[sqlite3.Connection]:
        return self._store._plain_write() if self._store is not None else self._own("BEGIN IMMEDIATE")

    @contextmanager
    def _own(self, begin: str) -> Iterator[sqlite3.Connection]:
        """One transaction on a connection of its own, until the full store is open. It
        stays open, one thread at a time: closing the last connection to the file
        checkpoints its log, 14 ms a time on the demo store. A failure is the full
        store's to judge (it stops writing on a damaged file)."""
        with self._own_lock:
            try:
                if self._connection is None:
                    self._connection = connect(self.path, BUSY_TIMEOUT_MS)
                connection = self._connection
                connection.execute(begin)
            except sqlite3.DatabaseError as error:
                raise self.loaded()._failure(error) from None
            try:
                yield connection
                connection.execute("COMMIT")
            except sqlite3.DatabaseError as error:
                raise self.loaded()._failure(error) from None
            finally:
                if connection.in_transaction:
                    connection.rollback()
