"""Moving work from the team view: the agents offered for chosen tickets, and a plan for the waiting ones."""

from __future__ import annotations

from dataclasses import replace

from cs_console.config import Config
from cs_console.usecases.routing import reassign_options, route_plan
from cs_console.usecases.team_load import TeamData, scope_of
from tests.test_kpi import at, ticket
from tests.test_routing import BILLING, EXPERT, GENERALIST, LEAD, busy, new

NOW = at(24, 12)


def team_of(tickets, agents=(EXPERT, BILLING, GENERALIST)) -> TeamData:
    return TeamData.make(LEAD, agents, tickets, {}, Config(), NOW, 0)


def test_the_agents_offered_for_several_tickets_are_ranked_over_all_of_them():
    refund = replace(new("billing"), id="refund", number="T-1")
    davit = replace(new("safety_equipment", "urgent"), id="davit", number="T-2")
    tickets, options = reassign_options(team_of([refund, davit, *busy("generalist", 2)]), ["refund", "davit", "gone"])
    assert [t.number for t in tickets] == ["T-1", "T-2"], "a ticket no longer in the team is left out"
    assert {o.agent_id for o in options} == {"expert", "billing", "generalist"}
    assert options == sorted(options, key=lambda o: -o.score)
    assert options[-1].agent_id == "generalist", "the busiest with no matching skill comes last"
    assert any(reason.code == "skill" for reason in options[0].reasons)


def test_tickets_all_of_one_owner_are_not_offered_back_to_them():
    own = [replace(t, category="billing") for t in busy("billing", 2)]
    _, options = reassign_options(team_of(own), [t.id for t in own])
    assert "billing" not in {o.agent_id for o in options}


def test_nothing_chosen_offers_nobody():
    assert reassign_options(team_of([]), ["missing"]) == ([], [])


def test_the_waiting_tickets_are_planned_and_grouped_by_agent():
    waiting = [replace(new("billing"), id=f"w{n}", number=f"T-{n}") for n in range(3)]
    plan = route_plan(team_of([*waiting, ticket("mine", at(20, 9), assignee="expert")]))
    assert plan.waiting == 3 and len(plan.moves) == 3
    assert sorted(sum(plan.by_agent().values(), [])) == ["w0", "w1", "w2"]


def test_a_plan_says_when_nobody_waits_or_nobody_can_take_them():
    assert route_plan(team_of([ticket("mine", at(20, 9), assignee="expert")])).waiting == 0
    nobody = route_plan(team_of([new("billing")], agents=()))
    assert (nobody.waiting, nobody.moves) == (1, [])


def test_a_lead_sees_their_team_an_agent_or_nobody_every_ticket():
    assert scope_of(LEAD).team == "Desk"
    assert scope_of(GENERALIST).team is None and scope_of(None).team is None
