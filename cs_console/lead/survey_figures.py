"""The callback survey's figures over a period: each question's result for the team and
each agent against the period before, and by the agents' tenure band.

Definitions, for a period `[start, end)` evaluated as of `min(end, now)`, like the KPIs:

- a callback counts in the period it was logged in, for its ticket's current assignee;
- a question on the 1-5 or 1-7 scale gives the mean of its answers (2 decimals); the 0-10
  NPS question gives % promoters (9-10) minus % detractors (0-6) (1 decimal);
- by tenure band: each callback in the band its assignee was in on the callback's day
  (`lead.stability`), so an agent who crosses a band mid-quarter counts in both.

A question with no answer is None ("—"), never 0. Pure: it reads no database and no clock.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from cs_console.lead.kpi import Contact, TicketFacts, nps_score
from cs_console.lead.stability import BANDS, tenure_band
from cs_console.lead.survey import Question, answers_of

NPS_SCALE = "nps"


@dataclass(frozen=True)
class PartLine:
    """One question over the period: its result, the period before's, the change, and how
    many callbacks answered it this period."""

    key: str
    current: float | None
    previous: float | None
    change: float | None
    count: int


@dataclass(frozen=True)
class GroupParts:
    """One agent's or one tenure band's results, question key to `PartLine`."""

    name: str
    callbacks: int
    parts: dict[str, PartLine]


@dataclass(frozen=True)
class SurveyFigures:
    questions: tuple[Question, ...]
    team: dict[str, PartLine]
    callbacks: int
    """Callbacks logged in the period."""
    agents: tuple[GroupParts, ...]
    bands: tuple[GroupParts, ...]
    """Every band of `lead.stability.BANDS`, shortest tenure first; `callbacks` counted in it."""


def decimals(question: Question) -> int:
    return 1 if question.scale == NPS_SCALE else 2


def result(question: Question, scores: Sequence[int]) -> float | None:
    """The question's figure over `scores`: the NPS, or the mean; None for no answer."""
    if not scores:
        return None
    value = nps_score(list(scores)) if question.scale == NPS_SCALE else statistics.fmean(scores)
    return round(value, decimals(question))


def survey_figures(
    tickets: Iterable[TicketFacts],
    agents: Iterable,
    questions: tuple[Question, ...],
    periods: tuple[tuple[datetime, datetime], tuple[datetime, datetime]],
    now: datetime,
    zone: str,
) -> SurveyFigures:
    """The figures of `questions` for the period and, for the change, the one before
    (`periods`: ((start, end), (previous start, previous end)))."""
    agents = list(agents)
    (start, end), (before_start, before_end) = periods
    current = _callbacks(tickets, start, min(end, now))
    earlier = _callbacks(tickets, before_start, min(before_end, now))
    names = {agent.id: agent.name for agent in agents}
    agent_lines = tuple(
        GroupParts(names[agent_id], len(own), _parts(questions, own, [c for a, c in earlier if a == agent_id]))
        for agent_id in sorted({a for a, _ in current if a in names}, key=lambda a: names[a])
        for own in [[c for a, c in current if a == agent_id]]
    )
    started = {agent.id: agent.started_on for agent in agents}
    local = ZoneInfo(zone)

    def band_of(agent_id: str | None, contact: Contact) -> str:
        return tenure_band(started.get(agent_id), contact.at.astimezone(local).date())

    band_lines = tuple(
        GroupParts(band, len(own), _parts(questions, own, [c for a, c in earlier if band_of(a, c) == band]))
        for band in BANDS
        for own in [[c for a, c in current if band_of(a, c) == band]]
    )
    return SurveyFigures(questions, _parts(questions, [c for _, c in current], [c for _, c in earlier]),
                         len(current), agent_lines, band_lines)


def _callbacks(tickets: Iterable[TicketFacts], start: datetime, until: datetime) -> list[tuple[str | None, Contact]]:
    """(the ticket's assignee, the callback) for each callback logged in `[start, until)`."""
    return [(t.assignee_id, c) for t in tickets for c in t.contacts
            if c.kind == "callback" and start <= c.at < until]


def _parts(questions: tuple[Question, ...], now: list[Contact], before: list[Contact]) -> dict[str, PartLine]:
    lines = {}
    for question in questions:
        scores = [a[question.key] for c in now if question.key in (a := _answers(c))]
        earlier = [a[question.key] for c in before if question.key in (a := _answers(c))]
        value, previous = result(question, scores), result(question, earlier)
        change = None if value is None or previous is None else round(value - previous, decimals(question))
        lines[question.key] = PartLine(question.key, value, previous, change, len(scores))
    return lines


def _answers(contact: Contact) -> dict[str, int]:
    return answers_of(contact.satisfaction, contact.nps, contact.survey)
