"""SQLite through the sqlite3 module alone, for the reads and writes that skip the ORM.

Long lists (a queue of 100,000 tickets) and the console's first screen read plain tuples:
the ORM's rows cost too much to build, and SQLAlchemy too much to import before the first
paint. Connections here are set up as `storage.engine`'s are, so both see one database
the same way. Imports nothing of SQLAlchemy.
"""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

ID_CHUNK = 500
"""Ids per `IN (...)` list, well under SQLite's limit on bound parameters."""


def configure(connection: sqlite3.Connection, busy_timeout_ms: int) -> None:
    """Transactions begun explicitly, a locked database waited for, foreign keys enforced."""
    connection.isolation_level = None
    connection.execute(f"PRAGMA busy_timeout = {busy_timeout_ms}")
    connection.execute("PRAGMA foreign_keys = ON")
    connection.execute("PRAGMA synchronous = NORMAL")


def connect(path: Path, busy_timeout_ms: int) -> sqlite3.Connection:
    """A connection to the database file at `path`, usable from any one thread at a time."""
    connection = sqlite3.connect(path, timeout=busy_timeout_ms / 1000, check_same_thread=False)
    configure(connection, busy_timeout_ms)
    return connection


def utc_from_text(text: str) -> datetime:
    """A time column read without the ORM (a long list): `utc.from_text`'s answer,
    several times faster, which counts at 100,000 rows."""
    return datetime.fromisoformat(text + "+00:00")
