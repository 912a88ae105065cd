"""SQLAlchemy engines on SQLite set up the way both the device store and the server need.

Python's sqlite3 module opens transactions lazily and only before data changes, so a writer
can find the database locked half-way through. These engines issue BEGIN themselves:
`execution_options(sqlite_begin="IMMEDIATE")` takes the write lock at the first statement.
Foreign keys are enforced, and a locked database is waited for, not failed at once.
"""

from __future__ import annotations

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import create_engine

from cs_console.storage.plain import configure


def sqlite_engine(url: str, *, busy_timeout_ms: int, wal: bool = False) -> Engine:
    """An engine for the SQLite database at `url`; `wal` switches the file to write-ahead logging."""
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record) -> None:
        configure(dbapi_connection, busy_timeout_ms)
        if wal:
            dbapi_connection.execute("PRAGMA journal_mode = WAL")

    @event.listens_for(engine, "begin")
    def _begin(connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine
