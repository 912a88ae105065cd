"""Is a new ticket likely a duplicate of one already open? Its subject against theirs.

Email brings one incident in several times (the master, the agent and the office each write
about one vessel's detention), with subjects that differ by a "Re:", a word or the order
of words. Subjects are compared folded (`cs_console.kb.normalize`: case, width, punctuation)
by rapidfuzz's token-set ratio, which ignores word order and words one side adds, and by
its plain ratio, which suits Chinese subjects written without spaces. Which tickets are
compared (same customer, open, recent) is the caller's choice; this module only scores.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Generic, TypeVar

from rapidfuzz import fuzz

from cs_console.kb.normalize import fold

SIMILAR_ENOUGH = 70
"""Least score (0-100) for a likely duplicate: "Liferaft certificate expires Friday" and
"Re: liferaft certificate expiring" score 80 and up; two different problems of one vessel
("Radar frozen", "Liferaft overdue") stay under 40."""
RECENT = timedelta(days=7)
"""How far back a likely duplicate is looked for: the 7 of 1-3-7, the longest an open
incident should run."""
MAX_CANDIDATES = 3
"""Candidates named at most: a warning lists a few, not the customer's whole queue."""
REPLY_PREFIX = re.compile(r"^\s*((re|fw|fwd|aw|答复|回复|转发)\s*[:：]\s*)+", re.IGNORECASE)
"""What mail clients put before a subject when replying or forwarding."""

T = TypeVar("T")


@dataclass(frozen=True)
class Candidate(Generic[T]):
    item: T
    score: float


def subject_similarity(one: str, other: str) -> float:
    """How alike two subjects read, 0-100, after reply prefixes and folding."""
    a, b = fold(REPLY_PREFIX.sub("", one)), fold(REPLY_PREFIX.sub("", other))
    if not a.strip() or not b.strip():
        return 0.0
    return max(fuzz.token_set_ratio(a, b), fuzz.ratio(a, b))


def likely_duplicates(subject: str, candidates: Iterable[tuple[T, str]], limit: int = MAX_CANDIDATES) -> list[Candidate[T]]:
    """The candidates (each an item and its subject) whose subject is similar enough to
    `subject`, most similar first."""
    scored = [Candidate(item, subject_similarity(subject, other)) for item, other in candidates]
    return sorted((c for c in scored if c.score >= SIMILAR_ENOUGH), key=lambda c: -c.score)[:limit]
