"""Callback survey answers and agents' start and leaving days travel through a real server
process to another device, and the server lets only the right people write them. Runs on
each backend (SQLite, and PostgreSQL where one answers)."""

from __future__ import annotations

import json

from sqlmodel import select

from cs_console.lead.survey import split_answers
from cs_console.storage.models import Agent, Interaction
from cs_console.usecases.agent_dates import set_agent_dates
from cs_console.usecases.ticket_changes import add_interaction
from cs_console.usecases.ticket_facts import ticket_facts
from tests.test_sync_e2e import pool_ticket
from tests.test_sync_harness import (  # noqa: F401  (fixtures)
    database,
    database_url,
    device,
    server,
)

ANSWERS = {"speed": 4, "accuracy": 5, "attitude": 5, "resolution": 3, "overall": 4, "ces": 6, "nps": 10}


def agent_row(target, agent_id: str) -> Agent:
    return next(agent for agent in target.store.agents() if agent.id == agent_id)


def test_survey_answers_reach_the_server_and_the_lead(tmp_path, server, database):
    agent = device(tmp_path, server.url, database, "agent")
    lead = device(tmp_path, server.url, database, "lead")
    agent.sync_until_done()
    ticket = pool_ticket(agent, assignee_id=agent.agent_id)
    satisfaction, nps, survey = split_answers(ANSWERS)
    callback = add_interaction(agent.store, ticket.id, "callback", "Fixed fast", author_id=agent.agent_id,
                               satisfaction=satisfaction, nps=nps, survey=survey)
    agent.sync_until_done()
    with database.read() as session:
        stored = session.get(Interaction, callback.id)
        assert (stored.satisfaction, stored.nps, json.loads(stored.survey)) == (
            4, 10, {"speed": 4, "accuracy": 5, "attitude": 5, "resolution": 3, "ces": 6})
    lead.sync_until_done()
    [facts] = [t for t in ticket_facts(lead.store) if t.id == ticket.id]
    [contact] = [c for c in facts.contacts if c.kind == "callback"]
    assert (contact.satisfaction, contact.nps, dict(contact.survey)) == (4, 10, survey)


def test_a_lead_records_their_agents_days_and_every_device_gets_them(tmp_path, server, database):
    lead = device(tmp_path, server.url, database, "lead", team="deck")
    agent = device(tmp_path, server.url, database, "agent", team="deck")
    other_lead = device(tmp_path, server.url, database, "lead", team="engine")
    for member in (lead, agent, other_lead):
        member.sync_until_done()

    set_agent_dates(lead.store, agent_row(lead, lead.agent_id), agent_row(lead, agent.agent_id),
                    {"started_on": "2024-03-01", "left_on": "2026-11-30"})
    report = lead.sync_until_done()
    assert report.refused == 0
    with database.read() as session:
        on_server = session.get(Agent, agent.agent_id)
        assert (on_server.started_on, on_server.left_on) == ("2024-03-01", "2026-11-30")
    agent.sync_until_done()
    assert (agent_row(agent, agent.agent_id).started_on, agent_row(agent, agent.agent_id).left_on) == (
        "2024-03-01", "2026-11-30")

    # A lead of another team, and an agent, are refused by the server even from a build that skips the check.
    other_lead.sync_until_done()
    other_lead.store.set_agent_dates(agent.agent_id, {"left_on": "2026-12-31"})
    agent.store.set_agent_dates(agent.agent_id, {"left_on": None})
    for refused in (other_lead, agent):
        outcome = refused.sync()
        assert outcome.refused == 1, outcome
        [(_, reason)] = [(op, why) for op, why in refused.store.refused_operations()]
        assert "only an admin edits agents" in reason
    with database.read() as session:
        assert session.exec(select(Agent.left_on).where(Agent.id == agent.agent_id)).one() == "2026-11-30"
