"""Macros: their steps read from files, planned against a ticket, applied all or nothing.

The steps' grammar is checked as an admin would write it (in every import format, with the
line of a bad step named); running one writes the reply and each action in one transaction
on a real store, and a failing action leaves nothing behind.
"""

from __future__ import annotations

import json
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlmodel import select

from cs_console.kb.importer import RefusedFile
from cs_console.kb.macros import Step, StepError, parse_step, parse_steps
from cs_console.storage.errors import StoreError
from cs_console.storage.models import Customer, Reminder, TicketEvent
from cs_console.usecases.kb_import import import_file
from cs_console.usecases.macros import MacroPlan, MacroRefused, apply_macro, macro_choices, plan_macro
from tests.conftest import NOW

ZONE = ZoneInfo("Asia/Shanghai")

TEMPLATES = ('{"key": "tpl-eta", "title": "New ETA asked", '
             '"body": "Dear {customer.contact_name}, ticket {ticket.number}: please send the new ETA."}\n')
MACROS = ('{"key": "eta", "title": "Typhoon: ask for the ETA and wait", "steps": ["template: tpl-eta", '
          '"priority: high", "tag: Typhoon", "reminder: +4h / check the new ETA", "escalate: Maritime Desk / class approval needed", '
          '"status: waiting_on_customer"]}\n'
          '{"key": "spam", "title": "Close as spam", "steps": ["status: closed spam"]}\n')


def test_steps_read_as_an_admin_writes_them():
    assert parse_step("Status: closed   spam") == Step("status", "closed", "spam")
    assert parse_step("tag: #台风") == Step("tag", "台风")
    assert parse_step("reminder: tomorrow 9 / call the master") == Step("reminder", "tomorrow 9", "call the master")
    assert parse_step("escalate: HSE/Marine / needs the class society") == Step("escalate", "HSE/Marine",
                                                                                "needs the class society")


@pytest.mark.parametrize("line, problem", [
    ("close the ticket", "is not a step; write 'action: value'"),
    ("status: finished", "'finished' is not one of open"),
    ("status: open spam", "only 'closed' takes a reason"),
    ("priority: asap", "'asap' is not one of urgent"),
    ("reminder: someday / later", "reminder:"),
    ("escalate: Maritime Desk", "give the team and the reason"),
    ("tag: two words", "must be one word"),
])
def test_a_wrong_step_says_what_is_wrong(line, problem):
    with pytest.raises(StepError, match=problem.replace("(", r"\(")):
        parse_step(line)


def test_a_macro_names_its_bad_step_by_place_and_inserts_one_template_at_most():
    with pytest.raises(StepError, match=r"steps\[1\]: priority"):
        parse_steps(["status: open", "priority: asap"])
    with pytest.raises(StepError, match="at most one template"):
        parse_steps(["template: a", "template: b"])


def test_macros_import_from_every_format_and_a_bad_step_refuses_the_file(tmp_path, store):
    (tmp_path / "macros.jsonl").write_text(MACROS, encoding="utf-8")
    (tmp_path / "chase.md").write_text("---\nkind: macro\ntitle: Chase the documents\nsteps:\n"
                                       "  - reminder: +2d / chase the documents\n  - status: waiting_on_customer\n---\n",
                                       encoding="utf-8")
    (tmp_path / "macros.csv").write_text("key,title,steps\nurgent,Make it urgent,priority: urgent; tag: vip\n",
                                         encoding="utf-8")
    for name in ("macros.jsonl", "chase.md", "macros.csv"):
        assert import_file(store, tmp_path / name).added >= 1
    choices = {choice.title: choice for choice in macro_choices(store)}
    assert choices["Chase the documents"].steps == (Step("reminder", "+2d", "chase the documents"),
                                                    Step("status", "waiting_on_customer"))
    assert choices["Make it urgent"].steps == (Step("priority", "urgent"), Step("tag", "vip"))
    assert not any(choice.problem for choice in choices.values())

    bad = tmp_path / "bad-macros.jsonl"
    bad.write_text('{"key": "ok", "title": "Fine", "steps": ["status: open"]}\n'
                   '{"key": "x", "title": "Broken", "steps": ["status: open", "priorty: high"]}\n'
                   '{"key": "y", "title": "Talkative", "body": "Hello", "steps": ["status: open"]}\n', encoding="utf-8")
    with pytest.raises(RefusedFile) as refused:
        import_file(store, bad)
    message = str(refused.value)
    assert f"{bad}:2: steps[1]: 'priorty: high' is not a step" in message
    assert f"{bad}:3: body: macros have no text of their own" in message
    assert "Fine" not in {choice.title for choice in macro_choices(store)}  # nothing of the file went in


def ticket_with_macros(tmp_path, store):
    (tmp_path / "templates.jsonl").write_text(TEMPLATES, encoding="utf-8")
    (tmp_path / "macros.jsonl").write_text(MACROS, encoding="utf-8")
    import_file(store, tmp_path / "templates.jsonl")
    import_file(store, tmp_path / "macros.jsonl")
    agent = store.create_agent("Lin Wei", team="Maritime Desk")
    ticket = store.create_ticket(new_customer=Customer(name="Hai Xing Shipping", contact_name="Chen Jie"),
                                 subject="Typhoon delay for MV Ocean Pioneer", first_message="Typhoon ahead.",
                                 assignee_id=agent.id, at=NOW - timedelta(hours=1))
    return agent, store.ticket_detail(ticket.id), {choice.title: choice for choice in macro_choices(store)}


def test_running_a_macro_writes_the_reply_and_every_action_at_once(tmp_path, store):
    agent, detail, macros = ticket_with_macros(tmp_path, store)
    plan = plan_macro(store, macros["Typhoon: ask for the ETA and wait"], detail, agent, {}, ZONE, NOW)
    assert plan.reply.text == f"Dear Chen Jie, ticket {detail.ticket.number}: please send the new ETA."
    assert plan.reminder == (NOW + timedelta(hours=4), "check the new ETA")
    pending = store.pending_count()

    apply_macro(store, detail.ticket.id, plan, kind="public_reply", text=plan.reply.text, author_id=agent.id, at=NOW)

    after = store.ticket_detail(detail.ticket.id)
    assert (after.ticket.status, after.ticket.priority) == ("waiting_on_customer", "high")
    assert store.ticket_tags(detail.ticket.id) == ["typhoon"]
    assert after.interactions[-1].body == plan.reply.text
    kinds = [event.kind for event in after.events]
    assert {"first_response", "priority_changed", "reminder_set", "escalated", "status_changed"} <= set(kinds)
    with store.read() as session:
        reminder = session.exec(select(Reminder)).one()
    assert reminder.note == "check the new ETA"
    assert store.pending_count() > pending  # all of it waits for the server
    assert store.template(plan.template_id).uses == 1


def test_a_macro_that_fails_halfway_leaves_the_ticket_as_it_was(tmp_path, store):
    agent, detail, macros = ticket_with_macros(tmp_path, store)
    plan = plan_macro(store, macros["Typhoon: ask for the ETA and wait"], detail, agent, {}, ZONE, NOW)
    broken = MacroPlan(plan.macro, priority="high", reminder=plan.reminder, escalation=(" ", " "),
                       status="waiting_on_customer")
    pending = store.pending_count()
    with pytest.raises(StoreError, match="needs the expert team and a reason"):
        apply_macro(store, detail.ticket.id, broken, kind="public_reply", text="We are on it.", author_id=agent.id,
                    at=NOW)
    after = store.ticket_detail(detail.ticket.id)
    assert (after.ticket.status, after.ticket.priority) == (detail.ticket.status, detail.ticket.priority)
    assert [i.body for i in after.interactions] == [i.body for i in detail.interactions]
    with store.read() as session:
        assert session.exec(select(Reminder)).all() == []
        assert session.exec(select(TicketEvent).where(TicketEvent.kind == "priority_changed")).all() == []
    assert store.pending_count() == pending


def test_a_macro_whose_template_is_gone_is_refused_before_it_runs(tmp_path, store):
    agent, detail, macros = ticket_with_macros(tmp_path, store)
    store.import_rows([store.template(plan_macro(store, macros["Typhoon: ask for the ETA and wait"], detail, agent,
                                                 {}, ZONE, NOW).template_id).model_copy(update={"deleted": True})],
                      update_existing=True)
    with pytest.raises(MacroRefused, match="no template 'tpl-eta'"):
        plan_macro(store, macros["Typhoon: ask for the ETA and wait"], detail, agent, {}, ZONE, NOW)


def test_a_stored_macro_this_console_cannot_read_is_listed_with_its_problem(tmp_path, store):
    from cs_console.storage.models import Macro

    store.import_rows([Macro(title="From a newer console", steps=json.dumps(["assign: Lin Wei"]))])
    [choice] = macro_choices(store)
    assert "'assign: Lin Wei' is not a step" in choice.problem
    with pytest.raises(MacroRefused, match="cannot run"):
        plan_macro(store, choice, None, None, {}, ZONE, NOW)
