"""Pages from the store into a `VirtualTable`, the same way for every long list.

A queue of 100,000 tickets or a customer's years of history are read in keyset pages, in a
thread worker. On a first load the first page is painted before the next is fetched (the
fetching would otherwise compete with that paint for the interpreter) and every later page
joins the rows on screen as it arrives. On a reload the pages are gathered out of sight and
the new rows replace the old whole at the end, so rows never shrink under the cursor. A
load whose worker was cancelled (a newer load started) stops between two pages and shows
nothing more.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

from textual.app import App
from textual.worker import get_current_worker

from cs_console.widgets.current_result import show_if_current

FIRST_PAINT_WAIT_S = 1.0
"""How long a loader waits for a table's first rows to be painted before it fetches the
next pages."""

Row = TypeVar("Row")


def append_page(rows: list[Row], page: Sequence[Row], last: bool) -> None:
    """`PagedLoad.follow`'s `add` for rows kept in a plain list."""
    rows.extend(page)


class PagedLoad:
    """One load of a long list; made and used inside the thread worker that reads the store.

    `progressive`: a first load, whose rows show as they come; otherwise a reload, whose
    rows show once all are in.
    """

    def __init__(self, app: App, progressive: bool) -> None:
        self.app = app
        self.progressive = progressive
        self._worker = get_current_worker()

    @property
    def cancelled(self) -> bool:
        return self._worker.is_cancelled

    def show_first(self, show: Callable[..., Any], *args: Any) -> None:
        """On a first load, `show(*args, painted)` on the event loop, then wait until it
        calls `painted` (at most FIRST_PAINT_WAIT_S); on a reload, nothing yet."""
        if self.progressive:
            painted = threading.Event()
            self.app.call_from_thread(show, *args, painted.set)
            painted.wait(FIRST_PAINT_WAIT_S)

    def follow(self, pages: Iterable[tuple[Sequence[Row], bool]], add: Callable[[Sequence[Row], bool], Any],
               added: Callable[[], Any]) -> None:
        """Take in the later `pages` (each with whether it is the last), as
        `usecases.paging.later_pages` reads them.

        `add(page, last)` takes each page in. On a first load it runs on the event loop,
        followed by `added()` to repaint; on a reload, here in the worker."""
        for page, last in pages:
            if self.progressive:
                self.app.call_from_thread(_add_shown, add, added, page, last)
            else:
                add(page, last)

    def show_all(self, show: Callable[..., Any], *args: Any) -> None:
        """On a reload, `show(*args)` on the event loop unless a newer load replaced this one."""
        if not self.progressive:
            show_if_current(self.app, show, *args)


def _add_shown(add: Callable[[Sequence[Row], bool], Any], added: Callable[[], Any], page: Sequence[Row],
               last: bool) -> None:
    add(page, last)
    added()
