"""Reviews of conversations as the server scopes them, against a real server process: a
lead writes and reads the reviews of their team's agents only, an agent reads the reviews
of their own work only (and writes none), and a review stays with the reviewed agent when
the ticket moves on. Refusals name the rule."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlmodel import select

from cs_console.storage.models import Customer, Review
from cs_console.utc import utcnow
from tests.test_sync_harness import database, database_url, device, server  # noqa: F401  (fixtures)


def _reviews(target) -> dict[str, str]:
    with target.store.read() as session:
        return {r.id: r.comment for r in session.exec(select(Review))}


def _review(target, ticket_id: str, agent_id: str, comment: str) -> Review:
    return target.store.save_review(ticket_id=ticket_id, agent_id=agent_id, reviewer_id=target.agent_id,
                                    scores=json.dumps({"dialogue": 4, "empathy": 2}), comment=comment, at=utcnow())


@pytest.fixture(scope="module")
def desk(tmp_path_factory, server, database):  # noqa: F811
    tmp_path = tmp_path_factory.mktemp("review-scope")
    team, other = f"deck-{uuid.uuid4().hex[:4]}", f"engine-{uuid.uuid4().hex[:4]}"
    people = {
        "admin": device(tmp_path, server.url, database, "admin", ""),
        "alice": device(tmp_path, server.url, database, "agent", team),
        "ann": device(tmp_path, server.url, database, "agent", team),
        "lena": device(tmp_path, server.url, database, "lead", team),
        "lana": device(tmp_path, server.url, database, "lead", team),
        "carl": device(tmp_path, server.url, database, "agent", other),
        "olga": device(tmp_path, server.url, database, "lead", other),
    }
    admin = people["admin"]
    admin.sync_until_done()
    tickets = {}
    for holder, ticket_team in (("alice", team), ("carl", other)):
        tickets[holder] = admin.store.create_ticket(new_customer=Customer(name=f"customer of {holder}"),
                                                    subject=f"{holder}'s", first_message="help",
                                                    assignee_id=people[holder].agent_id, team=ticket_team).id
    admin.sync_until_done()
    for name, member in people.items():
        if name != "admin":
            member.sync_until_done()
    return people, tickets


def test_the_reviewed_agent_and_their_lead_read_a_review_and_nobody_else(desk):
    people, tickets = desk
    review = _review(people["lena"], tickets["alice"], people["alice"].agent_id, "good tone, check the policy")
    assert people["lena"].sync_until_done().refused == 0
    for name in ("alice", "ann", "carl", "olga", "admin"):
        people[name].sync_until_done()
    assert _reviews(people["alice"]) == {review.id: "good tone, check the policy"}
    assert review.id not in _reviews(people["ann"])
    assert review.id not in _reviews(people["carl"])
    assert review.id not in _reviews(people["olga"])
    assert review.id in _reviews(people["admin"])


def test_a_review_stays_with_the_reviewed_agent_when_the_ticket_moves_on(desk):
    people, tickets = desk
    lena, alice, ann = people["lena"], people["alice"], people["ann"]
    review = _review(lena, tickets["alice"], alice.agent_id, "second look")
    lena.store.assign_many([tickets["alice"]], ann.agent_id, author_id=lena.agent_id)
    assert lena.sync_until_done().refused == 0
    ann.sync_until_done()
    alice.sync_until_done()
    assert review.id not in _reviews(ann)
    assert _reviews(alice)[review.id] == "second look"
    lena.store.save_review(ticket_id=tickets["alice"], agent_id=alice.agent_id, reviewer_id=lena.agent_id,
                           scores=json.dumps({"dialogue": 5}), comment="corrected", at=utcnow(), review_id=review.id)
    assert lena.sync_until_done().refused == 0
    alice.sync_until_done()
    assert _reviews(alice)[review.id] == "corrected"


def test_an_agent_writes_no_review(desk):
    people, tickets = desk
    carl = people["carl"]
    _review(carl, tickets["carl"], carl.agent_id, "I was great")
    report = carl.sync()
    assert report.refused == 1
    assert "only a lead reviews conversations" in carl.store.refused_operations()[-1][1]


def test_a_lead_reviews_only_the_agents_of_their_team(desk):
    people, tickets = desk
    olga = people["olga"]
    _review(olga, tickets["carl"], people["alice"].agent_id, "not mine to judge")
    report = olga.sync()
    assert report.refused == 1
    assert "a lead reviews only the agents of team" in olga.store.refused_operations()[-1][1]


def test_two_leads_correcting_one_review_end_with_the_later_correction_everywhere(desk):
    people, tickets = desk
    lena, lana, alice = people["lena"], people["lana"], people["alice"]
    review = _review(lena, tickets["alice"], alice.agent_id, "first")
    lena.sync_until_done()
    lana.sync_until_done()
    for lead, comment in ((lena, "lena's correction"), (lana, "lana's correction")):  # both offline, lana later
        lead.store.save_review(ticket_id=tickets["alice"], agent_id=alice.agent_id, reviewer_id=lena.agent_id,
                               scores=json.dumps({"empathy": 3}), comment=comment, at=utcnow(), review_id=review.id)
    for member in (lena, lana, lena, alice):
        assert member.sync_until_done().refused == 0
    assert {_reviews(member)[review.id] for member in (lena, lana, alice)} == {"lana's correction"}


def test_the_server_answers_a_review_out_of_scope_with_403_naming_the_rule(desk, server):  # noqa: F811
    import httpx

    from cs_console.sync.protocol import PROTOCOL_VERSION, SYNC_PATH

    people, tickets = desk
    ann = people["ann"]
    op = [1, str(uuid.uuid4()), "review", str(uuid.uuid4()), "insert",
          {"ticket_id": tickets["alice"], "agent_id": ann.agent_id, "reviewer_id": ann.agent_id,
           "scores": '{"empathy": 5}', "comment": "", "reviewed_at": "2026-11-30 10:00:00.000000"},
          "0001764496800000.00000.cafe"]
    body = {"v": PROTOCOL_VERSION, "d": str(uuid.uuid4()), "c": 0, "k": 0, "b": 0, "o": [op]}
    answer = httpx.post(server.url + SYNC_PATH, content=json.dumps(body), timeout=30,
                        headers={"content-type": "application/json", "authorization": f"Bearer {ann.settings.token}"})
    assert answer.status_code == 403
    problem = answer.json()["problems"][0]
    assert problem["code"] == "scope"
    assert problem["message"] == "only a lead reviews conversations; an agent reads the reviews of their own work"
