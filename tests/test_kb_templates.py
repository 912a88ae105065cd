"""Filling standard phrases: known, unknown and empty placeholders, braces, and no code."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from cs_console.kb.templates import PLACEHOLDERS, FilledTemplate, fill, template_values, unfilled
from cs_console.storage.models import Agent, Customer, Ticket

VALUES = {
    "customer.name": "COSCO Shipping Lines",
    "customer.contact_name": "王船长",
    "ticket.number": "K7QXA-0042",
    "ticket.subject": "VSAT link down",
    "agent.name": "Lin Wei",
    "clock.solution.due": "Thu 27 Nov 14:00",
    "clock.closure.due": "",
}


def test_known_placeholders_are_filled():
    filled = fill("Dear {customer.contact_name}, ticket {ticket.number} ({ticket.subject}) — {agent.name}", VALUES)
    assert filled == FilledTemplate("Dear 王船长, ticket K7QXA-0042 (VSAT link down) — Lin Wei")
    assert filled.complete


def test_spaces_inside_braces_are_tolerated():
    assert fill("{ customer.name }", VALUES).text == "COSCO Shipping Lines"


def test_unknown_placeholder_is_marked_and_reported():
    filled = fill("Hi {customer.nmae}, see {customer.nmae} and {foo}", VALUES)
    assert filled.text == "Hi ⟦customer.nmae⟧, see ⟦customer.nmae⟧ and ⟦foo⟧"
    assert filled.unknown == ("customer.nmae", "foo")
    assert filled.empty == ()
    assert not filled.complete


def test_known_but_empty_or_missing_placeholder_is_marked_as_empty():
    filled = fill("Closure by {clock.closure.due}, first reply by {clock.first_response.due}.", VALUES)
    assert filled.text == "Closure by ⟦clock.closure.due⟧, first reply by ⟦clock.first_response.due⟧."
    assert filled.empty == ("clock.closure.due", "clock.first_response.due")
    assert filled.unknown == ()


def test_whitespace_value_counts_as_empty():
    assert fill("{agent.name}", {"agent.name": "  "}).empty == ("agent.name",)


def test_extra_names_given_by_the_caller_are_known():
    assert fill("{vessel.imo}", {"vessel.imo": "9811000"}).text == "9811000"


def test_double_braces_are_literal_braces():
    filled = fill("Use {{customer.name}} to write {customer.name}; JSON: {{\"a\": 1}}", VALUES)
    assert filled.text == 'Use {customer.name} to write COSCO Shipping Lines; JSON: {"a": 1}'
    assert filled.complete


def test_lone_braces_stay_as_written():
    assert fill("a { b } c } {", {}).text == "a ⟦b⟧ c } {"
    assert fill("{}", {}).text == "{}"


def test_code_like_placeholders_are_inert():
    body = "{ticket.__class__} {0.__globals__} {customer.name.__init__.__globals__} {__import__('os')} {0[0]} {!r}"
    filled = fill(body, VALUES)
    assert filled.text == (
        "⟦ticket.__class__⟧ ⟦0.__globals__⟧ ⟦customer.name.__init__.__globals__⟧ "
        "⟦__import__('os')⟧ ⟦0[0]⟧ ⟦!r⟧"
    )
    assert len(filled.unknown) == 6


def test_values_are_not_filled_twice():
    filled = fill("{customer.name}", {"customer.name": "{agent.name} {{x}}", "agent.name": "Lin"})
    assert filled.text == "{agent.name} {{x}}"


def test_unfilled_finds_marks_left_after_editing():
    filled = fill("Dear {customer.contact}, {agent.name}", VALUES)
    assert unfilled(filled.text) == ("customer.contact",)
    assert unfilled(filled.text.replace("⟦customer.contact⟧", "Captain Wang")) == ()


def test_every_placeholder_is_documented():
    assert {"customer.name", "customer.contact_name", "ticket.number", "ticket.subject", "agent.name",
            "clock.first_response.due", "clock.solution.due", "clock.closure.due"} <= PLACEHOLDERS.keys()
    assert all(description for description in PLACEHOLDERS.values())


def test_template_values_format_due_times_in_the_agents_zone():
    ticket = Ticket(number="K7QXA-0042", customer_id="c", subject="VSAT link down")
    customer = Customer(name="COSCO Shipping Lines", contact_name="")
    agent = Agent(name="Lin Wei")
    due = {
        "first_response": None,
        "solution": datetime(2025, 11, 25, 6, 0, tzinfo=UTC),
        "closure": datetime(2025, 11, 28, 23, 30, tzinfo=UTC),
    }
    values = template_values(ticket, customer, agent, due, ZoneInfo("Asia/Shanghai"))
    assert values["clock.solution.due"] == "Tue 25 Nov 14:00"
    assert values["clock.closure.due"] == "Sat 29 Nov 07:30"
    assert values["clock.first_response.due"] == ""
    assert values["ticket.number"] == "K7QXA-0042"
    filled = fill("{customer.contact_name} {clock.first_response.due} {clock.solution.due}", values)
    assert filled.empty == ("customer.contact_name", "clock.first_response.due")


def test_template_values_without_an_agent():
    ticket = Ticket(number="N-1", customer_id="c", subject="s")
    values = template_values(ticket, Customer(name="ACME"), None, {}, ZoneInfo("UTC"))
    assert values["agent.name"] == ""


@given(st.text(), st.dictionaries(st.sampled_from(sorted(PLACEHOLDERS)), st.text()))
def test_fill_never_raises_and_reports_only_what_it_marked(body, values):
    filled = fill(body, values)
    for name in filled.unknown + filled.empty:
        assert f"⟦{name}⟧" in filled.text


def test_every_placeholder_in_the_demo_templates_is_known():
    import json

    from cs_console.paths import asset

    lines = asset("demo/templates.jsonl").read_text(encoding="utf-8").splitlines()
    values = dict.fromkeys(PLACEHOLDERS, "x")
    unknown = {
        row["key"]: filled.unknown
        for row in map(json.loads, filter(str.strip, lines))
        if (filled := fill(row["body"], values)).unknown
    }
    assert unknown == {}
