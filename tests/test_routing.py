"""Routing: urgent technical work to experts, billing to specialists, the rest to the least loaded."""

from __future__ import annotations

import json
from dataclasses import replace

from cs_console.lead import routing
from cs_console.storage.models import Agent
from cs_console.text.strings import Strings
from tests.test_kpi import at, ticket


def agent(key, *, skills=(), languages=("zh", "en"), role="agent", team="Desk", active=True) -> Agent:
    return Agent(id=key, name=key.title(), role=role, team=team, languages=json.dumps(list(languages)),
                 skills=json.dumps(list(skills)), active=active)


EXPERT = agent("expert", skills=["safety_equipment"])
BILLING = agent("billing", skills=["billing"])
GENERALIST = agent("generalist")
LEAD = agent("lead", role="lead")


def busy(agent_id: str, count: int, status: str = "open") -> list:
    return [ticket(f"{agent_id}-{n}", at(20, 9), assignee=agent_id, status=status) for n in range(count)]


def new(category: str, priority: str = "normal", language: str = "zh", team: str = "Desk"):
    return replace(ticket("new", at(24, 10), category=category, priority=priority, assignee=None),
                   customer_language=language, team=team)


def ranked(ticket, agents, load) -> list[str]:
    return [s.agent_id for s in routing.rank(ticket, routing.candidates(agents, load))]


def test_urgent_technical_issues_go_to_the_expert_even_when_busier():
    load = busy("expert", 5) + busy("generalist", 1)
    assert ranked(new("safety_equipment", "urgent"), [EXPERT, GENERALIST], load)[0] == "expert"
    # expertise 8 points, load 0.5 per ticket: 8 - 2.5 = 5.5 against 0 - 0.5


def test_a_normal_issue_goes_to_the_least_loaded():
    load = busy("expert", 5) + busy("generalist", 1)
    assert ranked(new("safety_equipment", "normal"), [EXPERT, GENERALIST], load)[0] == "generalist"
    # expertise 3 points, load 1 per ticket: 3 - 5 = -2 against -1


def test_billing_goes_to_billing_specialists_whatever_its_urgency():
    load = busy("billing", 5)
    assert ranked(new("billing", "low"), [BILLING, GENERALIST], load)[0] == "billing"


def test_the_customers_language_weighs_more_than_a_skill():
    english_only = agent("english", skills=["safety_equipment"], languages=["en"])
    assert ranked(new("safety_equipment", "normal", language="zh"), [english_only, GENERALIST], [])[0] == "generalist"


def test_waiting_tickets_weigh_half():
    candidates = routing.candidates([GENERALIST], busy("generalist", 2) + busy("generalist", 2, "waiting_on_customer"))
    assert (candidates[0].open, candidates[0].waiting, candidates[0].load) == (2, 2, 3.0)


def test_leads_and_inactive_agents_take_work_last_or_never():
    retired = agent("retired", active=False)
    assert ranked(new("other"), [LEAD, GENERALIST, retired], busy("generalist", 3)) == ["generalist", "lead"]


def test_each_suggestion_explains_itself():
    best = routing.rank(new("billing", "normal", team="Desk"), routing.candidates([BILLING], busy("billing", 2)))[0]
    assert [(r.code, r.points, r.value) for r in best.reasons] == [
        ("skill", 8.0, "billing"), ("language", 2.0, "zh"), ("team", 1.0, "Desk"), ("load", -2.0, "2")]
    assert best.score == 9.0
    assert routing.explain(best.reasons, Strings("en")) == "knows billing (+8), speaks zh (+2), same team (+1), load 2 (-2)"
    assert routing.explain(best.reasons, Strings("zh")).startswith("熟悉 billing（+8）")


def test_ties_go_to_the_lighter_load_then_the_name():
    twin = agent("twin")
    assert ranked(new("other"), [twin, GENERALIST], []) == ["generalist", "twin"]


def test_a_batch_spreads_out():
    batch = [replace(new("other"), id=f"n{n}", number=f"N{n}") for n in range(4)]
    plan = routing.route(batch, routing.candidates([GENERALIST, agent("second")], []))
    assert [s.agent_id for _, s in plan] == ["generalist", "second", "generalist", "second"]


def test_the_current_owner_can_be_left_out():
    assert ranked(new("other"), [GENERALIST], []) == ["generalist"]
    assert routing.rank(new("other"), routing.candidates([GENERALIST], []), exclude=["generalist"]) == []


def test_damaged_skill_lists_read_as_none():
    damaged = Agent(id="d", name="D", skills="not json", languages='{"zh": 1}')
    candidate = routing.candidates([damaged], [])[0]
    assert candidate.skills == frozenset() and candidate.languages == frozenset()
