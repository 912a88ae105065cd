"""Service KPIs over a period: how fast, how well and how often the team keeps its promises.

Every number is computed from the tickets' own histories (events and contacts), the way the
1-3-7 clocks are, so the lead screen, the reports and any re-run of last quarter's report
agree. Definitions, for a period `[start, end)` evaluated "as of" `min(end, now)`:

- cohort: the tickets created in the period (by the as-of time). Rates below are shares of
  the cohort.
- first response time: minutes from creation to the first response, elapsed (not business)
  time, for cohort tickets answered by the as-of time; median, and p90 by nearest rank
  (the value at rank ceil(0.9 n) of the sorted times).
- clock met: per clock (first_response, solution, closure, escalation), met / (met + missed
  + breached) over the cohort; clocks still running, at risk or paused are not yet decided
  and not counted.
- solved: the cohort tickets with a resolved or closed event by the as-of time.
- first contact resolution: solved tickets with at most one agent contact (a reply or a
  logged call by an agent) before their first solve, never reopened.
- escalation rate: cohort tickets escalated; reopen rate: solved tickets reopened.
- CSAT: callbacks logged in the period (any ticket) scored 4 or 5 out of 5, and the mean.
- NPS: scores 0-10 given in the period: % promoters (9-10) minus % detractors (0-6).
- backlog: tickets created by the as-of time and not resolved or closed at it, with their
  median and oldest age in hours.
- channel mix: cohort counts per channel the ticket came in by (phone, email, api...).
- per category and tag: cohort counts, most frequent first. Tags are those the ticket
  carries (`cs_console.tags`), each counted once per ticket.

A ticket counts for its current assignee. A number that has nothing to be computed from is
None ("no data"), never 0. Pure: it reads no database and no clock; `now` is given.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cs_console.clocks.calendars import BusinessCalendar
from cs_console.clocks.sla import SlaPolicy, queue_clocks

CLOCKS = ("first_response", "solution", "closure", "escalation")
"""The clocks whose met share is reported, in display order."""
AGENT_CONTACT_KINDS = frozenset({"public_reply", "call_log"})
"""What counts as contacting the customer, for first contact resolution."""
SOLVED_EVENTS = frozenset({"resolved", "closed"})
CSAT_SATISFIED = 4
"""A callback scored this or higher (out of 5) counts as a satisfied customer."""
NPS_PROMOTER, NPS_DETRACTOR = 9, 6
"""NPS: 9-10 promote, 0-6 detract, 7-8 are passive."""
P90_SHARE = 0.9


@dataclass(frozen=True)
class Contact:
    """One interaction of a ticket without its text: who, what kind, when, any score."""

    kind: str
    at: datetime
    author_id: str | None = None
    satisfaction: int | None = None
    nps: int | None = None
    survey: tuple[tuple[str, int], ...] = ()
    """A callback's other survey answers, (question key, score) (`lead.survey`)."""


@dataclass(frozen=True)
class TicketFacts:
    """What the KPIs, the team view and routing read about one ticket."""

    id: str
    number: str
    subject: str
    customer_name: str
    customer_language: str
    assignee_id: str | None
    team: str
    category: str
    tags: tuple[str, ...]
    """The tags it carries, in normal form (`cs_console.tags`)."""
    priority: str
    status: str
    created_at: datetime
    updated_at: datetime
    events: tuple[tuple[str, datetime], ...]
    """(kind, at), oldest first: what the clocks are computed from."""
    contacts: tuple[Contact, ...] = ()
    """Oldest first."""
    channel: str = "phone"
    """How it came in (`vocabulary.CHANNELS`)."""
    customer_id: str = ""


@dataclass(frozen=True)
class Kpis:
    """One period's numbers for a team or an agent; None where nothing could be measured."""

    created: int
    solved: int
    first_response_median_min: float | None
    first_response_p90_min: float | None
    clock_met: dict[str, float | None] = field(default_factory=dict)
    """Clock name to the share met, 0 to 1."""
    fcr: float | None = None
    escalation_rate: float | None = None
    reopen_rate: float | None = None
    csat: float | None = None
    """Share of callbacks scored 4-5, 0 to 1."""
    csat_mean: float | None = None
    csat_count: int = 0
    nps: float | None = None
    """-100 to 100."""
    nps_count: int = 0
    backlog: int = 0
    backlog_median_age_h: float | None = None
    backlog_oldest_age_h: float | None = None
    by_category: tuple[tuple[str, int], ...] = ()
    """Most frequent first, ties by name."""
    by_tag: tuple[tuple[str, int], ...] = ()
    by_channel: tuple[tuple[str, int], ...] = ()
    """The cohort by the channel it came in by: the channel mix, most frequent first."""


def compute(
    tickets: Iterable[TicketFacts],
    start: datetime,
    end: datetime,
    now: datetime,
    policy: SlaPolicy,
    calendar: BusinessCalendar,
) -> Kpis:
    """The KPIs of `tickets` for the period `[start, end)` as of `min(end, now)`."""
    tickets = list(tickets)
    as_of = min(end, now)
    cohort = [t for t in tickets if start <= t.created_at < end and t.created_at <= as_of]
    clocks = queue_clocks(((t.priority, t.events) for t in cohort), policy, calendar, as_of)
    met: Counter[str] = Counter()
    decided: Counter[str] = Counter()
    for ticket_clocks in clocks:
        for clock in ticket_clocks:
            if clock.state in ("met", "missed", "breached"):
                decided[clock.name] += 1
                met[clock.name] += clock.state == "met"
    first_responses = sorted(
        minutes for t in cohort if (minutes := _first_response_minutes(t, as_of)) is not None
    )
    solved = [t for t in cohort if _first_event(t, SOLVED_EVENTS, as_of) is not None]
    reopened = {t.id for t in solved if _first_event(t, {"reopened"}, as_of) is not None}
    first_contact = [t for t in solved if t.id not in reopened and _contacts_before_solve(t, as_of) <= 1]
    escalated = [t for t in cohort if _first_event(t, {"escalated"}, as_of) is not None]
    scores = [c.satisfaction for t in tickets for c in t.contacts
              if c.kind == "callback" and c.satisfaction is not None and start <= c.at < end and c.at <= as_of]
    nps_scores = [c.nps for t in tickets for c in t.contacts
                  if c.nps is not None and start <= c.at < end and c.at <= as_of]
    ages = sorted(
        (as_of - t.created_at) / timedelta(hours=1)
        for t in tickets
        if t.created_at <= as_of and not finished_at(t, as_of)
    )
    return Kpis(
        created=len(cohort),
        solved=len(solved),
        first_response_median_min=statistics.median(first_responses) if first_responses else None,
        first_response_p90_min=nearest_rank(first_responses, P90_SHARE),
        clock_met={name: _share(met[name], decided[name]) for name in CLOCKS},
        fcr=_share(len(first_contact), len(solved)),
        escalation_rate=_share(len(escalated), len(cohort)),
        reopen_rate=_share(len(reopened), len(solved)),
        csat=_share(sum(score >= CSAT_SATISFIED for score in scores), len(scores)),
        csat_mean=statistics.fmean(scores) if scores else None,
        csat_count=len(scores),
        nps=nps_score(nps_scores),
        nps_count=len(nps_scores),
        backlog=len(ages),
        backlog_median_age_h=statistics.median(ages) if ages else None,
        backlog_oldest_age_h=ages[-1] if ages else None,
        by_category=_ranked(Counter(t.category for t in cohort)),
        by_tag=_ranked(Counter(tag for t in cohort for tag in t.tags)),
        by_channel=_ranked(Counter(t.channel for t in cohort)),
    )


def by_assignee(tickets: Iterable[TicketFacts]) -> dict[str | None, list[TicketFacts]]:
    """Tickets grouped by their current assignee (None: unassigned)."""
    groups: dict[str | None, list[TicketFacts]] = {}
    for ticket in tickets:
        groups.setdefault(ticket.assignee_id, []).append(ticket)
    return groups


def nearest_rank(sorted_values: Sequence[float], share: float) -> float | None:
    """The value at rank ceil(share * n) of ascending values (None when there are none)."""
    if not sorted_values:
        return None
    return sorted_values[max(1, math.ceil(share * len(sorted_values))) - 1]


def finished_at(ticket: TicketFacts, moment: datetime) -> bool:
    """Resolved or closed at `moment`: the last of its resolve, close and reopen events says so."""
    finished = False
    for kind, at in ticket.events:
        if at > moment:
            break
        if kind in SOLVED_EVENTS:
            finished = True
        elif kind == "reopened":
            finished = False
    return finished


def _first_event(ticket: TicketFacts, kinds: set[str] | frozenset[str], as_of: datetime) -> datetime | None:
    return next((at for kind, at in ticket.events if kind in kinds and at <= as_of), None)


def _first_response_minutes(ticket: TicketFacts, as_of: datetime) -> float | None:
    answered = _first_event(ticket, {"first_response"}, as_of)
    if answered is None:
        return None
    return max(0.0, (answered - ticket.created_at) / timedelta(minutes=1))


def _contacts_before_solve(ticket: TicketFacts, as_of: datetime) -> int:
    solved = _first_event(ticket, SOLVED_EVENTS, as_of)
    return sum(
        1 for c in ticket.contacts
        if c.kind in AGENT_CONTACT_KINDS and c.author_id is not None and solved is not None and c.at <= solved
    )


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def nps_score(scores: list[int]) -> float | None:
    """% promoters minus % detractors, -100 to 100; None for no score."""
    if not scores:
        return None
    promoters = sum(score >= NPS_PROMOTER for score in scores)
    detractors = sum(score <= NPS_DETRACTOR for score in scores)
    return 100 * (promoters - detractors) / len(scores)


def _ranked(counts: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))
