"""What an agent types in the search box, parsed into words and filters.

`burst pipe status:open #typhoon after:2025-03-01 is:overdue` is two words to find and four
filters. Filters are `name:value` (a value with spaces in double quotes: `customer:"Meridian
Bulk"`), `#tag`, and `is:overdue`; everything else is words, all of which must match. A
double-quoted run without a filter name is one phrase.

This module only reads the text: it knows nothing of tables, and leaves matching to the store.
An unknown filter name, a bad value or a bad date is refused with `QueryError`, whose message
names the piece at fault.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from cs_console.tags import BadTag, normal_tag
from cs_console.vocabulary import CHANNELS, PRIORITIES, STATUSES

FILTERS = ("status", "priority", "agent", "customer", "team", "channel", "before", "after", "is")
"""The filter names the search box understands."""

CHOICES = {"status": STATUSES, "priority": PRIORITIES, "channel": CHANNELS, "is": ("overdue",)}
"""Filters whose value is one of a fixed list."""

_PIECE = re.compile(r'(?:(\w+):)?"([^"]*)"?|(\S+)')


class QueryError(ValueError):
    """A piece of the query that cannot be understood; the message names it."""


@dataclass(frozen=True)
class SearchQuery:
    words: tuple[str, ...] = ()
    """Words and phrases that must all be found, as typed."""
    status: str | None = None
    priority: str | None = None
    agent: str | None = None
    customer: str | None = None
    team: str | None = None
    channel: str | None = None
    tags: tuple[str, ...] = ()
    """Tags the ticket must carry, in normal form (`cs_console.tags`)."""
    before: date | None = None
    """Created before this day (the day itself excluded)."""
    after: date | None = None
    """Created after this day (the day itself excluded)."""
    overdue: bool = False
    """`is:overdue`: not resolved or closed past the closure promise (the use case says when)."""
    filters: tuple[str, ...] = field(default=(), compare=False)
    """The filters as typed; a query with any looks for tickets only, customers having none."""

    @property
    def empty(self) -> bool:
        return not self.words and not self.has_filters

    @property
    def has_filters(self) -> bool:
        return bool(self.filters)


def _tag(piece: str) -> str | None:
    """The tag a "#word" piece names; None for anything else ("#4471" is a word: an order number)."""
    if not piece.startswith("#"):
        return None
    try:
        return normal_tag(piece)
    except BadTag:
        return None


def parse(text: str) -> SearchQuery:
    """The query `text` stands for.

    Raises:
        QueryError: an unknown filter, a value not in its list, or a date not YYYY-MM-DD.
    """
    words: list[str] = []
    tags: list[str] = []
    values: dict = {}
    typed: list[str] = []
    for match in _PIECE.finditer(text):
        name, quoted, bare = match.groups()
        if bare is not None:
            tag = _tag(bare)
            if tag is not None:
                tags.append(tag)
                typed.append(bare)
                continue
            name, sep, value = bare.partition(":")
            if not sep or not name.isalpha() or not value or value.startswith("/"):  # a time, a link
                words.append(bare)
                continue
        elif name is None:
            if quoted.strip():
                words.append(quoted.strip())
            continue
        else:
            value = quoted.strip()
        name = name.casefold()
        if name not in FILTERS:
            raise QueryError(f"unknown filter {name}: (use {', '.join(f + ':' for f in FILTERS)} or #tag)")
        values[name] = _value(name, value)
        typed.append(match.group())
    overdue = values.pop("is", None) == "overdue"
    return SearchQuery(words=tuple(words), tags=tuple(tags), overdue=overdue, filters=tuple(typed), **values)


def _value(name: str, value: str):
    if not value:
        raise QueryError(f"{name}: needs a value")
    if name in ("before", "after"):
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise QueryError(f"{name}:{value} is not a date (use YYYY-MM-DD)") from None
    if name in CHOICES:
        folded = value.casefold()
        if folded not in CHOICES[name]:
            raise QueryError(f"{name}:{value} is not one of {', '.join(CHOICES[name])}")
        return folded
    return value
