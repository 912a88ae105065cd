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


def to_text(value: datetime) -> str:
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: cs-console stores only aware times")
    return value.astimezone(UTC).strftime(STORAGE_FORMAT)


def from_text(text: str) -> datetime:
    return datetime.strptime(text, STORAGE_FORMAT).replace(tzinfo=UTC)
