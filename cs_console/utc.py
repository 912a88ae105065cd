"""Timestamps: always timezone-aware UTC in memory, fixed-width UTC text in the database.

SQLite has no time zone type and SQLAlchemy's DateTime drops the zone on the way in, so a
naive value read back could be taken for local time. Fixed-width text keeps rows in time
order under a plain string index.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy.types import String, TypeDecorator

STORAGE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
"""Twenty-six characters, so lexical order equals time order."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def to_text(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: cs-console stores only aware times")
    return value.astimezone(UTC).strftime(STORAGE_FORMAT)


def from_text(text: str) -> datetime:
    return datetime.strptime(text, STORAGE_FORMAT).replace(tzinfo=UTC)


class UTCDateTime(TypeDecorator):
    """A column type that stores aware datetimes as UTC text and returns them aware."""

    impl = String(26)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> str | None:
        return None if value is None else to_text(value)

    def process_result_value(self, value: str | None, dialect) -> datetime | None:
        return None if value is None else from_text(value)
