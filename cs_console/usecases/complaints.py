"""A complaint on the ticket screen: whether the ticket is one, its PEARL checklist, and
whether the customer's latest message suggests marking it.

The screens ask here: the mark and each step go through the store as ticket events
(`storage.complaints`), and the checklist is read back from those events with each step's
note, author and time, oldest note kept when a step is noted twice. It refuses to mark
anything by itself: the sentiment flag only suggests, the agent decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from cs_console.lead.complaints import complaint_since
from cs_console.lead.sentiment import DEFAULT_LEXICON, needs_soothing
from cs_console.sync.schema import check_values
from cs_console.usecases.ticket_trail import activity
from cs_console.vocabulary import PEARL_STEPS

if TYPE_CHECKING:
    from cs_console.storage.models import TicketEvent
    from cs_console.storage.tickets import TicketDetail
    from cs_console.store import Store


@dataclass(frozen=True)
class PearlStep:
    """One step of the checklist: done when it has a note."""

    step: str
    note: str = ""
    author_id: str | None = None
    at: datetime | None = None

    @property
    def done(self) -> bool:
        return bool(self.note)


@dataclass(frozen=True)
class Complaint:
    """A ticket's complaint state as the ticket screen shows it."""

    since: datetime | None
    """When the mark in force was made; None: not a complaint."""
    steps: tuple[PearlStep, ...]
    suggested: bool
    """Not a complaint, and the customer's latest message reads angry."""

    @property
    def marked(self) -> bool:
        return self.since is not None

    def next_step(self) -> str:
        """The first step not done yet (the last one when all are)."""
        return next((s.step for s in self.steps if not s.done), PEARL_STEPS[-1])


def complaint_of(detail: TicketDetail, now: datetime, lexicon: Iterable[str] = DEFAULT_LEXICON) -> Complaint:
    """The ticket's complaint mark, checklist and suggestion (angry by the config's `lexicon`),
    from what the screen read."""
    events: list[TicketEvent] = list(detail.events)
    since = complaint_since([(e.kind, e.at) for e in events], now)
    noted: dict[str, PearlStep] = {}
    for event in events:
        step = event.kind.removeprefix("pearl_")
        if event.kind.startswith("pearl_") and step in PEARL_STEPS and step not in noted:
            noted[step] = PearlStep(step, activity(event.kind, event.at, event.author_id, event.detail).detail.get(
                "note", ""), event.author_id, event.at)
    latest = next((i.body for i in reversed(detail.interactions) if i.kind == "customer_message"), None)
    return Complaint(since, tuple(noted.get(step, PearlStep(step)) for step in PEARL_STEPS),
                     suggested=since is None and bool(needs_soothing(latest, lexicon)))


def mark_complaint(store: Store, ticket_id: str, marked: bool, *, author_id: str | None, suggested: bool = False,
                   at: datetime | None = None) -> None:
    """Mark the ticket a complaint (`suggested`: the sentiment flag offered it) or clear the mark."""
    store.mark_complaint(ticket_id, marked, author_id=author_id, source="sentiment" if suggested else "agent", at=at)


def record_pearl_step(store: Store, ticket_id: str, step: str, note: str, *, author_id: str | None,
                      at: datetime | None = None) -> None:
    """Record one PEARL step with the agent's note.

    Raises:
        ValueRefused: a note the server would refuse (a NUL); StoreError: see `Store.record_pearl_step`.
    """
    check_values("ticket_event", {"detail": note})
    store.record_pearl_step(ticket_id, step, note, author_id=author_id, at=at)
