"""What a link may spend on attached files, from the `[attachments]` table of the config.

    [attachments]
    max_file_kb = 25600      # refuse to attach a bigger file
    daily_kb = 0             # bytes of files sent per day (UTC); 0: no limit
    defer_above_kb = 512     # a bigger file waits for a fast link, or for "send now"
    fast_link_kbit = 64      # what a fast link is, as the console measured its syncs
    auto_download_kb = 64    # others' files up to this size come down with the sync
    photo_max_px = 0         # photos larger than this (either side) are scaled down when attached;
                             # 0 keeps them as taken (needs Pillow: pip install 'cs-console[photos]')

Pure: it decides from the numbers it is given (the measured speed, what was sent today),
and refuses to read the store or the network.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cs_console.errors import UserError

KB = 1024


class BudgetError(UserError, ValueError):
    """A setting of `[attachments]` is invalid; the message names it."""


@dataclass(frozen=True)
class Budget:
    max_file_bytes: int = 25_600 * KB
    """25 MiB, the server's default limit too."""
    daily_bytes: int = 0
    """0: no daily limit."""
    defer_above_bytes: int = 512 * KB
    """A photo from a phone (2-6 MB) waits for a fast link; a one-page PDF (100-300 KB) goes."""
    fast_link_bytes_per_second: float = 64_000 / 8
    """64 kbit/s: a 2 MB photo in about four minutes."""
    auto_download_bytes: int = 64 * KB
    photo_max_px: int = 0
    """The longest side a photo keeps when attached; 0: photos are kept as taken."""

    def deferral(self, size: int, *, send_now: bool, speed: float | None, sent_today: int) -> str | None:
        """Why a file of `size` bytes waits, or None when it may go now."""
        if send_now:
            return None
        if self.daily_bytes and sent_today + size > self.daily_bytes:
            return f"over today's budget ({sent_today // KB} of {self.daily_bytes // KB} KB sent)"
        if size > self.defer_above_bytes and (speed is None or speed < self.fast_link_bytes_per_second):
            return f"over {self.defer_above_bytes // KB} KB, waits for a fast link"
        return None

    def size_problem(self, size: int) -> str | None:
        """Why a file of `size` bytes may not be attached, or None."""
        if size > self.max_file_bytes:
            return (f"the file is {size // KB:,} KB; attachments.max_file_kb allows at most "
                    f"{self.max_file_bytes // KB:,} KB")
        return None


_SETTINGS = {"max_file_kb": "max_file_bytes", "daily_kb": "daily_bytes", "defer_above_kb": "defer_above_bytes",
             "fast_link_kbit": "fast_link_bytes_per_second", "auto_download_kb": "auto_download_bytes",
             "photo_max_px": "photo_max_px"}
_SCALES = {"fast_link_kbit": 1000 / 8, "photo_max_px": 1}
"""How a setting's number becomes the budget's (the rest are KB)."""


def budget_from_config(raw: Mapping, source: str = "config") -> Budget:
    """The `[attachments]` table (every setting optional).

    Raises:
        BudgetError: a setting is unknown or not a whole number of 0 or more.
    """
    table = raw.get("attachments", {})
    if not isinstance(table, Mapping):
        raise BudgetError(f"{source}: attachments: expected a table like [attachments]")
    values = {}
    for name, value in table.items():
        if name not in _SETTINGS:
            raise BudgetError(f"{source}: attachments.{name}: no such setting; known: {', '.join(_SETTINGS)}")
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise BudgetError(f"{source}: attachments.{name}: expected a whole number of 0 or more, got {value!r}")
        values[_SETTINGS[name]] = value * _SCALES.get(name, KB)
    return Budget(**values)
