"""Clocks that say what they mean (issue 15): titles from the ticket's own targets, business
countdowns in working days, a close without a reply is no kept promise, an escalation is
answered only by its experts, and a reminder never outranks a broken promise."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cs_console.clocks.calendars import BusinessCalendar
from cs_console.clocks.follow_up import ClockWatch, clock_title, next_due_text, queue_order
from cs_console.clocks.sla import DEFAULT_POLICY, Budget, follow_up_clocks, policy_from_mapping
from cs_console.clocks.workflow import REASON_LEAD, WorkflowError, events_for_status_change, expert_answer_team
from cs_console.lead.kpi import TicketFacts, compute
from cs_console.text.strings import Strings

SHANGHAI = ZoneInfo("Asia/Shanghai")
H, M = timedelta(hours=1), timedelta(minutes=1)
shanghai = BusinessCalendar("Asia/Shanghai")
en = Strings("en")


def sh(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=SHANGHAI)


MONDAY_10 = sh(2026, 3, 2, 10)
CREATED = [("created", MONDAY_10)]


def clocks_at(events, now, priority="normal", policy=DEFAULT_POLICY):
    return follow_up_clocks(events, priority, policy, shanghai, now)


@pytest.mark.parametrize(
    ("priority", "policy", "titles"),
    [
        ("urgent", DEFAULT_POLICY, ["15m first response", "24h solution", "7d closure + callback", "48h expert answer"]),
        ("normal", DEFAULT_POLICY, ["1h first response", "3wd solution", "7d closure + callback", "48h expert answer"]),
        ("high", policy_from_mapping({"high": {"first_response": "30bm", "solution": "2bd 4bh"}, "escalation": "2bd"}),
         ["30m first response", "2wd4h solution", "7d closure + callback", "2wd expert answer"]),
    ],
)
def test_each_clock_is_titled_by_the_tickets_own_target(priority, policy, titles):
    budgets = policy.budgets(priority)
    assert [clock_title(en, name, budgets[name]) for name in budgets] == titles


def test_an_alert_names_the_real_target():
    watch, events = ClockWatch(), CREATED
    budgets = DEFAULT_POLICY.budgets("urgent")
    watch.observe("t", "DEMO-1", clocks_at(events, MONDAY_10, "urgent"), budgets)
    alerts = watch.observe("t", "DEMO-1", clocks_at(events, MONDAY_10 + 13 * M, "urgent"), budgets)
    assert [alert.message(en) for alert in alerts] == ["DEMO-1: 15m first response at risk (2m)"]


def test_a_business_countdown_counts_working_days_and_agrees_with_the_due_date():
    created = sh(2026, 12, 7, 17, 19)  # a Monday, 41 minutes before closing time
    solution = clocks_at([("created", created)], created).solution
    assert solution.due == sh(2026, 12, 10, 17, 19), "three working days later"
    assert solution.countdown_text() == "3wd 0h"
    tuesday = clocks_at([("created", created)], sh(2026, 12, 8, 11)).solution
    assert tuesday.countdown_text() == "2wd 6h", "Monday's 41 min and Tuesday's 2 h spent of 27 working hours"
    answered = [("created", created), ("first_response", created + 10 * M)]
    assert next_due_text(clocks_at(answered, sh(2026, 12, 8, 11)), "done") == "▸ 2wd 6h S", "the queue's column too"
    urgent = clocks_at(CREATED, MONDAY_10 + 2 * H, "urgent").solution
    assert urgent.day is None and urgent.countdown_text() == "22h 00m", "elapsed clocks keep 24-hour days"
    assert Budget.parse("3bd").target_text() == "3wd" and Budget.parse("1bh").target_text() == "1h"


def test_closing_a_ticket_nobody_answered_misses_its_clocks():
    closed = clocks_at([*CREATED, ("closed", MONDAY_10 + 10 * M)], MONDAY_10 + H)
    assert (closed.first_response.state, closed.solution.state) == ("missed", "missed")
    assert closed.most_urgent.name == "closure"


def test_closing_as_a_duplicate_waives_the_clocks_and_says_why():
    at = MONDAY_10 + 10 * M
    kinds = events_for_status_change("open", "closed", "duplicate")
    assert kinds == ("marked_duplicate", "closed")
    events = [*CREATED, ("closed", at), ("marked_duplicate", at - REASON_LEAD)]  # any arrival order
    closed = clocks_at(events, MONDAY_10 + H)
    assert [(c.state, c.reason) for c in (closed.first_response, closed.solution)] == [("waived", "duplicate")] * 2
    reopened = clocks_at([*events, ("reopened", MONDAY_10 + 30 * M)], MONDAY_10 + 40 * M)
    assert reopened.first_response.state == "running" and reopened.first_response.reason == ""
    with pytest.raises(WorkflowError, match="close reason 'lost'"):
        events_for_status_change("open", "closed", "lost")


def test_the_first_response_kpi_leaves_out_a_duplicate_and_counts_an_unanswered_close_as_missed():
    def facts(number, events):
        return TicketFacts(number, number, "s", "c", "en", None, "", "other", (), "normal", "closed", MONDAY_10,
                           MONDAY_10, tuple(events))

    at = MONDAY_10 + 10 * M
    tickets = [
        facts("dup", [*CREATED, ("marked_duplicate", at - REASON_LEAD), ("closed", at)]),
        facts("silent", [*CREATED, ("closed", at)]),
        facts("answered", [*CREATED, ("first_response", at), ("closed", at)]),
    ]
    kpis = compute(tickets, sh(2026, 3, 1), sh(2026, 3, 31), sh(2026, 3, 20), DEFAULT_POLICY, shanghai)
    assert kpis.clock_met["first_response"] == 0.5, "one met, one missed, the duplicate not counted"


def test_only_the_experts_answer_and_a_second_escalation_starts_a_new_clock():
    first, second = MONDAY_10 + H, MONDAY_10 + 30 * H
    events = [*CREATED, ("escalated", first), ("solution_proposed", first + H)]
    proposed = clocks_at(events, first + 2 * H).escalation
    assert proposed.state == "running", "a proposed solution is not the experts' answer"
    answered = clocks_at([*events, ("expert_answered", first + 3 * H)], first + 4 * H).escalation
    assert answered.state == "met"
    again = clocks_at([*events, ("expert_answered", first + 3 * H), ("escalated", second)], second + H).escalation
    assert (again.state, again.due, again.remaining) == ("running", second + 48 * H, 47 * H)


def test_an_expert_answer_comes_from_the_team_escalated_to():
    events = [("escalated", {"team": "Radio"}), ("expert_answered", {"team": "Radio"}), ("escalated", {"team": "Deck"})]
    assert expert_answer_team(events, "Deck") == "Deck"
    with pytest.raises(WorkflowError, match="only Deck can answer this escalation; you are in Radio"):
        expert_answer_team(events, "Radio")
    with pytest.raises(WorkflowError, match="no escalation waiting"):
        expert_answer_team(events[:2], "Radio")


def test_a_due_reminder_never_outranks_an_overdue_clock():
    now = datetime(2026, 3, 9, 4, tzinfo=UTC)
    overdue = clocks_at(CREATED, now)
    fresh = clocks_at([("created", now - M)], now)
    reminded = queue_order("low", fresh, now - M, reminder_due=True)
    assert queue_order("low", overdue, MONDAY_10, reminder_due=False) < reminded
    assert reminded < queue_order("urgent", fresh, now - M, reminder_due=False), "it still beats what is merely running"
