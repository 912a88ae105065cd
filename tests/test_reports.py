"""Reporting periods, the service report's numbers, and the same numbers in every format."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest

from cs_console.clocks.sla import DEFAULT_POLICY
from cs_console.lead import reports
from cs_console.lead.periods import Period, PeriodError, parse_period, period_containing
from cs_console.storage.models import Agent
from cs_console.text.strings import Strings
from tests.test_kpi import AFTER, CALENDAR, WEEK, at, ticket

AGENTS = [Agent(id="agent-a", name="林伟 Lin Wei", team="Maritime Desk"),
          Agent(id="agent-b", name="Ingrid Haugen", team="Maritime Desk"),
          Agent(id="agent-c", name="王磊 Wang Lei", team="Telecom Desk")]
WEEK_48 = Period("weekly", date(2026, 11, 23), "UTC")
LAST_WEEK = [
    # The week before (W47) for the trends: t5 (created Fri 20, in WEEK) and these two.
    ticket("p1", at(17, 10), [("first_response", at(17, 10, 50))], category="billing"),
    ticket("p2", at(18, 10), [("first_response", at(18, 11))], category="emissions", tags=("refund",)),
]


# -- periods ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "text", "label", "first", "after"), [
    ("weekly", "2026-W48", "2026-W48", date(2026, 11, 23), date(2026, 11, 30)),
    ("weekly", "2026-11-29", "2026-W48", date(2026, 11, 23), date(2026, 11, 30)),
    ("weekly", "2027-W01", "2027-W01", date(2027, 1, 4), date(2027, 1, 11)),
    ("monthly", "2026-02", "2026-02", date(2026, 2, 1), date(2026, 3, 1)),
    ("quarterly", "2026-Q4", "2026-Q4", date(2026, 10, 1), date(2027, 1, 1)),
    ("annual", "2026", "2026", date(2026, 1, 1), date(2027, 1, 1)),
])
def test_period_labels_read_and_write(kind, text, label, first, after):
    period = parse_period(kind, text, date(2026, 11, 24), "Asia/Shanghai")
    assert (period.label, period.first, period.after) == (label, first, after)


def test_current_and_previous_periods_cross_year_boundaries():
    today = date(2026, 1, 2)
    assert parse_period("weekly", None, today, "UTC").label == "2026-W01"
    assert parse_period("weekly", "previous", today, "UTC").label == "2025-W52"
    assert parse_period("quarterly", "previous", today, "UTC").label == "2025-Q4"
    assert parse_period("monthly", "current", today, "UTC").previous().label == "2025-12"


def test_a_period_runs_from_local_midnight():
    week = period_containing("weekly", date(2026, 11, 24), "Asia/Shanghai")
    assert week.start == datetime(2026, 11, 22, 16, 0, tzinfo=UTC)  # Monday 00:00 in Shanghai
    autumn = period_containing("monthly", date(2026, 10, 5), "Europe/Oslo")
    assert (autumn.end - autumn.start).total_seconds() == 31 * 86400 + 3600  # the clocks go back in October


def test_buckets_follow_the_period():
    assert [b.label for b in WEEK_48.buckets()][:2] == ["11-23", "11-24"] and len(WEEK_48.buckets()) == 7
    quarter = period_containing("quarterly", date(2026, 11, 1), "UTC").buckets()
    assert quarter[0].label == "W40" and quarter[0].start == datetime(2026, 10, 1, tzinfo=UTC)
    assert quarter[0].end == datetime(2026, 10, 5, tzinfo=UTC), "the first week is cut to the quarter"
    assert quarter[-1].end == datetime(2027, 1, 1, tzinfo=UTC)
    assert len(period_containing("annual", date(2026, 5, 5), "UTC").buckets()) == 12


@pytest.mark.parametrize(("kind", "text"), [("weekly", "2026-W54"), ("monthly", "2026-13"), ("quarterly", "2026-Q5"),
                                            ("annual", "twenty"), ("monthly", "2026-W48")])
def test_a_bad_label_names_the_form_expected(kind, text):
    with pytest.raises(PeriodError, match=f"not a {kind} period: expected a label like"):
        parse_period(kind, text, date(2026, 11, 24), "UTC")


def test_an_unknown_kind_is_refused():
    with pytest.raises(PeriodError, match="fortnightly"):
        period_containing("fortnightly", date(2026, 11, 24), "UTC")


# -- the report ---------------------------------------------------------------------------------


@pytest.fixture
def report() -> reports.Report:
    return reports.build([*LAST_WEEK, *WEEK], AGENTS, WEEK_48, AFTER, DEFAULT_POLICY, CALENDAR)


def metric(report, key) -> reports.MetricLine:
    return next(line for line in report.metrics if line.key == key)


def test_metrics_against_the_week_before(report):
    assert (report.period, report.previous_period) == ("2026-W48", "2026-W47")
    created = metric(report, "created")
    assert (created.current, created.previous, created.change) == (6, 3, 3)  # W47: p1 p2 t5
    median = metric(report, "first_response_median")
    assert (median.current, median.previous, median.change) == (25.0, 55.0, -30.0)  # W47: 50 and 60 minutes
    assert reports.trend_arrow(median) == "▼✔", "faster first responses are better"
    assert metric(report, "first_response_met").current == 60.0
    assert metric(report, "solution_met").current == 66.7, "2/3, rounded once, as every format prints it"
    assert metric(report, "csat").previous is None, "no callback in W47: no data"
    assert reports.trend_arrow(metric(report, "csat")) == "="


def test_voice_of_the_customer(report):
    assert [(i.name, i.count, i.previous, i.change) for i in report.top_categories] == [
        ("billing", 2, 2, 0), ("emissions", 2, 1, 1), ("other", 1, 0, 1), ("safety_equipment", 1, 0, 1)]
    assert [i.name for i in report.rising_categories] == ["emissions", "other", "safety_equipment"]
    assert [(i.name, i.count, i.change) for i in report.top_tags] == [("refund", 2, 1), ("vip", 1, 1)]
    assert [i.name for i in report.rising_tags] == ["refund", "vip"]


def test_each_agents_scores(report):
    lines = {line.name: line.values for line in report.agents}
    assert set(lines) == {"林伟 Lin Wei", "Ingrid Haugen"}, "agents with no ticket are left out"
    assert lines["Ingrid Haugen"]["created"] == 2 and lines["Ingrid Haugen"]["fcr"] == 100.0
    assert lines["林伟 Lin Wei"]["backlog"] == 6  # t2 t3 t5 t7 and last week's p1 p2 (t4 is Ingrid's)


def test_a_team_report_keeps_only_its_people():
    telecom = reports.build(WEEK, AGENTS, WEEK_48, AFTER, DEFAULT_POLICY, CALENDAR, team="Telecom Desk")
    assert metric(telecom, "created").current == 0 and telecom.agents == ()


def test_trends_have_one_point_per_day(report):
    created = next(t for t in report.trends if t.key == "created")
    assert created.labels == ("11-23", "11-24", "11-25", "11-26", "11-27", "11-28", "11-29")
    assert created.values == (0, 2, 1, 2, 0, 0, 1)


def test_the_same_numbers_in_every_format(report):
    strings = Strings("en")
    as_json = json.loads(reports.render(report, "json", strings))
    rows = list(csv.DictReader(io.StringIO(reports.render(report, "csv", strings))))
    markdown = reports.render(report, "md", strings)
    page = reports.render(report, "html", strings)
    team_rows = {row["metric"]: row for row in rows if row["section"] == "team"}
    for line in report.metrics:
        number = as_json["metrics"][line.key]["value"]
        assert number == line.current
        printed = reports.format_value(number, line.key)
        assert team_rows[line.key]["value"] == reports.format_value(number, line.key, suffix=False, empty="")
        assert f"| {printed} |" in markdown, line.key
        assert f">{printed}</td>" in page, line.key
    for agent in as_json["agents"]:
        for key in reports.AGENT_METRICS:
            cell = next(r for r in rows if r["section"] == "agent" and r["name"] == agent["name"] and r["metric"] == key)
            assert cell["value"] == reports.format_value(agent[key], key, suffix=False, empty="")
    assert as_json["voice_of_customer"]["top_tags"][0] == {"name": "refund", "count": 2, "previous": 1, "change": 1}


def test_csv_number_columns_hold_numbers_or_nothing(report):
    rows = list(csv.DictReader(io.StringIO(reports.render(report, "csv", Strings("en")))))
    csat = next(row for row in rows if row["section"] == "team" and row["metric"] == "csat")
    assert csat["previous"] == "" and csat["change"] == "", "no callback in W47: an empty cell, not a dash"
    for row in rows:
        for column in ("value", "previous", "change"):
            if row[column]:
                float(row[column])  # a number a spreadsheet can add up


def test_report_times_are_in_the_zone_they_are_labelled_with():
    shanghai = reports.build([*LAST_WEEK, *WEEK], AGENTS, Period("weekly", WEEK_48.first, "Asia/Shanghai"), AFTER,
                             DEFAULT_POLICY, CALENDAR)
    markdown = reports.render(shanghai, "md", Strings("en"))
    assert "2026-11-23 00:00 to 2026-11-30 00:00 (Asia/Shanghai)" in markdown
    assert json.loads(reports.render(shanghai, "json", Strings("en")))["start"] == "2026-11-23T00:00:00+08:00"


def test_chinese_reports_translate_labels_not_numbers(report):
    markdown = reports.render(report, "md", Strings("zh"))
    assert "周服务报告 2026-W48" in markdown and "首次联系解决率" in markdown
    assert "| 66.7% |" in markdown


def test_html_escapes_what_it_prints():
    hostile = [ticket("x1", at(24, 10), category="<script>alert(1)</script>")]
    page = reports.render(reports.build(hostile, AGENTS, WEEK_48, AFTER, DEFAULT_POLICY, CALENDAR), "html",
                          Strings("en"))
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_an_unknown_format_is_refused(report):
    with pytest.raises(ValueError, match="unknown report format 'pdf'"):
        reports.render(report, "pdf", Strings("en"))


# -- the command ------------------------------------------------------------------------------


def cli(*args: str, home) -> subprocess.CompletedProcess:
    env = {"CS_CONSOLE_HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    return subprocess.run([sys.executable, "-m", "cs_console", *args], capture_output=True, text=True,
                          timeout=120, env=env)


def test_report_command_writes_every_format(tmp_path, isolated_home):
    assert cli("demo", home=isolated_home).returncode == 0
    for fmt in reports.FORMATS:
        target = tmp_path / f"w.{fmt}"
        done = cli("report", "weekly", "--format", fmt, "--output", str(target), home=isolated_home)
        assert done.returncode == 0, done.stderr
        assert "Wrote the Weekly report" in done.stdout and target.stat().st_size > 200
    data = json.loads((tmp_path / "w.json").read_text())
    assert data["kind"] == "weekly" and data["metrics"]["created"]["value"] > 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "w.csv").read_text())))
    assert next(r for r in rows if r["metric"] == "created")["value"] == str(data["metrics"]["created"]["value"])


def test_report_command_refuses_bad_input_with_a_sentence(isolated_home):
    cli("demo", home=isolated_home)
    bad_period = cli("report", "quarterly", "--period", "2026-Q7", home=isolated_home)
    assert bad_period.returncode == 2 and "expected a label like 2026-Q4" in bad_period.stderr
    bad_team = cli("report", "monthly", "--team", "Night Shift", home=isolated_home)
    assert bad_team.returncode == 2 and "no such team; teams: Maritime Desk" in bad_team.stderr
    bad_kind = cli("report", "daily", home=isolated_home)
    assert bad_kind.returncode == 2 and "invalid choice: 'daily'" in bad_kind.stderr
    unwritable = cli("report", "annual", "--output", "/proc/no/such/file.md", home=isolated_home)
    assert unwritable.returncode == 2 and "cannot write /proc/no/such/file.md" in unwritable.stderr
