"""Hybrid logical clock stamps for last-writer-wins merges.

A stamp is physical milliseconds, a counter and the node that made it, written as
fixed-width text so that string order is causal order: a device whose wall clock runs
behind still stamps each of its writes after every stamp it has seen. Pure: the caller
supplies the wall time and keeps the state.
"""

from __future__ import annotations

from dataclasses import dataclass

COUNTER_WIDTH = 5
WALL_WIDTH = 13
"""Milliseconds since 1970 fit in 13 digits until the year 2286."""


@dataclass(frozen=True, order=True)
class Stamp:
    wall_ms: int
    counter: int
    node: str

    def __str__(self) -> str:
        return f"{self.wall_ms:0{WALL_WIDTH}d}.{self.counter:0{COUNTER_WIDTH}d}.{self.node}"

    @classmethod
    def parse(cls, text: str) -> Stamp:
        try:
            wall, counter, node = text.split(".", 2)
            return cls(int(wall), int(counter), node)
        except ValueError:
            raise ValueError(f"{text!r} is not a clock stamp like 0001700000000000.00000.node") from None


ZERO = Stamp(0, 0, "")


def tick(last: Stamp, wall_ms: int, node: str) -> Stamp:
    """The stamp for a local write after `last`."""
    if wall_ms > last.wall_ms:
        return Stamp(wall_ms, 0, node)
    return Stamp(last.wall_ms, last.counter + 1, node)


def receive(last: Stamp, remote: Stamp, wall_ms: int, node: str) -> Stamp:
    """The clock state after seeing `remote`, so later local writes sort after it."""
    wall = max(last.wall_ms, remote.wall_ms, wall_ms)
    if wall == last.wall_ms == remote.wall_ms:
        counter = max(last.counter, remote.counter) + 1
    elif wall == last.wall_ms:
        counter = last.counter + 1
    elif wall == remote.wall_ms:
        counter = remote.counter + 1
    else:
        counter = 0
    return Stamp(wall, counter, node)
