"""Backups of a SQLite database, and putting one back.

A backup is made with SQLite's online backup API in one step: it reads one snapshot, so the
copy is consistent while the console (or the sync server) goes on writing, and in WAL mode
it holds no lock a writer waits for. The copy is written beside its target and renamed into
place, so a half-made copy never looks like a backup. `restore` checks the file it is given
(a whole cs-console database) and keeps the file it replaces; it refuses while a store has
the database open (`in_use`).

The device keeps daily backups in `backups/` beside its database (`paths.backups_dir`), named
by the time they were taken, the newest few kept.
"""

from __future__ import annotations

import os
import re
import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

from cs_console import paths
from cs_console.storage.database_file import check_backup, check_folder, read_only_connection
from cs_console.storage.errors import StoreError
from cs_console.storage.failures import store_failure
from cs_console.storage.in_use import InUse

KEEP_DAILY = 7
"""Daily backups kept: a week to notice that something went wrong."""
DAILY_EVERY = timedelta(days=1)
STAMP_FORMAT = "%Y%m%d-%H%M%S"
SIDECARS = ("-wal", "-shm")
"""SQLite's files beside a database in WAL mode; they travel with it when it is set aside."""


def backup_name(database: Path, now: datetime) -> str:
    """`<stem>-<UTC time>.db`: the name of a backup taken `now` (aware, UTC)."""
    return f"{database.stem}-{now:{STAMP_FORMAT}}.db"


def back_up(source: Path, target: Path) -> Path:
    """Copy the database at `source` to the file `target`; returns `target`.

    Raises:
        Damaged: the source is damaged.
        StoreError: the source cannot be read or the target cannot be written (named).
    """
    if target.resolve() == source.resolve():
        raise StoreError(f"{target}: is the database itself; name another file for the backup")
    partial = target.with_name(target.name + ".partial")
    try:
        with read_only_connection(source) as connection:
            copy = sqlite3.connect(partial)
            try:
                connection.backup(copy)
            finally:
                copy.close()
        os.replace(partial, target)
    except sqlite3.Error as error:
        partial.unlink(missing_ok=True)
        raise store_failure(error, source) or StoreError(f"{source}: cannot be copied ({error})") from None
    except OSError as error:
        partial.unlink(missing_ok=True)
        raise StoreError(f"cannot write the backup {target} ({error.strerror or error})") from None
    return target


def daily_backups(database: Path) -> list[Path]:
    """The database's automatic backups, oldest first."""
    pattern = re.compile(rf"{re.escape(database.stem)}-(\d{{8}}-\d{{6}})\.db")
    folder = paths.backups_dir(database)
    if not folder.is_dir():
        return []
    found = [path for path in folder.iterdir() if pattern.fullmatch(path.name)]
    return sorted(found, key=lambda path: path.name)


def back_up_daily(database: Path, now: datetime, keep: int = KEEP_DAILY) -> Path | None:
    """Take today's backup unless the newest is less than a day old; returns it, or None
    when none was due.

    Raises:
        StoreError: the database cannot be read or the backups folder written.
    """
    existing = daily_backups(database)
    if existing and now - _taken_at(database, existing[-1]) < DAILY_EVERY:
        return None
    return back_up_to_folder(database, now, keep)


def back_up_to_folder(database: Path, now: datetime, keep: int = KEEP_DAILY) -> Path:
    """A backup in the backups folder now, then all but the newest `keep` dropped.

    Raises:
        StoreError: the database cannot be read or the backups folder written.
    """
    folder = paths.backups_dir(database)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise StoreError(f"cannot write in {folder} ({error.strerror or error}); no backup was made") from None
    made = back_up(database, folder / backup_name(database, now))
    for old in daily_backups(database)[:-keep]:
        old.unlink(missing_ok=True)
    return made


def restore(backup: Path, database: Path, now: datetime) -> Path | None:
    """Put the backup in place of the database; returns where the replaced file was set
    aside (None when there was none).

    Raises:
        StoreError: the backup is not a whole cs-console database, or a store has the
            database open (a running console), or a file cannot be moved; the database is
            then as it was.
    """
    if backup.resolve() == database.resolve():
        raise StoreError(f"{backup}: is the database itself; name a backup to restore")
    check_backup(backup)
    check_folder(database.parent)
    held = InUse.take_alone(database)
    if held is None:
        raise StoreError(f"{database}: is open in a running cs-console; quit it, then restore")
    try:
        aside = None
        if database.exists():
            aside = database.with_name(f"{database.name}.replaced-{now:{STAMP_FORMAT}}")
            _move(database, aside)
        try:
            back_up(backup, database)
        except StoreError:
            if aside is not None:
                _move(aside, database)
            raise
        return aside
    finally:
        held.release()


def _move(source: Path, target: Path) -> None:
    """Rename a database with its WAL sidecars, so the moved file keeps its last commits."""
    try:
        os.replace(source, target)
        for suffix in SIDECARS:
            sidecar = source.with_name(source.name + suffix)
            if sidecar.exists():
                os.replace(sidecar, target.with_name(target.name + suffix))
    except OSError as error:
        raise StoreError(f"cannot move {source} to {target} ({error.strerror or error})") from None


def _taken_at(database: Path, backup: Path) -> datetime:
    stamp = backup.name[len(database.stem) + 1 : -len(".db")]
    return datetime.strptime(stamp, STAMP_FORMAT).replace(tzinfo=timezone.utc)
