"""When the console syncs next, and how its sync state reads on screen.

Pure: the app feeds in what happened and the time; this module answers when to try again
(a steady interval while the link works, exponential backoff with jitter while it fails,
at once after a local change) and the status line an agent reads ("● online · 2 waiting ·
synced 3 min ago"). It never touches the network or the database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

INTERVAL = timedelta(seconds=30)
"""How often a working link syncs when nothing changed locally."""
LOW_BANDWIDTH_INTERVAL = timedelta(minutes=5)
BACKOFF_FIRST = timedelta(seconds=5)
BACKOFF_CAP = timedelta(minutes=10)
"""A link down for hours is still tried every ten minutes, never hammered."""


@dataclass(frozen=True)
class SyncState:
    configured: bool
    """Logged in to a server; False means the console works locally only."""
    online: bool | None = None
    """None until the first attempt answers."""
    pending: int = 0
    last_synced_at: datetime | None = None
    error: str | None = None
    failures: int = 0
    next_attempt_at: datetime | None = None
    cycle: int = 0
    """How many cycles have started; a change saved before cycle n starts goes up in it."""
    last_ok_cycle: int = 0
    """The number of the last cycle that finished."""

    def start_cycle(self) -> SyncState:
        return replace(self, cycle=self.cycle + 1)

    def after_success(self, now: datetime, pending: int, interval: timedelta = INTERVAL) -> SyncState:
        return replace(self, online=True, pending=pending, last_synced_at=now, error=None, failures=0,
                       next_attempt_at=now + interval, last_ok_cycle=self.cycle)

    def after_failure(self, now: datetime, pending: int, error: str, rng: random.Random) -> SyncState:
        failures = self.failures + 1
        return replace(self, online=False, pending=pending, error=error, failures=failures,
                       next_attempt_at=now + backoff(failures, rng))

    def after_local_change(self, now: datetime, pending: int) -> SyncState:
        """A change waits to go up: sync now if the link worked last time."""
        due = now if self.configured and self.online is not False else self.next_attempt_at
        return replace(self, pending=pending, next_attempt_at=due)

    def due(self, now: datetime) -> bool:
        return self.configured and self.next_attempt_at is not None and now >= self.next_attempt_at

    def describe(self, now: datetime) -> str:
        """The status line: link state, changes waiting, freshness; words, not colour."""
        waiting = f"{self.pending} waiting" if self.pending else "nothing waiting"
        fresh = f"synced {_ago(now - self.last_synced_at)}" if self.last_synced_at else "never synced"
        if not self.configured:
            return f"○ local only (cs-console login URL to sync) · {waiting}"
        if self.online is None:
            return f"◌ connecting… · {waiting} · {fresh}"
        if self.online:
            return f"● online · {waiting} · {fresh}"
        retry = ""
        if self.next_attempt_at is not None:
            retry = f" · retry in {_ago(max(self.next_attempt_at - now, timedelta(0)), suffix='')}"
        return f"○ offline · {waiting} · {fresh}{retry}"


def backoff(failures: int, rng: random.Random) -> timedelta:
    """Full-jitter exponential backoff: a random wait up to 5 s, 10 s, 20 s… capped at 10 min,
    so a fleet of ships whose link returns at once does not all call at the same second."""
    ceiling = min(BACKOFF_CAP, BACKOFF_FIRST * (2 ** (failures - 1)))
    return timedelta(seconds=max(1.0, rng.uniform(0, ceiling.total_seconds())))


def _ago(delta: timedelta, suffix: str = " ago") -> str:
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return "just now" if suffix else f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60} min{suffix}"
    if seconds < 86400:
        return f"{seconds // 3600} h{suffix}"
    return f"{seconds // 86400} d{suffix}"
