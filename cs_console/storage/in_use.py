"""Who has a database open: a shared advisory lock on the file while a store is open.

`restore` replaces the file; a console still holding the old one would go on writing to the
copy set aside. So every open store holds a shared `flock` on the database file, and
`restore` asks for it exclusively and refuses when it cannot have it. SQLite's own locks are
POSIX record locks, which `flock` does not touch. Where `fcntl` is missing (Windows) nothing
is detected: close the console before restoring (the README says so).
"""

from __future__ import annotations

import os
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows
    fcntl = None


class InUse:
    """A lock held on a database file until `release()`."""

    def __init__(self, descriptor: int | None) -> None:
        self._descriptor = descriptor

    @classmethod
    def hold(cls, path: Path) -> InUse | None:
        """Say "open here" for as long as the store is open (shared: many stores may hold it);
        None while a restore has the file."""
        return cls._take(path, fcntl.LOCK_SH if fcntl else 0)

    @classmethod
    def take_alone(cls, path: Path) -> InUse | None:
        """The lock for this process alone, or None when a store has the file open."""
        return cls._take(path, fcntl.LOCK_EX if fcntl else 0)

    @classmethod
    def _take(cls, path: Path, mode: int) -> InUse | None:
        if fcntl is None or not path.exists():
            return cls(None)
        descriptor = os.open(path, os.O_RDONLY)
        try:
            fcntl.flock(descriptor, mode | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            return None
        return cls(descriptor)

    def release(self) -> None:
        if self._descriptor is not None:
            os.close(self._descriptor)
            self._descriptor = None
