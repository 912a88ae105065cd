"""Macros: a named sequence of ticket actions an admin keeps in the knowledge base.

A macro's steps are lines of text, one action each, the same in every file format:

    template: tpl-typhoon-delay-en          insert a template into the reply
    status: waiting_on_customer             move the ticket (`status: closed spam` gives a close reason)
    priority: high
    tag: typhoon
    reminder: +4h / check the new ETA       when (as the reminder dialog reads it) / note
    escalate: Technical Expert Team / class society must approve the repair

This module reads and checks those lines (pure: no store, no screen); running a macro on a
ticket is `cs_console.usecases.macros`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from cs_console.errors import UserError
from cs_console.tags import BadTag, normal_tag
from cs_console.text.when import WhenError, parse_when
from cs_console.vocabulary import CLOSE_REASONS, PRIORITIES, STATUSES

ACTIONS = ("template", "status", "priority", "tag", "reminder", "escalate")
PART_SEPARATOR = " / "
"""Between the two parts of a reminder (when / note) and of an escalation (team / reason)."""
_CHECK_TIME = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
"""Any moment will do to check that a reminder's time reads; the real one is taken when the macro runs."""


class StepError(UserError, ValueError):
    """A step line that is not an action this module knows, with what would be right."""


@dataclass(frozen=True)
class Step:
    """One action: `value` is the template key, status, priority, tag, reminder time or
    expert team; `detail` the close reason, reminder note or escalation reason ("" if none)."""

    action: str
    value: str
    detail: str = ""

    def __str__(self) -> str:
        separator = " " if self.action == "status" else PART_SEPARATOR
        return f"{self.action}: {self.value}{separator + self.detail if self.detail else ''}"


def parse_step(text: str) -> Step:
    """The step a line names.

    Raises:
        StepError: an unknown action, or a value that action does not take.
    """
    action, colon, argument = text.partition(":")
    action, argument = action.strip().lower(), " ".join(argument.split())
    if not colon or action not in ACTIONS:
        raise StepError(f"{text.strip()!r} is not a step; write 'action: value' with one of {', '.join(ACTIONS)}")
    if not argument:
        raise StepError(f"{action}: needs a value")
    if action == "status":
        status, _, reason = argument.partition(" ")
        if status not in STATUSES:
            raise StepError(f"status: {status!r} is not one of {', '.join(STATUSES)}")
        if reason and (status != "closed" or reason not in CLOSE_REASONS):
            raise StepError(f"status: only 'closed' takes a reason, one of {', '.join(CLOSE_REASONS)}")
        return Step(action, status, reason)
    if action == "priority" and argument not in PRIORITIES:
        raise StepError(f"priority: {argument!r} is not one of {', '.join(PRIORITIES)}")
    if action == "tag":
        try:
            return Step(action, normal_tag(argument))
        except BadTag as error:
            raise StepError(f"tag: {error}") from None
    if action in ("reminder", "escalate"):
        value, _, detail = (part.strip() for part in argument.partition(PART_SEPARATOR))
        if action == "reminder":
            try:
                parse_when(value, _CHECK_TIME, UTC)
            except WhenError as error:
                raise StepError(f"reminder: {error}") from None
        elif not detail:
            raise StepError(f"escalate: give the team and the reason: 'escalate: {value}{PART_SEPARATOR}why'")
        return Step(action, value, detail)
    return Step(action, argument)


def parse_steps(lines: list[str]) -> tuple[Step, ...]:
    """Every step of a macro, in order.

    Raises:
        StepError: the first line that is not a step, named by its place ("steps[2]: ...").
    """
    if not lines:
        raise StepError("steps: a macro needs at least one step")
    steps = []
    for index, line in enumerate(lines):
        try:
            steps.append(parse_step(line))
        except StepError as error:
            raise StepError(f"steps[{index}]: {error}") from None
    if sum(step.action == "template" for step in steps) > 1:
        raise StepError("steps: a macro inserts at most one template")
    return tuple(steps)
