"""Column types: aware datetimes stored as fixed-width UTC text.

SQLite has no time zone type and SQLAlchemy's DateTime drops the zone on the way in, so a
naive value read back could be taken for local time.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.types import String, TypeDecorator
from sqlmodel import SQLModel

from cs_console.utc import from_text, to_text


class UTCDateTime(TypeDecorator):
    """A column type that stores aware datetimes as UTC text and returns them aware."""

    impl = String(26)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> str | None:
        return None if value is None else to_text(value)

    def process_result_value(self, value: str | None, dialect) -> datetime | None:
        return None if value is None else from_text(value)


def row_payload(row: SQLModel) -> dict:
    """A row's columns as JSON-ready values (times as UTC text), as the outbox carries them."""
    data = {}
    for name in type(row).model_fields:
        value = getattr(row, name)
        data[name] = to_text(value) if isinstance(value, datetime) else value
    return data
