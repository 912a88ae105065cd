"""The 1-3-7 follow-up clocks: how long a ticket has left before each promise is broken.

The service standard promises a first response within one business hour, an initial
solution within three business days and closure with a callback to the customer within
seven days; urgent issues get 15 minutes and 24 hours around the clock, and an escalation
to the expert team is answered within 48 hours. This module turns a ticket's event history
into those clocks, rebuilt from the history on every call, so the queue, the detail view
and any report always agree; a queue's tick moves the clocks of its last one to the new
`now` instead (`queue_clocks_at`), with the same answers.

It is pure: no database, no screen, no reading the system clock; `now` is always given.
(The one side effect is `queue_clocks` pausing the garbage collector while it works.) It
refuses unknown event kinds, naive timestamps and policies it cannot read, each with a
message naming the culprit.

Durations in the policy file are whole numbers with a unit, and may be combined ("1h30m",
"1bd 4bh"): `m`, `h`, `d` are elapsed minutes, hours and days (a day is 24 hours, nights
and weekends included); `bm`, `bh`, `bd` are business minutes, hours and days on the
business calendar, a business day being worth one working day of that calendar (nine hours
on a 09:00-18:00 calendar). A duration may not mix the two kinds.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from operator import attrgetter, itemgetter

from cs_console import collector
from cs_console.clocks.calendars import ALWAYS, ZERO, BusinessCalendar
from cs_console.errors import UserError
from cs_console.text.strings import english
from cs_console.utc import as_utc
from cs_console.vocabulary import CLOSE_REASONS, EVENT_KINDS, PRIORITIES

CLOCK_NAMES = ("first_response", "solution", "closure")
"""The three clocks every ticket has; "escalation" joins them once a ticket is escalated."""
CALENDAR_CHOICES = ("business", "always")
"""What a priority's business units count on: the business calendar, or around the clock."""

STATES = ("running", "at_risk", "breached", "met", "missed", "paused", "waived")
"""Every state a clock can be in: running (met or missed once stopped), at risk, breached,
paused, and waived: closed unanswered for a reason the policy accepts (`CLOSE_REASONS`)."""
OPEN_STATES = frozenset({"running", "at_risk", "breached", "paused"})
"""States of a clock that still asks something of the agent."""
STATE_WORDS = {state: english(f"clock_state.{state}") for state in STATES}
"""What a state reads as on screen, so urgency never depends on colour alone; in English,
screens with a `Strings` ask for `clock_state.<state>`."""
STATE_SYMBOLS = {
    "running": "▸",
    "at_risk": "!",
    "breached": "✖",
    "met": "✔",
    "missed": "✘",
    "paused": "◷",
    "waived": "–",
}
"""One narrow character per state; all are single-width in CJK terminals too."""

SPELLED_DAYS_FROM = 3
"""A clock's title writes an elapsed target in days from this many on ("7d"), in hours below
("24h", "48h"), as the service standard words them."""
DURATION_HINT = "a duration like 15m, 24h, 3bd"
"""How a refused duration is told what it should look like."""
_DURATION = re.compile(r"\s*(\d+)\s*(bm|bh|bd|m|h|d)\s*")
_UNITS = {"m": timedelta(minutes=1), "h": timedelta(hours=1), "d": timedelta(days=1)}
_AT = itemgetter(1)
_new = object.__new__
_NEVER = float("inf")
"""The sort key of a ticket with no open clock: after every ticket that has one."""


class SlaError(ValueError):
    """Events the clocks cannot be computed from; the message says which and why."""


class PolicyError(UserError, SlaError):
    """An invalid service-level policy; the message names the setting, e.g. sla.normal.solution."""


@dataclass(frozen=True)
class Budget:
    """How long a clock may run: elapsed time, or business time on the business calendar.

    `business_days` count whole working days of the calendar the clock runs on, so
    "3bd" is 27 hours of business time on a 09:00-18:00 calendar and 72 hours around the
    clock; `amount` is added on top.
    """

    amount: timedelta = ZERO
    business: bool = False
    business_days: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.amount, timedelta) or type(self.business_days) is not int:
            raise PolicyError(f"budget: {self.amount!r} and {self.business_days!r} are not a timedelta and whole days")
        if self.business_days and not self.business:
            raise PolicyError("budget: business days need business=True")
        if self.amount < ZERO or self.business_days < 0 or self.length(ALWAYS) <= ZERO:
            raise PolicyError(f"budget: {self} must be longer than zero")

    @classmethod
    def parse(cls, text: str, setting: str = "duration") -> Budget:
        """Read a duration such as "15m", "24h", "7d", "1bh", "3bd" or "1h30m"."""
        if not isinstance(text, str) or not text.strip() or _DURATION.sub("", text):
            raise PolicyError(f"{setting}: {text!r} is not {DURATION_HINT}")
        amount, days, kinds = ZERO, 0, set()
        for number, unit in _DURATION.findall(text):
            kinds.add(unit.startswith("b"))
            if unit == "bd":
                days += int(number)
            else:
                amount += int(number) * _UNITS[unit[-1]]
        if len(kinds) > 1:
            raise PolicyError(f"{setting}: {text!r} mixes business (bm, bh, bd) and elapsed (m, h, d) units")
        if not amount and not days:
            raise PolicyError(f"{setting}: {text!r} must be longer than zero")
        return cls(amount, business=kinds == {True}, business_days=days)

    def length(self, calendar: BusinessCalendar) -> timedelta:
        """The budget in `calendar`'s business time."""
        return self.amount + self.business_days * calendar.day_length

    def __str__(self) -> str:
        return self._spelled("bd", "b")

    def target_text(self) -> str:
        """The target as a clock's title shows it: "15m", "24h", "48h", "7d"; business time in
        working days and hours of the calendar, "3wd", "1h" (the help explains "wd")."""
        return self._spelled("wd", "", days_from=SPELLED_DAYS_FROM)

    def _spelled(self, working_day: str, business_prefix: str, days_from: int = 1) -> str:
        prefix = business_prefix if self.business else ""
        parts = [f"{self.business_days}{working_day}"] if self.business_days else []
        days, rest = divmod(self.amount, timedelta(days=1))
        if days >= days_from and not self.business:
            parts.append(f"{days}d")
        elif days:
            rest += days * timedelta(days=1)
        hours, rest = divmod(rest, timedelta(hours=1))
        minutes = rest // timedelta(minutes=1)
        parts += [f"{hours}{prefix}h"] if hours else []
        parts += [f"{minutes}{prefix}m"] if minutes else []
        return "".join(parts) or "0m"


@dataclass(frozen=True)
class PriorityTargets:
    """The budgets of one priority's clocks, and what its business units count on."""

    first_response: Budget
    solution: Budget
    closure: Budget
    calendar: str = "business"
    """"business": business units run on the business calendar; "always": around the clock."""

    def __post_init__(self) -> None:
        if self.calendar not in CALENDAR_CHOICES:
            raise PolicyError(f"calendar: {self.calendar!r} is not one of {', '.join(CALENDAR_CHOICES)}")


URGENT_TARGETS = PriorityTargets(
    first_response=Budget(timedelta(minutes=15)),
    solution=Budget(timedelta(hours=24)),
    closure=Budget(timedelta(days=7)),
    calendar="always",
)
"""Urgent issues: first feedback in 15 minutes, a solution in 24 hours, around the clock."""
STANDARD_TARGETS = PriorityTargets(
    first_response=Budget(timedelta(hours=1), business=True),
    solution=Budget(business=True, business_days=3),
    closure=Budget(timedelta(days=7)),
)
"""The 1-3-7 standard: one business hour, three business days, seven calendar days."""


@dataclass(frozen=True)
class SlaPolicy:
    """Targets per priority, when a running clock counts as at risk, and the escalation budget."""

    urgent: PriorityTargets = URGENT_TARGETS
    high: PriorityTargets = STANDARD_TARGETS
    normal: PriorityTargets = STANDARD_TARGETS
    low: PriorityTargets = STANDARD_TARGETS
    at_risk_share: float = 0.20
    """A running clock with less than this share of its budget left is at risk."""
    escalation: Budget = Budget(timedelta(hours=48))
    """Escalated to the expert team: their answer is due within this budget."""

    def __post_init__(self) -> None:
        share = self.at_risk_share
        if isinstance(share, bool) or not isinstance(share, (int, float)) or not 0 < share < 1:
            raise PolicyError(f"sla.at_risk_share: {share!r} is not a share between 0 and 1 like 0.2")
        # Priority to its `_Plan` on the business calendar last asked about: a queue
        # refresh asks for the same four plans for every ticket. Not a field.
        object.__setattr__(self, "_plans", {})

    def __reduce__(self) -> tuple:
        """Copy and pickle by the settings; the plans are rebuilt when asked for."""
        return (type(self), (self.urgent, self.high, self.normal, self.low, self.at_risk_share, self.escalation))

    def targets(self, priority: str) -> PriorityTargets:
        if priority not in PRIORITIES:
            raise SlaError(f"priority: {priority!r} is not one of {', '.join(PRIORITIES)}")
        return getattr(self, priority)

    def budgets(self, priority: str) -> dict[str, Budget]:
        """Clock name to its budget for a ticket of `priority`, escalation included: what
        each clock's title says ("15m first response", "3wd solution")."""
        targets = self.targets(priority)
        return {**{name: getattr(targets, name) for name in CLOCK_NAMES}, "escalation": self.escalation}

    def _plan(self, priority: str, calendar: BusinessCalendar) -> _Plan:
        plan = self._plans.get(priority)
        if plan is None or plan.business is not calendar:
            plan = self._plans[priority] = _Plan(self, priority, calendar)
        return plan


DEFAULT_POLICY = SlaPolicy()


def policy_from_mapping(data: Mapping, source: str = "sla") -> SlaPolicy:
    """Read the config-file form of a policy; missing settings keep their defaults.

    For example {"urgent": {"first_response": "15m", "solution": "24h", "closure": "7d",
    "calendar": "always"}, "normal": {"first_response": "1bh", "solution": "3bd"},
    "at_risk_share": 0.2, "escalation": "48h"}.

    Raises:
        PolicyError: a setting is unknown or invalid; the message names it as `source.key`.
    """
    if not isinstance(data, Mapping):
        raise PolicyError(f"{source}: expected a table of settings, got {data!r}")
    known = (*PRIORITIES, "at_risk_share", "escalation")
    for key in data:
        if key not in known:
            raise PolicyError(f"{source}.{key}: unknown setting; known: {', '.join(known)}")
    settings: dict = {}
    for priority in PRIORITIES:
        if priority in data:
            default = getattr(DEFAULT_POLICY, priority)
            settings[priority] = _targets_from_mapping(data[priority], default, f"{source}.{priority}")
    if "escalation" in data:
        settings["escalation"] = Budget.parse(data["escalation"], f"{source}.escalation")
    share = data.get("at_risk_share", DEFAULT_POLICY.at_risk_share)
    try:
        return SlaPolicy(**settings, at_risk_share=share)
    except PolicyError as error:
        raise PolicyError(str(error).replace("sla.", f"{source}.", 1)) from None


def _targets_from_mapping(data: Mapping, default: PriorityTargets, where: str) -> PriorityTargets:
    if not isinstance(data, Mapping):
        raise PolicyError(f"{where}: expected a table of first_response, solution, closure, calendar")
    known = (*CLOCK_NAMES, "calendar")
    for key in data:
        if key not in known:
            raise PolicyError(f"{where}.{key}: unknown setting; known: {', '.join(known)}")
    budgets = {name: Budget.parse(data[name], f"{where}.{name}") for name in CLOCK_NAMES if name in data}
    calendar = data.get("calendar", default.calendar)
    if calendar not in CALENDAR_CHOICES:
        raise PolicyError(f"{where}.calendar: {calendar!r} is not one of {', '.join(CALENDAR_CHOICES)}")
    budgets = {name: budgets.get(name, getattr(default, name)) for name in CLOCK_NAMES}
    return PriorityTargets(**budgets, calendar=calendar)


@dataclass(frozen=True, init=False)
class Clock:
    """One promise to the customer as it stands at `now`.

    `remaining` is counted in the clock's own time (business time for business budgets),
    so a countdown does not run through nights and weekends: the time left while running,
    the time that was left when it stopped for a met, missed or paused clock, and negative
    when overdue (then it is the overdue amount). `due` is None while paused, because the
    due time depends on when the customer replies.
    """

    name: str
    state: str
    due: datetime | None
    remaining: timedelta
    budget: timedelta
    day: timedelta | None
    """One working day of the business calendar the clock counts on; None when it counts
    elapsed time (or business units around the clock), where a day is 24 hours."""
    reason: str
    """Why a waived clock was waived (one of `CLOSE_REASONS`); "" otherwise."""

    def __init__(
        self,
        name: str,
        state: str,
        due: datetime | None,
        remaining: timedelta,
        budget: timedelta,
        day: timedelta | None = None,
        reason: str = "",
    ) -> None:
        # Written by hand, frozen all the same. Instead of the generated frozen __init__:
        # compute 0.76 s -> 0.63 s CPU at 100k tickets (bench_clocks).
        fields = self.__dict__
        fields["name"] = name
        fields["state"] = state
        fields["due"] = due
        fields["remaining"] = remaining
        fields["budget"] = budget
        fields["day"] = day
        fields["reason"] = reason

    @property
    def is_open(self) -> bool:
        """Still asks something of the agent: running, at risk, breached or paused."""
        return self.state in OPEN_STATES

    def state_word(self) -> str:
        return STATE_WORDS[self.state]

    def symbol(self) -> str:
        return STATE_SYMBOLS[self.state]

    def countdown_text(self) -> str:
        """The remaining time, short: "42m", "3h 05m", "2d 3h"; overdue reads negative, "-1h 05m".

        A business clock counts in working days of its calendar ("2wd 5h" is two working
        days and five working hours), so the countdown agrees with the due date; a day of
        elapsed time is 24 hours ("2d 3h"). Time left is rounded down and overdue time up,
        so the text never understates urgency.
        """
        seconds = self.remaining.days * 86400 + self.remaining.seconds
        sign = "-" if seconds < 0 else ""
        minutes = -(seconds // 60) if seconds < 0 else seconds // 60
        day = self.day
        day_minutes = 24 * 60 if day is None else max(1, (day.days * 86400 + day.seconds) // 60)
        days, minutes = divmod(minutes, day_minutes)
        hours, minutes = divmod(minutes, 60)
        if days:
            return f"{sign}{days}{'d' if day is None else 'wd'} {hours}h"
        if hours:
            return f"{sign}{hours}h {minutes:02d}m"
        return f"{sign}{minutes}m"


@dataclass(frozen=True, init=False)
class FollowUpClocks:
    """A ticket's clocks; iterating gives them in display order, escalation last if any.

    Replayed from events, it holds its `urgency` at once and makes the Clock objects when
    one is first read: a queue sorts thousands of tickets by urgency and shows a screenful.
    """

    first_response: Clock
    solution: Clock
    closure: Clock
    escalation: Clock | None
    most_urgent: Clock | None
    """The open clock with the least time remaining, or None when every clock is finished."""
    urgency: float
    """Seconds left on the most urgent clock, negative when overdue, infinite without one."""

    def __init__(self, first_response: Clock, solution: Clock, closure: Clock, escalation: Clock | None = None) -> None:
        # The replay fills the fields the same way, without this call: see `_replay`.
        clocks = (first_response, solution, closure)
        urgent = most_urgent(clocks if escalation is None else (*clocks, escalation))
        fields = self.__dict__
        fields["first_response"] = first_response
        fields["solution"] = solution
        fields["closure"] = closure
        fields["escalation"] = escalation
        fields["most_urgent"] = urgent
        fields["urgency"] = _NEVER if urgent is None else urgent.remaining.total_seconds()

    def __getattr__(self, name: str) -> Clock | None:
        """A replayed ticket's clocks, made when first read (see `_replay`)."""
        if name not in _MADE_WHEN_READ:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return self._made()[name]

    def __iter__(self) -> Iterator[Clock]:
        fields = self.__dict__ if "first_response" in self.__dict__ else self._made()
        if fields["escalation"] is None:
            return iter((fields["first_response"], fields["solution"], fields["closure"]))
        return iter((fields["first_response"], fields["solution"], fields["closure"], fields["escalation"]))

    def __reduce__(self) -> tuple:
        """Copy and pickle by the clocks, made if they were not yet."""
        return (type(self), tuple(self))

    def _made(self) -> dict:
        """The fields, the clocks of a replay made if they were not yet."""
        fields = self.__dict__
        if "first_response" not in fields:
            fields.update(_clocks_of(*fields["_replayed"]))  # all at once: a reader on another thread sees none or all
        return fields


_MADE_WHEN_READ = frozenset({"first_response", "solution", "closure", "escalation", "most_urgent"})
"""The fields of a replayed `FollowUpClocks` that are made when first read."""


def most_urgent(clocks: Iterable[Clock]) -> Clock | None:
    """The open clock with the least time remaining; None when every clock is finished.

    Ties go to the first in `clocks`.
    """
    best = None
    for clock in clocks:
        if clock.state in OPEN_STATES and (best is None or clock.remaining < best.remaining):
            best = clock
    return best


urgency_key = attrgetter("urgency")
"""Sort key for a queue of FollowUpClocks, most urgent first: their `urgency`.

Overdue tickets come first, the most overdue at the top, and tickets with no open clock
last. A float read by a C-level getter, so sorting a big queue costs little. For a
tie-break, sort on (clocks.urgency, PRIORITIES.index(priority)) instead.
"""


_FIRST_RESPONSE, _SOLUTION, _CLOSURE, _ESCALATION = range(4)
"""Indexes of the clocks in a `_Plan` and in a replay."""
_RUNNING, _PAUSED, _DONE, _MISSED, _WAIVED = range(5)
"""What a clock is doing at a point of a replay: stopped clocks are _DONE (met or missed by
the time left), or _MISSED / _WAIVED by a close that left the customer unanswered."""
_EXCUSES = {f"marked_{reason}": reason for reason in CLOSE_REASONS}
"""The events that record why a ticket is closed unanswered, to the reason each gives."""
_NAMES = (*CLOCK_NAMES, "escalation")
"""Clock names by index."""


class _Plan:
    """A priority's clocks resolved against a business calendar, by clock index.

    For each clock: the calendar its budget counts on (as that calendar's
    `position` and `instant`), the budget's length there, and the time left below which a
    running clock is at risk; whether first_response and solution count on the same
    calendar, so that a ticket's start is placed once; and the positions of the last `now`
    asked for, because a queue refresh asks for the same `now` for every ticket.
    """

    def __init__(self, policy: SlaPolicy, priority: str, business: BusinessCalendar) -> None:
        targets = policy.targets(priority)
        self.priority = priority
        counted_on = ALWAYS if targets.calendar == "always" else business
        budgets = (targets.first_response, targets.solution, targets.closure, policy.escalation)
        calendars = [counted_on if budget.business else ALWAYS for budget in budgets]
        self.business = business
        converters = [calendar.converters() for calendar in calendars]
        self.positions = tuple(position for position, _ in converters)
        self.instants = tuple(instant for _, instant in converters)
        self.lengths = tuple(budget.length(calendar) for budget, calendar in zip(budgets, calendars))
        self.days = tuple(None if calendar is ALWAYS else calendar.day_length for calendar in calendars)
        self.at_risk = tuple(length * policy.at_risk_share for length in self.lengths)
        self.shared_start = calendars[0] is calendars[1]
        self.at_now: tuple = (None, ())
        """(now, positions) of the last `now`, one tuple so that threads never see half of it."""

    def positions_at(self, now: datetime) -> tuple[timedelta, ...]:
        """Each clock's calendar position at `now`, kept in `at_now` for the next ticket."""
        positions = tuple(position(now) for position in self.positions)
        self.at_now = (now, positions)
        return positions


def follow_up_clocks(
    events: Iterable[tuple[str, datetime]],
    priority: str,
    policy: SlaPolicy,
    calendar: BusinessCalendar,
    now: datetime,
) -> FollowUpClocks:
    """A ticket's clocks at `now`, replayed from its `(kind, timestamp)` events.

    Events may come in any order; ties keep their given order. Events after `now` have
    not happened yet and are ignored, except "created", which starts the clocks even when
    another device's clock ran slightly ahead. Events before "created" count as at it.

    - first_response: met or missed by the first "first_response".
    - solution: met or missed by "solution_proposed" or "resolved".
    - "closed" also stops the first-response, solution and escalation clocks still
      running. On an answered ticket the solution clock is met when closed in time, missed
      otherwise. Closing a ticket that had no first response is no kept promise: its
      first-response and solution clocks are missed, and so is an unanswered escalation,
      unless a "marked_duplicate", "marked_spam" or "marked_merged" event (since the last
      reopen) gave a reason the policy accepts: then they are "waived", with that reason.
    - closure: met or missed when the ticket is both "closed" and has a "callback",
      in either order, at the later of the two. A closed ticket still waiting for its
      callback at the closure due has missed the promise for good: the clock is missed
      there, so the ticket leaves the overdue lists as its other clocks did when it closed.
    - escalation (from "escalated"): answered only by the expert team's "expert_answered";
      a later "escalated" starts a new clock with the whole budget.

    "waiting_on_customer" pauses every clock but first_response; "customer_replied"
    resumes them with the time they had left, so the due time moves later by the business
    time spent waiting. "reopened" resumes them too, and restarts a met or missed clock
    with the time it had left when it stopped; the ticket then needs a new close and
    callback.

    Raises:
        SlaError: an unknown event kind, a naive timestamp, no "created" event, or an
            unknown priority.
    """
    if type(now) is not datetime or now.tzinfo is not UTC:
        now = as_utc(now, "now", SlaError)
    return _replay(events, policy._plan(priority, calendar), now)


def queue_clocks(
    tickets: Iterable[tuple[str, Iterable[tuple[str, datetime]]]],
    policy: SlaPolicy,
    calendar: BusinessCalendar,
    now: datetime,
) -> list[FollowUpClocks]:
    """The clocks of many `(priority, events)` tickets at one `now`, as a queue refresh needs.

    Same answers as `follow_up_clocks` ticket by ticket, faster: the policy is resolved
    once per priority, and Python's cyclic garbage collector is paused meanwhile. Clocks
    hold no reference cycles, so the collector has nothing to find in them, yet in a big
    queue its passes over the new clocks would cost more than computing them.
    """
    if type(now) is not datetime or now.tzinfo is not UTC:
        now = as_utc(now, "now", SlaError)
    plans = {priority: policy._plan(priority, calendar) for priority in PRIORITIES}
    with collector.paused():  # gc paused: compute 1.38 s -> 0.63 s CPU at 100k tickets (bench_clocks)
        return [
            _replay(events, plans.get(priority) or policy._plan(priority, calendar), now)
            for priority, events in tickets
        ]


def queue_clocks_at(
    earlier: Iterable[FollowUpClocks],
    policy: SlaPolicy,
    calendar: BusinessCalendar,
    now: datetime,
) -> list[FollowUpClocks]:
    """The same tickets' clocks at another `now`, from clocks `queue_clocks` (or this) made
    earlier, as a queue's tick needs them: the tickets have not changed, the time has.

    Same answers as `queue_clocks` at `now`, faster: a replay is kept with the clocks it
    made, and a ticket's events are replayed again only when one of them falls between the
    two `now`s, when `now` is the earlier one, or when the policy or calendar is another;
    otherwise only the time left at `now` is worked out. At 100k tickets (bench_clocks), a
    tick and the queue's re-sort take 0.24 s CPU against 0.45 s replaying every ticket. The
    replays kept cost memory: 266 MB against 213 MB at their peak there.

    Raises:
        SlaError: clocks made directly rather than replayed from events, which keep no replay.
    """
    if type(now) is not datetime or now.tzinfo is not UTC:
        now = as_utc(now, "now", SlaError)
    plans = {priority: policy._plan(priority, calendar) for priority in PRIORITIES}
    with collector.paused():  # as in `queue_clocks`
        return [_moved(clocks, plans, now) for clocks in earlier]


def _replay(events: Iterable[tuple[str, datetime]], plan: _Plan, now: datetime) -> FollowUpClocks:
    """`follow_up_clocks` for a resolved plan and a UTC `now`.

    Works on UTC timestamps, as the store keeps them; a history in any other zone is
    converted and replayed again.
    """
    try:
        history = sorted(events, key=_AT)
    except TypeError:
        raise SlaError("events: timestamps must all be timezone-aware datetimes") from None
    for kind, created in history:
        if kind == "created":
            break
    else:
        raise SlaError("events: no 'created' event, so the clocks have no start")
    if created.tzinfo is not UTC:
        return _replay(_in_utc(history), plan, now)
    positions, lengths = plan.positions, plan.lengths
    # The replay, by clock index; escalation joins as a fourth clock when escalated. A
    # running clock's `due` is the position on its calendar at which its budget runs out;
    # a stopped clock's `left` is the time it had left when it stopped.
    start = positions[0](created)
    due = [
        start + lengths[0],
        (start if plan.shared_start else positions[1](created)) + lengths[1],
        positions[2](created) + lengths[2],
    ]
    left = [ZERO, ZERO, ZERO]
    doing = [_RUNNING, _RUNNING, _RUNNING]
    closed = called_back = waiting = False
    left_at_close = ZERO
    excuse = waived_for = ""
    until = None
    for kind, at in history:
        if kind == "created":
            continue
        if at.tzinfo is not UTC:
            return _replay(_in_utc(history), plan, now)
        if at > now:
            if until is None:
                until = at  # the events are in time order: this is the next to happen
            _known(kind)
            continue
        if at < created:
            at = created
        if kind == "first_response":
            if doing[_FIRST_RESPONSE] == _RUNNING:
                left[_FIRST_RESPONSE] = due[_FIRST_RESPONSE] - positions[_FIRST_RESPONSE](at)
                doing[_FIRST_RESPONSE] = _DONE
        elif kind == "solution_proposed" or kind == "resolved":
            _stop(_SOLUTION, at, _DONE, due, left, doing, positions)
        elif kind == "waiting_on_customer":
            waiting = True
            for clock in range(_SOLUTION, len(due)):
                if clock == _CLOSURE and closed and due[clock] <= positions[clock](at):
                    continue  # a closed ticket's closure clock past its due has missed: nothing pauses it
                _stop(clock, at, _PAUSED, due, left, doing, positions)
        elif kind == "customer_replied" or kind == "reopened":
            waiting = False
            reopened = kind == "reopened"
            for clock in range(_SOLUTION if doing[_FIRST_RESPONSE] == _DONE else _FIRST_RESPONSE, len(due)):
                if doing[clock] == _PAUSED or reopened and doing[clock] >= _DONE:
                    due[clock] = positions[clock](at) + left[clock]
                    doing[clock] = _RUNNING
            if reopened:
                closed = called_back = False
                excuse = ""
        elif kind == "closed" or kind == "callback":
            if kind == "closed":  # a closed ticket asks for no response, solution or expert answer any more
                unanswered = _WAIVED if excuse else _MISSED
                answered = doing[_FIRST_RESPONSE] == _DONE
                waived_for = excuse
                for clock in (_FIRST_RESPONSE, _SOLUTION):
                    _stop(clock, at, _DONE if answered else unanswered, due, left, doing, positions)
                if len(due) > _ESCALATION:
                    _stop(_ESCALATION, at, unanswered, due, left, doing, positions)
            if kind == "closed" and not closed:  # what the closure clock had left then, a pause after it aside
                paused = doing[_CLOSURE] == _PAUSED
                left_at_close = left[_CLOSURE] if paused else due[_CLOSURE] - positions[_CLOSURE](at)
            closed = closed or kind == "closed"
            called_back = called_back or kind == "callback"
            if closed and called_back:
                _stop(_CLOSURE, at, _DONE, due, left, doing, positions)
        elif kind == "escalated":  # a new escalation asks for a new answer, with the whole budget
            if len(due) == _ESCALATION:
                due.append(ZERO)
                left.append(ZERO)
                doing.append(_RUNNING)
            due[_ESCALATION] = positions[_ESCALATION](at) + lengths[_ESCALATION]
            left[_ESCALATION] = lengths[_ESCALATION]
            doing[_ESCALATION] = _PAUSED if waiting else _RUNNING
        elif kind == "expert_answered":
            if len(due) > _ESCALATION:
                _stop(_ESCALATION, at, _DONE, due, left, doing, positions)
        elif kind in _EXCUSES:
            excuse = _EXCUSES[kind]
        else:
            _known(kind)
    return _clocks_at((plan, history, now, until, due, left, doing, closed, left_at_close, waived_for), now)


_Replay = tuple
"""What a ticket's events did to its clocks up to the `now` they were replayed at, kept with
the clocks it made: (plan, history, replayed_at, until, due, left, doing, closed,
left_at_close, waived_for). A running clock's time left then depends on `now` alone, until
`until`, the first event after `replayed_at` (None for none). `history` is the events in
time order; `due`, `left` and `doing` are by clock index, as in `_replay`, and never change
after it. A plain tuple: as a NamedTuple, `queue_clocks` of 100k tickets took 0.41 s CPU
against 0.38 s."""


def _moved(clocks: FollowUpClocks, plans: dict[str, _Plan], now: datetime) -> FollowUpClocks:
    """`clocks` at a UTC `now` on `plans` (by priority), replayed again only when it must be."""
    replayed = clocks.__dict__.get("_replayed")
    if replayed is None:
        raise SlaError("clocks: made directly, not replayed from events, so they cannot be moved to another now")
    replay = replayed[0]
    replayed_on, history, replayed_at, until, _, _, doing, _, _, _ = replay
    plan = plans[replayed_on.priority]
    if plan is not replayed_on or now < replayed_at or until is not None and now >= until:
        return _replay(history, plan, now)
    if _RUNNING not in doing:
        return clocks  # every clock stopped or paused: the same at any `now`
    return _clocks_at(replay, now)


def _clocks_at(replay: _Replay, now: datetime) -> FollowUpClocks:
    """The clocks of `replay` at a UTC `now` with no event between it and the replay's `now`."""
    plan, _, _, _, due, left, doing, closed, _, _ = replay
    at_now = plan.at_now
    nows = at_now[1] if at_now[0] is now else plan.positions_at(now)
    # Only the urgency now: sorting a queue needs nothing else, and the Clock objects with
    # their due instants are made when a clock is first read (`FollowUpClocks.__getattr__`),
    # for the rows on screen. At 100k tickets (bench_clocks): compute 0.50 s -> 0.26 s CPU;
    # reading every clock afterwards then costs 0.32 s, so 0.58 s in all where everything
    # is read, as a report does.
    least = None
    urgent = -1
    for clock, state in enumerate(doing):
        if state == _RUNNING:
            remaining = due[clock] - nows[clock]
            if closed and clock == _CLOSURE and remaining <= ZERO:
                continue  # missed for good, see `_clocks_of`
        elif state == _PAUSED:
            remaining = left[clock]
        else:
            continue
        if least is None or remaining < least:
            urgent, least = clock, remaining
    result = _new(FollowUpClocks)
    fields = result.__dict__
    fields["urgency"] = _NEVER if least is None else least.total_seconds()
    fields["_replayed"] = (replay, nows, urgent)
    return result


def _clocks_of(replay: _Replay, nows: tuple, urgent: int) -> dict[str, Clock | None]:
    """The clocks of a replay at the calendar positions `nows`, by field name of
    `FollowUpClocks`; `urgent` is the index of the most urgent open clock, -1 for none."""
    plan, _, _, _, due, left, doing, closed, left_at_close, waived_for = replay
    instants, lengths, at_risk, days = plan.instants, plan.lengths, plan.at_risk, plan.days
    made: dict[str, Clock | None] = {"escalation": None}
    for clock, stopped in enumerate(doing):
        name = _NAMES[clock]
        if stopped >= _DONE:
            state = "waived" if stopped == _WAIVED else "missed" if stopped == _MISSED or left[clock] < ZERO else "met"
            made[name] = Clock(name, state, instants[clock](due[clock]), left[clock], lengths[clock], days[clock],
                               waived_for if state == "waived" else "")
        elif stopped == _PAUSED:
            made[name] = Clock(name, "paused", None, left[clock], lengths[clock], days[clock])
        else:
            remaining = due[clock] - nows[clock]
            if clock == _CLOSURE and closed and remaining <= ZERO:
                # Missed at the due, or at the close if that came later: frozen there.
                made[name] = Clock(name, "missed", instants[clock](due[clock]), min(ZERO, left_at_close),
                                   lengths[clock], days[clock])
                continue
            state = "breached" if remaining < ZERO else "at_risk" if remaining < at_risk[clock] else "running"
            made[name] = Clock(name, state, instants[clock](due[clock]), remaining, lengths[clock], days[clock])
    made["most_urgent"] = made[_NAMES[urgent]] if urgent >= 0 else None
    return made


def _stop(clock: int, at: datetime, why: int, due: list, left: list, doing: list, positions: tuple) -> None:
    """Pause or finish a running clock; finishing a paused one keeps the time it had left."""
    if doing[clock] == _RUNNING:
        left[clock] = due[clock] - positions[clock](at)
        doing[clock] = why
    elif doing[clock] == _PAUSED and why >= _DONE:
        doing[clock] = why


def _known(kind: str) -> None:
    if kind not in EVENT_KINDS:
        raise SlaError(f"events: unknown kind {kind!r}; expected one of {', '.join(sorted(EVENT_KINDS))}")


def _in_utc(history: list[tuple[str, datetime]]) -> list[tuple[str, datetime]]:
    """The events with UTC timestamps, in time order.

    Python orders two datetimes of the same zone by their wall-clock reading, which is
    wrong in the hour repeated when daylight saving ends; UTC timestamps order truly.
    """
    return sorted(((kind, as_utc(at, kind, SlaError)) for kind, at in history), key=_AT)
