"""Complaints and knowledge-base proposals sync through a real server: a complaint's PEARL
steps and an agent's proposal reach the lead's device; the lead's approval turns it into an
article every device receives; an agent cannot approve, and is told so."""

from __future__ import annotations

import json
import uuid

import httpx
from sqlmodel import select

from cs_console.lead.complaints import complaint_since
from cs_console.storage.models import KbArticle, KbProposal
from cs_console.sync.protocol import PROTOCOL_VERSION, SYNC_PATH
from cs_console.usecases.complaints import complaint_of, mark_complaint, record_pearl_step
from cs_console.usecases.kb_proposals import ProposalDraft, propose, review
from cs_console.usecases.ticket_changes import add_interaction, change_status
from cs_console.utc import utcnow
from tests.test_server_protocol import wire_ops
from tests.test_sync_e2e import pool_ticket
from tests.test_sync_harness import account, database, database_url, device, server  # noqa: F401  (fixtures)


def agent_of(member):
    return next(agent for agent in member.store.agents() if agent.id == member.agent_id)


def resolved_ticket(lead, agent):
    ticket = pool_ticket(lead, assignee_id=agent.agent_id)
    lead.sync_until_done()
    agent.sync_until_done()
    add_interaction(agent.store, ticket.id, "public_reply", "Book the Ningbo station; certificate follows in 2 days.",
                    author_id=agent.agent_id)
    change_status(agent.store, ticket.id, "resolved", author_id=agent.agent_id)
    return ticket


def test_a_complaints_steps_and_a_proposal_reach_the_lead_who_approves_it_for_everyone(tmp_path, server, database):
    alice = device(tmp_path, server.url, database, "agent")
    ann = device(tmp_path, server.url, database, "agent")
    lena = device(tmp_path, server.url, database, "lead")
    lena.sync_until_done()
    ticket = resolved_ticket(lena, alice)

    mark_complaint(alice.store, ticket.id, True, author_id=alice.agent_id)
    record_pearl_step(alice.store, ticket.id, "empathy", "Apologised for the late certificate", author_id=alice.agent_id)
    record_pearl_step(alice.store, ticket.id, "accountability", "Our booking slipped; I own it", author_id=alice.agent_id)
    agent = agent_of(alice)
    proposal = propose(alice.store, ticket.id, ProposalDraft("article", "Liferaft certificate expiring", "Book the "
                       "nearest approved station.", "safety_equipment", "en"), author=agent)
    report = alice.sync_until_done()
    assert report.refused == 0, alice.store.refused_operations()

    lena.sync_until_done()
    complaint = complaint_of(lena.store.ticket_detail(ticket.id), utcnow())
    assert complaint.marked
    assert {step.step: step.note for step in complaint.steps if step.done} == {
        "empathy": "Apologised for the late certificate", "accountability": "Our booking slipped; I own it"}
    [waiting] = lena.store.kb_proposals(state="waiting")
    assert (waiting.proposal.id, waiting.author) == (proposal.id, agent.name)

    review(lena.store, proposal.id, reviewer=agent_of(lena), approve=True)
    report = lena.sync_until_done()
    assert report.refused == 0, lena.store.refused_operations()

    for member in (alice, ann):
        member.sync_until_done()
        with member.store.read() as session:
            article = session.get(KbArticle, proposal.id)
        assert article is not None and article.title == "Liferaft certificate expiring"
    with alice.store.read() as session:
        assert session.get(KbProposal, proposal.id).state == "approved"


def test_an_agent_cannot_approve_a_proposal_and_the_server_says_why(tmp_path, server, database):
    alice = device(tmp_path, server.url, database, "agent")
    lena = device(tmp_path, server.url, database, "lead")
    lena.sync_until_done()
    ticket = resolved_ticket(lena, alice)
    proposal = propose(alice.store, ticket.id, ProposalDraft("template", "Certificate follows", "It follows in 2 days.",
                       "other", "en"), author=agent_of(alice))
    alice.sync_until_done()

    alice.store.review_kb_proposal(proposal.id, reviewer_id=alice.agent_id, approve=True)  # past the use case's check
    ops = wire_ops(alice.store)
    assert {op[2] for op in ops} == {"kb_proposal", "template"}
    answer = httpx.post(f"{server.url}{SYNC_PATH}", headers={"authorization": f"Bearer {alice.settings.token}"},
                        json={"v": PROTOCOL_VERSION, "d": str(uuid.uuid4()), "c": 0, "k": 0, "b": 0, "o": ops})
    assert answer.status_code == 403, answer.text
    messages = [problem["message"] for problem in answer.json()["problems"]]
    assert any("only a lead or an admin approves or rejects knowledge-base proposals" in m for m in messages), messages
    assert any("only an admin edits templates" in m for m in messages), messages

    lena.sync_until_done()
    [row] = [row for row in lena.store.kb_proposals() if row.proposal.id == proposal.id]
    assert row.proposal.state == "waiting"
    with lena.store.read() as session:
        assert session.exec(select(KbArticle).where(KbArticle.id == proposal.id)).first() is None


def test_a_complaint_marked_on_one_device_and_cleared_on_another_converges(tmp_path, server, database):
    alice = device(tmp_path, server.url, database, "agent")
    lena = device(tmp_path, server.url, database, "lead")
    lena.sync_until_done()
    ticket = resolved_ticket(lena, alice)
    mark_complaint(alice.store, ticket.id, True, author_id=alice.agent_id)
    alice.sync_until_done()
    lena.sync_until_done()
    mark_complaint(lena.store, ticket.id, False, author_id=lena.agent_id)
    lena.sync_until_done()
    alice.sync_until_done()
    for member in (alice, lena):
        events = [(e.kind, e.at) for e in member.store.ticket_detail(ticket.id).events]
        assert complaint_since(events, utcnow()) is None
        detail = json.loads(next(e.detail for e in member.store.ticket_detail(ticket.id).events
                                 if e.kind == "complaint_marked"))
        assert detail == {"source": "agent"}
