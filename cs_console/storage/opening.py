"""Making the device's database file ready to open: checked, then upgraded in place.

Everything before an engine, through plain sqlite3: the console does this before its
first screen, and loads SQLAlchemy only after (`cs_console.lazy_store`).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import NamedTuple

from cs_console.storage import migrations
from cs_console.storage.database_file import check_file, check_folder
from cs_console.storage.errors import Damaged, StoreError
from cs_console.storage.failures import store_failure

BUSY_TIMEOUT_MS = 5000
"""How long a writer waits for another (the sync worker, a second window) before failing."""


class Prepared(NamedTuple):
    """A database file ready to open."""

    path: Path
    """The file's path, `~` expanded."""
    pages_checked: bool
    """Whether `quick_check` read every page (a file too big for it at open is not checked)."""


def prepare(path: Path | str, check_pages_up_to: int | None = None) -> Prepared:
    """Check the folder and the file at `path` (its pages when it is at most
    `check_pages_up_to` bytes, `database_file.check_file`), then upgrade the file
    (creating it).

    Raises:
        Damaged: the file is damaged (found by `quick_check` when it is cheap).
        StoreError: the folder cannot be written; the file is unreadable, another
            program's or too new; or it cannot be upgraded (nothing was changed).
    """
    path = Path(path).expanduser()
    check_folder(path.parent)
    pages_checked = check_file(path, check_pages_up_to)
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        connection.execute("PRAGMA journal_mode = WAL")
        migrations.upgrade(connection)
    except sqlite3.DatabaseError as error:
        failure = store_failure(error, path)
        if isinstance(failure, Damaged):
            raise failure from None
        raise StoreError(f"{path}: cannot be upgraded ({error}); nothing was changed") from None
    finally:
        connection.close()
    return Prepared(path, pages_checked)
