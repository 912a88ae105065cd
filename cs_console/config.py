"""The user's settings, read from `config.toml` in the config folder.

Every setting has a default, so a missing file is fine; a file that is present but wrong is
refused with a message naming the file and the setting, never half-applied.
"""

from __future__ import annotations

import json
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cs_console.calendars import BusinessCalendar, CalendarError
from cs_console.sla import DEFAULT_POLICY, PolicyError, SlaPolicy, policy_from_mapping
from cs_console.staffing import StaffingError, StaffingSettings, settings_from_config

DEFAULT_KEYS: dict[str, str] = {
    "new_ticket": "n",
    "search": "slash",
    "filter_status": "s",
    "filter_priority": "p",
    "refresh": "r",
    "reply": "r",
    "note": "i",
    "set_status": "s",
    "customer": "c",
    "propose_solution": "x",
    "callback": "b",
    "escalate": "e",
    "remind": "m",
    "templates": "ctrl+t",
    "knowledge_base": "k",
    "send": "ctrl+s",
    "help": "question_mark",
    "team": "t",
    "select": "space",
    "reassign": "a",
    "auto_route": "u",
    "refused": "ctrl+r",
}
"""Binding id to key. Defaults survive SSH and tmux: letters, F-keys, ctrl+letter."""


class ConfigError(ValueError):
    """The config file is unreadable or a setting is invalid; the message says which."""


@dataclass(frozen=True)
class Config:
    """Settings; build with `load` or `from_mapping`, which validate (the bare defaults are
    for tests and a missing file)."""

    timezone: str = "UTC"
    """The agent's time zone, for due times and ages on screen."""
    language: str = "en"
    low_bandwidth: bool = False
    """Fewer frames and minute ticks, for slow SSH hops and satellite links."""
    keys: dict[str, str] = field(default_factory=lambda: dict(DEFAULT_KEYS))
    policy: SlaPolicy = DEFAULT_POLICY
    """The 1-3-7 targets per priority, from the [sla] table."""
    calendar: BusinessCalendar = field(default_factory=lambda: BusinessCalendar("UTC"))
    """The working calendar business clocks run on, from the [calendar] table."""
    red_lines: tuple[str, ...] = field(default_factory=lambda: _default_red_lines())
    """Phrases the composer warns about before a reply goes out, from [composer]."""
    raw: dict = field(default_factory=dict)
    """The whole parsed file, for sections that other modules validate themselves."""
    lexicon: tuple[str, ...] = field(default_factory=lambda: _default_lexicon())
    """Words that mark a customer's message as needing soothing, from [sentiment]."""
    staffing: StaffingSettings = field(default_factory=StaffingSettings)
    """Handling time, service-level target and history for Erlang C, from [staffing]."""

    @property
    def clock_settings(self) -> str:
        """What the clocks are computed under (policy, calendar, zone) as one stable text:
        when it changes, clocks worked out and stored before must be worked out again."""
        return json.dumps([self.raw.get("sla"), self.raw.get("calendar"), self.timezone], sort_keys=True, default=str)

    def for_agent(self, agent_timezone: str) -> Config:
        """These settings in the agent's own zone, unless the file names a zone itself."""
        if "timezone" in self.raw or agent_timezone == self.timezone:
            return self
        return from_mapping({**self.raw, "timezone": agent_timezone})

    def key(self, binding_id: str) -> str:
        return self.keys[binding_id]

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


def _default_lexicon() -> tuple[str, ...]:
    from cs_console.sentiment import DEFAULT_LEXICON  # it imports ConfigError from here

    return DEFAULT_LEXICON


def _default_red_lines() -> tuple[str, ...]:
    from cs_console.kb.redlines import DEFAULT_RED_LINES  # it imports ConfigError from here

    return tuple(DEFAULT_RED_LINES)


def load(path: Path) -> Config:
    """Read `path`; a missing file gives the defaults.

    Raises:
        ConfigError: the file cannot be parsed or a setting is invalid.
    """
    if not path.exists():
        return Config()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read ({error})") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}") from None
    return from_mapping(data, source=str(path))


def from_mapping(data: dict, source: str = "config") -> Config:
    timezone = data.get("timezone", "UTC")
    try:
        ZoneInfo(str(timezone))
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"{source}: timezone: {timezone!r} is not a time zone like Asia/Shanghai") from None
    language = data.get("language", "en")
    if language not in ("en", "zh"):
        raise ConfigError(f"{source}: language: {language!r} is not one of en, zh")
    low_bandwidth = data.get("low_bandwidth", False)
    if not isinstance(low_bandwidth, bool):
        raise ConfigError(f"{source}: low_bandwidth: expected true or false, got {low_bandwidth!r}")
    keys = dict(DEFAULT_KEYS)
    for binding_id, key in data.get("keys", {}).items():
        if binding_id not in DEFAULT_KEYS:
            raise ConfigError(f"{source}: keys.{binding_id}: no such binding; known: {', '.join(DEFAULT_KEYS)}")
        if not isinstance(key, str) or not key:
            raise ConfigError(f"{source}: keys.{binding_id}: expected a key name such as \"n\" or \"f5\"")
        keys[binding_id] = key
    try:
        policy = policy_from_mapping(data.get("sla", {}))
        calendar = calendar_from_mapping(data.get("calendar", {}), timezone)
    except (PolicyError, CalendarError) as error:
        raise ConfigError(f"{source}: {error}") from None
    try:
        staffing = settings_from_config(data, source)
    except StaffingError as error:
        raise ConfigError(str(error)) from None
    from cs_console.kb.redlines import red_lines_from_config
    from cs_console.sentiment import lexicon_from_config

    return Config(
        timezone=timezone, language=language, low_bandwidth=low_bandwidth, keys=keys,
        policy=policy, calendar=calendar, red_lines=red_lines_from_config(data, source), raw=data,
        lexicon=lexicon_from_config(data, source), staffing=staffing,
    )


def calendar_from_mapping(data: dict, timezone: str) -> BusinessCalendar:
    """The [calendar] table: hours, weekdays, a country's public holidays, and extra dates.

    For example {"open": "08:30", "close": "17:30", "country": "CN", "holidays":
    ["2026-12-24"], "extra_workdays": ["2026-10-10"]}. The zone defaults to the agent's.

    Raises:
        CalendarError: a setting is invalid; the message names it.
    """
    known = ("timezone", "open", "close", "weekdays", "country", "subdiv", "holidays", "extra_workdays")
    for key in data:
        if key not in known:
            raise CalendarError(f"calendar.{key}: unknown setting; known: {', '.join(known)}")
    hours = {key: data[key] for key in ("open", "close") if key in data}
    if "weekdays" in data:
        hours["weekdays"] = tuple(data["weekdays"])
    zone = data.get("timezone", timezone)
    listed = {key: frozenset(data.get(key, ())) for key in ("holidays", "extra_workdays")}
    if "country" not in data:
        return BusinessCalendar(zone, **hours, **listed)
    this_year = date.today().year
    national = BusinessCalendar.for_country(
        data["country"], range(this_year - 1, this_year + 2), zone, data.get("subdiv"), **hours
    )
    return BusinessCalendar(
        zone, **hours,
        holidays=national.holidays | listed["holidays"],
        extra_workdays=(national.extra_workdays | listed["extra_workdays"]) - listed["holidays"],
    )
