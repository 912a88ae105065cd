"""Text charts that read without colour: sparklines for trends, bars for shares.

The lead screen and the reports show a trend as a row of block characters (▁▂▃▅█) and a
quantity as a bar (█████▌), so they survive NO_COLOR, 16-colour terminals, a copy into an
e-mail and a Markdown file alike. Every character used is one cell wide in CJK terminals.
Pure functions; they refuse nothing but draw "no data" gaps as a middle dot.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

SPARK_LEVELS = "▁▂▃▄▅▆▇█"
"""Eight heights, lowest first."""
NO_DATA = "·"
"""Where a point has no value (a day without callbacks has no CSAT)."""
BAR_EIGHTHS = " ▏▎▍▌▋▊▉"
"""Partial cells of a bar, by eighths of a cell."""


def sparkline(values: Sequence[float | None]) -> str:
    """One character per value, scaled from 0 (or the lowest negative value) to the highest."""
    known = [v for v in values if v is not None and math.isfinite(v)]
    if not known:
        return NO_DATA * len(values)
    low = min(0.0, min(known))
    span = max(known) - low
    top = len(SPARK_LEVELS) - 1
    return "".join(
        NO_DATA if v is None or not math.isfinite(v)
        else SPARK_LEVELS[round((v - low) / span * top) if span else 0]
        for v in values
    )


def bar(value: float, most: float, width: int) -> str:
    """A bar `width` cells long at `most`, drawn in eighths of a cell, padded to `width`."""
    if most <= 0 or value <= 0 or width <= 0:
        return " " * max(0, width)
    eighths = round(min(value, most) / most * width * 8)
    full, part = divmod(eighths, 8)
    drawn = "█" * full + (BAR_EIGHTHS[part] if part else "")
    return drawn.ljust(width)
