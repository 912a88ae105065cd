"""When the console syncs next, and how its sync state reads on screen.

Pure: the app feeds in what happened and the time; this module answers when to try again
(a steady interval while the link works, exponential backoff with jitter while it fails,
at once after a local change) and the status line an agent reads ("● online · 2 waiting,
1.4 KB [ctrl+o] · 4.8 kbit/s, synced 3 min ago", in the `Strings` given: `sync.*`). It never touches the network or the
database.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from cs_console.sync.link_speed import bits_text
from cs_console.text.strings import Strings

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
    demo: bool = False
    """The database holds the demo, which never syncs: nothing counts as waiting."""
    online: bool | None = None
    """None until the first attempt answers."""
    pending: int = 0
    waiting_bytes: int = 0
    """About how many bytes the waiting changes take (0: not counted)."""
    speed: float | None = None
    """The link's measured speed in bytes per second (`sync.link_speed`); None until measured."""
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

    def after_success(self, now: datetime, pending: int, interval: timedelta = INTERVAL, *, waiting_bytes: int = 0,
                      speed: float | None = None) -> SyncState:
        return replace(self, online=True, pending=pending, waiting_bytes=waiting_bytes, last_synced_at=now, error=None,
                       failures=0, next_attempt_at=now + interval, last_ok_cycle=self.cycle,
                       speed=self.speed if speed is None else speed)

    def after_failure(self, now: datetime, pending: int, error: str, rng: random.Random, *, waiting_bytes: int = 0,
                      speed: float | None = None) -> SyncState:
        failures = self.failures + 1
        return replace(self, online=False, pending=pending, waiting_bytes=waiting_bytes, error=error, failures=failures,
                       next_attempt_at=now + backoff(failures, rng), speed=self.speed if speed is None else speed)

    def after_local_change(self, now: datetime, pending: int, waiting_bytes: int = 0) -> SyncState:
        """A change waits to go up: sync now if the link worked last time."""
        due = now if self.configured and self.online is not False else self.next_attempt_at
        return replace(self, pending=pending, waiting_bytes=waiting_bytes, next_attempt_at=due)

    def due(self, now: datetime) -> bool:
        return self.configured and self.next_attempt_at is not None and now >= self.next_attempt_at

    def describe(self, now: datetime, strings: Strings | None = None, outbox_key: str | None = None) -> str:
        """The status line: link state, changes waiting (and their bytes), the link's measured
        speed, freshness; words, not colour; in the language of `strings` (English without).
        `outbox_key`, when given, is named beside what waits: it lists them."""
        s = strings or Strings("en")
        if self.demo:
            return s("sync.demo")
        waiting = s("sync.waiting", count=self.pending) if self.pending else s("sync.nothing_waiting")
        if self.pending and self.waiting_bytes:
            waiting = s("sync.waiting_bytes", waiting=waiting, size=size_text(self.waiting_bytes))
        if self.pending and outbox_key:
            waiting = s("sync.outbox_key", waiting=waiting, binding=outbox_key)
        if not self.configured:
            return s("sync.local_only", waiting=waiting)
        fresh = s("sync.synced", ago=_ago(now - self.last_synced_at, s)) if self.last_synced_at else s("sync.never")
        if self.speed:
            fresh = s("sync.speed", speed=bits_text(self.speed), fresh=fresh)
        if self.online is None:
            return s("sync.connecting", waiting=waiting, fresh=fresh)
        if self.online:
            return s("sync.online", waiting=waiting, fresh=fresh)
        if self.next_attempt_at is None:
            return s("sync.offline", waiting=waiting, fresh=fresh)
        wait = _span(max(self.next_attempt_at - now, timedelta(0)), s)
        return s("sync.offline_retry", waiting=waiting, fresh=fresh, wait=wait)


def size_text(count: int) -> str:
    """A size as the status line and the outbox show it: "640 B", "1.4 KB", "2.1 MB"."""
    if count < 1000:
        return f"{count} B"
    if count < 1_000_000:
        return f"{count / 1000:.1f} KB"
    return f"{count / 1_000_000:.1f} MB"


def backoff(failures: int, rng: random.Random) -> timedelta:
    """Full-jitter exponential backoff: a random wait up to 5 s, 10 s, 20 s… capped at 10 min,
    so a fleet of ships whose link returns at once does not all call at the same second."""
    ceiling = min(BACKOFF_CAP, BACKOFF_FIRST * (2 ** (failures - 1)))
    return timedelta(seconds=max(1.0, rng.uniform(0, ceiling.total_seconds())))


def _ago(delta: timedelta, strings: Strings) -> str:
    """How long ago, coarse: "just now", "12 min ago", "3 h ago"."""
    if delta < timedelta(minutes=1):
        return strings("sync.just_now")
    return strings("sync.ago", span=_span(delta, strings))


def _span(delta: timedelta, strings: Strings) -> str:
    """A duration, coarse: "30s", "12 min", "3 h", "2 d"."""
    seconds = int(delta.total_seconds())
    if seconds < 60:
        return strings("sync.seconds", count=seconds)
    if seconds < 3600:
        return strings("sync.minutes", count=seconds // 60)
    if seconds < 86400:
        return strings("sync.hours", count=seconds // 3600)
    return strings("sync.days", count=seconds // 86400)
