"""What the store raises: one small family under `cs_console.errors.UserError`.

Every refusal of the store (a damaged file, a row that is not there, a change asked of a
read-only session, a value a table does not take) is a sentence a person can act on, so
the entry points print it instead of a traceback. Defined behind the door so that the
modules in `storage/` raise the same classes that `cs_console.store` hands out.
"""

from __future__ import annotations

from cs_console.errors import UserError


class StoreError(UserError):
    """The database cannot be used, or refused a value; the message names what and where."""


class NotFound(StoreError):
    """A row the caller named does not exist (deleted, or never synced here)."""


class ReadOnly(StoreError):
    """A change was asked of a store opened read-only (`cs-console --readonly`)."""


class WriteFailed(StoreError):
    """The file refused a write (read-only file or folder, full disk, I/O error): nothing of
    that change was saved, and later writes will fail the same way until it is fixed."""


class Damaged(StoreError):
    """The database file is damaged: `cs-console doctor` says what can be saved, and
    `cs-console restore` puts a backup in its place."""
