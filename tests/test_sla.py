"""Business time and the 1-3-7 clocks against due times worked out by hand.

Calendars are 09:00-18:00, Monday to Friday, unless a test says otherwise. Dates: 2026-03-02
is a Monday; 2026-03-29 and 2026-10-25 are the Sundays Europe/Oslo changes clocks on.
"""

from __future__ import annotations

import copy
import dataclasses
import gc
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cs_console.clocks.calendars import (
    BusinessCalendar,
    CalendarError,
    add_business_time,
    business_time_between,
)
from cs_console.clocks.sla import (
    DEFAULT_POLICY,
    Budget,
    Clock,
    FollowUpClocks,
    PolicyError,
    SlaError,
    SlaPolicy,
    follow_up_clocks,
    most_urgent,
    policy_from_mapping,
    queue_clocks,
    urgency_key,
)

OSLO = ZoneInfo("Europe/Oslo")
SHANGHAI = ZoneInfo("Asia/Shanghai")
H = timedelta(hours=1)
M = timedelta(minutes=1)
D = timedelta(days=1)

oslo = BusinessCalendar("Europe/Oslo")
shanghai = BusinessCalendar("Asia/Shanghai")
spring_festival = BusinessCalendar(
    "Asia/Shanghai",
    holidays=("2026-02-16", "2026-02-17", "2026-02-18", "2026-02-19", "2026-02-20", "2026-02-23"),
    extra_workdays=("2026-02-14", "2026-02-28"),
)
"""China's 2026 Spring Festival break, with Saturday 14 and Saturday 28 February worked."""
easter = BusinessCalendar("Europe/Oslo", holidays=(date(2026, 4, 2), date(2026, 4, 3), date(2026, 4, 6)))
"""Norway's 2026 Easter: Maundy Thursday, Good Friday and Easter Monday off."""
every_day_oslo = BusinessCalendar("Europe/Oslo", weekdays=range(7))


def at(zone: ZoneInfo, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=zone)


def sh(*parts: int) -> datetime:
    return at(SHANGHAI, *parts)


def os_(*parts: int) -> datetime:
    return at(OSLO, *parts)


# ---------------------------------------------------------------------------------------------
# Business time


@pytest.mark.parametrize(
    ("calendar", "start", "amount", "due"),
    [
        pytest.param(shanghai, sh(2026, 3, 2, 10), 27 * H, sh(2026, 3, 5, 10), id="3 business days from Monday 10:00"),
        pytest.param(shanghai, sh(2026, 3, 2, 10), 30 * M, sh(2026, 3, 2, 10, 30), id="inside one day"),
        pytest.param(shanghai, sh(2026, 3, 3, 7), H, sh(2026, 3, 3, 10), id="before opening"),
        pytest.param(shanghai, sh(2026, 3, 3, 19), H, sh(2026, 3, 4, 10), id="after closing"),
        pytest.param(shanghai, sh(2026, 3, 7, 12), 2 * H, sh(2026, 3, 9, 11), id="on a Saturday"),
        pytest.param(shanghai, sh(2026, 3, 6, 17, 30), H, sh(2026, 3, 9, 9, 30), id="over a weekend"),
        pytest.param(shanghai, sh(2026, 3, 6, 17), H, sh(2026, 3, 9, 9), id="runs out at closing: next opening"),
        pytest.param(shanghai, sh(2026, 3, 7, 12), timedelta(0), sh(2026, 3, 9, 9), id="zero from closed hours"),
        pytest.param(shanghai, sh(2026, 3, 2, 10), timedelta(0), sh(2026, 3, 2, 10), id="zero in hours"),
        pytest.param(easter, os_(2026, 4, 1, 16), 3 * H, os_(2026, 4, 7, 10), id="over Easter holidays"),
        pytest.param(
            spring_festival, sh(2026, 2, 13, 17), 2 * H, sh(2026, 2, 14, 10), id="onto a make-up Saturday"
        ),
        pytest.param(
            spring_festival, sh(2026, 2, 12, 10), 27 * H, sh(2026, 2, 24, 10), id="over Spring Festival"
        ),
        pytest.param(oslo, os_(2026, 3, 27, 14), 6 * H, os_(2026, 3, 30, 11), id="over the spring DST change"),
        pytest.param(oslo, os_(2026, 10, 23, 17), 2 * H, os_(2026, 10, 26, 10), id="over the autumn DST change"),
        pytest.param(
            BusinessCalendar.always(), sh(2026, 3, 7, 23, 50), 15 * M, sh(2026, 3, 8, 0, 5), id="around the clock"
        ),
    ],
)
def test_add_business_time(calendar, start, amount, due):
    assert add_business_time(start, amount, calendar) == due


def test_add_business_time_answers_in_the_start_zone():
    assert add_business_time(os_(2026, 3, 27, 17, 30), H, oslo).tzinfo is OSLO
    assert add_business_time(datetime(2026, 3, 2, 2, tzinfo=UTC), H, shanghai).tzinfo is UTC


@pytest.mark.parametrize(
    ("calendar", "start", "end", "business"),
    [
        pytest.param(shanghai, sh(2026, 3, 2, 10), sh(2026, 3, 5, 10), 27 * H, id="Monday to Thursday"),
        pytest.param(shanghai, sh(2026, 3, 6, 17), sh(2026, 3, 9, 10), 2 * H, id="over a weekend"),
        pytest.param(shanghai, sh(2026, 3, 7, 9), sh(2026, 3, 8, 17), timedelta(0), id="all weekend"),
        pytest.param(shanghai, sh(2026, 3, 3, 19), sh(2026, 3, 4, 8), timedelta(0), id="overnight"),
        pytest.param(shanghai, sh(2026, 3, 5, 10), sh(2026, 3, 2, 10), -27 * H, id="backwards is negative"),
        pytest.param(oslo, os_(2026, 3, 27, 9), os_(2026, 3, 30, 18), 18 * H, id="Friday to Monday over DST"),
        pytest.param(every_day_oslo, os_(2026, 3, 29), os_(2026, 3, 30), 9 * H, id="spring DST day is 9 h"),
        pytest.param(every_day_oslo, os_(2026, 10, 25), os_(2026, 10, 26), 9 * H, id="autumn DST day is 9 h"),
        pytest.param(
            BusinessCalendar("Europe/Oslo", "00:00", "24:00", weekdays=range(7)),
            os_(2026, 3, 29),
            os_(2026, 3, 30),
            23 * H,
            id="a whole DST day is 23 h",
        ),
        pytest.param(spring_festival, sh(2026, 2, 13, 9), sh(2026, 2, 25, 9), 27 * H, id="holidays and make-up day"),
    ],
)
def test_business_time_between(calendar, start, end, business):
    assert business_time_between(start, end, calendar) == business


def test_business_day_is_the_calendars_working_day():
    assert shanghai.day_length == 9 * H
    assert BusinessCalendar("UTC", "08:30", "17:00").day_length == timedelta(hours=8, minutes=30)
    assert BusinessCalendar.always().day_length == 24 * H


def test_holidays_and_make_up_days_decide_working_days():
    assert not spring_festival.is_working_day(date(2026, 2, 16))
    assert spring_festival.is_working_day(date(2026, 2, 14))
    assert not spring_festival.is_working_day(date(2026, 2, 15))
    assert spring_festival.holidays == frozenset(date(2026, 2, day) for day in (16, 17, 18, 19, 20, 23))


def test_for_country_fills_holidays_and_make_up_days():
    china = BusinessCalendar.for_country("CN", [2026], "Asia/Shanghai")
    assert date(2026, 10, 1) in china.holidays
    assert china.extra_workdays, "China works some weekends"
    assert all(day.year == 2026 and day.weekday() >= 5 for day in china.extra_workdays)
    assert BusinessCalendar.for_country("NO", 2026, "Europe/Oslo", open="08:00").open == "08:00"


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "calendar.timezone: 'Mars/Olympus' is not a time zone"),
        ({"open": "9am"}, "calendar.open: '9am' is not a time like 09:00"),
        ({"close": "25:00"}, "calendar.close: '25:00' is not a time"),
        ({"open": "18:00", "close": "09:00"}, "calendar.close: '09:00' is not after the opening time '18:00'"),
        ({"open": "09:00", "close": "09:00"}, "calendar.close"),
        ({"weekdays": ()}, "calendar.weekdays"),
        ({"weekdays": (1, 7)}, "calendar.weekdays"),
        ({"holidays": ("2026-02-30",)}, "calendar.holidays: '2026-02-30' is not a date"),
        ({"holidays": ("2026-10-01",), "extra_workdays": ("2026-10-01",)}, "calendar.extra_workdays: 2026-10-01"),
    ],
)
def test_invalid_calendars_are_refused_naming_the_setting(settings, message):
    settings = {"timezone": "Asia/Shanghai", **settings}
    with pytest.raises(CalendarError, match=message.replace("(", r"\(")) as caught:
        BusinessCalendar(**settings)
    assert isinstance(caught.value, ValueError)


def test_for_country_refuses_unknown_codes():
    with pytest.raises(CalendarError, match="calendar.country: 'XX'"):
        BusinessCalendar.for_country("XX", 2026, "UTC")
    with pytest.raises(CalendarError, match="calendar.subdiv: 'ZZ'"):
        BusinessCalendar.for_country("US", 2026, "UTC", subdiv="ZZ")


def test_business_time_refuses_naive_times_and_negative_amounts():
    with pytest.raises(CalendarError, match="start"):
        add_business_time(datetime(2026, 3, 2, 10), H, shanghai)
    with pytest.raises(CalendarError, match="end"):
        business_time_between(sh(2026, 3, 2, 10), datetime(2026, 3, 2, 11), shanghai)
    with pytest.raises(CalendarError, match="amount"):
        add_business_time(sh(2026, 3, 2, 10), -H, shanghai)


def test_calendars_are_values():
    assert BusinessCalendar("Asia/Shanghai", holidays=["2026-10-01"]) == BusinessCalendar(
        "Asia/Shanghai", holidays={date(2026, 10, 1)}
    )
    assert copy.deepcopy(spring_festival) == spring_festival
    assert dataclasses.asdict(shanghai)["weekdays"] == (0, 1, 2, 3, 4)
    assert BusinessCalendar.always() is BusinessCalendar.always()


def test_far_dates_grow_the_table_both_ways():
    assert business_time_between(sh(2020, 1, 6, 9), sh(2020, 1, 6, 18), shanghai) == 9 * H
    assert business_time_between(sh(2030, 1, 7, 9), sh(2030, 1, 7, 18), shanghai) == 9 * H
    assert add_business_time(sh(2026, 3, 2, 9), 9 * H * 5 * 52, shanghai) == sh(2027, 3, 1, 9)


# ---------------------------------------------------------------------------------------------
# Policies


@pytest.mark.parametrize(
    ("text", "budget"),
    [
        ("15m", Budget(15 * M)),
        ("24h", Budget(24 * H)),
        ("7d", Budget(7 * D)),
        ("1h30m", Budget(90 * M)),
        ("1bh", Budget(H, business=True)),
        ("30bm", Budget(30 * M, business=True)),
        ("3bd", Budget(business=True, business_days=3)),
        ("1bd 4bh", Budget(4 * H, business=True, business_days=1)),
    ],
)
def test_durations(text, budget):
    assert Budget.parse(text) == budget
    assert Budget.parse(str(budget)) == budget


def test_business_days_are_worth_the_calendars_day():
    assert Budget.parse("3bd").length(shanghai) == 27 * H
    assert Budget.parse("3bd").length(BusinessCalendar.always()) == 72 * H
    assert Budget.parse("1bd 4bh").length(BusinessCalendar("UTC", "08:00", "12:00")) == 8 * H


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("3x", "sla.normal.solution: '3x' is not a duration like 15m, 24h, 3bd"),
        ("", "sla.normal.solution: '' is not a duration"),
        (3, "sla.normal.solution: 3 is not a duration"),
        ("0m", "sla.normal.solution: '0m' must be longer than zero"),
        ("1h 1bh", "sla.normal.solution: '1h 1bh' mixes business"),
    ],
)
def test_bad_durations_are_refused_naming_the_setting(text, message):
    with pytest.raises(PolicyError) as caught:
        policy_from_mapping({"normal": {"solution": text}})
    assert str(caught.value).startswith(message)


def test_default_policy_is_the_service_standard():
    urgent, normal = DEFAULT_POLICY.urgent, DEFAULT_POLICY.normal
    assert (urgent.first_response, urgent.solution, urgent.closure) == (Budget(15 * M), Budget(24 * H), Budget(7 * D))
    assert urgent.calendar == "always"
    assert normal.first_response == Budget(H, business=True)
    assert normal.solution == Budget(business=True, business_days=3)
    assert normal.closure == Budget(7 * D)
    assert DEFAULT_POLICY.high == DEFAULT_POLICY.low == normal
    assert DEFAULT_POLICY.at_risk_share == 0.2
    assert DEFAULT_POLICY.escalation == Budget(48 * H)


def test_policies_are_values():
    clocks_at(CREATED, MONDAY_10)  # leaves resolved plans on the default policy
    assert copy.deepcopy(DEFAULT_POLICY) == DEFAULT_POLICY
    assert dataclasses.replace(DEFAULT_POLICY, at_risk_share=0.2) == DEFAULT_POLICY
    assert dataclasses.asdict(DEFAULT_POLICY)["escalation"]["amount"] == 48 * H


def test_policy_from_mapping_reads_the_config_form():
    policy = policy_from_mapping({
        "urgent": {"first_response": "10m", "solution": "12h", "closure": "3d", "calendar": "always"},
        "normal": {"first_response": "2bh", "solution": "2bd"},
        "low": {"calendar": "always"},
        "at_risk_share": 0.25,
        "escalation": "2bd",
    })
    assert policy.urgent.first_response == Budget(10 * M)
    assert policy.normal.first_response == Budget(2 * H, business=True)
    assert policy.normal.closure == DEFAULT_POLICY.normal.closure, "missing settings keep their defaults"
    assert policy.low.calendar == "always"
    assert policy.at_risk_share == 0.25
    assert policy.escalation == Budget(business=True, business_days=2)
    assert policy_from_mapping({}) == DEFAULT_POLICY


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"norml": {}}, "sla.norml: unknown setting"),
        ({"normal": {"soluton": "3bd"}}, "sla.normal.soluton: unknown setting"),
        ({"normal": "3bd"}, "sla.normal: expected a table"),
        ({"normal": {"calendar": "sometimes"}}, "sla.normal.calendar: 'sometimes' is not one of business, always"),
        ({"at_risk_share": 1.5}, "sla.at_risk_share: 1.5 is not a share between 0 and 1"),
        ({"at_risk_share": "a fifth"}, "sla.at_risk_share: 'a fifth'"),
        ({"escalation": "soon"}, "sla.escalation: 'soon' is not a duration"),
    ],
)
def test_invalid_policies_are_refused_naming_the_setting(data, message):
    with pytest.raises(PolicyError) as caught:
        policy_from_mapping(data)
    assert str(caught.value).startswith(message)
    assert isinstance(caught.value, ValueError)


def test_the_always_calendar_makes_business_units_round_the_clock():
    policy = policy_from_mapping({"high": {"first_response": "2bh", "calendar": "always"}})
    clocks = follow_up_clocks([("created", sh(2026, 3, 6, 17))], "high", policy, shanghai, sh(2026, 3, 6, 17))
    assert clocks.first_response.due == sh(2026, 3, 6, 19)


# ---------------------------------------------------------------------------------------------
# Clocks


def clocks_at(events, now, priority="normal", calendar=shanghai, policy=DEFAULT_POLICY) -> FollowUpClocks:
    return follow_up_clocks(events, priority, policy, calendar, now)


def summary(clock: Clock | None) -> tuple | None:
    return None if clock is None else (clock.state, clock.due, clock.remaining)


MONDAY_10 = sh(2026, 3, 2, 10)
CREATED = [("created", MONDAY_10)]


def test_a_new_ticket_has_three_running_clocks():
    clocks = clocks_at(CREATED, sh(2026, 3, 2, 10, 30))
    assert summary(clocks.first_response) == ("running", sh(2026, 3, 2, 11), 30 * M)
    assert summary(clocks.solution) == ("running", sh(2026, 3, 5, 10), timedelta(hours=26, minutes=30))
    assert summary(clocks.closure) == ("running", sh(2026, 3, 9, 10), 7 * D - 30 * M)
    assert clocks.escalation is None
    assert [clock.name for clock in clocks] == ["first_response", "solution", "closure"]
    assert (clocks.first_response.budget, clocks.solution.budget, clocks.closure.budget) == (H, 27 * H, 7 * D)


@pytest.mark.parametrize(
    ("now", "state", "countdown"),
    [
        pytest.param(sh(2026, 3, 2, 10, 48), "running", "12m", id="a fifth left is not yet at risk"),
        pytest.param(sh(2026, 3, 2, 10, 49), "at_risk", "11m", id="less than a fifth left"),
        pytest.param(sh(2026, 3, 2, 11), "at_risk", "0m", id="due now"),
        pytest.param(sh(2026, 3, 2, 11, 0, 30), "breached", "-1m", id="overdue rounds up"),
        pytest.param(sh(2026, 3, 2, 12, 5), "breached", "-1h 05m", id="overdue reads negative"),
        pytest.param(sh(2026, 3, 3, 10), "breached", "-8h 00m", id="overdue counts business time"),
    ],
)
def test_first_response_turns_at_risk_then_breached(now, state, countdown):
    clock = clocks_at(CREATED, now).first_response
    assert (clock.state, clock.countdown_text()) == (state, countdown)


@pytest.mark.parametrize(
    ("created", "first_response_due", "solution_due"),
    [
        pytest.param(sh(2026, 3, 3, 7), sh(2026, 3, 3, 10), sh(2026, 3, 6, 9), id="before opening"),
        pytest.param(sh(2026, 3, 3, 19), sh(2026, 3, 4, 10), sh(2026, 3, 9, 9), id="after closing"),
        pytest.param(sh(2026, 3, 7, 11), sh(2026, 3, 9, 10), sh(2026, 3, 12, 9), id="on a Saturday"),
        pytest.param(sh(2026, 3, 6, 17, 30), sh(2026, 3, 9, 9, 30), sh(2026, 3, 11, 17, 30), id="Friday evening"),
    ],
)
def test_clocks_start_at_the_next_opening(created, first_response_due, solution_due):
    clocks = clocks_at([("created", created)], created)
    assert clocks.first_response.due == first_response_due
    assert clocks.solution.due == solution_due
    assert clocks.closure.due == created + 7 * D, "closure counts calendar days"


def test_holidays_and_make_up_days_move_due_times():
    thursday = sh(2026, 2, 12, 10)
    clocks = clocks_at([("created", thursday)], thursday, calendar=spring_festival)
    assert clocks.solution.due == sh(2026, 2, 24, 10), "8 h Thu, 9 h Fri, 9 h make-up Sat, 1 h after the break"
    friday = sh(2026, 2, 13, 17, 30)
    clocks = clocks_at([("created", friday)], friday, calendar=spring_festival)
    assert clocks.first_response.due == sh(2026, 2, 14, 9, 30), "the make-up Saturday is worked"


def test_daylight_saving_changes_in_oslo():
    spring = clocks_at([("created", os_(2026, 3, 27, 17, 30))], os_(2026, 3, 27, 17, 30), calendar=oslo)
    assert spring.first_response.due == os_(2026, 3, 30, 9, 30)
    assert spring.solution.due == os_(2026, 4, 1, 17, 30), "0.5 h Fri, 9 h Mon, 9 h Tue, 8.5 h Wed"
    autumn = clocks_at([("created", os_(2026, 10, 23, 17))], os_(2026, 10, 23, 17), calendar=oslo)
    assert autumn.first_response.due == os_(2026, 10, 26, 9), "runs out at Friday's closing"


@pytest.mark.parametrize(
    ("answered", "state", "remaining"),
    [
        pytest.param(sh(2026, 3, 2, 10, 40), "met", 20 * M, id="in time"),
        pytest.param(sh(2026, 3, 2, 11), "met", timedelta(0), id="on the dot"),
        pytest.param(sh(2026, 3, 2, 11, 30), "missed", -30 * M, id="late"),
    ],
)
def test_the_first_response_meets_or_misses(answered, state, remaining):
    events = [*CREATED, ("first_response", answered), ("first_response", answered + H)]
    clock = clocks_at(events, sh(2026, 3, 4, 10)).first_response
    assert summary(clock) == (state, sh(2026, 3, 2, 11), remaining)
    assert clock.symbol() == {"met": "✔", "missed": "✘"}[state]


def test_waiting_on_the_customer_pauses_solution_and_closure():
    events = [
        *CREATED,
        ("first_response", sh(2026, 3, 2, 10, 20)),
        ("waiting_on_customer", sh(2026, 3, 3, 10)),
        ("customer_replied", sh(2026, 3, 4, 15)),
    ]
    paused = clocks_at(events, sh(2026, 3, 4, 12))
    assert summary(paused.solution) == ("paused", None, 18 * H), "8 h Mon, 9 h Tue... 18 h left at the pause"
    assert summary(paused.closure) == ("paused", None, 6 * D)
    assert paused.first_response.state == "met", "the first response is never paused"
    assert (paused.solution.symbol(), paused.solution.state_word()) == ("◷", "paused")
    resumed = clocks_at(events, sh(2026, 3, 4, 15))
    assert summary(resumed.solution) == ("running", sh(2026, 3, 6, 15), 18 * H), "14 business hours later"
    assert summary(resumed.closure) == ("running", sh(2026, 3, 10, 15), 6 * D), "29 calendar hours later"


def test_a_pause_does_not_stop_the_first_response():
    events = [*CREATED, ("waiting_on_customer", sh(2026, 3, 2, 10, 10))]
    clocks = clocks_at(events, sh(2026, 3, 2, 11, 30))
    assert summary(clocks.first_response) == ("breached", sh(2026, 3, 2, 11), -30 * M)
    assert clocks.solution.state == "paused"


def test_reopened_resumes_a_paused_clock_and_a_second_wait_changes_nothing():
    events = [
        *CREATED,
        ("waiting_on_customer", sh(2026, 3, 3, 10)),
        ("waiting_on_customer", sh(2026, 3, 3, 12)),
        ("reopened", sh(2026, 3, 4, 15)),
    ]
    assert clocks_at(events, sh(2026, 3, 4, 15)).solution.due == sh(2026, 3, 6, 15)


def test_urgent_clocks_run_around_the_clock():
    saturday_night = sh(2026, 3, 7, 23, 50)
    events = [("created", saturday_night)]
    clocks = clocks_at(events, sh(2026, 3, 8, 0, 3), priority="urgent")
    assert summary(clocks.first_response) == ("at_risk", sh(2026, 3, 8, 0, 5), 2 * M)
    assert summary(clocks.solution) == ("running", sh(2026, 3, 8, 23, 50), 24 * H - 13 * M)
    assert clocks.closure.due == sh(2026, 3, 14, 23, 50)
    assert clocks_at(events, sh(2026, 3, 8, 0, 2), priority="urgent").first_response.state == "running"
    late = clocks_at(events, sh(2026, 3, 8, 1, 5), priority="urgent").first_response
    assert (late.state, late.countdown_text()) == ("breached", "-1h 00m")
    assert (late.symbol(), late.state_word()) == ("✖", "overdue")


def test_urgent_pause_counts_elapsed_time():
    events = [*CREATED, ("waiting_on_customer", sh(2026, 3, 2, 11)), ("customer_replied", sh(2026, 3, 7, 11))]
    clocks = clocks_at(events, sh(2026, 3, 7, 12), priority="urgent")
    assert summary(clocks.solution) == ("running", sh(2026, 3, 8, 10), 22 * H)


WEDNESDAY_NOON = sh(2026, 3, 4, 12)
LATER = sh(2026, 3, 12, 12)


@pytest.mark.parametrize(
    ("events", "now", "state", "remaining"),
    [
        pytest.param([("closed", sh(2026, 3, 3, 12))], WEDNESDAY_NOON, "running", 5 * D - 2 * H, id="only closed"),
        pytest.param([("callback", sh(2026, 3, 3, 12))], WEDNESDAY_NOON, "running", 5 * D - 2 * H, id="only callback"),
        pytest.param(
            [("closed", sh(2026, 3, 3, 12)), ("callback", sh(2026, 3, 5, 10))], LATER, "met", 4 * D, id="closed first"
        ),
        pytest.param(
            [("callback", sh(2026, 3, 3, 12)), ("closed", sh(2026, 3, 4, 12))], LATER, "met", 5 * D - 2 * H,
            id="callback first",
        ),
        pytest.param(
            [("closed", sh(2026, 3, 3, 12)), ("callback", sh(2026, 3, 10, 10))], LATER, "missed", -D, id="late callback"
        ),
        pytest.param([("closed", sh(2026, 3, 3, 12))], LATER, "missed", timedelta(0), id="closed, no callback by the due"),
        pytest.param([("closed", sh(2026, 3, 10, 10))], LATER, "missed", -D, id="closed after the due, no callback"),
        pytest.param([("callback", sh(2026, 3, 3, 12))], LATER, "breached", -3 * D - 2 * H, id="open, called back"),
    ],
)
def test_closure_needs_both_closed_and_callback(events, now, state, remaining):
    assert summary(clocks_at([*CREATED, *events], now).closure) == (state, sh(2026, 3, 9, 10), remaining)


def test_a_closed_ticket_whose_closure_clock_missed_is_not_paused_by_a_later_wait():
    events = [*CREATED, ("closed", sh(2026, 3, 3, 12)), ("waiting_on_customer", sh(2026, 3, 10, 10)),
              ("customer_replied", sh(2026, 3, 11, 10))]
    for now in (sh(2026, 3, 10, 12), LATER):
        assert summary(clocks_at(events, now).closure) == ("missed", sh(2026, 3, 9, 10), timedelta(0))


def test_a_closure_clock_paused_while_overdue_keeps_its_lateness_once_missed():
    events = [*CREATED, ("waiting_on_customer", sh(2026, 3, 9, 11)), ("closed", sh(2026, 3, 9, 11)),
              ("customer_replied", sh(2026, 3, 10, 10))]
    assert clocks_at(events, sh(2026, 3, 9, 12)).closure.remaining == -H
    assert summary(clocks_at(events, LATER).closure) == ("missed", sh(2026, 3, 10, 9), -H)


def test_solution_is_met_by_a_proposal_or_a_resolution():
    proposed = clocks_at([*CREATED, ("solution_proposed", sh(2026, 3, 3, 10))], sh(2026, 3, 9, 10)).solution
    assert summary(proposed) == ("met", sh(2026, 3, 5, 10), 18 * H)
    resolved = clocks_at([*CREATED, ("resolved", sh(2026, 3, 5, 12))], sh(2026, 3, 9, 10)).solution
    assert summary(resolved) == ("missed", sh(2026, 3, 5, 10), -2 * H)


def test_closing_stops_the_response_and_solution_clocks_still_running():
    answered = [*CREATED, ("first_response", sh(2026, 3, 2, 10, 20))]
    closed_early = clocks_at([*answered, ("closed", sh(2026, 3, 2, 10, 30))], sh(2026, 3, 4, 10))
    assert summary(closed_early.first_response) == ("met", sh(2026, 3, 2, 11), 40 * M)
    assert closed_early.solution.state == "met"
    assert closed_early.closure.state == "running", "closure still wants the callback"
    closed_late = clocks_at([*answered, ("closed", sh(2026, 3, 6, 10))], sh(2026, 3, 9, 10))
    assert closed_late.first_response.state == "met" and closed_late.solution.state == "missed"


def test_a_reopened_ticket_runs_solution_and_closure_again():
    events = [
        *CREATED,
        ("first_response", sh(2026, 3, 2, 10, 15)),
        ("solution_proposed", sh(2026, 3, 3, 10)),
        ("resolved", sh(2026, 3, 3, 10, 5)),
        ("closed", sh(2026, 3, 3, 10, 10)),
        ("callback", sh(2026, 3, 3, 10, 15)),
    ]
    before = clocks_at(events, sh(2026, 3, 4, 9))
    assert (before.solution.state, before.closure.state, before.most_urgent) == ("met", "met", None)
    reopened = clocks_at([*events, ("reopened", sh(2026, 3, 4, 10))], sh(2026, 3, 4, 12))
    assert summary(reopened.solution) == ("running", sh(2026, 3, 6, 10), 16 * H), "18 h were left when met"
    left_at_closure = sh(2026, 3, 9, 10) - sh(2026, 3, 3, 10, 15)
    assert summary(reopened.closure) == ("running", sh(2026, 3, 4, 10) + left_at_closure, left_at_closure - 2 * H)
    assert reopened.first_response.state == "met"
    again = [*events, ("reopened", sh(2026, 3, 4, 10)), ("callback", sh(2026, 3, 4, 11))]
    assert clocks_at(again, sh(2026, 3, 4, 12)).closure.state == "running", "a new close is needed"


def test_escalation_gets_its_own_clock():
    events = [*CREATED, ("escalated", sh(2026, 3, 2, 14))]
    running = clocks_at(events, sh(2026, 3, 3, 14)).escalation
    assert summary(running) == ("running", sh(2026, 3, 4, 14), 24 * H)
    answered = clocks_at([*events, ("expert_answered", sh(2026, 3, 3, 9))], sh(2026, 3, 5, 9)).escalation
    assert summary(answered) == ("met", sh(2026, 3, 4, 14), 29 * H)
    waiting = [*CREATED, ("waiting_on_customer", sh(2026, 3, 2, 12)), ("escalated", sh(2026, 3, 2, 14))]
    assert summary(clocks_at(waiting, sh(2026, 3, 3, 14)).escalation) == ("paused", None, 48 * H)
    assert [clock.name for clock in clocks_at(events, MONDAY_10 + D)][-1] == "escalation"


def test_events_come_in_any_order_and_future_ones_are_not_yet_history():
    events = [
        ("first_response", sh(2026, 3, 2, 10, 20)),
        ("waiting_on_customer", sh(2026, 3, 3, 10)),
        *CREATED,
        ("customer_replied", sh(2026, 3, 4, 15)),
    ]
    assert clocks_at(events, sh(2026, 3, 4, 16)) == clocks_at(sorted(events, key=lambda e: e[1]), sh(2026, 3, 4, 16))
    assert clocks_at(events, sh(2026, 3, 2, 10, 10)).first_response.state == "running"


def test_the_repeated_autumn_hour_keeps_true_order():
    created = os_(2026, 10, 25, 2, 30)  # CEST, 00:30 UTC
    answered = os_(2026, 10, 25, 2, 10).replace(fold=1)  # CET, 01:10 UTC: later, though it reads earlier
    clock = clocks_at([("created", created), ("first_response", answered)], answered, priority="urgent").first_response
    assert summary(clock) == ("missed", datetime(2026, 10, 25, 0, 45, tzinfo=UTC), -25 * M)


def test_any_aware_zone_gives_the_same_clocks():
    in_utc = [(kind, moment.astimezone(UTC)) for kind, moment in CREATED]
    assert clocks_at(in_utc, sh(2026, 3, 3, 10).astimezone(UTC)) == clocks_at(CREATED, sh(2026, 3, 3, 10))


@pytest.mark.parametrize(
    ("events", "now", "message"),
    [
        ([*CREATED, ("escalated_twice", MONDAY_10)], MONDAY_10, "events: unknown kind 'escalated_twice'"),
        ([*CREATED, ("lunch", MONDAY_10 + D)], MONDAY_10, "events: unknown kind 'lunch'"),
        ([("first_response", MONDAY_10)], MONDAY_10, "events: no 'created' event"),
        ([("created", datetime(2026, 3, 2, 10))], MONDAY_10, "created: datetime.datetime"),
        ([*CREATED, ("callback", datetime(2026, 3, 2, 10))], MONDAY_10, "events: timestamps must all be"),
        (CREATED, datetime(2026, 3, 2, 10), "now: datetime.datetime"),
    ],
)
def test_bad_histories_are_refused_naming_the_culprit(events, now, message):
    with pytest.raises(SlaError) as caught:
        clocks_at(events, now)
    assert str(caught.value).startswith(message)


def test_an_unknown_priority_is_refused():
    with pytest.raises(SlaError, match="priority: 'critical'"):
        clocks_at(CREATED, MONDAY_10, priority="critical")
    with pytest.raises(SlaError, match="priority: 'critical'"):
        queue_clocks([("critical", CREATED)], DEFAULT_POLICY, shanghai, MONDAY_10)


@pytest.mark.parametrize(
    ("remaining", "text"),
    [
        (42 * M, "42m"),
        (timedelta(minutes=42, seconds=59), "42m"),
        (timedelta(seconds=59), "0m"),
        (timedelta(0), "0m"),
        (timedelta(hours=3, minutes=5), "3h 05m"),
        (timedelta(days=2, hours=3, minutes=59), "2d 3h"),
        (-timedelta(seconds=1), "-1m"),
        (-timedelta(hours=1, minutes=5), "-1h 05m"),
        (-timedelta(hours=1, minutes=4, seconds=1), "-1h 05m"),
        (-timedelta(days=1, hours=2), "-1d 2h"),
    ],
)
def test_countdown_text(remaining, text):
    assert Clock("solution", "running", None, remaining, 27 * H).countdown_text() == text


def test_the_most_urgent_open_clock_orders_the_queue():
    now = sh(2026, 3, 4, 12)
    tickets = {
        "closed": [*CREATED, ("first_response", MONDAY_10), ("resolved", MONDAY_10 + H), ("closed", MONDAY_10 + H),
                   ("callback", MONDAY_10 + H)],
        "overdue": [("created", sh(2026, 3, 4, 9))],
        "fresh": [("created", sh(2026, 3, 4, 11, 50))],
        "waiting": [("created", sh(2026, 3, 4, 9)), ("first_response", sh(2026, 3, 4, 9, 5)),
                    ("waiting_on_customer", sh(2026, 3, 4, 9, 10))],
    }
    clocks = {name: clocks_at(events, now) for name, events in tickets.items()}
    assert clocks["closed"].most_urgent is None and clocks["closed"].urgency == float("inf")
    assert clocks["overdue"].most_urgent.name == "first_response"
    assert clocks["waiting"].most_urgent.name == "solution"
    assert most_urgent(clocks["fresh"]) is clocks["fresh"].first_response
    order = sorted(clocks, key=lambda name: urgency_key(clocks[name]))
    assert order == ["overdue", "fresh", "waiting", "closed"]


def test_follow_up_clocks_made_by_hand_agree_with_the_replay():
    clocks = clocks_at(CREATED, sh(2026, 3, 2, 10, 30))
    assert FollowUpClocks(clocks.first_response, clocks.solution, clocks.closure) == clocks
    with pytest.raises(AttributeError):
        clocks.first_response.state = "met"
    with pytest.raises(AttributeError):
        clocks.urgency = 0.0


def test_queue_clocks_agree_with_one_by_one_and_restore_the_collector():
    now = sh(2026, 3, 4, 12)
    tickets = [("normal", CREATED), ("urgent", CREATED), ("low", [("created", now - H), ("escalated", now)])]
    expected = [follow_up_clocks(events, priority, DEFAULT_POLICY, shanghai, now) for priority, events in tickets]
    assert gc.isenabled()
    assert queue_clocks(tickets, DEFAULT_POLICY, shanghai, now) == expected
    assert gc.isenabled()
    gc.disable()
    try:
        queue_clocks(tickets, DEFAULT_POLICY, shanghai, now)
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_a_policy_serves_more_than_one_calendar():
    policy = SlaPolicy()
    now = sh(2026, 3, 6, 17, 30)
    events = [("created", now)]
    assert clocks_at(events, now, calendar=shanghai, policy=policy).first_response.due == sh(2026, 3, 9, 9, 30)
    around = BusinessCalendar("Asia/Shanghai", "00:00", "24:00", weekdays=range(7))
    assert clocks_at(events, now, calendar=around, policy=policy).first_response.due == now + H
    assert clocks_at(events, now, calendar=shanghai, policy=policy).first_response.due == sh(2026, 3, 9, 9, 30)
