"""A ticket's trail: its conversation and what was done to it, in one time order.

The thread shows each message whole and, between them, one compact line per thing that
happened: a status or priority change, an escalation and its answer, a reassignment, a
close reason, a reminder set or done, a tag added or removed. Those lines are the ticket's own events (synced like
every other event), so a lead reading any device's copy can tell who closed a ticket and
when; the customer's history shows the same lines among the messages. The clock-only
events ("first_response", "closed"...) are left out: the status change beside them says
the same to a person. It refuses to read the store: it words what the screens have read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from cs_console.text.display import local_time
from cs_console.text.strings import Strings
from cs_console.utc import from_text
from cs_console.vocabulary import CLOSE_REASONS, PRIORITIES, STATUSES, TRAIL_EVENT_KINDS

LINK_ROLES = ("parent", "child", "related")
"""What a linked ticket is to the one showing it (`storage.ticket_relations.LinkedTicket.role`)."""

if TYPE_CHECKING:
    from cs_console.storage.models import Interaction
    from cs_console.storage.tickets import TicketDetail


@dataclass(frozen=True)
class Activity:
    """One thing done to a ticket: what (`kind`), when, by whom, and its detail."""

    kind: str
    at: datetime
    author_id: str | None
    detail: dict
    ticket_id: str | None = None
    """The ticket it was done to, when the trail is read through a merge (another's)."""


def activity(kind: str, at: datetime, author_id: str | None, detail: str, ticket_id: str | None = None) -> Activity:
    """An activity from an event's stored fields; a detail it cannot read counts as empty."""
    try:
        values = json.loads(detail or "{}")
    except ValueError:
        values = {}
    return Activity(kind, at, author_id, values if isinstance(values, dict) else {}, ticket_id)


def ticket_trail(detail: TicketDetail) -> list[Interaction | Activity]:
    """The ticket's messages and activities, with those of the tickets merged into it, oldest
    first; at the same instant an activity comes after the message that caused it."""
    merged = detail.relations
    activities = [activity(e.kind, e.at, e.author_id, e.detail, e.ticket_id) for e in (*detail.events, *merged.events)
                  if e.kind in TRAIL_EVENT_KINDS]
    entries: list[tuple[datetime, int, Interaction | Activity]] = [
        *((interaction.created_at, 0, interaction) for interaction in (*detail.interactions, *merged.interactions)),
        *((step.at, 1, step) for step in activities),
    ]
    entries.sort(key=lambda entry: (entry[0], entry[1]))
    return [entry for _at, _order, entry in entries]


def activity_text(step: Activity, strings: Strings, names: dict[str, str], zone: tzinfo, now: datetime) -> str:
    """What happened and who did it, in the language of `strings`:
    "status Open → Closed · Lin Wei"; `names` maps agent ids to display names."""
    s, detail = strings, step.detail
    old, new = detail.get("from"), detail.get("to")
    if step.kind == "status_changed":
        what = s("activity.status_changed", old=_word(s, "status", old, STATUSES), new=_word(s, "status", new, STATUSES))
    elif step.kind == "priority_changed":
        what = s("activity.priority_changed", old=_word(s, "priority", old, PRIORITIES),
                 new=_word(s, "priority", new, PRIORITIES))
    elif step.kind == "reassigned":
        nobody = s("activity.nobody")
        what = s("activity.reassigned", old=names.get(old, nobody) if old else nobody,
                 new=names.get(new, nobody) if new else nobody)
    elif step.kind in ("escalated", "expert_answered"):
        what = s(f"activity.{step.kind}", team=detail.get("team", ""), reason=detail.get("reason", ""))
    elif step.kind == "reminder_set":
        due = detail.get("due")
        what = s("activity.reminder_set", when=local_time(from_text(due), zone, now, s) if due else "",
                 note=detail.get("note", ""))
    elif step.kind == "reminder_done":
        what = s("activity.reminder_done", note=detail.get("note", ""))
    elif step.kind == "marked_merged" and detail.get("number"):
        what = s("activity.merged", number=detail["number"])
    elif step.kind == "unmerged":
        what = s("activity.unmerged", number=detail.get("number", ""))
    elif step.kind in ("linked", "unlinked"):
        what = s(f"activity.{step.kind}", number=detail.get("number", ""), role=s(f"link.role.{detail.get('role')}")
                 if detail.get("role") in LINK_ROLES else "")
    elif step.kind in ("complaint_marked", "complaint_cleared"):
        what = s(f"activity.{step.kind}")
    elif step.kind.startswith("pearl_"):
        what = s("activity.pearl", step=s(f"pearl.short.{step.kind.removeprefix('pearl_')}"),
                 note=detail.get("note", ""))
    elif step.kind in ("tagged", "untagged"):
        what = s(f"activity.{step.kind}", tag=detail.get("tag", ""))
    else:  # marked_<reason>
        what = s("activity.marked", reason=_word(s, "close_reason", step.kind.removeprefix("marked_"), CLOSE_REASONS))
    who = names.get(step.author_id, s("activity.system")) if step.author_id else s("activity.system")
    return f"{what} · {who}"


def _word(strings: Strings, section: str, value: str | None, known: tuple[str, ...]) -> str:
    """A stored value in the interface language, or as stored when this release does not know it."""
    return strings(f"{section}.{value}") if value in known else str(value or "")
