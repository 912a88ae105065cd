"""What a failing SQLite call means to the person at the keyboard.

SQLite reports a full disk, a file or folder that refuses writes, an I/O error and a damaged
file each with its own result code. This module turns those codes into the store's typed
errors, whose message names the file and the way out, so no caller matches on error text
and no traceback (which would carry the customer's text in its local variables) is shown.
Anything else (a constraint, a programming error) is not translated: it is a bug.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from cs_console import paths
from cs_console.storage.errors import Damaged, StoreError, WriteFailed

SQLITE_PERM, SQLITE_BUSY, SQLITE_LOCKED, SQLITE_READONLY, SQLITE_IOERR = 3, 5, 6, 8, 10
SQLITE_CORRUPT, SQLITE_FULL, SQLITE_CANTOPEN, SQLITE_NOTADB = 11, 13, 14, 26
"""SQLite's primary result codes (the low byte of `sqlite3.Error.sqlite_errorcode`)."""

WRITE_REFUSED = frozenset({SQLITE_PERM, SQLITE_READONLY, SQLITE_IOERR, SQLITE_FULL, SQLITE_CANTOPEN})
"""The file or its folder cannot take a write: it will not get better by trying again."""


def store_failure(error: BaseException, path: Path) -> StoreError | None:
    """The store's error for a SQLite error (bare or wrapped by SQLAlchemy), or None for a bug."""
    error = getattr(error, "orig", None) or error
    if not isinstance(error, sqlite3.DatabaseError):
        return None
    code = (getattr(error, "sqlite_errorcode", None) or 0) & 0xFF
    if code == SQLITE_CORRUPT or "malformed" in str(error):
        return Damaged(damaged_message(path, str(error)))
    if code in WRITE_REFUSED:
        return WriteFailed(f"{path}: cannot save ({error}); nothing of this change was written")
    if code in (SQLITE_BUSY, SQLITE_LOCKED):
        return StoreError(f"{path}: held by another program for too long ({error}); nothing was saved, try again")
    return None


def command_for(path: Path, words: str) -> str:
    """`cs-console WORDS`, with `--db PATH` when `path` is not the default database."""
    if path.expanduser().resolve() == paths.default_database().expanduser().resolve():
        return f"cs-console {words}"
    return f"cs-console --db {path} {words}"


def damaged_message(path: Path, detail: str) -> str:
    """One line: which file is damaged, and the two ways out."""
    return (
        f"{path}: the database is damaged ({detail}); see what can be saved: {command_for(path, 'doctor')}, "
        f"or put a backup in its place: {command_for(path, 'restore BACKUP')} "
        f"(daily backups are in {paths.backups_dir(path)})"
    )
