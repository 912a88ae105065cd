"""A thread worker's result reaches its screen only while it is still current.

Two ways a result goes stale while its thread runs:
- a newer run of the same exclusive worker started: `@work(exclusive=True)` cancels the older
  run, but a thread cannot be stopped mid-query, so a slow read begun before a save can finish
  after the read begun after it, and would paint the screen as it was before the save;
- the screen was closed (Escape while it loads): Textual cancels a widget's workers when it
  unmounts, and painting widgets that are gone would end the app with `NoMatches`.
Both show as the worker being cancelled. The check runs on the event loop, where runs are
started and screens closed, so it cannot race with either.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.worker import get_current_worker


def show_if_current(app: App, show: Callable[..., Any], *args: Any) -> None:
    """From inside a thread worker: `show(*args)` on the event loop, unless by then a newer run
    of the same exclusive worker has started or the worker's screen has closed."""
    worker = get_current_worker()

    def show_unless_stale() -> None:
        if not worker.is_cancelled:
            show(*args)

    app.call_from_thread(show_unless_stale)
