"""Running a macro on a ticket: what it will do, shown first, then all of it at once.

A macro (`cs_console.kb.macros`) is planned against one ticket (`plan_macro`): its template
filled for that ticket, its reminder's time read in the agent's zone. The ticket screen shows
the plan, puts the template's text in the composer and holds the rest until the agent sends
(`apply_macro`), so undoing a macro before then is only forgetting the plan. Sending writes
the reply and every action in one transaction: a failure anywhere leaves the ticket as it was.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from cs_console.demo.data_set import demo_id
from cs_console.kb.macros import Step, StepError, parse_steps
from cs_console.kb.templates import FilledTemplate, fill, template_values
from cs_console.text.when import WhenError, parse_when
from cs_console.usecases.tagging import change_tags
from cs_console.usecases.ticket_changes import add_interaction, change_status

if TYPE_CHECKING:
    from cs_console.storage.models import Agent, Interaction
    from cs_console.storage.tickets import TicketDetail
    from cs_console.store import Store


@dataclass(frozen=True)
class MacroChoice:
    """A macro as the picker lists it; `problem` says why one cannot run (steps a newer or
    hand-edited knowledge base holds that this console does not read)."""

    id: str
    title: str
    steps: tuple[Step, ...]
    problem: str = ""


@dataclass(frozen=True)
class MacroPlan:
    """What one macro will do to one ticket."""

    macro: MacroChoice
    template_id: str | None = None
    template_title: str = ""
    reply: FilledTemplate | None = None
    """The template's text, filled for this ticket: it goes into the composer."""
    status: str | None = None
    close_reason: str | None = None
    priority: str | None = None
    tags: tuple[str, ...] = ()
    reminder: tuple[datetime, str] | None = None
    """(due, note)."""
    escalation: tuple[str, str] | None = None
    """(expert team, reason)."""


class MacroRefused(ValueError):
    """A macro that cannot run on this ticket, saying why (a template no longer there...)."""


def macro_choices(store: Store) -> list[MacroChoice]:
    """Every macro of the knowledge base, by title."""
    choices = []
    for macro in store.macros():
        try:
            choices.append(MacroChoice(macro.id, macro.title, parse_steps(json.loads(macro.steps))))
        except (StepError, ValueError, TypeError) as error:
            choices.append(MacroChoice(macro.id, macro.title, (), str(error)))
    return choices


def plan_macro(store: Store, macro: MacroChoice, detail: TicketDetail, agent: Agent | None,
               due_times: Mapping[str, datetime | None], zone: ZoneInfo, now: datetime) -> MacroPlan:
    """What `macro` will do to the ticket of `detail`, its template filled and its reminder's
    time read as of `now`.

    Raises:
        MacroRefused: the macro has a problem, or names a template that is not there.
    """
    if macro.problem:
        raise MacroRefused(f"macro {macro.title!r} cannot run: {macro.problem}")
    plan: dict = {}
    for step in macro.steps:
        if step.action == "template":
            template_id = demo_id("template", step.value)
            template = store.template(template_id)
            if template is None:
                raise MacroRefused(f"macro {macro.title!r}: no template {step.value!r} in the knowledge base")
            values = template_values(detail.ticket, detail.customer, agent, due_times, zone, detail.contact)
            plan.update(template_id=template_id, template_title=template.title, reply=fill(template.body, values))
        elif step.action == "status":
            plan.update(status=step.value, close_reason=step.detail or None)
        elif step.action == "priority":
            plan["priority"] = step.value
        elif step.action == "tag":
            plan["tags"] = (*plan.get("tags", ()), step.value)
        elif step.action == "reminder":
            try:
                plan["reminder"] = (parse_when(step.value, now, zone), step.detail)
            except WhenError as error:
                raise MacroRefused(f"macro {macro.title!r}: {error}") from None
        elif step.action == "escalate":
            plan["escalation"] = (step.value, step.detail)
    return MacroPlan(macro, **plan)


def apply_macro(store: Store, ticket_id: str, plan: MacroPlan, *, kind: str, text: str, author_id: str | None,
                at: datetime, clears_draft: str | None = None) -> Interaction | None:
    """Save the reply or note `text` (if any) and every action of `plan`, in one transaction;
    returns the message saved, None without text.

    Order: the message first (so a macro that closes counts the reply as the response), then
    priority, tags, reminder and escalation, and the status last.

    Raises:
        StoreError, ValueError (a refused value, a workflow rule): nothing was written.
    """
    message = None
    with store.all_or_nothing():
        if text.strip():
            message = add_interaction(store, ticket_id, kind, text, author_id=author_id, at=at,
                                      clears_draft=clears_draft)
        if plan.template_id is not None:
            store.count_template_use(plan.template_id)
        if plan.priority is not None:
            store.change_priority(ticket_id, plan.priority, author_id=author_id, at=at)
        if plan.tags:
            change_tags(store, [ticket_id], " ".join(plan.tags), author_id=author_id, at=at)
        if plan.reminder is not None:
            store.add_reminder(ticket_id, plan.reminder[0], plan.reminder[1], agent_id=author_id, at=at)
        if plan.escalation is not None:
            store.escalate(ticket_id, *plan.escalation, author_id=author_id, at=at)
        if plan.status is not None:
            change_status(store, ticket_id, plan.status, author_id=author_id, reason=plan.close_reason, at=at)
    return message
