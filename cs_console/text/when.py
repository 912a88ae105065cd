"""Reading a follow-up time as an agent types it: "tue 10:00", "tomorrow 9", "+2h", "明天 10:00".

Pure: the caller gives `now` and the agent's zone. Refuses anything ambiguous rather than
guessing, with a message that shows the accepted forms (`when.*` in `cs_console.text.strings`).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from cs_console.errors import UserError
from cs_console.text.strings import Strings

WEEKDAYS = {
    "mon": 0, "monday": 0, "周一": 0, "星期一": 0,
    "tue": 1, "tuesday": 1, "周二": 1, "星期二": 1,
    "wed": 2, "wednesday": 2, "周三": 2, "星期三": 2,
    "thu": 3, "thursday": 3, "周四": 3, "星期四": 3,
    "fri": 4, "friday": 4, "周五": 4, "星期五": 4,
    "sat": 5, "saturday": 5, "周六": 5, "星期六": 5,
    "sun": 6, "sunday": 6, "周日": 6, "星期日": 6, "周天": 6,
}
RELATIVE_DAYS = {"today": 0, "今天": 0, "tomorrow": 1, "明天": 1, "后天": 2}
UNITS = {"m": "minutes", "min": "minutes", "h": "hours", "d": "days"}


class WhenError(UserError, ValueError):
    """The text is not a time the reminder understands; the message shows the forms it takes.

    `str()` is the English sentence; `say(strings)` is the same in the interface language.
    """

    def __init__(self, key: str, **values: str) -> None:
        self.key = key
        """The catalogue's `when.*` sentence."""
        self.values = values
        super().__init__(self.say(Strings("en")))

    def say(self, strings: Strings) -> str:
        return strings(self.key, forms=strings("when.forms"), **self.values)


def parse_when(text: str, now: datetime, zone: ZoneInfo) -> datetime:
    """The moment `text` names, as an aware datetime; always after `now`.

    Raises:
        WhenError: the text is not one of the accepted forms, or names a past moment.
    """
    cleaned = " ".join(text.strip().lower().split())
    if not cleaned:
        raise WhenError("when.empty")
    relative = re.fullmatch(r"\+\s*(\d+)\s*(min|m|h|d)", cleaned)
    if relative:
        return now + timedelta(**{UNITS[relative.group(2)]: int(relative.group(1))})
    local_now = now.astimezone(zone)
    day_word, _, clock = cleaned.rpartition(" ") if " " in cleaned else ("", "", cleaned)
    at = _clock(clock)
    if at is None:
        day_word, at = cleaned, time(9, 0)
    day = _day(day_word, local_now.date(), at, local_now.time())
    if day is None:
        raise WhenError("when.not_a_time", text=text.strip())
    moment = datetime.combine(day, at, tzinfo=zone)
    if moment <= now:
        raise WhenError("when.past", text=text.strip())
    return moment


def _clock(text: str) -> time | None:
    match = re.fullmatch(r"(\d{1,2})(?:[:：](\d{2}))?", text)
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    return time(hour, minute) if hour < 24 and minute < 60 else None


def _day(word: str, today: date, at: time, now_time: time) -> date | None:
    if word == "":
        return today if at > now_time else today + timedelta(days=1)
    if word in RELATIVE_DAYS:
        return today + timedelta(days=RELATIVE_DAYS[word])
    if word in WEEKDAYS:
        ahead = (WEEKDAYS[word] - today.weekday()) % 7
        if ahead == 0 and at <= now_time:
            ahead = 7
        return today + timedelta(days=ahead)
    try:
        return date.fromisoformat(word)
    except ValueError:
        return None
