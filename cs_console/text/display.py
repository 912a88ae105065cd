"""How times, ages and codes read on screen: short, aligned, and not by colour alone.

Pure functions, shared by every screen so the same thing always reads the same way. Words
come from `cs_console.text.strings`; a function that needs a language takes the `Strings`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cs_console.text.strings import Strings
from cs_console.vocabulary import CHANNELS


def short_age(delta: timedelta) -> str:
    """A duration in at most four characters: 45s, 12m, 5h, 3d, 11w."""
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m"
    if seconds < 86400:
        return f"{seconds // 3600}h"
    if seconds < 86400 * 14:
        return f"{seconds // 86400}d"
    return f"{seconds // (86400 * 7)}w"


def local_time(moment: datetime, zone: ZoneInfo, now: datetime, strings: Strings | None = None) -> str:
    """A moment in the agent's zone: time alone today, with the weekday and date this year,
    with the year otherwise; weekday and month in the language of `strings` (English without)."""
    local = moment.astimezone(zone)
    clock = local.strftime("%H:%M")
    if local.date() == now.astimezone(zone).date():
        return clock
    if local.year == now.astimezone(zone).year:
        s = strings or Strings("en")
        return s("time.this_year", weekday=s(f"staffing.weekday.{local.weekday()}"), day=local.day,
                 month=s(f"time.month.{local.month}"), time=clock)
    return local.strftime("%Y-%m-%d %H:%M")


def pad(text: str, width: int) -> str:
    """`text` followed by spaces up to `width` cells, counting wide CJK characters as two."""
    from rich.cells import cell_len

    return text + " " * max(0, width - cell_len(text))


def clip(text: str, width: int) -> str:
    """Cut `text` to `width` cells (wide CJK characters count two), marking the cut with …."""
    from rich.cells import cell_len, set_cell_size

    text = " ".join(text.split())
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, max(0, width - 1)) + "…"


def channel_name(channel: str, strings: Strings) -> str:
    """A channel as the interface names it; one this release does not know, as stored."""
    return strings(f"channel.{channel}") if channel in CHANNELS else channel
