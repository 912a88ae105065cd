"""Lead reviews rolled up in the service report, against a quarter computed by hand, in
Markdown, CSV, HTML and JSON; the rubric as data (the shipped one, an admin's, a broken
one); the sample's filters; the scores' shape on the wire."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest

from cs_console.clocks.sla import DEFAULT_POLICY
from cs_console.lead import reports
from cs_console.lead.periods import Period
from cs_console.lead.review_sample import FILTERS, Candidate, flags, sample
from cs_console.lead.review_scores import ScoredWork
from cs_console.lead.rubric import RubricError, parse_rubric, scores_problem
from cs_console.text.strings import Strings
from cs_console.usecases.reviews import load_rubric
from tests.test_kpi import CALENDAR
from tests.test_reports import AGENTS

Q4 = Period("quarterly", date(2026, 10, 1), "UTC")
NOW = datetime(2027, 1, 10, tzinfo=UTC)


def scored(agent: str, month: int, day: int, digits: str, year: int = 2026) -> ScoredWork:
    keys = ("dialogue", "correctness", "policy", "empathy")
    return ScoredWork(agent, datetime(year, month, day, 9, tzinfo=UTC), dict(zip(keys, map(int, digits))))


REVIEWS = [
    scored("agent-a", 10, 5, "4553"),    # mean 4.25
    scored("agent-a", 11, 20, "3442"),   # mean 3.25
    scored("agent-b", 12, 1, "5454"),    # mean 4.50
    scored("agent-c", 11, 2, "1111"),    # Telecom Desk: left out of the Maritime Desk's report
    scored("agent-a", 9, 10, "2332"),    # the quarter before (Q3): mean 2.50
    scored("agent-b", 1, 3, "1111", year=2027),  # after the quarter: in neither
]
"""By hand, Maritime Desk in 2026-Q4: 3 reviews, overall (4.25 + 3.25 + 4.50) / 3 = 4.00;
dialogue (4+3+5)/3 = 4.00, correctness (5+4+4)/3 = 4.33, policy (5+4+5)/3 = 4.67, empathy
(3+2+4)/3 = 3.00. Q3: one review, 2.50; 2, 3, 3, 2. Lin Wei: 2 reviews, (4.25+3.25)/2 = 3.75;
3.50, 4.50, 4.50, 2.50. Ingrid Haugen: 1 review, 4.50; 5, 4, 5, 4."""


@pytest.fixture
def report():
    return reports.build([], AGENTS, Q4, NOW, DEFAULT_POLICY, CALENDAR, team="Maritime Desk", reviews=REVIEWS,
                         rubric=load_rubric())


def test_the_json_report_holds_the_hand_computed_review_figures(report):
    data = json.loads(reports.render(report, "json", Strings("en")))["reviews"]
    assert data["team"] == {"reviews": 3, "overall": 4.0,
                            "items": {"dialogue": 4.0, "correctness": 4.33, "policy": 4.67, "empathy": 3.0}}
    assert data["previous"] == {"reviews": 1, "overall": 2.5,
                                "items": {"dialogue": 2.0, "correctness": 3.0, "policy": 3.0, "empathy": 2.0}}
    assert data["agents"] == [
        {"name": "Ingrid Haugen", "reviews": 1, "overall": 4.5,
         "items": {"dialogue": 5.0, "correctness": 4.0, "policy": 5.0, "empathy": 4.0}},
        {"name": "林伟 Lin Wei", "reviews": 2, "overall": 3.75,
         "items": {"dialogue": 3.5, "correctness": 4.5, "policy": 4.5, "empathy": 2.5}},
    ]
    assert [item["zh"] for item in data["items"]] == ["对话质量", "解答准确", "合规", "共情"]


def test_the_markdown_report_has_the_review_table(report):
    text = reports.render(report, "md", Strings("en"))
    assert "## Lead reviews of conversations" in text
    assert "| Name | Reviews | Overall | Dialogue quality | Correctness | Policy compliance | Empathy |" in text
    assert "| Team | 3 | 4.00 | 4.00 | 4.33 | 4.67 | 3.00 |" in text
    assert "| Team, period before | 1 | 2.50 | 2.00 | 3.00 | 3.00 | 2.00 |" in text
    assert "| 林伟 Lin Wei | 2 | 3.75 | 3.50 | 4.50 | 4.50 | 2.50 |" in text
    assert "Wang Lei" not in text.split("## Lead reviews")[1].split("##")[0]
    chinese = reports.render(report, "md", Strings("zh"))
    assert "| 名称 | 质检数 | 综合 | 对话质量 | 解答准确 | 合规 | 共情 |" in chinese
    assert "| 团队（上一周期） | 1 | 2.50 |" in chinese


def test_the_csv_report_has_one_review_figure_per_line(report):
    rows = list(csv.reader(io.StringIO(reports.render(report, "csv", Strings("en")))))
    figures = {(row[0], row[1], row[2]): row[4:7] for row in rows if row[0].startswith("review_")}
    assert figures[("review_team", "Maritime Desk", "reviews")] == ["3", "1", ""]
    assert figures[("review_team", "Maritime Desk", "review_overall")] == ["4.00", "2.50", ""]
    assert figures[("review_team", "Maritime Desk", "review_correctness")] == ["4.33", "3.00", ""]
    assert figures[("review_agent", "林伟 Lin Wei", "review_empathy")] == ["2.50", "", ""]
    assert figures[("review_agent", "Ingrid Haugen", "review_overall")] == ["4.50", "", ""]
    assert not [key for key in figures if key[1] == "王磊 Wang Lei"]


def test_the_html_report_has_the_review_table(report):
    text = reports.render(report, "html", Strings("en"))
    assert "<h2>Lead reviews of conversations</h2>" in text
    assert ("<tr><td>Team</td><td class=n>3</td><td class=n>4.00</td><td class=n>4.00</td><td class=n>4.33</td>"
            "<td class=n>4.67</td><td class=n>3.00</td></tr>") in text
    assert "<td>Ingrid Haugen</td><td class=n>1</td><td class=n>4.50</td>" in text


def test_all_teams_count_every_review_and_no_rubric_means_no_section():
    everyone = reports.build([], AGENTS, Q4, NOW, DEFAULT_POLICY, CALENDAR, reviews=REVIEWS, rubric=load_rubric())
    assert (everyone.reviews.team.reviews, everyone.reviews.team.overall) == (4, 3.25)  # (4.25+3.25+4.5+1)/4
    without = reports.build([], AGENTS, Q4, NOW, DEFAULT_POLICY, CALENDAR, reviews=REVIEWS)
    assert without.reviews is None and json.loads(reports.render(without, "json", Strings("en")))["reviews"] is None


def test_an_item_the_rubric_dropped_still_shows_under_its_key():
    old = ScoredWork("agent-a", datetime(2026, 10, 9, tzinfo=UTC), {"tone": 2})
    report = reports.build([], AGENTS, Q4, NOW, DEFAULT_POLICY, CALENDAR, reviews=[old], rubric=load_rubric())
    assert report.reviews.items[-1] == ("tone", "tone", "tone")
    assert report.reviews.team.items["tone"] == 2.0 and report.reviews.team.items["empathy"] is None
    assert "| Team | 1 | 2.00 | — | — | — | — | 2.00 |" in reports.render(report, "md", Strings("en"))


# -- the rubric as data ------------------------------------------------------------------------


def test_an_admin_replaces_the_rubric_in_the_config_folder(isolated_home):
    assert [item.key for item in load_rubric().items] == ["dialogue", "correctness", "policy", "empathy"]
    isolated_home.mkdir(parents=True, exist_ok=True)
    (isolated_home / "review_rubric.json").write_text(json.dumps({"items": [
        {"key": "response_speed", "en": "Response speed", "zh": "客服响应速度"},
        {"key": "attitude", "en": "Service attitude", "zh": "服务态度"}]}), encoding="utf-8")
    assert [item.label("zh") for item in load_rubric().items] == ["客服响应速度", "服务态度"]


@pytest.mark.parametrize(("text", "message"), [
    ("{", "not JSON"),
    ('{"items": []}', "a list of 1 to 9 items"),
    ('{"items": [{"key": "Empathy!", "en": "E", "zh": "共情"}]}', "item 1: \"key\" must be lower-case"),
    ('{"items": [{"key": "a", "en": "A", "zh": "甲"}, {"key": "a", "en": "B", "zh": "乙"}]}', "item 2: key 'a' is used twice"),
    ('{"items": [{"key": "empathy", "en": "Empathy"}]}', "item 1 (empathy): needs an \"en\" and a \"zh\" label"),
])
def test_a_broken_rubric_is_refused_naming_the_file_and_the_item(text, message):
    with pytest.raises(RubricError, match="^rubric.json: ") as refused:
        parse_rubric(text, "rubric.json")
    assert message in str(refused.value)


@pytest.mark.parametrize(("text", "problem"), [
    ('{"empathy": 4}', None),
    ('{"empathy": 6}', "review.scores.empathy must be a whole number from 1 to 5, not 6"),
    ('{"empathy": true}', "review.scores.empathy must be a whole number from 1 to 5"),
    ("{}", "at least one item"),
    ("[4]", "must be a JSON object"),
    ("four", "is not JSON"),
])
def test_stored_scores_are_an_object_of_digits(text, problem):
    found = scores_problem(text)
    assert (found is None) if problem is None else (problem in found)


# -- sampling ----------------------------------------------------------------------------------


def candidate(n: int, satisfaction: int | None = None, nps: int | None = None, escalated: bool = False) -> Candidate:
    return Candidate(f"t{n}", f"T-{n}", "subject", "agent-a", datetime(2026, 11, n, tzinfo=UTC), satisfaction, nps,
                     escalated)


POOL = [candidate(1, satisfaction=1), candidate(2, satisfaction=5, nps=3), candidate(3, satisfaction=5, nps=9),
        candidate(4, escalated=True), candidate(5), candidate(6, satisfaction=3)]


def test_filters_pick_low_scores_and_escalations_and_random_takes_any():
    assert {c.ticket_id for c in sample(POOL, "low_score", 10, seed=1)} == {"t1", "t2"}
    assert {c.ticket_id for c in sample(POOL, "escalated", 10, seed=1)} == {"t4"}
    picked = sample(POOL, "random", 3, seed=7)
    assert len(picked) == 3 and picked == sample(POOL, "random", 3, seed=7)
    assert [c.finished_at for c in picked] == sorted((c.finished_at for c in picked), reverse=True)


def test_an_unknown_filter_or_an_empty_sample_is_refused():
    with pytest.raises(ValueError, match="unknown review filter 'complaints'; expected one of random, low_score"):
        sample(POOL, "complaints", 3, seed=1)
    with pytest.raises(ValueError, match="at least one"):
        sample(POOL, "random", 0, seed=1)


def test_every_filter_has_its_words_in_both_languages():
    from cs_console.text.strings import CATALOG

    needed = [f"review.filter.{name}" for name in FILTERS] + [f"review.mark.{name}" for name in FILTERS if name != "random"]
    assert [key for key in needed if key not in CATALOG] == []
    assert flags(POOL[0]) == ("low_score",) and flags(POOL[3]) == ("escalated",) and flags(POOL[4]) == ()
