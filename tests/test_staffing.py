"""Erlang C against published figures, arrivals per hour of the week, and the command."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cs_console.clocks.calendars import BusinessCalendar
from cs_console.clocks.sla import DEFAULT_POLICY
from cs_console.config import ConfigError, from_mapping
from cs_console.lead.staffing import (
    StaffingError,
    StaffingSettings,
    agents_needed,
    answer_minutes,
    arrivals_by_hour,
    erlang_c,
    evaluate,
    plan,
)

# Call Centre Helper, "Erlang C Formula – Made Simple With an Easy Worked Example": 100 calls
# in 30 minutes, 3 minutes (180 s) each, 80% to be answered within 20 seconds. Traffic is
# 10 erlangs; their table of agents, probability of waiting and service level:
CALL_CENTRE_HELPER = [
    (11, 0.6821, 0.3896),
    (12, 0.4494, 0.6402),
    (13, 0.2853, 0.7956),
    (14, 0.1741, 0.8884),
    (15, 0.1020, 0.9415),
]


@pytest.mark.parametrize(("agents", "waits", "service"), CALL_CENTRE_HELPER)
def test_erlang_c_matches_the_published_worked_example(agents, waits, service):
    staffing = evaluate(agents, arrivals_per_hour=200, handle_minutes=3, answer_minutes=20 / 60)
    assert staffing.traffic == 10.0
    assert round(staffing.probability_wait, 4) == waits
    assert round(staffing.service_level, 4) == service


def test_agents_needed_for_the_worked_example():
    """Their answer: 14 agents, 88.8% within 20 s, 7.8 s average wait, 71.4% occupancy."""
    staffing = agents_needed(200, handle_minutes=3, answer_minutes=20 / 60, target=0.80)
    assert staffing.agents == 14
    assert round(staffing.service_level, 3) == 0.888
    assert round(staffing.average_wait_minutes * 60, 1) == 7.8
    assert round(staffing.occupancy, 3) == 0.714


def test_textbook_figures():
    # 120 customers an hour, 3 minutes each, 10 servers: "from the Erlang C curve, the
    # probability of waiting is about 0.10" (an M/M/m queueing exercise).
    assert round(erlang_c(10, 6.0), 2) == 0.10
    # Wolfram's ErlangC documentation: 30 calls an hour of 5 minutes, 90% not to be delayed
    # at all: 6 staff.
    needed = next(n for n in range(3, 20) if 1 - erlang_c(n, 2.5) >= 0.9)
    assert needed == 6
    # Closed forms: M/M/1 waits with probability ρ; C(2, 1) = 1/3.
    assert erlang_c(1, 0.5) == pytest.approx(0.5)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)


def direct_erlang_c(agents: int, traffic: Fraction) -> Fraction:
    """The textbook formula in exact fractions, for small cases."""
    top = traffic ** agents / math.factorial(agents) * Fraction(agents) / (agents - traffic)
    return top / (sum(traffic ** k / math.factorial(k) for k in range(agents)) + top)


@given(st.integers(1, 30), st.fractions(min_value=Fraction(1, 100), max_value=Fraction(29)))
def test_the_recursion_agrees_with_the_formula(agents, traffic):
    if traffic >= agents:
        assert erlang_c(agents, float(traffic)) == 1.0
        return
    assert erlang_c(agents, float(traffic)) == pytest.approx(float(direct_erlang_c(agents, traffic)), rel=1e-9)


@given(st.floats(0.1, 400), st.floats(1, 60), st.floats(0.5, 120), st.floats(0.5, 0.99))
def test_agents_needed_is_the_fewest_that_reach_the_target(rate, handle, answer, target):
    staffing = agents_needed(rate, handle, answer, target)
    assert staffing.service_level >= target
    assert staffing.agents > staffing.traffic
    fewer = evaluate(staffing.agents - 1, rate, handle, answer)
    assert fewer.service_level < target


def test_no_arrivals_need_no_agents():
    staffing = agents_needed(0, 20, 60, 0.85)
    assert (staffing.agents, staffing.service_level, staffing.occupancy) == (0, 1.0, 0.0)


def test_hundreds_of_agents_do_not_overflow():
    staffing = agents_needed(6000, 6, 0.5, 0.9)  # 600 erlangs
    assert 600 < staffing.agents < 700 and 0 < staffing.probability_wait < 1


def test_arrivals_are_averaged_per_hour_of_the_week():
    now = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)  # a Wednesday
    mondays_at_nine = [datetime(2026, 11, 23, 9, 10, tzinfo=UTC) - timedelta(weeks=w) for w in range(4)]
    extra = [datetime(2026, 11, 23, 9, 50, tzinfo=UTC), datetime(2026, 10, 1, 9, 0, tzinfo=UTC)]  # too old
    rates = arrivals_by_hour([*mondays_at_nine, *extra], "UTC", now, weeks=4)
    assert rates[(0, 9)] == 5 / 4
    assert rates[(0, 10)] == 0 and len(rates) == 168
    shanghai = arrivals_by_hour(mondays_at_nine, "Asia/Shanghai", now, weeks=4)
    assert shanghai[(0, 17)] == 1.0, "09:10 UTC is 17:10 in Shanghai"


def test_a_plan_covers_every_hour_of_the_week():
    now = datetime(2026, 11, 25, 0, 0, tzinfo=UTC)
    busy = [datetime(2026, 11, 23, 9, minute, tzinfo=UTC) for minute in range(0, 60, 2)]  # 30 in one hour
    hours = plan(busy, "UTC", now, StaffingSettings(history_weeks=1), answer_minutes=60)
    monday_nine = next(h for h in hours if (h.weekday, h.hour) == (0, 9))
    assert monday_nine.staffing.arrivals_per_hour == 30 and monday_nine.staffing.traffic == 10.0
    assert monday_nine.staffing.agents == agents_needed(30, 20, 60, 0.85).agents
    assert sum(h.staffing.agents for h in hours) == monday_nine.staffing.agents


def test_the_answer_time_defaults_to_the_first_response_budget():
    assert answer_minutes(None, DEFAULT_POLICY, BusinessCalendar("UTC")) == 60.0
    assert answer_minutes(15, DEFAULT_POLICY, BusinessCalendar("UTC")) == 15


@pytest.mark.parametrize(("setting", "message"), [
    ({"target": 1.5}, "staffing.target: 1.5 is not a share"),
    ({"handle_minutes": 0}, "staffing.handle_minutes: 0 is not a number of minutes above 0"),
    ({"history_weeks": 0}, "staffing.history_weeks: 0 is not a whole number of weeks"),
    ({"shifts": 3}, "staffing.shifts: unknown setting"),
])
def test_bad_settings_are_refused_by_name(setting, message):
    with pytest.raises(ConfigError, match=message):
        from_mapping({"staffing": setting})
    if "shifts" not in setting:
        with pytest.raises(StaffingError):
            StaffingSettings(**setting)


def test_settings_come_from_the_config():
    config = from_mapping({"staffing": {"handle_minutes": 12, "target": 0.9, "answer_minutes": 30}})
    assert config.staffing == StaffingSettings(handle_minutes=12, target=0.9, answer_minutes=30)


def cli(*args: str, home) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "cs_console", *args], capture_output=True, text=True, timeout=120,
                          env={"CS_CONSOLE_HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"})


def test_staffing_command(isolated_home):
    assert cli("demo", home=isolated_home).returncode == 0
    table = cli("staffing", "--day", "mon", home=isolated_home)
    assert table.returncode == 0, table.stderr
    assert "Mon  agents needed per hour (85% within 60 min, 20 min per ticket)" in table.stdout
    assert len([line for line in table.stdout.splitlines() if line.strip().endswith("%")]) == 24
    data = json.loads(cli("staffing", "--json", "--handle-minutes", "10", home=isolated_home).stdout)
    assert len(data["hours"]) == 168 and data["handle_minutes"] == 10 and data["answer_minutes"] == 60
    busiest = max(data["hours"], key=lambda h: h["arrivals_per_hour"])
    assert busiest["agents"] == agents_needed(busiest["arrivals_per_hour"], 10, 60, 0.85).agents
    bad = cli("staffing", "--target", "85", home=isolated_home)
    assert bad.returncode == 2 and "--target: 85.0 is not a share between 0 and 1" in bad.stderr


def monday_morning(now: datetime) -> datetime:
    """A Monday 09:40 UTC that three weeks of history before `now` hold, at least a week ago,
    whenever the test runs (the command reads the real clock)."""
    for days in range(7, 22):
        moment = (now - timedelta(days=days)).replace(hour=9, minute=40, second=0, microsecond=0)
        if moment.weekday() == 0 and now - timedelta(days=21, hours=-1) < moment <= now - timedelta(days=7):
            return moment
    raise AssertionError("every fortnight has a Monday")


def hour_line(output: str, hour: str) -> list[str]:
    return next(line.split() for line in output.splitlines() if line.strip().startswith(hour))


def test_staffing_command_counts_the_leads_team_only(isolated_home):
    from cs_console.storage.models import Customer
    from cs_console.store import Store

    store = Store.open(isolated_home / "cs-console.db")
    try:
        zhao = store.create_agent("Zhao Min", role="lead", team="Maritime Desk")
        lin = store.create_agent("Lin Wei", team="Maritime Desk")
        wang = store.create_agent("Wang Lei", role="lead", team="Telecom Desk")
        store.create_agent("Sun Hui", role="admin")
        customer = Customer(name="Hai Xing Shipping")
        start = monday_morning(datetime.now(UTC))
        # Over 3 weeks: Maritime Desk 18 tickets (6 an hour), Telecom Desk 9 (3 an hour),
        # all on one Monday between 09:40 and 09:45.
        owners = [lin.id] * 9 + [zhao.id] * 6 + [None] * 3 + [wang.id] * 6 + [None] * 3
        teams = ["Maritime Desk"] * 18 + ["Telecom Desk"] * 9
        for n, (owner, team) in enumerate(zip(owners, teams)):
            store.create_ticket(customer_id=customer.id if n else None, new_customer=None if n else customer,
                                subject=f"Ticket {n}", first_message="help", assignee_id=owner, team=team,
                                at=start + timedelta(seconds=10 * n))
    finally:
        store.close()
    options = ("staffing", "--day", "mon", "--weeks", "3", "--handle-minutes", "10")

    maritime = cli("--agent", "zhao", *options, home=isolated_home)
    assert maritime.returncode == 0, maritime.stderr
    assert "Maritime Desk · 18 tickets created in the last 3 weeks · hours in UTC" in maritime.stdout
    # 6 an hour × 10 min = 1 erlang. Two agents: C(2, 1) = 1/3, so 1/3 × e^(−1 × 60/10) wait
    # past an hour (99.9% in time), the mean wait is 1/3 × 10 / (2 − 1) = 3.3 min, occupancy 50%.
    assert hour_line(maritime.stdout, "09:00") == ["09:00", "6.00", "2", "50%", "3.3m", "99.9%"]

    telecom = cli("--agent", "wang", *options, home=isolated_home)
    assert "Telecom Desk · 9 tickets created in the last 3 weeks" in telecom.stdout
    # 3 an hour × 10 min = 0.5 erlang. One agent: C(1, 0.5) = 0.5; in time 1 − 0.5 × e^(−0.5 × 6)
    # = 97.5%; mean wait 0.5 × 10 / 0.5 = 10 min; occupancy 50%.
    assert hour_line(telecom.stdout, "09:00") == ["09:00", "3.00", "1", "50%", "10.0m", "97.5%"]
    assert hour_line(cli("--agent", "zhao", *options, "--team", "Telecom Desk", home=isolated_home).stdout,
                     "09:00") == hour_line(telecom.stdout, "09:00")

    everyone = cli("--agent", "sun", *options, "--json", home=isolated_home)
    data = json.loads(everyone.stdout)
    monday_nine = next(h for h in data["hours"] if (h["weekday"], h["hour"]) == (0, 9))
    assert (data["team"], data["tickets"], monday_nine["arrivals_per_hour"]) == (None, 27, 9.0), "an admin: all"

    unknown = cli("--agent", "zhao", "staffing", "--team", "Night Shift", home=isolated_home)
    assert unknown.returncode == 2 and "no such team; teams: Maritime Desk, Telecom Desk" in unknown.stderr
