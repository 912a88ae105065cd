"""The link's speed as the device measured it: bytes its sync cycles moved over the time they took.

A cycle of a few hundred bytes on an 800 ms round trip says more about latency than about
the pipe, so recent cycles are pooled, weighted by what they moved: the speed is the
decayed sum of bytes over the decayed sum of seconds, and a big transfer counts for more
than a handful of small ones. The figure is kept in the store's sync settings
(`link_speed`), so it survives a restart and later work (what to send on a slow link) can
read it. Pure, apart from `remember`/`recalled`, which read and write that one setting.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cs_console.store import Store

KEEP = 0.7
"""How much of the past each new cycle keeps: about the last five cycles count."""
SETTING = "link_speed"


@dataclass(frozen=True)
class LinkSpeed:
    bytes: float = 0.0
    seconds: float = 0.0

    def after(self, moved: int, seconds: float) -> LinkSpeed:
        """The estimate after a cycle that moved `moved` bytes in `seconds`."""
        if moved <= 0 or seconds <= 0:
            return self
        return LinkSpeed(self.bytes * KEEP + moved, self.seconds * KEEP + seconds)

    @property
    def bytes_per_second(self) -> float | None:
        """None until a cycle moved something."""
        return self.bytes / self.seconds if self.seconds > 0 else None


def remember(store: Store, moved: int, seconds: float) -> LinkSpeed:
    """Pool one cycle into the stored estimate; returns the new one."""
    speed = recalled(store).after(moved, seconds)
    if speed.seconds > 0:
        store.set_sync_value(SETTING, f"{speed.bytes:.0f} {speed.seconds:.3f}")
    return speed


def recalled(store: Store) -> LinkSpeed:
    """The stored estimate (none yet: zero)."""
    try:
        moved, seconds = (float(part) for part in (store.sync_value(SETTING) or "").split())
    except ValueError:
        return LinkSpeed()
    return LinkSpeed(moved, seconds)


def bits_text(bytes_per_second: float) -> str:
    """A speed as link people say it: "2.4 kbit/s", "256 kbit/s", "1.5 Mbit/s"."""
    kbit = bytes_per_second * 8 / 1000
    if kbit >= 1000:
        return f"{kbit / 1000:.1f} Mbit/s"
    return f"{kbit:.1f} kbit/s" if kbit < 100 else f"{kbit:.0f} kbit/s"
