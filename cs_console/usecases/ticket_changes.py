"""An agent's reply or status change, with the clock events the workflow says it leaves.

The 1-3-7 clocks are computed from a ticket's events, so every reply and status change must
record the right ones, in the same transaction as the change. The rules are
`clocks.workflow`'s (pure); the store applies them to the ticket as it stands inside its
transaction. Screens, the sync benchmark and the tests ask here, never the store directly,
so no change skips the rules. It refuses to write anything but through the store.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from cs_console.clocks import workflow
from cs_console.sync.schema import check_values
from cs_console.tags import hashtags, tag_id

if TYPE_CHECKING:
    from cs_console.storage.models import Interaction, Ticket
    from cs_console.store import Store


def add_interaction(
    store: Store,
    ticket_id: str,
    kind: str,
    body: str,
    *,
    author_id: str | None,
    satisfaction: int | None = None,
    nps: int | None = None,
    survey: Mapping[str, int] | None = None,
    at: datetime | None = None,
    clears_draft: str | None = None,
) -> Interaction:
    """Append a message, reply, note, call log or callback, with the events it implies: the
    first response, a callback, and a customer's message bringing a waiting ticket back
    to work.

    A callback may carry the customer's satisfaction (1-5), how likely they are to recommend
    us (`nps`, 0-10) and the survey's other answers by question key (`survey`: each optional,
    `lead.survey.split_answers` sorts a survey's answers into these). `clears_draft` names the draft the text
    was typed as (`usecases.drafts`), dropped in the same transaction. The "#hashtags" of an
    internal note tag the ticket, in the same transaction.

    Raises:
        ValueRefused: text or survey answers the server would refuse (a NUL, a speed of 6);
            the store checks the other scores.
    """
    check_values("interaction", {"body": body, "kind": kind,
                                 "survey": json.dumps(dict(survey or {}), separators=(",", ":"))})
    tags = hashtags(body) if kind == "internal_note" else []

    def events_for(status: str, responded: bool) -> tuple[tuple[str, ...], str]:
        kinds = workflow.events_for_interaction(kind, by_agent=author_id is not None, responded=responded)
        after = workflow.status_after_customer_message(status) if kind == "customer_message" else status
        if after == status:
            return kinds, status
        return kinds + workflow.events_for_status_change(status, after), after

    return store.add_interaction(
        ticket_id, kind, body, author_id=author_id, events_for=events_for, satisfaction=satisfaction, nps=nps,
        survey=survey, at=at, clears_draft=clears_draft, tags=tags, tag_row=tag_id,
    )


def change_status(store: Store, ticket_id: str, status: str, *, author_id: str | None, reason: str | None = None,
                  at: datetime | None = None) -> Ticket:
    """Move a ticket to `status`, recording the events that pause, resume or stop clocks;
    closing may give a `reason` (`vocabulary.CLOSE_REASONS`) that waives unanswered clocks.

    Raises:
        workflow.WorkflowError: `status` is not a status, or `reason` is not a close reason;
            nothing was changed.
    """
    return store.change_status(
        ticket_id, status, author_id=author_id,
        events_for=lambda old, new: workflow.events_for_status_change(old, new, reason),
        event_time=workflow.event_time, at=at,
    )


def answer_escalation(store: Store, ticket_id: str, body: str, *, author_id: str,
                      at: datetime | None = None, clears_draft: str | None = None) -> Interaction:
    """Save the expert team's answer to the ticket's open escalation, which stops its clock;
    `clears_draft` as for `add_interaction`.

    Raises:
        workflow.WorkflowError: no escalation is waiting, or the author is not in its team.
        ValueRefused: text the server would refuse (a NUL).
    """
    check_values("interaction", {"body": body})
    return store.answer_escalation(ticket_id, body, author_id=author_id, expert_team=workflow.expert_answer_team,
                                   at=at, clears_draft=clears_draft)


def close_as(store: Store, ticket_ids: Sequence[str], reason: str, *, author_id: str | None,
             at: datetime | None = None) -> list[Ticket]:
    """Close every ticket giving `reason` (`vocabulary.CLOSE_REASONS`: a duplicate...), which
    waives its unanswered clocks, in one transaction: all or none.

    Raises:
        workflow.WorkflowError: `reason` is not a close reason; nothing was changed.
        StoreError: a ticket does not exist; nothing was changed.
    """
    return store.change_statuses(
        ticket_ids, "closed", author_id=author_id,
        events_for=lambda old, new: workflow.events_for_status_change(old, new, reason),
        event_time=workflow.event_time, at=at,
    )
