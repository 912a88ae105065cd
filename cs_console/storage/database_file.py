"""Is this a cs-console database, whole, in a folder that can be written?

Asked before the store opens a file, and by `restore` and `doctor` of a file they are handed.
Every check reads only: a refused file is left exactly as it was.
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from cs_console.storage import migrations
from cs_console.storage.errors import Damaged, StoreError
from cs_console.storage.failures import SQLITE_CORRUPT, damaged_message

QUICK_CHECK_MAX_BYTES = 64 * 1024 * 1024
"""Files up to this size get SQLite's `quick_check` at every open: it reads every page, about
2 ms for the demo's 2 MB, 160-200 ms for a 124 MB desk of 20,000 tickets and 2.6 s for the
755 MB of 100,000, so a command stays under about 100 ms of checking. Larger stores are found
damaged when a read meets the damage, and by the console's check after its first screen."""
START_CHECK_MAX_BYTES = 8 * 1024 * 1024
"""The console checks files up to this size at open (about 10 ms of a start, against about
0.4 s for a bare Textual app); larger ones once its first screen shows, in a worker
(`Store.check_pages`), so that a desk of any size starts as fast and is still checked."""


def check_folder(folder: Path) -> None:
    """Create the folder if needed and make sure a file can be created in it.

    SQLite writes its journal beside the database, so a folder that refuses files makes
    every later write fail even when the database file itself is writable.

    Raises:
        StoreError: "cannot write in FOLDER", with the system's reason.
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as error:
        raise StoreError(
            f"cannot write in {folder} ({error.strerror or error}); cs-console keeps its database and journal "
            "there: make the folder writable, or choose another with --db PATH"
        ) from None


def check_file(path: Path, check_pages_up_to: int | None = None) -> bool:
    """Refuse a file that is unreadable, not SQLite, another program's, too new or damaged;
    returns whether its pages were checked.

    A missing file passes (the store creates it: nothing to check). A damaged file is found
    by `quick_check` when the file is at most `check_pages_up_to` bytes (by default
    `QUICK_CHECK_MAX_BYTES`).

    Raises:
        Damaged: the file's pages are damaged.
        StoreError: any other reason the file cannot be the device's database.
    """
    if not path.exists():
        return True
    if path.is_dir():
        raise StoreError(f"{path}: is a folder, not a database file")
    if not os.access(path, os.R_OK | os.W_OK):
        raise StoreError(f"{path}: permission denied (cs-console needs to read and write it)")
    with read_only_connection(path) as probe:
        version, application, tables = _identity(path, probe)
        if tables and application != migrations.APPLICATION_ID:
            raise StoreError(f"{path}: is a SQLite database of another program, not cs-console's")
        if version > migrations.LATEST_VERSION:
            raise StoreError(
                f"{path}: written by a newer cs-console (schema {version}, this one knows up to "
                f"{migrations.LATEST_VERSION}); upgrade cs-console to open it"
            )
        if path.stat().st_size > (QUICK_CHECK_MAX_BYTES if check_pages_up_to is None else check_pages_up_to):
            return False
        problems = integrity_problems(path, probe, quick=True)
        if problems:
            raise Damaged(damaged_message(path, problems[0]))
        return True


def check_backup(path: Path) -> None:
    """Refuse anything but a whole cs-console database (full `integrity_check`, whatever its size).

    Raises:
        StoreError: not a file, not cs-console's, too new, or damaged (named in the message).
    """
    if not path.is_file():
        raise StoreError(f"{path}: no such file")
    with read_only_connection(path) as probe:
        version, application, _tables = _identity(path, probe)
        if application != migrations.APPLICATION_ID:
            raise StoreError(f"{path}: is not a cs-console database")
        if version > migrations.LATEST_VERSION:
            raise StoreError(f"{path}: written by a newer cs-console (schema {version}); upgrade cs-console first")
        problems = integrity_problems(path, probe, quick=False)
    if problems:
        raise StoreError(f"{path}: fails the integrity check ({problems[0]}); it cannot replace the database")


def integrity_problems(path: Path, connection: sqlite3.Connection, *, quick: bool) -> list[str]:
    """What SQLite's `quick_check` (or the full `integrity_check`) finds wrong; empty when whole.

    A file so damaged that the check itself fails gives that failure as its one problem.
    """
    try:
        rows = connection.execute("PRAGMA quick_check" if quick else "PRAGMA integrity_check").fetchall()
    except sqlite3.DatabaseError as error:
        return [str(error)]
    problems = [row[0] for row in rows]
    return [] if problems == ["ok"] else problems


@contextmanager
def read_only_connection(path: Path) -> Iterator[sqlite3.Connection]:
    """A connection that reads `path` without creating or changing it.

    Raises:
        StoreError: SQLite cannot open it.
    """
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as error:
        raise StoreError(f"{path}: cannot be opened ({error})") from None
    try:
        yield connection
    finally:
        connection.close()


def _identity(path: Path, probe: sqlite3.Connection) -> tuple[int, int, int]:
    """The schema version, the application id and the number of schema entries."""
    try:
        version = probe.execute("PRAGMA user_version").fetchone()[0]
        application = probe.execute("PRAGMA application_id").fetchone()[0]
        tables = probe.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
    except sqlite3.DatabaseError as error:
        if (getattr(error, "sqlite_errorcode", 0) or 0) & 0xFF == SQLITE_CORRUPT:
            raise Damaged(damaged_message(path, str(error))) from None
        raise StoreError(f"{path}: not a usable database ({error}); the file was left untouched") from None
    return version, application, tables
