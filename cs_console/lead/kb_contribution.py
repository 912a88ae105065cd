"""Each agent's knowledge-base contribution ("experience deposited"), over a period.

Counted from the proposals agents make from resolved tickets and the uses of the approved
ones (an approved article or template keeps its proposal's id, so a use names its author):

- proposed: proposals made in the period;
- approved: proposals approved in the period;
- used by others: uses in the period, in replies of agents other than the author, of
  articles and templates that came from approved proposals.

For a team, or one agent, only the proposals of its `authors` count. Pure: the caller
reads the store (`usecases.kb_proposals.learning_facts`).
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

METRIC_SPECS: tuple[tuple[str, str, int, int], ...] = (
    ("kb_proposed", "count", 0, +1),
    ("kb_approved", "count", 0, +1),
    ("kb_used_by_others", "count", 0, +1),
)
"""The report's knowledge-base figures: (key, unit, decimals, +1 higher is better)."""


@dataclass(frozen=True)
class Proposal:
    id: str
    author_id: str
    state: str
    created_at: datetime
    reviewed_at: datetime | None


@dataclass(frozen=True)
class Use:
    doc_id: str
    """The article or template, which has its proposal's id."""
    user_id: str | None
    at: datetime


@dataclass(frozen=True)
class Learning:
    proposals: tuple[Proposal, ...] = ()
    uses: tuple[Use, ...] = ()


def figures(learning: Learning, start: datetime, end: datetime, now: datetime,
            authors: Collection[str] | None = None) -> dict[str, int]:
    """The contribution of `authors` (everyone's when None) in `[start, end)` as of `min(end, now)`."""
    as_of = min(end, now)

    def within(at: datetime | None) -> bool:
        return at is not None and start <= at < end and at <= as_of

    own = [p for p in learning.proposals if authors is None or p.author_id in authors]
    approved = {p.id: p.author_id for p in own if p.state == "approved"}
    return {
        "kb_proposed": sum(within(p.created_at) for p in own),
        "kb_approved": sum(p.state == "approved" and within(p.reviewed_at) for p in own),
        "kb_used_by_others": sum(use.doc_id in approved and use.user_id != approved[use.doc_id] and within(use.at)
                                 for use in learning.uses),
    }
