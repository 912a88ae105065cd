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
import types
import typing
from dataclasses import dataclass
from datetime import datetime
from enum import Enum

from sqlmodel import SQLModel

from cs_console.errors import UserError
from cs_console.storage.sync_state import ENTITY_NAMES
from cs_console.sync.protocol import INT64
from cs_console.utc import from_text, to_text
from cs_console.vocabulary import (
    CHANNELS,
    DELIVERY_STATES,
    EVENT_KINDS,
    INTERACTION_KINDS,
    MAIL_PROBLEMS,
    MAIL_SOURCES,
    NPS_SCORES,
    PRIORITIES,
    ROLES,
    SATISFACTION_SCORES,
    STATUSES,
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
TICKET_CHILDREN = frozenset({"interaction", "ticket_event", "reminder", "reply_delivery", "attachment"})
"""Rows that belong to one ticket through `ticket_id`, and travel with it."""

CHOICES: dict[tuple[str, str], tuple[str, ...]] = {
    ("ticket", "status"): STATUSES,
    ("ticket", "priority"): PRIORITIES,
    ("ticket", "channel"): CHANNELS,
    ("interaction", "kind"): INTERACTION_KINDS,
    ("interaction", "channel"): CHANNELS,
    ("agent", "role"): ROLES,
    ("ticket_event", "kind"): EVENT_KINDS,
    ("reply_delivery", "state"): DELIVERY_STATES,
    ("mail_problem", "source"): MAIL_SOURCES,
    ("mail_problem", "problem"): ("", *MAIL_PROBLEMS),
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
    if field.choices is not None and value not in field.choices:
        return f"{spec.name}.{name} {value!r} is not one of {', '.join(field.choices)}"
    if field.bounds is not None and value not in field.bounds:
        return f"{spec.name}.{name} {value} is not from {field.bounds.start} to {field.bounds[-1]}"
    return None


def _scores_problem(values: dict) -> str | None:
    """A callback carries the customer's satisfaction, and only a callback carries scores."""
    if values["kind"] == "callback":
        return None if values.get("satisfaction") is not None else "a callback needs interaction.satisfaction"
    scored = [name for name in ("satisfaction", "nps") if values.get(name) is not None]
    return f"only a callback carries interaction.{scored[0]}, not a {values['kind']}" if scored else None


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
