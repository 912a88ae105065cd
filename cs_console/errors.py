"""The one family of errors a user reads.

Every error that reaches a person (a bad setting, a refused change, a damaged database, a
missing part of the installation) derives from `UserError`, and its message is the whole
sentence that person reads: what is wrong and where. Entry points catch `UserError` once,
print it and exit non-zero; anything else is a bug and keeps its traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """A failure the user can act on; `str(error)` is the sentence they read."""


class InstallationError(UserError):
    """A file the installation should carry is missing: reinstall, don't retry."""
