"""How many agents each hour needs: Erlang C over the team's own ticket arrivals.

Erlang C models a queue where work arrives at random (Poisson) at `rate` per hour and each
item takes an agent `handle` minutes on average (exponential): the offered traffic is
A = rate × handle / 60 erlangs. With N agents (N > A), the probability that a ticket waits
is C(N, A); the share answered within `t` is 1 − C·exp(−(N − A)·t / handle); the average wait
is C·handle / (N − A); occupancy is A / N. The agents needed for a target service level
(default 85% answered within the first-response budget) is the smallest N that reaches it.

Arrivals come from history: the tickets created in each hour of the week (Monday 09:00,
Monday 10:00, ...) over the last few weeks, averaged, in the team's time zone.

It refuses settings it cannot use (a share outside 0-1, a handling time of zero) with the
setting's name. Pure: no database, no clock; the caller gives the creation times and `now`.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from cs_console.clocks.calendars import BusinessCalendar
from cs_console.clocks.sla import SlaPolicy
from cs_console.errors import UserError

DEFAULT_TARGET = 0.85
"""The service level asked for: 85% of new tickets answered within the answer time."""
DEFAULT_HANDLE_MINUTES = 20.0
"""An agent's working time per ticket (reading, looking up, replying, logging); nothing in
the data measures it, so it is a setting: time a sample of your own tickets and set it."""
DEFAULT_HISTORY_WEEKS = 4
"""Weeks of arrivals averaged per hour of the week: long enough to smooth one odd day, short
enough to follow a season."""
MAX_AGENTS = 10_000
"""A search bound: no hour needs more agents than this; reaching it means a bad setting."""


class StaffingError(UserError, ValueError):
    """A staffing setting that cannot be used; the message names it."""


@dataclass(frozen=True)
class StaffingSettings:
    """The `[staffing]` table of the config, or the `cs-console staffing` options."""

    handle_minutes: float = DEFAULT_HANDLE_MINUTES
    target: float = DEFAULT_TARGET
    answer_minutes: float | None = None
    """The answer time the target counts; None: the normal priority's first-response budget."""
    history_weeks: int = DEFAULT_HISTORY_WEEKS

    def __post_init__(self) -> None:
        if not _number(self.handle_minutes) or self.handle_minutes <= 0:
            raise StaffingError(f"staffing.handle_minutes: {self.handle_minutes!r} is not a number of minutes above 0")
        if not _number(self.target) or not 0 < self.target < 1:
            raise StaffingError(f"staffing.target: {self.target!r} is not a share between 0 and 1 like 0.85")
        if self.answer_minutes is not None and (not _number(self.answer_minutes) or self.answer_minutes <= 0):
            raise StaffingError(f"staffing.answer_minutes: {self.answer_minutes!r} is not a number of minutes above 0")
        if type(self.history_weeks) is not int or not 1 <= self.history_weeks <= 52:
            raise StaffingError(f"staffing.history_weeks: {self.history_weeks!r} is not a whole number of weeks from 1 to 52")


@dataclass(frozen=True)
class Staffing:
    """What `agents` agents give for one arrival rate."""

    arrivals_per_hour: float
    traffic: float
    """Offered load in erlangs: the agents busy on average."""
    agents: int
    probability_wait: float
    service_level: float
    average_wait_minutes: float
    occupancy: float


@dataclass(frozen=True)
class HourPlan:
    """One hour of the week: weekday (Monday 0), hour (0-23 local) and its staffing."""

    weekday: int
    hour: int
    staffing: Staffing


def settings_from_config(raw: Mapping, source: str = "config") -> StaffingSettings:
    """The `[staffing]` table: handle_minutes, target, answer_minutes, history_weeks.

    Raises:
        StaffingError: the table or a setting is invalid; the message names it.
    """
    table = raw.get("staffing", {})
    if not isinstance(table, Mapping):
        raise StaffingError(f"{source}: staffing: expected a table such as [staffing]")
    known = ("handle_minutes", "target", "answer_minutes", "history_weeks")
    for key in table:
        if key not in known:
            raise StaffingError(f"{source}: staffing.{key}: unknown setting; known: {', '.join(known)}")
    try:
        return StaffingSettings(**table)
    except StaffingError as error:
        raise StaffingError(f"{source}: {error}") from None


def erlang_c(agents: int, traffic: float) -> float:
    """The probability that an arrival waits, with `agents` agents and `traffic` erlangs.

    Computed through the Erlang B recursion, which neither overflows nor loses precision
    for hundreds of agents. 1.0 when the agents cannot keep up (agents <= traffic).
    """
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    blocking = 1.0
    for n in range(1, agents + 1):
        blocking = traffic * blocking / (n + traffic * blocking)
    return agents * blocking / (agents - traffic * (1 - blocking))


def evaluate(agents: int, arrivals_per_hour: float, handle_minutes: float, answer_minutes: float) -> Staffing:
    """The service `agents` agents give at this arrival rate."""
    traffic = arrivals_per_hour * handle_minutes / 60
    waits = erlang_c(agents, traffic)
    if traffic <= 0:
        return Staffing(arrivals_per_hour, 0.0, agents, 0.0, 1.0, 0.0, 0.0)
    if agents <= traffic:
        return Staffing(arrivals_per_hour, traffic, agents, 1.0, 0.0, math.inf, 1.0)
    spare = agents - traffic
    return Staffing(
        arrivals_per_hour=arrivals_per_hour,
        traffic=traffic,
        agents=agents,
        probability_wait=waits,
        service_level=1 - waits * math.exp(-spare * answer_minutes / handle_minutes),
        average_wait_minutes=waits * handle_minutes / spare,
        occupancy=traffic / agents,
    )


def agents_needed(arrivals_per_hour: float, handle_minutes: float, answer_minutes: float, target: float) -> Staffing:
    """The fewest agents that answer `target` of arrivals within `answer_minutes` (none when
    nothing arrives).

    Raises:
        StaffingError: more than MAX_AGENTS would be needed.
    """
    traffic = arrivals_per_hour * handle_minutes / 60
    if traffic <= 0:
        return evaluate(0, arrivals_per_hour, handle_minutes, answer_minutes)
    agents = max(1, math.floor(traffic) + 1)
    while agents <= MAX_AGENTS:
        staffing = evaluate(agents, arrivals_per_hour, handle_minutes, answer_minutes)
        if staffing.service_level >= target:
            return staffing
        agents += 1
    raise StaffingError(f"more than {MAX_AGENTS} agents would be needed; check staffing.handle_minutes")


def arrivals_by_hour(created: Iterable[datetime], zone: str, now: datetime, weeks: int) -> dict[tuple[int, int], float]:
    """Average tickets created per (weekday, hour) over the `weeks` whole weeks before `now`."""
    since = now - timedelta(weeks=weeks)
    local = ZoneInfo(zone)
    counts: dict[tuple[int, int], int] = {}
    for moment in created:
        if since <= moment < now:
            at = moment.astimezone(local)
            key = (at.weekday(), at.hour)
            counts[key] = counts.get(key, 0) + 1
    return {(day, hour): counts.get((day, hour), 0) / weeks for day in range(7) for hour in range(24)}


def plan(
    created: Iterable[datetime], zone: str, now: datetime, settings: StaffingSettings, answer_minutes: float
) -> list[HourPlan]:
    """The agents needed for each of the 168 hours of the week, Monday 00:00 first."""
    rates = arrivals_by_hour(created, zone, now, settings.history_weeks)
    return [
        HourPlan(day, hour, agents_needed(rates[(day, hour)], settings.handle_minutes, answer_minutes, settings.target))
        for day in range(7)
        for hour in range(24)
    ]


def answer_minutes(setting: float | None, policy: SlaPolicy, calendar: BusinessCalendar) -> float:
    """The answer time staffing aims at: the setting, else the normal priority's first-response
    budget in minutes of its calendar (60 for the 1-hour standard)."""
    if setting is not None:
        return setting
    return policy.normal.first_response.length(calendar) / timedelta(minutes=1)


def _number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
