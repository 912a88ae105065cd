"""Business time: when a team works, and how much working time lies between two instants.

The 1-3-7 service standard counts most budgets in business time ("one business hour",
"three business days"), so a due time depends on opening hours, weekends, public holidays,
make-up working days and daylight-saving changes. This module answers two questions for a
calendar: which instant lies a given amount of business time after another, and how much
business time separates two instants. Business time is real elapsed time inside opening
hours, so a 09:00-18:00 day is nine hours even on the day the clocks change.

It refuses naive datetimes (a due time is an instant, not a wall-clock reading) and
calendars on which business time could never advance, and it does no I/O: holidays come in
as dates, or from the `holidays` package when asked for a country.
"""

from __future__ import annotations

import threading
from bisect import bisect_right
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import accumulate
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cs_console.errors import UserError
from cs_console.utc import as_utc

ZERO = timedelta(0)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
"""Where positions on the around-the-clock calendar are counted from."""
END_OF_DAY = "24:00"
"""Accepted as a closing time: the calendar works until midnight."""
GROWTH_DAYS = 64
"""Dates a calendar's table of working intervals grows by at a time: growing stays rare, and
the table stays short enough for a quick binary search."""
ALL_WEEKDAYS = (0, 1, 2, 3, 4, 5, 6)
"""Monday is 0, as in `date.weekday()`."""


class CalendarError(UserError, ValueError):
    """A calendar setting or argument is invalid; the message names it and says why."""


@dataclass(frozen=True)
class BusinessCalendar:
    """When a team works: daily hours in a time zone, on some weekdays, minus holidays.

    `holidays` are dates off; `extra_workdays` are dates worked that would otherwise be off
    (make-up working days such as China's adjusted weekends). Both are normalised to
    frozensets of dates; ISO date strings are accepted. `close` may be "24:00".
    `day_length` is the business time of one working day, what a "business day" is worth.
    `position` and `instant` convert between instants and business time.
    """

    timezone: str
    open: str = "09:00"
    close: str = "18:00"
    weekdays: tuple[int, ...] = (0, 1, 2, 3, 4)
    holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        try:
            zone = ZoneInfo(str(self.timezone))
        except (ZoneInfoNotFoundError, ValueError):
            raise CalendarError(
                f"calendar.timezone: {self.timezone!r} is not a time zone like Asia/Shanghai"
            ) from None
        opens = _parse_time(self.open, "open")
        closes = _parse_time(self.close, "close")
        if closes is not None and opens >= closes:
            raise CalendarError(f"calendar.close: {self.close!r} is not after the opening time {self.open!r}")
        weekdays = _weekdays(self.weekdays)
        holidays = _dates(self.holidays, "holidays")
        extra = _dates(self.extra_workdays, "extra_workdays")
        if both := holidays & extra:
            raise CalendarError(f"calendar.extra_workdays: {min(both).isoformat()} is also a holiday")
        object.__setattr__(self, "weekdays", weekdays)
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "extra_workdays", extra)
        end = timedelta(days=1) if closes is None else timedelta(hours=closes.hour, minutes=closes.minute)
        object.__setattr__(self, "day_length", end - timedelta(hours=opens.hour, minutes=opens.minute))
        continuous = weekdays == ALL_WEEKDAYS and opens == time(0) and closes is None and not holidays
        # Around the clock, business time is elapsed time and needs no table.
        object.__setattr__(self, "_table", None if continuous else _DayTable(self, zone, opens, closes))

    def position(self, moment: datetime) -> timedelta:
        """The business time from the calendar's origin to the aware instant `moment` (UTC
        is fastest). The origin is arbitrary but fixed for the life of the calendar object,
        so only differences mean anything; the clocks keep positions so that a due time is
        one addition away."""
        table = self._table
        return moment - EPOCH if table is None else table.position(moment)

    def instant(self, position: timedelta) -> datetime:
        """The UTC instant at which business time reaches `position`, a position from this
        calendar. When it is reached exactly at a closing time, the answer is the next
        opening: business time cannot run out while the office is closed, so nothing falls
        due, or breaches, during closed hours."""
        table = self._table
        return EPOCH + position if table is None else table.instant(position)

    def converters(self) -> tuple[Callable[[datetime], timedelta], Callable[[timedelta], datetime]]:
        """`position` and `instant` for UTC instants as the quickest callables there are, for
        loops that call them for every ticket of a queue (`sla`): the table's own methods, or
        C-level datetime arithmetic around the clock."""
        table = self._table
        if table is None:
            return EPOCH.__rsub__, EPOCH.__add__
        return table.position, table.instant

    def __reduce__(self) -> tuple:
        """Copy and pickle by the settings; the table of working intervals is rebuilt."""
        return (type(self), (self.timezone, self.open, self.close, self.weekdays, self.holidays, self.extra_workdays))

    @classmethod
    def always(cls) -> BusinessCalendar:
        """The around-the-clock calendar: every instant is business time."""
        return ALWAYS

    @classmethod
    def for_country(
        cls,
        country_code: str,
        years: int | Iterable[int],
        timezone: str,
        subdiv: str | None = None,
        **hours,
    ) -> BusinessCalendar:
        """A calendar with the public holidays and make-up working days of a country.

        `hours` passes `open`, `close` and `weekdays` through. Holidays come from the
        `holidays` package, for the given years only.
        """
        import holidays as holiday_data

        supported = holiday_data.list_supported_countries()
        if country_code not in supported:
            raise CalendarError(f"calendar.country: {country_code!r} is not a country code like CN or NO")
        if subdiv is not None and subdiv not in supported[country_code]:
            raise CalendarError(f"calendar.subdiv: {subdiv!r} is not a subdivision of {country_code}")
        wanted = {years} if isinstance(years, int) else set(years)
        found = holiday_data.country_holidays(country_code, subdiv=subdiv, years=wanted)
        extra = (day for day in getattr(found, "weekend_workdays", ()) if day.year in wanted)
        return cls(timezone, holidays=frozenset(found), extra_workdays=frozenset(extra), **hours)

    def is_working_day(self, day: date) -> bool:
        """Whether `day` has working hours: a make-up day, or a weekday that is no holiday."""
        if day in self.extra_workdays:
            return True
        return day.weekday() in self.weekdays and day not in self.holidays


class _DayTable:
    """Each local date's working interval in UTC, with running business-time totals.

    The table covers a range of dates and grows by GROWTH_DAYS at a time when asked about
    an instant outside it. Its lists are indexed by date (ordinal minus `first`): `midnights`
    holds the UTC start of each date and the end of the last one; `opens` and `closes` the
    working interval (empty on a day off); `befores` and `afters` the business time from the
    table's origin to the start and the end of each date. A grown table is a new snapshot
    swapped in whole, so readers on other threads need no lock and never see half of one.
    """

    def __init__(self, calendar: BusinessCalendar, zone: ZoneInfo, opens: time, closes: time | None) -> None:
        self._calendar = calendar
        self._zone = zone
        self._open_time = opens
        self._close_time = closes
        self._lock = threading.Lock()
        self._days: tuple = (0, [], [], [], [], [])

    def position(self, moment: datetime) -> timedelta:
        _, midnights, opens, closes, befores, afters = self._days
        index = bisect_right(midnights, moment) - 1
        if 0 <= index < len(opens):
            if moment <= opens[index]:
                return befores[index]
            if moment >= closes[index]:
                return afters[index]
            return befores[index] + (moment - opens[index])
        self._cover_moment(moment)
        return self.position(moment)

    def instant(self, position: timedelta) -> datetime:
        _, _, opens, _, befores, afters = self._days
        if befores[0] <= position < afters[-1]:
            index = bisect_right(afters, position)
            return opens[index] + (position - befores[index])
        self._cover_position(position)
        return self.instant(position)

    def _cover_moment(self, moment: datetime) -> None:
        """Grow the table until it holds the local date of `moment`."""
        days = self._days if self._days[2] else self._grow(moment.astimezone(self._zone).toordinal())
        while not days[1][0] <= moment < days[1][-1]:
            days = self._grow(days[0] - 1 if moment < days[1][0] else days[0] + len(days[2]))

    def _cover_position(self, position: timedelta) -> None:
        """Grow the table until business time reaches `position` within it."""
        days = self._days
        while not days[4][0] <= position < days[5][-1]:
            days = self._grow(days[0] - 1 if position < days[4][0] else days[0] + len(days[2]))

    def _grow(self, ordinal: int) -> tuple:
        """Extend the table by at least GROWTH_DAYS so that it covers `ordinal`; the new snapshot."""
        with self._lock:
            first, midnights, opens, closes, befores, afters = self._days
            end = first + len(opens)
            if not opens:
                start, stop = ordinal - GROWTH_DAYS, ordinal + GROWTH_DAYS + 1
            elif ordinal < first:
                start, stop = min(ordinal, first - GROWTH_DAYS), first
            elif ordinal >= end:
                start, stop = end, max(ordinal + 1, end + GROWTH_DAYS)
            else:
                return self._days
            new_midnights, new_opens, new_closes = self._intervals(start, stop)
            new_afters = list(accumulate(close - open_ for open_, close in zip(new_opens, new_closes)))
            new_befores = [ZERO, *new_afters[:-1]]
            if not opens:
                self._days = (start, new_midnights, new_opens, new_closes, new_befores, new_afters)
            elif start < first:
                shift = befores[0] - new_afters[-1]
                self._days = (
                    start,
                    new_midnights[:-1] + midnights,
                    new_opens + opens,
                    new_closes + closes,
                    [total + shift for total in new_befores] + befores,
                    [total + shift for total in new_afters] + afters,
                )
            else:
                shift = afters[-1]
                self._days = (
                    first,
                    midnights[:-1] + new_midnights,
                    opens + new_opens,
                    closes + new_closes,
                    befores + [total + shift for total in new_befores],
                    afters + [total + shift for total in new_afters],
                )
            return self._days

    def _intervals(self, start: int, stop: int) -> tuple[list[datetime], list[datetime], list[datetime]]:
        """UTC midnights (one more than dates), openings and closings of dates `start`..`stop - 1`."""
        midnights = [self._utc(date.fromordinal(ordinal), time(0)) for ordinal in range(start, stop + 1)]
        opens, closes = [], []
        for index, ordinal in enumerate(range(start, stop)):
            day = date.fromordinal(ordinal)
            if self._calendar.is_working_day(day):
                open_ = self._utc(day, self._open_time)
                close = midnights[index + 1] if self._close_time is None else self._utc(day, self._close_time)
                opens.append(open_)
                closes.append(max(open_, close))
            else:
                opens.append(midnights[index])
                closes.append(midnights[index])
        return midnights, opens, closes

    def _utc(self, day: date, clock: time) -> datetime:
        return datetime.combine(day, clock, tzinfo=self._zone).astimezone(UTC)


def add_business_time(start: datetime, amount: timedelta, calendar: BusinessCalendar) -> datetime:
    """The instant `amount` of business time after `start`, in `start`'s time zone.

    Counting starts at the next opening when `start` is outside working hours. An amount
    that runs out exactly at a closing time gives the next opening (see
    `BusinessCalendar.instant`), so a zero amount moves a closed-hours start to the next
    opening.
    """
    moment = as_utc(start, "start", CalendarError)
    if amount < ZERO:
        raise CalendarError(f"amount: {amount} is negative; business time only runs forward")
    found = calendar.instant(calendar.position(moment) + amount)
    return found if start.tzinfo is UTC else found.astimezone(start.tzinfo)


def business_time_between(start: datetime, end: datetime, calendar: BusinessCalendar) -> timedelta:
    """The business time from `start` to `end`; negative when `end` is before `start`."""
    end, start = as_utc(end, "end", CalendarError), as_utc(start, "start", CalendarError)
    return calendar.position(end) - calendar.position(start)


def _parse_time(text: str, name: str) -> time | None:
    """A "HH:MM" setting as a time; None for "24:00", which only a closing time may use."""
    if name == "close" and text == END_OF_DAY:
        return None
    try:
        hours, minutes = str(text).split(":")
        if len(hours) != 2 or len(minutes) != 2:
            raise ValueError
        return time(int(hours), int(minutes))
    except ValueError:
        allowed = " (or 24:00)" if name == "close" else ""
        raise CalendarError(f"calendar.{name}: {text!r} is not a time like 09:00{allowed}") from None


def _weekdays(values: Iterable[int]) -> tuple[int, ...]:
    try:
        days = set(values)
    except TypeError:
        days = set()
    if not days or any(isinstance(day, bool) or not isinstance(day, int) or not 0 <= day <= 6 for day in days):
        raise CalendarError(f"calendar.weekdays: {values!r} is not a non-empty list of weekdays 0-6 (Monday is 0)")
    return tuple(sorted(days))


def _dates(values: Iterable[date | str], name: str) -> frozenset[date]:
    found = set()
    for value in values:
        if isinstance(value, datetime) or not isinstance(value, (date, str)):
            raise CalendarError(f"calendar.{name}: {value!r} is not a date like 2026-10-01")
        try:
            found.add(value if isinstance(value, date) else date.fromisoformat(value))
        except ValueError:
            raise CalendarError(f"calendar.{name}: {value!r} is not a date like 2026-10-01") from None
    return frozenset(found)


ALWAYS = BusinessCalendar("UTC", open="00:00", close=END_OF_DAY, weekdays=ALL_WEEKDAYS)
"""The around-the-clock calendar that urgent issues run on."""
