"""A thread worker's result reaches the screen only while it is the newest of its group.

`@work(exclusive=True)` cancels the older run when a newer one starts, but a thread cannot be
stopped mid-query: a slow read that began before a save can finish after the read that began
after it, and would paint the screen as it was before the save (a ticket losing the
escalation just made, until the next reload). The check runs on the event loop, where runs
are started and cancelled, so it cannot race with a newer start.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.worker import get_current_worker


def show_if_newest(app: App, show: Callable[..., Any], *args: Any) -> None:
    """From inside a thread worker: `show(*args)` on the event loop, unless a newer run of the
    same exclusive worker has started by then."""
    worker = get_current_worker()

    def show_unless_replaced() -> None:
        if not worker.is_cancelled:
            show(*args)

    app.call_from_thread(show_unless_replaced)
