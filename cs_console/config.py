"""The user's settings, read from `config.toml` in the config folder.

Every setting has a default, so a missing file is fine; a file that is present but wrong is
refused with a message naming the file and the setting, never half-applied.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cs_console.channels.phone import DEFAULT_REGION, is_region
from cs_console.clocks.calendars import BusinessCalendar, CalendarError
from cs_console.clocks.sla import DEFAULT_POLICY, PolicyError, SlaPolicy, policy_from_mapping
from cs_console.errors import UserError
from cs_console.kb.redlines import DEFAULT_RED_LINES, folded_phrase
from cs_console.lead.sentiment import DEFAULT_LEXICON
from cs_console.lead.staffing import StaffingError, StaffingSettings, settings_from_config
from cs_console.lead.survey import Question, SurveyError, questions_from_mapping
from cs_console.sync.attachment_budget import Budget, BudgetError, budget_from_config

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
    "expert_answer": "a",
    "set_priority": "p",
    "reminder_done": "d",
    "snooze": "z",
    "templates": "ctrl+t",
    "knowledge_base": "k",
    "complaint": "o",
    "propose_kb": "k",
    "approve": "a",
    "reject": "j",
    "send": "ctrl+s",
    "help": "question_mark",
    "team": "t",
    "select": "space",
    "reassign": "a",
    "auto_route": "u",
    "outbox": "ctrl+o",
    "retry": "r",
    "edit_again": "e",
    "discard": "d",
    "search_all": "ctrl+f",
    "merge": "g",
    "link": "l",
    "undo_merge": "u",
    "tag": "number_sign",
    "tag_filter": "f",
    "close_duplicate": "x",
    "attach": "f",
    "attach_to_new": "f4",
    "open_attachment": "v",
    "send_files_now": "w",
}
"""Binding id to key. Defaults survive SSH and tmux: letters, F-keys, ctrl+letter."""
RENAMED_KEYS: dict[str, str] = {"refused": "outbox"}
"""Binding ids a config file may still use, to their names now: the list of refused changes
became the outbox."""
FIXED_KEYS: dict[str, str] = {"quit": "ctrl+q", "command_palette": "ctrl+p", "back": "escape"}
"""Keys the console binds everywhere and does not let the config move."""
KEY_SCOPES: dict[str, tuple[str, ...]] = {
    "queue": ("new_ticket", "search", "filter_status", "filter_priority", "refresh", "knowledge_base"),
    "ticket": ("reply", "note", "set_status", "customer", "propose_solution", "callback", "escalate", "remind",
               "expert_answer", "set_priority", "send", "templates", "merge", "link", "undo_merge", "complaint",
               "propose_kb", "tag", "attach", "open_attachment"),
    "reminders": ("reminder_done", "snooze"),
    "team": ("select", "reassign", "auto_route", "refresh", "tag", "set_priority", "close_duplicate", "tag_filter"),
    "outbox": ("retry", "edit_again", "discard", "send_files_now"),
    "proposals": ("approve", "reject"),
}
"""Which binding ids are live together on one screen; the app's own (`team`, `help`,
`outbox`, `search_all`) and `FIXED_KEYS` are live on every screen. Two ids of one scope must not share a key."""
APP_WIDE_KEYS = ("team", "help", "outbox", "search_all")
SCREEN_FIXED_KEYS: dict[str, dict[str, str]] = {
    "queue": {"everyone's tickets": "a"},
    "ticket": {"run a macro": "ctrl+r", "undo the macro": "ctrl+z"},
    "team": {"review": "v", "period kind": "w", "next day": "d", "earlier period": "left_square_bracket",
             "later period": "right_square_bracket", **{f"view {n}": str(n) for n in range(1, 6)}},
}
"""Keys a screen binds that the config cannot move; a configured key must not take one."""


class ConfigError(UserError, ValueError):
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
    red_lines: tuple[str, ...] = tuple(DEFAULT_RED_LINES)
    """Phrases the composer warns about before a reply goes out, from [composer]."""
    raw: dict = field(default_factory=dict)
    """The whole parsed file, for sections that other modules validate themselves."""
    lexicon: tuple[str, ...] = DEFAULT_LEXICON
    """Words that mark a customer's message as needing soothing, from [sentiment]."""
    staffing: StaffingSettings = field(default_factory=StaffingSettings)
    """Handling time, service-level target and history for Erlang C, from [staffing]."""
    phone_region: str = DEFAULT_REGION
    """Where a phone number typed without its country code is read (CN, NO, SG...)."""
    glossary: dict[str, str] = field(default_factory=dict)
    """English term to Chinese term, from [glossary]: added to the shipped glossary
    (assets/glossary.tsv), or overriding a term in it, for knowledge-base search across
    languages. Several spellings of a side are separated by " | "."""
    survey: tuple[Question, ...] | None = None
    """The callback survey's questions from [[survey.questions]]; None: the shipped ones
    (assets/survey.toml, `usecases.survey`)."""
    attachment_budget: Budget = Budget()
    """What the link may spend on attached files, from [attachments]."""

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
    phone_region = data.get("phone_region", DEFAULT_REGION)
    if phone_region != DEFAULT_REGION and (not isinstance(phone_region, str) or not is_region(phone_region)):
        raise ConfigError(f"{source}: phone_region: {phone_region!r} is not a region code like CN or NO")
    keys = dict(DEFAULT_KEYS)
    given = {RENAMED_KEYS.get(binding_id, binding_id): key for binding_id, key in data.get("keys", {}).items()}
    for binding_id, key in given.items():
        if binding_id not in DEFAULT_KEYS:
            raise ConfigError(f"{source}: keys.{binding_id}: no such binding; known: {', '.join(DEFAULT_KEYS)}")
        if not isinstance(key, str) or not key:
            raise ConfigError(f"{source}: keys.{binding_id}: expected a key name such as \"n\" or \"f5\"")
        keys[binding_id] = key
    _refuse_key_clashes(keys, set(given), source)
    try:
        policy = policy_from_mapping(data.get("sla", {}))
        calendar = calendar_from_mapping(data.get("calendar", {}), timezone)
    except (PolicyError, CalendarError) as error:
        raise ConfigError(f"{source}: {error}") from None
    try:
        staffing = settings_from_config(data, source)
    except StaffingError as error:
        raise ConfigError(str(error)) from None
    try:
        attachment_budget = budget_from_config(data, source)
    except BudgetError as error:
        raise ConfigError(str(error)) from None
    return Config(
        timezone=timezone, language=language, low_bandwidth=low_bandwidth, keys=keys,
        policy=policy, calendar=calendar, red_lines=red_lines_from_config(data, source), raw=data,
        lexicon=lexicon_from_config(data, source), staffing=staffing, phone_region=phone_region,
        glossary=glossary_from_config(data, source), survey=survey_from_config(data, source),
        attachment_budget=attachment_budget,
    )


def survey_from_config(raw: Mapping, source: str = "config") -> tuple[Question, ...] | None:
    """The `[[survey.questions]]` a config gives in place of the shipped survey, or None.

    Raises:
        ConfigError: a question is malformed (`lead.survey.questions_from_mapping` says which).
    """
    table = raw.get("survey")
    if table is None:
        return None
    if not isinstance(table, Mapping) or "questions" not in table:
        raise ConfigError(f"{source}: survey: expected [[survey.questions]] tables (see assets/survey.toml)")
    try:
        return questions_from_mapping(table["questions"], f"{source}: survey.questions")
    except SurveyError as error:
        raise ConfigError(str(error)) from None


def glossary_from_config(raw: Mapping, source: str = "config") -> dict[str, str]:
    """The `[glossary]` table: English terms to Chinese terms.

    Raises:
        ConfigError: `glossary` is not a table, or a term in it is empty or not text.
    """
    table = raw.get("glossary", {})
    if not isinstance(table, Mapping):
        raise ConfigError(f'{source}: glossary: expected a table such as [glossary] "oily water" = "含油污水"')
    for english, chinese in table.items():
        if not str(english).strip() or not isinstance(chinese, str) or not chinese.strip():
            raise ConfigError(f'{source}: glossary.{english}: expected a term in the other language, '
                              'such as "oily water" = "含油污水"')
    return dict(table)


def _refuse_key_clashes(keys: Mapping[str, str], configured: set[str], source: str) -> None:
    """Two bindings live on one screen cannot share a key: the later one would silently
    take the other's. Only clashes that involve a configured binding are reported.

    Raises:
        ConfigError: names both bindings, their key and the screen.
    """
    for screen, scoped in KEY_SCOPES.items():
        fixed = {**FIXED_KEYS, **SCREEN_FIXED_KEYS.get(screen, {})}
        owners = {key: f"the fixed {name} key" for name, key in fixed.items()}
        for binding_id in (*APP_WIDE_KEYS, *scoped):
            key, name = keys[binding_id], f"keys.{binding_id}"
            other = owners.setdefault(key, name)
            if other == name or not (binding_id in configured or other.removeprefix("keys.") in configured):
                continue
            mine, theirs = (name, other) if binding_id in configured else (other, name)
            raise ConfigError(f"{source}: {mine} = {key!r} clashes with {theirs}, also {key!r} on the {screen} "
                              f"screen; choose another key for one of them")


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


def red_lines_from_config(raw: Mapping, source: str = "config") -> tuple[str, ...]:
    """The red lines a config asks for: `[composer] red_lines` replaces the defaults,
    `extra_red_lines` adds to them (or to the replacement). Duplicates are dropped.

    Raises:
        ConfigError: `[composer]` is not a table, or a list or phrase in it is invalid.
    """
    composer = raw.get("composer", {})
    if not isinstance(composer, Mapping):
        raise ConfigError(f"{source}: composer: expected a table such as [composer]")
    phrases = configured_phrases(composer, DEFAULT_RED_LINES, "red_lines", "extra_red_lines", f"{source}: composer")
    unique: dict[str, str] = {}
    for phrase in phrases:
        unique.setdefault(folded_phrase(phrase), phrase)
    return tuple(unique.values())


def configured_phrases(table: Mapping, defaults: Iterable[str], replace_key: str, extend_key: str, where: str, *,
                       noun: str = "phrase", example: str = '["不归我管", "not my job"]') -> list[str]:
    """`defaults`, replaced by the list under `replace_key` in a config table and extended by
    the one under `extend_key`: phrases matched by the rules of this module, so each must
    keep a letter or digit once folded. `where` names the table in messages.

    Raises:
        ConfigError: a value is not a list, or a phrase in it is not text or has no letter or digit.
    """
    phrases = list(defaults)
    if replace_key in table:
        phrases = _phrases(table[replace_key], f"{where}.{replace_key}", noun, example)
    if extend_key in table:
        phrases += _phrases(table[extend_key], f"{where}.{extend_key}", noun, example)
    return phrases


def _phrases(value: object, where: str, noun: str, example: str) -> list[str]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: expected a list of {noun}s such as {example}, got {value!r}")
    for index, phrase in enumerate(value):
        if not isinstance(phrase, str) or not folded_phrase(phrase):
            raise ConfigError(f"{where}[{index}]: expected a {noun} with at least one letter or digit, got {phrase!r}")
    return [phrase.strip() for phrase in value]


def lexicon_from_config(raw: Mapping, source: str = "config") -> tuple[str, ...]:
    """The lexicon a config asks for: `[sentiment] words` replaces the defaults,
    `extra_words` adds to them. Duplicates are dropped.

    Raises:
        ConfigError: `[sentiment]` is not a table, or a list or word in it is invalid.
    """
    table = raw.get("sentiment", {})
    if not isinstance(table, Mapping):
        raise ConfigError(f"{source}: sentiment: expected a table such as [sentiment]")
    known = ("words", "extra_words")
    for key in table:
        if key not in known:
            raise ConfigError(f"{source}: sentiment.{key}: unknown setting; known: {', '.join(known)}")
    words = configured_phrases(table, DEFAULT_LEXICON, "words", "extra_words", f"{source}: sentiment",
                               noun="word", example='["投诉", "unacceptable"]')
    return tuple(dict.fromkeys(words))
