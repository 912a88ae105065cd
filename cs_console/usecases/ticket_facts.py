"""The tickets the lead's numbers are made of, as `lead.kpi` reads them.

The store returns its own rows (`storage.team_facts.TicketFactsRow`); this turns them into
`lead.kpi.TicketFacts`: contacts become `kpi.Contact`. The lead's screen, the `cs-console lead`
commands and routing ask here, once for all. It refuses to compute a KPI: that is
`lead.kpi`'s, on what this returns.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from cs_console.lead.kpi import Contact, TicketFacts

if TYPE_CHECKING:
    from cs_console.store import Store


def ticket_facts(
    store: Store,
    *,
    statuses: Sequence[str] | None = None,
    created_before: datetime | None = None,
    touched_since: datetime | None = None,
) -> list[TicketFacts]:
    """Tickets in `statuses` (any when None), created before `created_before`, and, when
    `touched_since` is given, changed since then or still active; oldest first."""
    return [
        TicketFacts(
            row.id, row.number, row.subject, row.customer_name, row.customer_language, row.assignee_id, row.team,
            row.category, row.tags,
            row.priority, row.status, row.created_at, row.updated_at, row.events,
            tuple(Contact(*contact[:-1], survey=_survey(contact.survey)) for contact in row.contacts), row.channel,
            row.customer_id,
        )
        for row in store.ticket_facts(statuses=statuses, created_before=created_before, touched_since=touched_since)
    ]


def _survey(text: str) -> tuple[tuple[str, int], ...]:
    """A callback's stored survey answers as (key, score) pairs; those the sync schema let in
    are well formed, so anything else is read as no answer."""
    try:
        answers = json.loads(text or "{}")
    except ValueError:
        return ()
    if not isinstance(answers, dict):
        return ()
    return tuple((key, score) for key, score in answers.items() if isinstance(score, int))
