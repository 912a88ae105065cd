"""Timestamps: always timezone-aware UTC in memory, fixed-width UTC text in the database.

Fixed-width text keeps rows in time order under a plain string index; the column type that
stores it is `cs_console.storage.columns.UTCDateTime`.
"""

from __future__ import annotations

from datetime import UTC, datetime

STORAGE_FORMAT = "%Y-%m-%d %H:%M:%S.%f"
"""Twenty-six characters, so lexical order equals time order."""


def utcnow() -> datetime:
    return datetime.now(UTC)


def as_utc(moment: datetime, name: str, error: type[Exception]) -> datetime:
    """`moment` as a UTC datetime; raises `error` naming `name` unless it is an aware datetime."""
    if moment.tzinfo is UTC:
        return moment
    if not isinstance(moment, datetime) or moment.tzinfo is None or moment.utcoffset() is None:
        raise error(f"{name}: {moment!r} is not a timezone-aware datetime")
    return moment.astimezone(UTC)


def to_text(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: cs-console stores only aware times")
    return value.astimezone(UTC).strftime(STORAGE_FORMAT)


def from_text(text: str) -> datetime:
    return datetime.strptime(text, STORAGE_FORMAT).replace(tzinfo=UTC)
