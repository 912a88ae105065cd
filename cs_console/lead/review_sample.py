"""Which finished conversations a lead reviews: a random sample of the team's, or one
filtered to where a review helps most.

Filters are predicates over a `Candidate`, named in `FILTERS`: `random` takes any,
`low_score` those whose callback gave a low satisfaction or NPS, `escalated` those that
were escalated. A new filter (complaints, once a ticket can be marked one) is one more
entry there and one more field on `Candidate`. Tickets already reviewed are left out.
Sampling is random, from a seed the caller gives, so a test or a repeated command gets
the same sample. Pure: the caller reads the candidates.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

LOW_SATISFACTION = 2
"""A callback score (1-5) at or below this is low: the customer was dissatisfied."""
LOW_NPS = 6
"""An NPS answer (0-10) at or below this is a detractor's."""
DEFAULT_SAMPLE = 5
"""Conversations a sample holds unless the lead asks for another number."""


@dataclass(frozen=True)
class Candidate:
    """A finished ticket of the team, with what the filters look at."""

    ticket_id: str
    number: str
    subject: str
    agent_id: str
    finished_at: datetime
    lowest_satisfaction: int | None
    lowest_nps: int | None
    escalated: bool


def _low_score(candidate: Candidate) -> bool:
    return ((candidate.lowest_satisfaction is not None and candidate.lowest_satisfaction <= LOW_SATISFACTION)
            or (candidate.lowest_nps is not None and candidate.lowest_nps <= LOW_NPS))


FILTERS: dict[str, Callable[[Candidate], bool]] = {
    "random": lambda candidate: True,
    "low_score": _low_score,
    "escalated": lambda candidate: candidate.escalated,
}
"""Each filter's name (as the lead view and `cs-console review sample --filter` name it) and test."""


def flags(candidate: Candidate) -> tuple[str, ...]:
    """The filters but `random` that the candidate passes: why a lead might look at it first."""
    return tuple(name for name, passes in FILTERS.items() if name != "random" and passes(candidate))


def sample(candidates: Sequence[Candidate], how: str, count: int, seed: int) -> list[Candidate]:
    """Up to `count` of the candidates that pass filter `how`, picked at random from `seed`,
    newest first.

    Raises:
        ValueError: an unknown filter, or a count below 1.
    """
    if how not in FILTERS:
        raise ValueError(f"unknown review filter {how!r}; expected one of {', '.join(FILTERS)}")
    if count < 1:
        raise ValueError(f"a sample needs at least one conversation, not {count}")
    passing = [candidate for candidate in candidates if FILTERS[how](candidate)]
    picked = random.Random(seed).sample(passing, min(count, len(passing)))
    return sorted(picked, key=lambda candidate: (candidate.finished_at, candidate.ticket_id), reverse=True)
