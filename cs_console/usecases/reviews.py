"""Lead reviews of conversations, once for the lead view, the agent's list and `cs-console
review`: the rubric in force, a sample of the team's finished tickets, saving a review, the
reviews of an agent's work, and the reviews a report rolls up.

The rubric is a file: review_rubric.json in the config folder when an admin put one there,
else the one shipped in assets/. A file rather than synced rows: it changes seldom, an admin
owns it with the rest of the configuration, and reviews store their digits by item key, so
a device with an older rubric still shows every review. Call these from a thread worker.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from cs_console import paths
from cs_console.errors import UserError
from cs_console.lead.review_sample import Candidate, sample
from cs_console.lead.review_scores import ScoredWork
from cs_console.lead.rubric import SCORES, Rubric, RubricError, parse_rubric, read_scores
from cs_console.usecases.team_load import scope_of

if TYPE_CHECKING:
    from cs_console.lead.periods import Period
    from cs_console.storage.models import Agent, Review
    from cs_console.storage.reviews import ReviewRow
    from cs_console.store import Store

RUBRIC_FILE = "review_rubric.json"
"""The rubric's file name, in the config folder (an admin's) or among the assets (the default)."""
SAMPLE_DAYS = 30
"""How far back a sample looks: tickets finished in the last 30 days."""


class ReviewRefused(UserError, ValueError):
    """A review that cannot be saved as given; the message names what is missing or wrong."""


def rubric_path() -> Path:
    """The rubric file in force: the config folder's, else the shipped one."""
    own = paths.config_dir() / RUBRIC_FILE
    return own if own.is_file() else paths.asset(RUBRIC_FILE)


def load_rubric() -> Rubric:
    """The rubric in force.

    Raises:
        RubricError: the file is unreadable or not a rubric; the message names it.
    """
    path = rubric_path()
    try:
        return parse_rubric(path.read_text(encoding="utf-8"), str(path))
    except (OSError, UnicodeDecodeError) as error:
        raise RubricError(f"{path}: cannot be read ({error})") from None


def review_sample(store: Store, lead: Agent | None, how: str, count: int, seed: int, now: datetime) -> list[Candidate]:
    """`count` finished, unreviewed tickets of the lead's team from the last `SAMPLE_DAYS`, by filter `how`.

    Raises:
        ValueError: an unknown filter or a count below one.
        StoreError: the database cannot be read.
    """
    members = [agent.id for agent in scope_of(lead).agents(store.agents())]
    candidates = [
        Candidate(row.ticket_id, row.number, row.subject, row.agent_id, row.updated_at, row.lowest_satisfaction,
                  row.lowest_nps, row.escalated)
        for row in store.review_samples(members, now - timedelta(days=SAMPLE_DAYS)) if not row.reviewed
    ]
    return sample(candidates, how, count, seed)


@dataclass(frozen=True)
class ReviewForm:
    """What the review screen opens on: the rubric and the review already made, if any."""

    rubric: Rubric
    existing: Review | None


def review_form(store: Store, ticket_id: str, agent_id: str) -> ReviewForm:
    """Raises RubricError (the rubric file) or StoreError."""
    return ReviewForm(load_rubric(), store.review_of_ticket(ticket_id, agent_id))


def save_review(store: Store, rubric: Rubric, *, ticket_id: str, agent_id: str, reviewer: Agent | None,
                scores: Mapping[str, int], comment: str, at: datetime, review_id: str | None = None) -> Review:
    """Save the review when every rubric item has a digit.

    Raises:
        ReviewRefused: nobody works here, or an item lacks its digit or has one out of range.
        ReadOnly, StoreError: the store refused the write.
    """
    if reviewer is None:
        raise ReviewRefused("choose who works on this device first (cs-console agent use NAME)")
    missing = [item.label("en") for item in rubric.items if item.key not in scores]
    if missing:
        raise ReviewRefused(f"missing {', '.join(missing)}: score every rubric item from {SCORES.start} to "
                            f"{SCORES[-1]}")
    for key, value in scores.items():
        if value not in SCORES:
            raise ReviewRefused(f"{rubric.label(key, 'en')}: {value} is not from {SCORES.start} to {SCORES[-1]}")
    text = json.dumps({item.key: scores[item.key] for item in rubric.items}, separators=(",", ":"))
    return store.save_review(ticket_id=ticket_id, agent_id=agent_id, reviewer_id=reviewer.id, scores=text,
                             comment=comment.strip(), at=at, review_id=review_id)


def reviews_of(store: Store, agent_id: str) -> list[ReviewRow]:
    """The reviews of an agent's work, newest first (Raises StoreError)."""
    return store.reviews_of(agent_id)


def review_figures(store: Store, period: Period) -> dict:
    """The reviews of `period` and the one before, with the rubric, as `lead.reports.build` takes them.

    Raises:
        RubricError: the rubric file cannot be used.
        StoreError: the database cannot be read.
    """
    reviews = store.reviews_between(period.previous().start, period.end)
    return {"rubric": load_rubric(),
            "reviews": [ScoredWork(r.agent_id, r.reviewed_at, read_scores(r.scores)) for r in reviews]}

