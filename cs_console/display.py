"""How times, ages and codes read on screen: short, aligned, and not by colour alone.

Pure functions, shared by every screen so the same thing always reads the same way.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

PRIORITY_LABELS = {"urgent": "‼ urg", "high": "! high", "normal": "· norm", "low": "  low"}
"""Symbols carry urgency for terminals without colour (NO_COLOR, 16 colours, screen readers)."""

STATUS_LABELS = {
    "open": "open",
    "waiting_on_customer": "waiting",
    "solution_proposed": "proposed",
    "resolved": "resolved",
    "closed": "closed",
}

STATUS_NAMES = {
    "open": "Open",
    "waiting_on_customer": "Waiting on customer",
    "solution_proposed": "Solution proposed",
    "resolved": "Resolved",
    "closed": "Closed",
}

INTERACTION_LABELS = {
    "customer_message": "Customer",
    "public_reply": "Reply",
    "internal_note": "Internal note",
    "call_log": "Call",
    "callback": "Callback",
}


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


def local_time(moment: datetime, zone: ZoneInfo, now: datetime) -> str:
    """A moment in the agent's zone: time alone today, with the date otherwise."""
    local = moment.astimezone(zone)
    if local.date() == now.astimezone(zone).date():
        return local.strftime("%H:%M")
    if local.year == now.astimezone(zone).year:
        return local.strftime("%a %d %b %H:%M")
    return local.strftime("%Y-%m-%d %H:%M")


def clip(text: str, width: int) -> str:
    """Cut `text` to `width` cells (wide CJK characters count two), marking the cut with …."""
    from rich.cells import cell_len, set_cell_size

    text = " ".join(text.split())
    if cell_len(text) <= width:
        return text
    return set_cell_size(text, max(0, width - 1)) + "…"
