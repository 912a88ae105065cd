"""Team stability over a period: headcount, who joined, who left, turnover and tenure.

Definitions, for a period of local days `[first, after)`:

- an agent works on a day when they started on or before it (an unknown start counts as
  long ago) and their last working day (`left_on`) is that day or later, or not set;
- headcount at the start: working on `first` having started before it; at the end: still
  working after the period's last day (so end = start + joiners - leavers);
- joiners started in the period; leavers' last working day is in it;
- turnover rate: leavers / the mean of the two headcounts, in percent (None for no one);
- tenure: whole months from the start day to a given day, in `TENURE_BANDS`; an agent
  whose start is not recorded is in the band "unknown".

Admins (IT and set-up accounts) are not counted. Pure: agents are read by their
`id`, `name`, `role`, `started_on` and `left_on` (YYYY-MM-DD text or None).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

TENURE_BANDS: tuple[tuple[str, int, int | None], ...] = (
    ("under_3m", 0, 3),
    ("3_12m", 3, 12),
    ("1_3y", 12, 36),
    ("over_3y", 36, None),
)
"""(band, from month, to month exclusive): under 3 months (still learning the desk), 3-12
months, 1-3 years, 3 years and more; the bands the standard's stability claim is read in."""
UNKNOWN_BAND = "unknown"
BANDS = (*(band for band, _, _ in TENURE_BANDS), UNKNOWN_BAND)
"""Every band, shortest tenure first."""
UNCOUNTED_ROLES = frozenset({"admin"})


@dataclass(frozen=True)
class Stability:
    headcount_start: int
    headcount_end: int
    joiners: tuple[str, ...]
    """Names, in the order they joined."""
    leavers: tuple[str, ...]
    """Names, in the order they left."""
    turnover: float | None
    """Percent, one decimal; None when nobody was on the team."""
    bands: dict[str, int]
    """Band to the agents working at the period's end, every band present."""


def day_of(text: str | None) -> date | None:
    """A stored day (YYYY-MM-DD), or None."""
    return date.fromisoformat(text) if text else None


def months_between(start: date, day: date) -> int:
    """Whole months from `start` to `day` (0 when `day` is before a month has passed)."""
    return max(0, (day.year - start.year) * 12 + day.month - start.month - (day.day < start.day))


def tenure_band(started_on: str | None, day: date) -> str:
    """The band of someone who started on `started_on` (YYYY-MM-DD or None), on `day`."""
    start = day_of(started_on)
    if start is None:
        return UNKNOWN_BAND
    months = months_between(start, day)
    return next(band for band, low, high in TENURE_BANDS if months >= low and (high is None or months < high))


def works_on(agent, day: date) -> bool:
    """The agent is on the team on `day`."""
    start, last = day_of(agent.started_on), day_of(agent.left_on)
    return (start is None or start <= day) and (last is None or day <= last)


def stability(agents: Iterable, first: date, after: date) -> Stability:
    """The team's stability figures over the local days `[first, after)`."""
    counted = [agent for agent in agents if agent.role not in UNCOUNTED_ROLES]
    at_start = [a for a in counted if (day_of(a.started_on) or date.min) < first and works_on(a, first)]
    at_end = [a for a in counted if (day_of(a.started_on) or date.min) < after
              and (a.left_on is None or day_of(a.left_on) >= after)]
    joiners = sorted((a for a in counted if a.started_on and first <= day_of(a.started_on) < after),
                     key=lambda a: (a.started_on, a.name))
    leavers = sorted((a for a in counted if a.left_on and first <= day_of(a.left_on) < after),
                     key=lambda a: (a.left_on, a.name))
    mean = (len(at_start) + len(at_end)) / 2
    bands = dict.fromkeys(BANDS, 0)
    last_day = date.fromordinal(after.toordinal() - 1)
    for agent in at_end:
        bands[tenure_band(agent.started_on, last_day)] += 1
    return Stability(
        headcount_start=len(at_start), headcount_end=len(at_end),
        joiners=tuple(a.name for a in joiners), leavers=tuple(a.name for a in leavers),
        turnover=round(100 * len(leavers) / mean, 1) if mean else None, bands=bands,
    )
