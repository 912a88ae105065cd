"""Complaints as the team-management standard measures them, apart from other tickets.

A ticket is a complaint from its first "complaint_marked" event until a "complaint_cleared"
one (marked again, it is one again from then). Figures over a period `[start, end)`, as of
`min(end, now)`, on the cohort of tickets created in it (as `lead.kpi` counts):

- complaints: cohort tickets that are complaints at the as-of time; complaint rate: their
  share of the cohort.
- complaint resolution time: hours from the mark to the first resolved or closed event at
  or after it, for those solved by the as-of time; the median. Its own clock: the ticket's
  1-3-7 clocks still run from its creation.
- PEARL complete: the share of complaints with every step (Professional, Empathy,
  Accountability, Resolution, Learn) recorded.
- complainants' CSAT and NPS against other customers': callbacks of the period, split by
  whether a complaint of the customer (on any ticket) was in force when the callback was
  made; CSAT is the share scored 4-5, NPS promoters minus detractors (as `lead.kpi`).

Pure: it reads no database and no clock. It refuses to judge a message's mood: the
sentiment flag (`lead.sentiment`) only suggests a mark, an agent makes it.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta

from cs_console.lead.kpi import CSAT_SATISFIED, SOLVED_EVENTS, TicketFacts, _share, nps_score
from cs_console.vocabulary import PEARL_STEPS

METRIC_SPECS: tuple[tuple[str, str, int, int], ...] = (
    ("complaints", "count", 0, -1),
    ("complaint_rate", "percent", 1, -1),
    ("complaint_resolution_median", "hours", 1, -1),
    ("pearl_complete", "percent", 1, +1),
    ("complainant_csat", "percent", 1, +1),
    ("other_csat", "percent", 1, +1),
    ("complainant_nps", "score", 1, +1),
    ("other_nps", "score", 1, +1),
)
"""The report's complaint figures: (key, unit, decimals, +1 higher is better / -1 lower is)."""


def complaint_since(events: Sequence[tuple[str, datetime]], as_of: datetime) -> datetime | None:
    """When the mark in force at `as_of` was made, or None: not a complaint then."""
    since = None
    for kind, at in events:
        if at > as_of:
            break
        if kind == "complaint_marked":
            since = since or at
        elif kind == "complaint_cleared":
            since = None
    return since


def pearl_done(events: Iterable[tuple[str, datetime]]) -> frozenset[str]:
    """The PEARL steps recorded on a ticket."""
    return frozenset(step for step in PEARL_STEPS if any(kind == f"pearl_{step}" for kind, _ in events))


def _resolution_hours(events: Sequence[tuple[str, datetime]], since: datetime, as_of: datetime) -> float | None:
    solved = next((at for kind, at in events if kind in SOLVED_EVENTS and since <= at <= as_of), None)
    return None if solved is None else (solved - since) / timedelta(hours=1)


def figures(tickets: Iterable[TicketFacts], start: datetime, end: datetime, now: datetime) -> dict[str, float | None]:
    """The complaint figures of `[start, end)` (shares in percent), None where nothing measures them."""
    tickets = list(tickets)
    as_of = min(end, now)
    cohort = [t for t in tickets if start <= t.created_at < end and t.created_at <= as_of]
    complaints = [(t, since) for t in cohort if (since := complaint_since(t.events, as_of)) is not None]
    hours = sorted(h for t, since in complaints if (h := _resolution_hours(t.events, since, as_of)) is not None)
    histories: dict[str, list[Sequence[tuple[str, datetime]]]] = {}
    for t in tickets:
        histories.setdefault(t.customer_id, []).append(t.events)
    split: dict[bool, list] = {True: [], False: []}
    for t in tickets:
        for c in t.contacts:
            if c.kind == "callback" and start <= c.at < end and c.at <= as_of:
                complainant = any(complaint_since(events, c.at) is not None for events in histories[t.customer_id])
                split[complainant].append(c)
    values = {
        "complaints": len(complaints),
        "complaint_rate": _percent(_share(len(complaints), len(cohort))),
        "complaint_resolution_median": statistics.median(hours) if hours else None,
        "pearl_complete": _percent(_share(sum(pearl_done(t.events) == set(PEARL_STEPS) for t, _ in complaints),
                                          len(complaints))),
    }
    for group, name in ((True, "complainant"), (False, "other")):
        satisfaction = [c.satisfaction for c in split[group] if c.satisfaction is not None]
        values[f"{name}_csat"] = _percent(_share(sum(s >= CSAT_SATISFIED for s in satisfaction), len(satisfaction)))
        values[f"{name}_nps"] = nps_score([c.nps for c in split[group] if c.nps is not None])
    return values


def _percent(share: float | None) -> float | None:
    return None if share is None else 100 * share
