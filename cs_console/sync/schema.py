"""The synced entities as the wire sees them: names, fields, kinds of value, allowed values.

Derived from `cs_console.storage.models`, so a column added there syncs without an edit here. Both
sides use it: the server to refuse a malformed operation with a sentence naming the field,
the device to refuse the same values before it saves them (`check_values`) and to turn
wire values back into model values. It refuses to know who may write
what (`cs_console.server.scope`) or how values merge (`cs_console.server.merge`,
`cs_console.sync.apply`).
"""

from __future__ import annotations

import json
import re
import types
import typing
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum

from sqlmodel import SQLModel

from cs_console.channels.phone import normalise_phone
from cs_console.errors import UserError
from cs_console.identifiers import email_problem, imo_problem
from cs_console.lead.rubric import scores_problem
from cs_console.storage.sync_state import ENTITY_NAMES
from cs_console.sync.protocol import INT64
from cs_console.utc import from_text, to_text
from cs_console.vocabulary import (
    ASSET_KINDS,
    CHANNELS,
    DELIVERY_STATES,
    EVENT_KINDS,
    INTERACTION_KINDS,
    LINK_KINDS,
    MAIL_PROBLEMS,
    MAIL_SOURCES,
    NPS_SCORES,
    PRIORITIES,
    PROPOSAL_KINDS,
    PROPOSAL_STATES,
    ROLES,
    SATISFACTION_SCORES,
    STATUSES,
    SURVEY_KEY_PATTERN,
    SURVEY_PART_SCORES,
)

MAX_TEXT_CHARS = 200_000
"""The longest text one field may carry (a long knowledge-base article is about 20,000)."""

BOOKKEEPING = frozenset({"id", "field_clocks"})
"""Columns an operation never writes: the id names the row, the clocks are the merge's own."""


class Kind(Enum):
    TEXT = "text"
    INT = "integer"
    BOOL = "true or false"
    TIME = "UTC time text like 2026-11-24 10:00:00.000000"


@dataclass(frozen=True)
class FieldSpec:
    name: str
    kind: Kind
    optional: bool
    """None is allowed."""
    required: bool
    """A new row must carry it (the model gives no default)."""
    choices: tuple[str, ...] | None = None
    bounds: range | None = None
    """The integers allowed, when not every one is."""
    references: str | None = None
    """The entity whose id this field holds (a foreign key)."""


@dataclass(frozen=True)
class EntitySpec:
    name: str
    model: type[SQLModel]
    fields: dict[str, FieldSpec]
    append_only: bool
    """History rows (messages, events) are only ever added, never changed or merged."""


APPEND_ONLY = frozenset({"interaction", "ticket_event", "attachment"})
TICKET_CHILDREN = frozenset({"interaction", "ticket_event", "ticket_tag", "reminder", "reply_delivery", "ticket_link",
                             "kb_proposal", "attachment"})
"""Rows that belong to one ticket through `ticket_id`, and travel with it."""

CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("ticket", "status"): STATUSES,
    ("ticket", "priority"): PRIORITIES,
    ("ticket", "channel"): CHANNELS,
    ("interaction", "kind"): INTERACTION_KINDS,
    ("interaction", "channel"): CHANNELS,
    ("agent", "role"): ROLES,
    ("ticket_event", "kind"): EVENT_KINDS,
    ("ticket_link", "kind"): LINK_KINDS,
    ("reply_delivery", "state"): DELIVERY_STATES,
    ("mail_problem", "source"): MAIL_SOURCES,
    ("mail_problem", "problem"): ("", *MAIL_PROBLEMS),
    ("kb_proposal", "kind"): PROPOSAL_KINDS,
    ("kb_proposal", "state"): PROPOSAL_STATES,
    ("contact", "channel"): ("", *CHANNELS),
    ("asset", "kind"): ASSET_KINDS,
}
BOUNDS: dict[tuple[str, str], range] = {
    ("interaction", "satisfaction"): SATISFACTION_SCORES,
    ("interaction", "nps"): NPS_SCORES,
}

_KINDS = {str: Kind.TEXT, int: Kind.INT, bool: Kind.BOOL, datetime: Kind.TIME}


def _field_spec(model: type[SQLModel], entity: str, name: str, info) -> FieldSpec:
    annotation = info.annotation
    optional = False
    if isinstance(annotation, types.UnionType) or typing.get_origin(annotation) is typing.Union:
        members = [member for member in typing.get_args(annotation) if member is not type(None)]
        optional = len(members) < len(typing.get_args(annotation))
        annotation = members[0]
    return FieldSpec(
        name=name,
        kind=_KINDS[annotation],
        optional=optional,
        required=info.is_required(),
        choices=CHOICES.get((entity, name)),
        bounds=BOUNDS.get((entity, name)),
        references=next((key.column.table.name for key in model.__table__.columns[name].foreign_keys), None),
    )


def _entity_spec(model: type[SQLModel], name: str) -> EntitySpec:
    fields = {field: _field_spec(model, name, field, info) for field, info in model.model_fields.items()}
    return EntitySpec(name=name, model=model, fields=fields, append_only=name in APPEND_ONLY)


ENTITIES: dict[str, EntitySpec] = {name: _entity_spec(model, name) for model, name in ENTITY_NAMES.items()}
"""Every synced entity, parents before children: the order rows are applied in."""


def value_problem(spec: EntitySpec, name: str, value) -> str | None:
    """Why `value` cannot go into field `name`, or None when it can."""
    field = spec.fields.get(name)
    if field is None or name in BOOKKEEPING:
        return f"{spec.name} has no writable field {str(name)[:60]!r}"
    if value is None:
        return None if field.optional else f"{spec.name}.{name} cannot be empty (null)"
    if field.kind is Kind.TEXT or field.kind is Kind.TIME:
        if not isinstance(value, str):
            return f"{spec.name}.{name} must be {field.kind.value}, not {type(value).__name__}"
        if len(value) > MAX_TEXT_CHARS:
            return f"{spec.name}.{name} is {len(value)} characters long; at most {MAX_TEXT_CHARS} fit"
        if "\x00" in value:
            return (f"{spec.name}.{name} holds a NUL character (\\x00) at position {value.index(chr(0))}; "
                    "a server on PostgreSQL cannot store it, so no server takes it: remove it")
        try:
            value.encode()
        except UnicodeEncodeError as error:
            return f"{spec.name}.{name} holds a lone surrogate at character {error.start}, which is not Unicode"
        if field.kind is Kind.TIME:
            try:
                from_text(value)
            except ValueError:
                return f"{spec.name}.{name} must be {field.kind.value}, not {value!r}"
    elif field.kind is Kind.BOOL and not isinstance(value, bool):
        return f"{spec.name}.{name} must be true or false, not {type(value).__name__}"
    elif field.kind is Kind.INT and (isinstance(value, bool) or not isinstance(value, int)):
        return f"{spec.name}.{name} must be an integer, not {type(value).__name__}"
    elif field.kind is Kind.INT and value not in INT64:
        return f"{spec.name}.{name}: the integer {value} does not fit in 64 bits"
    check = FORMATS.get((spec.name, name))
    if check is not None:
        problem = check(value, f"{spec.name}.{name}")
        if problem:
            return problem
    if field.choices is not None and value not in field.choices:
        return f"{spec.name}.{name} {value!r} is not one of {', '.join(field.choices)}"
    if field.bounds is not None and value not in field.bounds:
        return f"{spec.name}.{name} {value} is not from {field.bounds.start} to {field.bounds[-1]}"
    return None


SURVEY_ANSWERS = range(11)
"""What a survey question its survey added (not a standard part) may be answered: every scale fits 0-10."""
DATE_PATTERN = re.compile(r"\d{4}-\d{2}-\d{2}")


def survey_problem(text: object) -> str | None:
    """Why `text` is not a callback's survey answers (a JSON object of question key to a
    score on the question's scale), or None."""
    try:
        answers = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        answers = None
    if not isinstance(answers, dict):
        return ("interaction.survey must be a JSON object of question to score, like {\"speed\": 4}, "
                f"not {str(text)[:60]!r}")
    for key, score in answers.items():
        if not re.fullmatch(SURVEY_KEY_PATTERN, key):
            return f"interaction.survey: {key[:40]!r} is not a question key (lower-case letters, digits and _)"
        scores = SURVEY_PART_SCORES.get(key, SURVEY_ANSWERS)
        if isinstance(score, bool) or not isinstance(score, int) or score not in scores:
            return f"interaction.survey: {key} {score!r} is not a whole number from {scores.start} to {scores[-1]}"
    return None


def _text_list(text: str, where: str) -> list | str:
    """The strings of a JSON array of text, or why `text` is not one."""
    try:
        found = json.loads(text)
    except ValueError:
        found = None
    if not isinstance(found, list) or not all(isinstance(item, str) for item in found):
        return f"{where} must be a JSON array of text, not {text[:60]!r}"
    return found


def _phones_problem(text: str, where: str) -> str | None:
    found = _text_list(text, where)
    if isinstance(found, str):
        return found
    wrong = next((phone for phone in found if normalise_phone(phone, "ZZ") != phone), None)
    return None if wrong is None else f"{where}: {wrong!r} is not a phone number in E.164 form (+8613800138000)"


def _emails_problem(text: str, where: str) -> str | None:
    found = _text_list(text, where)
    if isinstance(found, str):
        return found
    problem = next((email_problem(email) for email in found if email_problem(email)), None)
    return None if problem is None else f"{where}: {problem}"


FORMATS: dict[tuple[str, str], typing.Callable[[str, str], str | None]] = {
    ("contact", "phones"): _phones_problem,
    ("contact", "emails"): _emails_problem,
    ("asset", "imo"): lambda text, where: f"{where}: {imo_problem(text)}" if text and imo_problem(text) else None,
}
"""Text fields with a form of their own: (text, "entity.field") to why it is not in that form, or None."""


def _scores_problem(values: dict) -> str | None:
    """Only a callback carries scores, and its survey answers are well formed."""
    if values["kind"] == "callback":
        return survey_problem(values["survey"]) if "survey" in values else None
    scored = [name for name in ("satisfaction", "nps") if values.get(name) is not None]
    if values.get("survey", "{}") != "{}":
        scored.append("survey")
    return f"only a callback carries interaction.{scored[0]}, not a {values['kind']}" if scored else None


def _agent_dates_problem(values: dict) -> str | None:
    """An agent's start and leaving days are real days, YYYY-MM-DD, the leaving one not
    before the start (when both are in `values`)."""
    days = {}
    for name in ("started_on", "left_on"):
        value = values.get(name)
        if value is None:
            continue
        try:
            days[name] = date.fromisoformat(value) if DATE_PATTERN.fullmatch(value) else None
        except ValueError:
            days[name] = None
        if days[name] is None:
            return f"agent.{name} {value[:40]!r} is not a day like 2026-03-01"
    if len(days) == 2 and days["left_on"] < days["started_on"]:
        return f"agent.left_on {values['left_on']} is before agent.started_on {values['started_on']}"
    return None


def values_problem(spec: EntitySpec, values: dict, *, new_row: bool) -> str | None:
    """The first problem with a set of field values, or None; a new row needs every required field."""
    for name, value in values.items():
        problem = value_problem(spec, name, value)
        if problem:
            return problem
    if spec.name == "interaction" and "kind" in values:
        problem = _scores_problem(values)
        if problem:
            return problem
    if spec.name == "review" and "scores" in values:
        problem = scores_problem(values["scores"])
        if problem:
            return problem
    if spec.name == "agent":
        problem = _agent_dates_problem(values)
        if problem:
            return problem
    if new_row:
        missing = [f.name for f in spec.fields.values() if f.required and f.name not in values and f.name != "id"]
        if missing:
            return f"a new {spec.name} needs {', '.join(missing)}"
    return None


class ValueRefused(UserError, ValueError):
    """A value the server would refuse, caught on the device before it is saved."""


def check_values(entity: str, values: dict) -> None:
    """Refuse on the device what the server would refuse, with the server's sentence.

    Raises:
        ValueRefused: the first value the server would refuse.
    """
    problem = values_problem(ENTITIES[entity], values, new_row=False)
    if problem:
        raise ValueRefused(problem)


def to_model_values(spec: EntitySpec, values: dict) -> dict:
    """Wire values as the model holds them: time text becomes aware datetimes."""
    return {
        name: from_text(value) if value is not None and spec.fields[name].kind is Kind.TIME else value
        for name, value in values.items()
        if name in spec.fields
    }


def to_wire(row: SQLModel) -> dict:
    """A row's columns as wire values: times as UTC text, field clocks as a map."""
    data = {}
    for name in type(row).model_fields:
        value = getattr(row, name)
        if isinstance(value, datetime):
            value = to_text(value)
        elif name == "field_clocks":
            value = json.loads(value or "{}")
        data[name] = value
    return data
