"""A macro's plan in words, as the confirmation before it runs and the line held under the
composer until the agent sends."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from rich.markup import escape

from cs_console.text.display import local_time
from cs_console.text.strings import Strings
from cs_console.usecases.macros import MacroPlan


def plan_steps(s: Strings, plan: MacroPlan, zone: ZoneInfo, now: datetime) -> list[str]:
    """Each thing the plan does, in the order it does them."""
    steps = [s("macro.step.template", title=plan.template_title)] if plan.reply is not None else []
    if plan.priority is not None:
        steps.append(s("macro.step.priority", priority=s(f"priority.{plan.priority}")))
    steps += [s("macro.step.tag", tag=tag) for tag in plan.tags]
    if plan.reminder is not None:
        due, note = plan.reminder
        steps.append(s("macro.step.reminder", when=local_time(due, zone, now, s), note=note))
    if plan.escalation is not None:
        steps.append(s("macro.step.escalate", team=plan.escalation[0], reason=plan.escalation[1]))
    if plan.status is not None:
        steps.append(s("macro.step.status", status=s(f"status.{plan.status}")))
        if plan.close_reason:
            steps.append(s("macro.step.close_reason", reason=s(f"close_reason.{plan.close_reason}")))
    return steps


def confirm_question(s: Strings, plan: MacroPlan, steps: list[str]) -> str:
    """The question the confirmation asks, in console markup."""
    lines = "\n".join(f"• {escape(step)}" for step in steps)
    return f"[b]{escape(s('macro.will', title=plan.macro.title))}[/b]\n{lines}\n\n{escape(s('macro.when_sent'))}"
