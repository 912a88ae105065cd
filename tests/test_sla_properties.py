"""Properties of business time and of the clocks, over generated calendars and histories."""

from __future__ import annotations

import pickle
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cs_console.clocks.calendars import BusinessCalendar, add_business_time, business_time_between
from cs_console.clocks.sla import (
    DEFAULT_POLICY,
    PRIORITIES,
    FollowUpClocks,
    SlaError,
    SlaPolicy,
    follow_up_clocks,
    queue_clocks,
    queue_clocks_at,
)

CALENDARS = (
    BusinessCalendar("Europe/Oslo"),
    BusinessCalendar(
        "Asia/Shanghai",
        holidays=("2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-23", "2026-10-01"),
        extra_workdays=("2026-02-14", "2026-02-28"),
    ),
    BusinessCalendar("America/New_York", "08:30", "17:15", weekdays=(1, 2, 3, 5)),
    BusinessCalendar("Europe/Oslo", "00:00", "24:00", weekdays=range(7)),
    BusinessCalendar("Europe/Oslo", "22:00", "24:00", weekdays=(6,), holidays=("2026-03-29",)),
    BusinessCalendar.always(),
)
"""Weekends, holidays, make-up days, odd hours, DST days and the around-the-clock calendar."""
ZONES = (UTC, ZoneInfo("Europe/Oslo"), ZoneInfo("Asia/Shanghai"), ZoneInfo("America/New_York"))
HAPPENINGS = (
    "first_response", "solution_proposed", "waiting_on_customer", "customer_replied", "escalated",
    "expert_answered", "resolved", "marked_duplicate", "closed", "callback", "reopened", "status_changed",
)
"""Every event kind but "created", which each generated history starts with."""

calendars = st.sampled_from(CALENDARS)
moments = st.datetimes(
    min_value=datetime(2025, 10, 1), max_value=datetime(2026, 12, 31), timezones=st.sampled_from(ZONES)
)
amounts = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=40))
steps = st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3))
histories = st.tuples(
    moments,
    st.lists(st.tuples(st.sampled_from(HAPPENINGS), steps), max_size=8),
)
"""A creation time, then events as (kind, time since the previous event)."""
queues = st.lists(st.tuples(st.sampled_from(PRIORITIES), histories, st.randoms(use_true_random=False)), max_size=6)
"""Tickets of any priority, each with its events to be given in a shuffled order."""


def events_of(history) -> list[tuple[str, datetime]]:
    """The events, stepped in UTC (local arithmetic skips the repeated autumn hour) and
    given in the creation time's zone."""
    created, happenings = history
    events, at = [("created", created)], created.astimezone(UTC)
    for kind, step in happenings:
        at += step
        events.append((kind, at.astimezone(created.tzinfo)))
    return events


@given(calendars, moments, amounts)
def test_adding_business_time_then_measuring_it_round_trips(calendar, start, amount):
    due = add_business_time(start, amount, calendar)
    assert due.astimezone(UTC) >= start.astimezone(UTC)
    assert business_time_between(start, due, calendar) == amount


@given(calendars, moments, moments, moments)
def test_business_time_between_is_additive_over_a_split(calendar, start, split, end):
    whole = business_time_between(start, end, calendar)
    assert whole == business_time_between(start, split, calendar) + business_time_between(split, end, calendar)
    elapsed = end.astimezone(UTC) - start.astimezone(UTC)
    assert (whole >= timedelta(0)) == (elapsed >= timedelta(0)) or whole == timedelta(0)
    assert abs(whole) <= abs(elapsed), "business time is part of elapsed time"


@given(calendars, st.sampled_from(PRIORITIES), histories, steps, steps)
def test_a_later_now_never_leaves_more_time(calendar, priority, history, first, second):
    events = events_of(history)
    earlier = events[-1][1].astimezone(UTC) - first
    later = earlier + second
    before = follow_up_clocks(events, priority, DEFAULT_POLICY, calendar, earlier)
    after = follow_up_clocks(events, priority, DEFAULT_POLICY, calendar, later)
    escalated_again = any(kind == "escalated" and earlier < at.astimezone(UTC) <= later for kind, at in events)
    for clock_before in before:
        if clock_before.name == "escalation" and escalated_again:
            continue  # a new escalation is a new promise, with the whole budget
        clock_after = getattr(after, clock_before.name)
        assert clock_after.remaining <= clock_before.remaining, (clock_before, clock_after)


@given(calendars, st.sampled_from(PRIORITIES), histories, moments, steps, steps)
def test_a_pause_never_shortens_the_time_left(calendar, priority, history, waiting, length, after):
    created, happenings = history
    unpaused = [(kind, step) for kind, step in happenings if kind not in ("waiting_on_customer", "customer_replied")]
    events = events_of((created, unpaused))
    replied = waiting.astimezone(UTC) + length
    now = max(replied, events[-1][1].astimezone(UTC)) + after
    paused = [*events, ("waiting_on_customer", waiting), ("customer_replied", replied)]
    without = follow_up_clocks(events, priority, DEFAULT_POLICY, calendar, now)
    with_pause = follow_up_clocks(paused, priority, DEFAULT_POLICY, calendar, now)
    for plain in without:
        held = getattr(with_pause, plain.name)
        assert held.remaining >= plain.remaining, (plain, held)
        if plain.due is not None and held.due is not None:
            assert held.due >= plain.due, (plain, held)


def tickets_of(queue) -> list:
    """(priority, events) per drawn ticket, its events in the drawn order."""
    tickets = []
    for priority, history, order in queue:
        events = events_of(history)
        order.shuffle(events)
        tickets.append((priority, events))
    return tickets


@given(calendars, queues, moments)
def test_a_queues_clocks_are_exactly_the_clocks_made_in_full(calendar, queue, now):
    """A queue sorts by each ticket's urgency before its clocks are made (they are made when
    read): that urgency, and every clock, must be what the plain computation gives."""
    tickets = tickets_of(queue)
    computed = queue_clocks(tickets, DEFAULT_POLICY, calendar, now)
    urgencies = [clocks.urgency for clocks in computed]  # all a sort reads
    copies = [pickle.loads(pickle.dumps(clocks)) for clocks in queue_clocks(tickets, DEFAULT_POLICY, calendar, now)]
    assert copies == computed, "a copy of clocks not read yet holds the same clocks"
    for (priority, events), clocks, urgency in zip(tickets, computed, urgencies):
        alone = follow_up_clocks(events, priority, DEFAULT_POLICY, calendar, now)
        whole = FollowUpClocks(*alone)  # made eagerly: the most urgent found by `most_urgent`
        assert clocks == alone == whole
        assert urgency == whole.urgency
        if clocks.most_urgent is not None:
            assert clocks.most_urgent is getattr(clocks, clocks.most_urgent.name)


@given(calendars, queues, moments, st.lists(moments, min_size=1, max_size=3))
def test_clocks_moved_to_another_now_are_the_clocks_replayed_there(calendar, queue, first, laters):
    """A tick moves the clocks computed at the last tick rather than replaying every ticket;
    whether events fall between the two, or the later `now` is earlier, the clocks and the
    urgency a queue sorts by are what a replay at that `now` gives."""
    tickets = tickets_of(queue)
    clocks = queue_clocks(tickets, DEFAULT_POLICY, calendar, first)
    for now in laters:
        clocks = queue_clocks_at(clocks, DEFAULT_POLICY, calendar, now)
        replayed = queue_clocks(tickets, DEFAULT_POLICY, calendar, now)
        assert [c.urgency for c in clocks] == [c.urgency for c in replayed]
        assert clocks == replayed


def test_clocks_moved_under_another_policy_follow_that_policy():
    created = datetime(2026, 3, 2, 9, tzinfo=UTC)
    tickets = [("normal", [("created", created)])]
    now = created + timedelta(minutes=10)
    clocks = queue_clocks(tickets, DEFAULT_POLICY, BusinessCalendar.always(), now)
    stricter = SlaPolicy(normal=SlaPolicy().urgent)
    moved = queue_clocks_at(clocks, stricter, BusinessCalendar.always(), now)
    assert moved[0].first_response.remaining == timedelta(minutes=5)
    assert moved == queue_clocks(tickets, stricter, BusinessCalendar.always(), now)


def test_clocks_made_directly_cannot_be_moved():
    always = BusinessCalendar.always()
    events = [("created", datetime(2026, 3, 2, tzinfo=UTC))]
    made = FollowUpClocks(*follow_up_clocks(events, "normal", DEFAULT_POLICY, always, datetime(2026, 3, 3, tzinfo=UTC)))
    with pytest.raises(SlaError, match="cannot be moved"):
        queue_clocks_at([made], DEFAULT_POLICY, always, datetime(2026, 3, 4, tzinfo=UTC))
