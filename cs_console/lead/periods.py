"""Reporting periods: a week, month, quarter or year in the team's own time zone.

Reports and the KPI view ask for "this week", "last month" or "2026-Q3"; this module turns
those words into UTC instants `[start, end)`, names the period before (for trends), and cuts
a period into the buckets a trend chart shows. Weeks start on Monday and are named by ISO
week ("2026-W48"), as most Chinese and European teams plan them.

It refuses a label it cannot read, with the form it expects, and knows nothing of tickets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cs_console.errors import UserError

KINDS = ("weekly", "monthly", "quarterly", "annual")
"""The report periods, shortest first: the words `cs-console report` takes."""
LABEL_FORMS = {
    "weekly": "2026-W48",
    "monthly": "2026-11",
    "quarterly": "2026-Q4",
    "annual": "2026",
}
"""What a period label looks like, per kind; a date such as 2026-11-24 is always accepted too
(the period that contains it)."""
RELATIVE = {"current": 0, "previous": -1}
"""Words accepted instead of a label: the period containing today, or the one before it."""

_PATTERNS = {
    "weekly": re.compile(r"^(\d{4})-W(\d{2})$"),
    "monthly": re.compile(r"^(\d{4})-(\d{2})$"),
    "quarterly": re.compile(r"^(\d{4})-Q([1-4])$"),
    "annual": re.compile(r"^(\d{4})$"),
}
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class PeriodError(UserError, ValueError):
    """A period kind or label that cannot be read; the message shows the expected form."""


@dataclass(frozen=True)
class Bucket:
    """One point of a trend chart: a day, a week or a month inside a period."""

    label: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class Period:
    """A whole week, month, quarter or year of local days, `first` to `after` (exclusive)."""

    kind: str
    first: date
    zone: str

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise PeriodError(f"period: {self.kind!r} is not one of {', '.join(KINDS)}")
        if self.first != _start_of(self.kind, self.first):
            raise PeriodError(f"period: {self.first} does not start a {self.kind} period")

    @property
    def after(self) -> date:
        """The first local day after the period."""
        return _shift(self.kind, self.first, 1)

    @property
    def start(self) -> datetime:
        return _midnight(self.first, self.zone)

    @property
    def end(self) -> datetime:
        return _midnight(self.after, self.zone)

    @property
    def label(self) -> str:
        first = self.first
        if self.kind == "weekly":
            year, week, _ = first.isocalendar()
            return f"{year}-W{week:02d}"
        if self.kind == "monthly":
            return f"{first.year}-{first.month:02d}"
        if self.kind == "quarterly":
            return f"{first.year}-Q{(first.month - 1) // 3 + 1}"
        return str(first.year)

    def previous(self) -> Period:
        return Period(self.kind, _shift(self.kind, self.first, -1), self.zone)

    def next(self) -> Period:
        return Period(self.kind, self.after, self.zone)

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def buckets(self) -> tuple[Bucket, ...]:
        """Days of a week or month, Monday-started weeks of a quarter (the first and last
        cut to the quarter), months of a year."""
        step = {"weekly": "day", "monthly": "day", "quarterly": "week", "annual": "month"}[self.kind]
        points: list[Bucket] = []
        day = self.first
        while day < self.after:
            if step == "day":
                following, label = day + timedelta(days=1), day.strftime("%m-%d")
            elif step == "week":
                following = min(day + timedelta(days=7 - day.weekday()), self.after)
                label = f"W{day.isocalendar()[1]:02d}"
            else:
                following, label = _shift("monthly", day, 1), day.strftime("%Y-%m")
            points.append(Bucket(label, _midnight(day, self.zone), _midnight(following, self.zone)))
            day = following
        return tuple(points)


def period_containing(kind: str, day: date, zone: str) -> Period:
    if kind not in KINDS:
        raise PeriodError(f"period: {kind!r} is not one of {', '.join(KINDS)}")
    return Period(kind, _start_of(kind, day), zone)


def parse_period(kind: str, text: str | None, today: date, zone: str) -> Period:
    """The period `text` names: a label such as 2026-W48, a date inside it, "current"
    (also when `text` is None) or "previous".

    Raises:
        PeriodError: the kind is unknown or the label does not read as one of its forms.
    """
    current = period_containing(kind, today, zone)
    text = (text or "current").strip()
    if text in RELATIVE:
        return current.previous() if RELATIVE[text] else current
    if _DATE.match(text):
        try:
            return period_containing(kind, date.fromisoformat(text), zone)
        except ValueError:
            pass
    match = _PATTERNS[kind].match(text)
    problem = (
        f"--period {text!r} is not a {kind} period: expected a label like {LABEL_FORMS[kind]}, "
        f"a date inside it like 2026-11-24, or one of {', '.join(RELATIVE)}"
    )
    if match is None:
        raise PeriodError(problem)
    year, number = int(match.group(1)), int(match.group(2)) if match.lastindex == 2 else 1
    try:
        if kind == "weekly":
            first = date.fromisocalendar(year, number, 1)
        elif kind == "monthly":
            first = date(year, number, 1)
        elif kind == "quarterly":
            first = date(year, 3 * number - 2, 1)
        else:
            first = date(year, 1, 1)
    except ValueError:
        raise PeriodError(problem) from None
    return Period(kind, first, zone)


def _start_of(kind: str, day: date) -> date:
    if kind == "weekly":
        return day - timedelta(days=day.weekday())
    if kind == "monthly":
        return day.replace(day=1)
    if kind == "quarterly":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return date(day.year, 1, 1)


def _shift(kind: str, first: date, count: int) -> date:
    """The first day `count` periods after (or before, when negative) the one starting at `first`."""
    if kind == "weekly":
        return first + timedelta(weeks=count)
    months = {"monthly": 1, "quarterly": 3, "annual": 12}[kind] * count
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _midnight(day: date, zone: str) -> datetime:
    return datetime.combine(day, time(), tzinfo=ZoneInfo(zone)).astimezone(UTC)
