"""Complaints and knowledge-base contribution in the service report: a quarter computed by
hand, the same numbers in all four formats, each agent's share, and the lead's KPIs."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest

from cs_console.clocks.sla import DEFAULT_POLICY
from cs_console.lead import reports
from cs_console.lead.kb_contribution import Learning, Proposal, Use
from cs_console.lead.kpi import Contact
from cs_console.lead.periods import Period
from cs_console.storage.models import Agent
from cs_console.text.strings import Strings
from tests.test_kpi import CALENDAR, ticket

AGENTS = [Agent(id="agent-a", name="林伟 Lin Wei", team="Maritime Desk"),
          Agent(id="agent-b", name="Ingrid Haugen", team="Maritime Desk")]
Q4 = Period("quarterly", date(2026, 10, 1), "UTC")
NOW = datetime(2027, 1, 5, 9, 0, tzinfo=UTC)
PEARL = [f"pearl_{step}" for step in ("professional", "empathy", "accountability", "resolution", "learn")]


def on(month: int, day: int, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def callback(moment: datetime, satisfaction: int, nps: int | None = None) -> Contact:
    return Contact("callback", moment, "agent-a", satisfaction, nps)


def facts(key, customer, created, events=(), contacts=(), assignee="agent-a"):
    return replace(ticket(key, created, events, contacts, assignee=assignee), customer_id=customer)


TICKETS = [
    facts("p1", "cust-9", on(9, 1)),  # Q3: no complaint
    # c1: a complaint from 10:00, every PEARL step, resolved 24 h later; cust-1 then scores 5, NPS 9
    facts("c1", "cust-1", on(10, 5), [("complaint_marked", on(10, 5, 10)), *((k, on(10, 5, 11)) for k in PEARL),
                                      ("resolved", on(10, 6, 10))], [callback(on(10, 8), 5, 9)]),
    # c2: a complaint from noon, one step, closed 36 h later; cust-2 scores 2, NPS 3
    facts("c2", "cust-2", on(11, 2), [("complaint_marked", on(11, 2, 12)), ("pearl_empathy", on(11, 2, 13)),
                                      ("closed", on(11, 4, 0))], [callback(on(11, 4, 1), 2, 3)], assignee="agent-b"),
    # c3: marked by mistake and cleared: cust-3 counts among the others (4, NPS 10)
    facts("c3", "cust-3", on(11, 10), [("complaint_marked", on(11, 10, 10)), ("complaint_cleared", on(11, 10, 11))],
          [callback(on(11, 12), 4, 10)]),
    facts("c4", "cust-4", on(12, 1), [("resolved", on(12, 2))], [callback(on(12, 3), 5, 8)], assignee="agent-b"),
    # c5: cust-1 again, whose complaint c1 still stands: a complainant's later score, 3
    facts("c5", "cust-1", on(12, 10), [], [callback(on(12, 12), 3)]),
]
LEARNING = Learning(
    proposals=(Proposal("pr1", "agent-a", "approved", on(10, 20), on(10, 21)),
               Proposal("pr2", "agent-b", "waiting", on(12, 20), None),
               Proposal("pr3", "agent-b", "rejected", on(11, 1), on(11, 2))),
    uses=(Use("pr1", "agent-b", on(11, 5)), Use("pr1", "agent-b", on(12, 1)),
          Use("pr1", "agent-a", on(11, 6)),  # its author: no credit
          Use("pr1", "agent-b", datetime(2027, 1, 3, tzinfo=UTC))),  # after the quarter
)
EXPECTED = {
    "complaints": 2,                        # c1, c2 of the five created in Q4
    "complaint_rate": 40.0,                 # 2 / 5
    "complaint_resolution_median": 30.0,    # 24 h and 36 h
    "pearl_complete": 50.0,                 # c1 only
    "complainant_csat": 33.3,               # 5, 2, 3: one of three scored 4-5
    "other_csat": 100.0,                    # 4, 5
    "complainant_nps": 0.0,                 # 9 promotes, 3 detracts
    "other_nps": 50.0,                      # 10 promotes, 8 is passive
    "kb_proposed": 3,
    "kb_approved": 1,
    "kb_used_by_others": 2,
}


@pytest.fixture
def report() -> reports.Report:
    return reports.build(TICKETS, AGENTS, Q4, NOW, DEFAULT_POLICY, CALENDAR, learning=LEARNING)


def test_the_quarter_computed_by_hand(report):
    values = {line.key: line.current for line in report.metrics}
    assert {key: values[key] for key in EXPECTED} == EXPECTED
    before = {line.key: line.previous for line in report.metrics}
    assert (before["complaints"], before["complaint_rate"], before["complaint_resolution_median"]) == (0, 0.0, None)


def test_each_agents_complaints_and_contribution(report):
    lines = {line.agent_id: line.values for line in report.agents}
    assert {k: lines["agent-a"][k] for k in ("complaints", "kb_approved", "kb_used_by_others")} == {
        "complaints": 1, "kb_approved": 1, "kb_used_by_others": 2}
    assert {k: lines["agent-b"][k] for k in ("complaints", "kb_approved", "kb_used_by_others")} == {
        "complaints": 1, "kb_approved": 0, "kb_used_by_others": 0}


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_new_figures_in_all_four_formats(report, language):
    strings = Strings(language)
    as_json = json.loads(reports.render(report, "json", strings))
    rows = {row["metric"]: row for row in csv.DictReader(io.StringIO(reports.render(report, "csv", strings)))
            if row["section"] == "team"}
    markdown = reports.render(report, "md", strings)
    page = reports.render(report, "html", strings)
    for key, value in EXPECTED.items():
        printed = reports.format_value(value, key)
        assert as_json["metrics"][key]["value"] == value, key
        assert rows[key]["value"] == reports.format_value(value, key, suffix=False), key
        assert f"| {strings(f'metric.{key}')} | {printed} |" in markdown, key
        assert f"<td>{strings(f'metric.{key}')}</td><td class=n>{printed}</td>" in page, key
    assert "| 投诉率 | 40.0% |" in markdown if language == "zh" else "| Complaint rate | 40.0% |" in markdown


def test_the_leads_kpi_pane_shows_the_new_figures(report):
    from rich.console import Console

    from cs_console.screens.lead import kpi_renderable

    console = Console(width=160, record=True, color_system=None)
    console.print(kpi_renderable(report, Strings("zh")))
    pane = console.export_text()
    assert "投诉率" in pane and "40.0%" in pane and "知识被他人使用次数" in pane
