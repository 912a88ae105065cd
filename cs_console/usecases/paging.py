"""Keyset pages after a first one: how every long list (a queue, a customer's history) is read.

A list is read as a first page, enough to paint, then pages of `page_size` after the last row
of the one before, until a page comes short. It refuses to read on once `stop()` says the
load was replaced by a newer one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from typing import TypeVar

Row = TypeVar("Row")


def later_pages(first: Sequence[Row], first_size: int, fetch: Callable[[Row | None, int], Sequence[Row]],
                page_size: int, stop: Callable[[], bool] = lambda: False) -> Iterator[tuple[Sequence[Row], bool]]:
    """The pages after `first` (for which `first_size` rows were asked), each with whether it
    is the last; `fetch(after, size)` reads the `size` rows after the row `after`."""
    page, asked = first, first_size
    while len(page) == asked and not stop():
        page, asked = fetch(page[-1], page_size), page_size
        yield page, len(page) < asked
