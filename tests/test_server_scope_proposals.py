"""Who sees and reviews knowledge-base proposals, enforced by the server: a proposal travels
with its ticket (its team's lead sees it, another team's lead does not); a lead adds an
article only as the proposal they approved, never one of their own. In-process, each backend."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from cs_console.storage.models import Customer, KbArticle, KbProposal
from cs_console.usecases.kb_proposals import ProposalDraft, propose, review
from cs_console.usecases.ticket_changes import add_interaction, change_status
from tests.test_server_scope import Member
from tests.test_sync_harness import database, database_url, sync_in_process  # noqa: F401  (fixtures)


@pytest.fixture
def desk(tmp_path, database):
    team, other = f"deck-{uuid.uuid4().hex[:4]}", f"engine-{uuid.uuid4().hex[:4]}"
    people = {"admin": Member(tmp_path, database, "admin", ""), "alice": Member(tmp_path, database, "agent", team),
              "lena": Member(tmp_path, database, "lead", team), "olaf": Member(tmp_path, database, "lead", other)}
    for member in people.values():
        member.sync()
    alice = people["alice"]
    ticket = alice.store.create_ticket(new_customer=Customer(name="Blue Whale Shipping"), subject="Raft certificate",
                                       first_message="expires Friday", assignee_id=alice.id, team=team)
    add_interaction(alice.store, ticket.id, "public_reply", "Booked the Ningbo station.", author_id=alice.id)
    change_status(alice.store, ticket.id, "resolved", author_id=alice.id)
    author = next(agent for agent in alice.store.agents() if agent.id == alice.id)
    proposal = propose(alice.store, ticket.id, ProposalDraft("article", "Raft certificate expiring", "Book the nearest "
                       "station.", "safety_equipment", "en"), author=author)
    alice.sync()
    for member in people.values():
        member.sync()
    return people, proposal


def proposals(member: Member) -> set[str]:
    with member.store.read() as session:
        return {row.title for row in session.exec(select(KbProposal))}


def test_a_proposal_reaches_its_teams_lead_and_the_admin_only(desk):
    people, _ = desk
    assert proposals(people["lena"]) == {"Raft certificate expiring"}
    assert proposals(people["admin"]) == {"Raft certificate expiring"}
    assert proposals(people["olaf"]) == set(), "another team's lead never receives it"


def test_a_lead_adds_an_article_only_as_the_proposal_they_approved(desk):
    people, proposal = desk
    lena = people["lena"]
    lena.store.import_rows([KbArticle(title="Lena's own article", body="Not reviewed by anyone.")])
    report = sync_in_process(lena.store, lena.database, lena.token)
    assert report.refused == 1 and "only an admin edits the knowledge base" in lena.store.refused_operations()[-1][1]

    reviewer = next(agent for agent in lena.store.agents() if agent.id == lena.id)
    review(lena.store, proposal.id, reviewer=reviewer, approve=True)
    assert sync_in_process(lena.store, lena.database, lena.token).refused == 0
    people["olaf"].sync()
    with people["olaf"].store.read() as session:
        titles = {article.title for article in session.exec(select(KbArticle))}
    assert "Raft certificate expiring" in titles and "Lena's own article" not in titles
