"""The report's service-quality section against a quarter computed by hand: the callback
survey's parts per team, agent and tenure band against the quarter before, and the team's
stability, in all four formats.

The quarter is 2026-Q4 (UTC), compared with 2026-Q3. The team (every time below is UTC):

- Mei joined 2026-11-10 (a joiner; under 3 months all quarter);
- Bo joined 2025-12-15: 10 months on 2026-10-20 (3-12 months), 12 on 2026-12-20 (1-3 years);
- Cai joined 2022-01-01 and left, last day 2026-11-30 (a leaver; over 3 years);
- Dan's start is not recorded; Eve is an admin, never counted.

Headcount at the start: Bo, Cai, Dan = 3; at the end: Mei, Bo, Dan = 3; turnover 1 / 3 =
33.3%. Tenure at the end (2026-12-31): Mei 1 month, Bo 12 months, Dan unknown.

Callbacks (speed, accuracy, attitude, resolution, overall, ces, nps; - not asked):
  Q4  t1 Mei 11-20: 3 4 4 3 4 5 8      Q3  t6 Bo  08-10: 4 4 4 4 4 6 7
      t2 Bo  10-20: 5 5 5 4 5 7 10         t7 Cai 09-15: 3 3 3 3 3 4 6
      t3 Bo  12-20: 4 5 4 4 4 6 9
      t4 Cai 11-05: 2 - - - 2 - 3
      t5 Dan 12-01: - - - - 5 - -   (a callback from before the survey: satisfaction only)
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import UTC, date, datetime

import pytest

from cs_console.clocks.calendars import BusinessCalendar
from cs_console.clocks.sla import DEFAULT_POLICY
from cs_console.lead import reports
from cs_console.lead.kpi import Contact, TicketFacts
from cs_console.lead.periods import Period
from cs_console.lead.stability import months_between, stability, tenure_band
from cs_console.storage.models import Agent
from cs_console.text.strings import Strings
from cs_console.usecases.survey import shipped_questions

QUARTER = Period("quarterly", date(2026, 10, 1), "UTC")
AFTER = datetime(2027, 1, 5, tzinfo=UTC)
AGENTS = [
    Agent(id="mei", name="Mei", team="Desk", started_on="2026-11-10"),
    Agent(id="bo", name="Bo", team="Desk", started_on="2025-12-15"),
    Agent(id="cai", name="Cai", team="Desk", started_on="2022-01-01", left_on="2026-11-30"),
    Agent(id="dan", name="Dan", team="Desk"),
    Agent(id="eve", name="Eve", team="Desk", role="admin", started_on="2020-01-01"),
]
PARTS = ("speed", "accuracy", "attitude", "resolution")


def utc(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, 0, tzinfo=UTC)


def called_back(key: str, assignee: str, when: datetime, scores: str) -> TicketFacts:
    """A ticket solved and called back at `when` with `scores` as in the table above."""
    values = [None if s == "-" else int(s) for s in scores.split()]
    survey = tuple((part, value) for part, value in zip((*PARTS, "ces"), [*values[:4], values[5]]) if value is not None)
    created = when.replace(day=1)
    return TicketFacts(
        id=key, number=key.upper(), subject=key, customer_name="Hai Xing", customer_language="zh",
        assignee_id=assignee, team="Desk", category="sim_activation", tags=(), priority="normal", status="closed",
        created_at=created, updated_at=when,
        events=(("created", created), ("first_response", created), ("resolved", when), ("callback", when)),
        contacts=(Contact("public_reply", created, assignee), Contact("callback", when, assignee, values[4], values[6],
                                                                      survey)),
    )


TICKETS = [
    called_back("t1", "mei", utc(11, 20), "3 4 4 3 4 5 8"),
    called_back("t2", "bo", utc(10, 20), "5 5 5 4 5 7 10"),
    called_back("t3", "bo", utc(12, 20), "4 5 4 4 4 6 9"),
    called_back("t4", "cai", utc(11, 5), "2 - - - 2 - 3"),
    called_back("t5", "dan", utc(12, 1), "- - - - 5 - -"),
    called_back("t6", "bo", utc(8, 10), "4 4 4 4 4 6 7"),
    called_back("t7", "cai", utc(9, 15), "3 3 3 3 3 4 6"),
]


@pytest.fixture
def report() -> reports.Report:
    return reports.build(TICKETS, AGENTS, QUARTER, AFTER, DEFAULT_POLICY, BusinessCalendar("UTC"),
                         questions=shipped_questions())


# -- tenure and stability ------------------------------------------------------------------------


@pytest.mark.parametrize(("start", "day", "months"), [
    (date(2025, 12, 15), date(2026, 10, 20), 10), (date(2025, 12, 15), date(2026, 12, 14), 11),
    (date(2025, 12, 15), date(2026, 12, 15), 12), (date(2026, 1, 31), date(2026, 2, 28), 0),
    (date(2026, 5, 1), date(2026, 4, 1), 0),
])
def test_whole_months_of_tenure(start, day, months):
    assert months_between(start, day) == months


def test_tenure_bands_meet_without_gaps():
    day = date(2026, 12, 31)
    assert [tenure_band(start, day) for start in ("2026-10-01", "2026-09-30", "2026-01-01", "2025-12-31",
                                                  "2024-01-01", "2023-12-31", None)] == [
        "under_3m", "3_12m", "3_12m", "1_3y", "1_3y", "over_3y", "unknown"]  # 2, 3, 11, 12, 35, 36 months


def test_the_quarters_stability():
    figures = stability(AGENTS, QUARTER.first, QUARTER.after)
    assert (figures.headcount_start, figures.headcount_end) == (3, 3)
    assert (figures.joiners, figures.leavers, figures.turnover) == (("Mei",), ("Cai",), 33.3)
    assert figures.bands == {"under_3m": 1, "3_12m": 0, "1_3y": 1, "over_3y": 0, "unknown": 1}
    before = stability(AGENTS, date(2026, 7, 1), date(2026, 10, 1))
    assert (before.headcount_start, before.headcount_end, before.turnover) == (3, 3, 0.0)


def test_nobody_on_the_team_has_no_turnover():
    assert stability([], QUARTER.first, QUARTER.after).turnover is None


# -- the survey's figures ---------------------------------------------------------------------------


def test_each_part_for_the_team_against_the_quarter_before(report):
    team = report.quality.survey.team
    assert report.quality.survey.callbacks == 5
    expected = {  # (this quarter, the one before, change, answers)
        "speed": (3.5, 3.5, 0.0, 4),            # 3 5 4 2 / 4 3
        "accuracy": (4.67, 3.5, 1.17, 3),       # 4 5 5 = 14/3 / 4 3
        "attitude": (4.33, 3.5, 0.83, 3),       # 4 5 4 = 13/3
        "resolution": (3.67, 3.5, 0.17, 3),     # 3 4 4 = 11/3
        "overall": (4.0, 3.5, 0.5, 5),          # 4 5 4 2 5 = 20/5
        "ces": (6.0, 5.0, 1.0, 3),              # 5 7 6 / 6 4
        "nps": (25.0, -50.0, 75.0, 4),          # 8 10 9 3: 2 promoters, 1 detractor / 7 6: 1 detractor
    }
    assert {key: (line.current, line.previous, line.change, line.count) for key, line in team.items()} == expected
    csat_mean = next(m for m in report.metrics if m.key == "csat_mean")
    assert csat_mean.current == 4.0, "the overall part is the callback score the KPIs always read"


def test_each_agents_parts(report):
    agents = {line.name: line for line in report.quality.survey.agents}
    assert list(agents) == ["Bo", "Cai", "Dan", "Mei"], "agents with a callback this quarter, by name"
    bo = agents["Bo"].parts
    assert (agents["Bo"].callbacks, bo["speed"].current, bo["speed"].change) == (2, 4.5, 0.5)
    assert (bo["nps"].current, bo["nps"].previous, bo["nps"].change) == (100.0, 0.0, 100.0)
    cai = agents["Cai"].parts
    assert (cai["overall"].current, cai["overall"].change, cai["nps"].change) == (2.0, -1.0, 0.0)
    assert (cai["accuracy"].current, cai["accuracy"].previous, cai["accuracy"].change) == (None, 3.0, None)
    assert agents["Dan"].parts["overall"].current == 5.0 and agents["Dan"].parts["speed"].current is None


def test_parts_by_tenure_band(report):
    bands = {line.name: line for line in report.quality.survey.bands}
    assert [(name, line.callbacks, line.parts["overall"].current) for name, line in bands.items()] == [
        ("under_3m", 1, 4.0), ("3_12m", 1, 5.0), ("1_3y", 1, 4.0), ("over_3y", 1, 2.0), ("unknown", 1, 5.0)]
    assert bands["3_12m"].parts["overall"].previous == 4.0, "Bo in August: 7 months"
    assert bands["over_3y"].parts["overall"].change == -1.0


def test_a_team_report_keeps_its_own_people():
    other = reports.build(TICKETS, AGENTS, QUARTER, AFTER, DEFAULT_POLICY, BusinessCalendar("UTC"), team="Night",
                          questions=shipped_questions())
    assert other.quality.survey.callbacks == 0 and other.quality.stability.headcount_end == 0
    assert other.quality.survey.team["overall"].current is None


# -- every format -------------------------------------------------------------------------------------


def test_the_same_figures_in_every_format(report):
    strings = Strings("en")
    markdown = reports.render(report, "md", strings)
    page = reports.render(report, "html", strings)
    rows = list(csv.DictReader(io.StringIO(reports.render(report, "csv", strings))))
    data = json.loads(reports.render(report, "json", strings))["quality"]

    assert "## Callback survey (5 callbacks)" in markdown
    assert "| Answer accuracy | 4.67 | 3.50 | +1.17 | 3 |" in markdown
    assert "| NPS | 25.0 | -50.0 | +75.0 | 4 |" in markdown
    assert "| Bo | 2 | 4.50 (+0.50) | 5.00 (+1.00) |" in markdown
    assert "| Leavers | 1 (Cai) |" in markdown and "| Turnover rate | 33.3% |" in markdown
    assert "| 1-3 years | 1 | 1 | 4.00 | 5.00 | 4.00 | 4.00 | 4.00 | 6.00 | 100.0 |" in markdown

    assert "<h2>Team stability</h2>" in page and "<td class=n>33.3%</td>" in page
    assert "<td>Answer accuracy</td><td class=n>4.67</td><td class=n>3.50</td><td class=n>+1.17</td>" in page

    def cell(section: str, name: str, metric: str) -> dict:
        return next(r for r in rows if (r["section"], r["name"], r["metric"]) == (section, name, metric))

    assert [cell("survey", "", "accuracy")[c] for c in ("value", "previous", "change")] == ["4.67", "3.50", "1.17"]
    assert cell("survey_agent", "Cai", "accuracy")["value"] == "" and cell("survey_agent", "Cai", "accuracy")[
        "previous"] == "3.00"
    assert cell("survey_tenure", "over_3y", "overall")["change"] == "-1.00"
    assert cell("stability", "", "turnover")["value"] == "33.3" and cell("stability", "", "leavers")["value"] == "1"
    assert cell("tenure", "unknown", "agents")["value"] == "1"

    assert data["survey"]["team"]["accuracy"] == {"value": 4.67, "previous": 3.5, "change": 1.17, "count": 3}
    assert data["survey"]["tenure_bands"][2]["band"] == "1_3y"
    assert data["stability"] == {"headcount_start": 3, "headcount_end": 3, "joiners": ["Mei"], "leavers": ["Cai"],
                                 "turnover": 33.3,
                                 "tenure_bands": {"under_3m": 1, "3_12m": 0, "1_3y": 1, "over_3y": 0, "unknown": 1}}
    assert [q["key"] for q in data["survey"]["questions"]] == ["speed", "accuracy", "attitude", "resolution",
                                                               "overall", "ces", "nps"]


def test_the_chinese_report_names_the_standards_parts(report):
    markdown = reports.render(report, "md", Strings("zh"))
    for words in ("客服响应速度", "解答准确率", "服务态度", "问题解决效率", "咨询满意度", "团队稳定性",
                  "| 流失率 | 33.3% |", "| 3年及以上 | 0 | 1 |"):
        assert words in markdown


def test_no_callback_no_number():
    empty = reports.build([], AGENTS, QUARTER, AFTER, DEFAULT_POLICY, BusinessCalendar("UTC"),
                          questions=shipped_questions())
    assert "| Response speed | — | — | — | 0 |" in reports.render(empty, "md", Strings("en"))
    rows = list(csv.DictReader(io.StringIO(reports.render(empty, "csv", Strings("en")))))
    assert next(r for r in rows if r["section"] == "survey" and r["metric"] == "nps")["value"] == ""


# -- the command ------------------------------------------------------------------------------------


def cli(*args: str, home) -> subprocess.CompletedProcess:
    env = {"CS_CONSOLE_HOME": str(home), "PATH": "/usr/bin:/bin", "LANG": "C.UTF-8"}
    return subprocess.run([sys.executable, "-m", "cs_console", *args], capture_output=True, text=True,
                          timeout=120, env=env)


def test_a_lead_records_when_agents_join_and_leave_and_the_report_counts_them(tmp_path, isolated_home):
    assert cli("demo", home=isolated_home).returncode == 0
    refused = cli("agent", "dates", "ingrid", "--left", "2026-12-01", home=isolated_home)
    assert refused.returncode == 2 and "only a lead or an admin records when agents join and leave" in refused.stderr
    assert cli("agent", "use", "zhao.min", home=isolated_home).returncode == 0
    bad_day = cli("agent", "dates", "ingrid", "--started", "2026-02-30", home=isolated_home)
    assert bad_day.returncode == 2 and "agent.started_on '2026-02-30' is not a day like 2026-03-01" in bad_day.stderr
    other_team = cli("agent", "dates", "wang.lei", "--left", "2026-12-01", home=isolated_home)
    assert other_team.returncode == 2 and "a lead records the dates of their own team" in other_team.stderr
    done = cli("agent", "dates", "ingrid", "--started", "2024-03-01", "--left", "2026-12-02", home=isolated_home)
    assert done.returncode == 0, done.stderr
    assert "Ingrid Haugen: started 2024-03-01, last working day 2026-12-02" in done.stdout
    listed = next(line for line in cli("agent", "list", home=isolated_home).stdout.splitlines() if "Ingrid" in line)
    assert "2024-03-01 2026-12-02" in listed
    target = tmp_path / "q.json"
    assert cli("report", "quarterly", "--period", "2026-12-02", "--format", "json", "-o", str(target),
               home=isolated_home).returncode == 0
    assert "Ingrid Haugen" in json.loads(target.read_text())["quality"]["stability"]["leavers"]
    cleared = cli("agent", "dates", "ingrid", "--left", "none", home=isolated_home)
    assert "last working day -" in cleared.stdout
