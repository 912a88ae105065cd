"""Lead reviews rolled up for a period: per agent and for the team, each rubric item's mean
digit and the overall mean, against the period before.

A conversation counts once in the overall mean (the mean of each review's own mean), and
an item's mean is over the reviews that scored it. Items come in the rubric's order, then
any key older reviews scored that the rubric no longer has. Pure: the caller reads the reviews.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from cs_console.lead.rubric import Rubric, mean_score

DECIMALS = 2
"""Means are rounded to this many places, in every format."""


@dataclass(frozen=True)
class ScoredWork:
    """One review as the roll-up reads it: whose work, when, the digits by item key."""

    agent_id: str
    at: datetime
    scores: Mapping[str, int]


@dataclass(frozen=True)
class ReviewLine:
    name: str
    reviews: int
    overall: float | None
    items: Mapping[str, float | None]


@dataclass(frozen=True)
class ReviewSection:
    items: tuple[tuple[str, str, str], ...]
    """(key, English label, Chinese label) of each item, in the order shown."""
    team: ReviewLine
    previous: ReviewLine
    """The team in the period before."""
    agents: tuple[ReviewLine, ...]

    def label(self, key: str, language: str) -> str:
        return next(zh if language == "zh" else en for item, en, zh in self.items if item == key)


def _rounded(value: float | None) -> float | None:
    return None if value is None else round(value, DECIMALS)


def review_line(name: str, reviews: list[ScoredWork], keys: Iterable[str]) -> ReviewLine:
    means = [mean_score(dict(work.scores)) for work in reviews if work.scores]
    items = {}
    for key in keys:
        digits = [work.scores[key] for work in reviews if key in work.scores]
        items[key] = _rounded(sum(digits) / len(digits)) if digits else None
    return ReviewLine(name, len(reviews), _rounded(sum(means) / len(means)) if means else None, items)


def review_section(reviews: Iterable[ScoredWork], names: Mapping[str, str], rubric: Rubric,
                   period: tuple[datetime, datetime], previous: tuple[datetime, datetime]) -> ReviewSection:
    """The section for `period` over the reviews of the agents in `names` (id to name);
    each agent reviewed in the period gets a line, by name."""
    reviews = [work for work in reviews if work.agent_id in names]
    now = [work for work in reviews if period[0] <= work.at < period[1]]
    before = [work for work in reviews if previous[0] <= work.at < previous[1]]
    items = [(item.key, *item.labels) for item in rubric.items]
    known = {key for key, _, _ in items}
    extra = sorted({key for work in now + before for key in work.scores} - known)
    items += [(key, key, key) for key in extra]
    keys = [key for key, _, _ in items]
    agents = sorted({work.agent_id for work in now}, key=lambda agent_id: (names[agent_id], agent_id))
    return ReviewSection(
        items=tuple(items),
        team=review_line("", now, keys),
        previous=review_line("", before, keys),
        agents=tuple(review_line(names[agent_id], [w for w in now if w.agent_id == agent_id], keys)
                     for agent_id in agents),
    )
