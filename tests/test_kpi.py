"""KPIs against a week of tickets computed by hand.

The fixture week is Monday 2026-11-23 to Monday 2026-11-30 (UTC), on the default 1-3-7
policy and a 09:00-18:00 UTC business calendar; every time below is inside business hours
unless said, so business and elapsed time agree. The reckoning is written beside each
ticket and each assertion.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cs_console.clocks.calendars import BusinessCalendar
from cs_console.clocks.sla import DEFAULT_POLICY
from cs_console.lead import kpi
from cs_console.lead.kpi import Contact, TicketFacts

CALENDAR = BusinessCalendar("UTC")
WEEK_START = datetime(2026, 11, 23, tzinfo=UTC)
WEEK_END = WEEK_START + timedelta(days=7)
AFTER = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
"""When the report is made: after the week, so the KPIs are as of its end."""


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


def ticket(key, created, events=(), contacts=(), *, priority="normal", category="other", tags=(),
           assignee="agent-a", status="open") -> TicketFacts:
    history = sorted([("created", created), *events], key=lambda event: event[1])
    return TicketFacts(
        id=key, number=key.upper(), subject=f"subject {key}", customer_name="Hai Xing", customer_language="zh",
        assignee_id=assignee, team="Maritime Desk", category=category, tags=tuple(tags), priority=priority,
        status=status, created_at=created, updated_at=history[-1][1], events=tuple(history),
        contacts=tuple(sorted(contacts, key=lambda c: c.at)),
    )


def reply(moment, author="agent-a", kind="public_reply") -> Contact:
    return Contact(kind, moment, author)


WEEK = [
    # t1: answered in 30 min, resolved, closed with a callback scoring 5 and NPS 10. FCR.
    ticket("t1", at(24, 10), [("first_response", at(24, 10, 30)), ("resolved", at(25, 10)), ("closed", at(25, 11)),
                              ("callback", at(25, 11))],
           [reply(at(24, 10, 30)), Contact("callback", at(25, 11), "agent-a", 5, 10)],
           category="emissions", status="closed"),
    # t2: answered after 120 min (missed), two replies, resolved Wed, reopened Thu, callback
    # Fri scoring 3 and NPS 6. Solved (then reopened): not FCR; in the backlog at the end.
    ticket("t2", at(24, 11), [("first_response", at(24, 13)), ("resolved", at(25, 10)), ("reopened", at(26, 10)),
                              ("callback", at(27, 10))],
           [reply(at(24, 13)), reply(at(25, 9, 30)), Contact("callback", at(27, 10), "agent-a", 3, 6)],
           category="emissions"),
    # t3: urgent, escalated at once, never answered: first response, solution and the 48h
    # expert answer all overdue by the end of the week; backlog, 111 h old (Wed 09:00 to Mon).
    ticket("t3", at(25, 9), [("escalated", at(25, 9, 5))], priority="urgent", category="safety_equipment"),
    # t4: a call after 10 min, then waiting on the customer; backlog, 86 h old.
    ticket("t4", at(26, 10), [("first_response", at(26, 10, 10)), ("waiting_on_customer", at(26, 10, 20))],
           [reply(at(26, 10, 10), "agent-b", "call_log")], category="billing", tags=("refund", "vip"),
           assignee="agent-b", status="waiting_on_customer"),
    # t5: last week's, never answered: in both weeks' backlogs (230 h old at this week's end).
    ticket("t5", at(20, 10), category="billing"),
    # t6: answered in 20 min and closed without a callback: solved, FCR.
    ticket("t6", at(26, 14), [("first_response", at(26, 14, 20)), ("closed", at(26, 15))],
           [reply(at(26, 14, 20), "agent-b")], category="billing", tags=("refund",), assignee="agent-b",
           status="closed"),
    # t7: Sunday 23:00, nobody works Sundays: its first-response clock has not started. 1 h old.
    ticket("t7", datetime(2026, 11, 29, 23, 0, tzinfo=UTC)),
    # t8: made after the week: in none of its numbers.
    ticket("t8", datetime(2026, 11, 30, 1, 0, tzinfo=UTC)),
]


@pytest.fixture
def week() -> kpi.Kpis:
    return kpi.compute(WEEK, WEEK_START, WEEK_END, AFTER, DEFAULT_POLICY, CALENDAR)


def test_counts_and_first_response_times(week):
    assert week.created == 6  # t1 t2 t3 t4 t6 t7
    assert week.solved == 3  # t1 (resolved), t2 (resolved, later reopened), t6 (closed)
    # answered: 10, 20, 30, 120 minutes
    assert week.first_response_median_min == 25.0  # (20 + 30) / 2
    assert week.first_response_p90_min == 120.0  # rank ceil(0.9 * 4) = 4


def test_share_of_each_clock_met(week):
    assert week.clock_met["first_response"] == pytest.approx(3 / 5)  # met t1 t4 t6; missed t2; overdue t3
    # solution: met t1 t6; overdue t3; t2 runs again since its reopening, t4 is paused, t7 runs
    assert week.clock_met["solution"] == pytest.approx(2 / 3)
    assert week.clock_met["closure"] == 1.0  # only t1 has both a close and a callback
    assert week.clock_met["escalation"] == 0.0  # t3's 48 hours ran out on Friday


def test_resolution_escalation_and_reopen_rates(week):
    assert week.fcr == pytest.approx(2 / 3)  # t1 and t6 of the three solved; t2 reopened
    assert week.escalation_rate == pytest.approx(1 / 6)
    assert week.reopen_rate == pytest.approx(1 / 3)


def test_callback_satisfaction_and_nps(week):
    assert (week.csat, week.csat_mean, week.csat_count) == (0.5, 4.0, 2)  # scores 5 and 3
    assert (week.nps, week.nps_count) == (0.0, 2)  # one promoter (10), one detractor (6)


def test_backlog_at_the_end_of_the_week(week):
    assert week.backlog == 5  # t2 t3 t4 t5 t7; t1 and t6 are closed, t8 not yet made
    assert week.backlog_median_age_h == 111.0  # ages 1, 86, 111, 133, 230
    assert week.backlog_oldest_age_h == 230.0


def test_categories_and_tags_most_frequent_first(week):
    assert week.by_category == (("billing", 2), ("emissions", 2), ("other", 1), ("safety_equipment", 1))
    assert week.by_tag == (("refund", 2), ("vip", 1))


def test_an_unfinished_week_is_measured_as_of_now():
    wednesday_noon = at(25, 12)
    partial = kpi.compute(WEEK, WEEK_START, WEEK_END, wednesday_noon, DEFAULT_POLICY, CALENDAR)
    assert partial.created == 3  # t1 t2 t3 so far
    assert partial.solved == 2  # t1 and t2 resolved on Wednesday morning; t2's reopening is still to come
    assert partial.reopen_rate == 0.0
    assert (partial.csat, partial.nps) == (1.0, 100.0)  # t1's callback at 11:00; t2's is on Friday


def test_an_empty_period_has_no_data_rather_than_zeros():
    """A share of nothing is unknown ("—" in a report), not 0%."""
    empty = kpi.compute([], WEEK_START, WEEK_END, AFTER, DEFAULT_POLICY, CALENDAR)
    assert empty.created == 0 and empty.backlog == 0
    assert empty.first_response_median_min is None and empty.fcr is None and empty.clock_met["closure"] is None


def test_tickets_group_by_assignee():
    groups = kpi.by_assignee(WEEK)
    assert [t.id for t in groups["agent-b"]] == ["t4", "t6"]
    agent_b = kpi.compute(groups["agent-b"], WEEK_START, WEEK_END, AFTER, DEFAULT_POLICY, CALENDAR)
    assert (agent_b.created, agent_b.first_response_median_min, agent_b.fcr) == (2, 15.0, 1.0)


def test_nearest_rank_percentile():
    assert kpi.nearest_rank([], 0.9) is None
    assert kpi.nearest_rank([5.0], 0.9) == 5.0
    assert kpi.nearest_rank([float(n) for n in range(1, 11)], 0.9) == 9.0
    assert kpi.nearest_rank([float(n) for n in range(1, 12)], 0.9) == 10.0  # ceil(9.9) = 10


def test_finished_follows_the_last_resolve_close_or_reopen():
    t2 = WEEK[1]
    assert kpi.finished_at(t2, at(25, 12))
    assert not kpi.finished_at(t2, at(26, 12))
