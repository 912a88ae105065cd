"""Scope, enforced by the server: each role pulls and pushes only what it may.

An agent gets their own tickets and their team's pool with those tickets' customers and
history, plus agents, the knowledge base and templates; a lead gets the team; an admin gets
everything. Writes outside that are refused by name. Runs in-process on each backend.
"""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import select

from cs_console.server import accounts
from cs_console.server.app import handle_sync
from cs_console.server.db import changes
from cs_console.storage.models import Customer, Interaction, KbArticle, Ticket
from cs_console.store import Store
from cs_console.sync import codec
from cs_console.sync.protocol import SyncRequest, response_from_wire
from tests.test_sync_harness import account, database, database_url, sync_in_process  # noqa: F401  (fixtures)


class Member:
    """A device logged in as a new account, syncing in-process."""

    def __init__(self, tmp_path, database, role: str, team: str) -> None:
        self.account, self.token = account(database, role, team)
        self.id = self.account.agent_id
        self.store = Store.open(tmp_path / f"{uuid.uuid4().hex}.db")
        self.database = database

    def sync(self):
        report = sync_in_process(self.store, self.database, self.token)
        assert report.ok, report.error
        return report

    def tickets(self) -> set[str]:
        with self.store.read() as session:
            return {t.subject for t in session.exec(select(Ticket))}

    def customers(self) -> set[str]:
        with self.store.read() as session:
            return {c.name for c in session.exec(select(Customer))}


@pytest.fixture(scope="module")
def world(tmp_path_factory, database):
    """Two teams, each with an agent, a pool ticket and an assigned ticket; one article."""
    tmp_path = tmp_path_factory.mktemp("scope")
    team = f"deck-{uuid.uuid4().hex[:4]}"
    other = f"engine-{uuid.uuid4().hex[:4]}"
    admin = Member(tmp_path, database, "admin", "")
    people = {
        "alice": Member(tmp_path, database, "agent", team),
        "ann": Member(tmp_path, database, "agent", team),
        "lena": Member(tmp_path, database, "lead", team),
        "carl": Member(tmp_path, database, "agent", other),
    }
    admin.sync()
    for subject, assignee, ticket_team in (
        ("alice's", people["alice"].id, team),
        ("deck pool", None, team),
        ("carl's", people["carl"].id, other),
        ("engine pool", None, other),
    ):
        admin.store.create_ticket(new_customer=Customer(name=f"customer of {subject}"), subject=subject,
                                  first_message="help", assignee_id=assignee, team=ticket_team)
    admin.store.import_rows([KbArticle(title="Liferaft service intervals", body="Every 12 months.")])
    admin.sync()
    for member in people.values():
        member.sync()
    return {"admin": admin, **people}


def test_an_agent_pulls_their_tickets_their_pool_and_the_knowledge_base(world):
    alice = world["alice"]
    assert alice.tickets() == {"alice's", "deck pool"}
    assert alice.customers() == {"customer of alice's", "customer of deck pool"}
    with alice.store.read() as session:
        assert [a.title for a in session.exec(select(KbArticle))] == ["Liferaft service intervals"]
    assert world["carl"].tickets() == {"carl's", "engine pool"}
    assert world["ann"].tickets() == {"deck pool"}


def test_a_lead_pulls_the_whole_team_and_an_admin_everything(world):
    assert world["lena"].tickets() == {"alice's", "deck pool"}
    assert world["admin"].tickets() >= {"alice's", "deck pool", "carl's", "engine pool"}


def _ticket(member: Member, subject: str) -> Ticket:
    with member.store.read() as session:
        return session.exec(select(Ticket).where(Ticket.subject == subject)).one()


def test_an_agent_takes_from_the_pool_but_cannot_give_a_ticket_away(world):
    ann, alice = world["ann"], world["alice"]
    pool = _ticket(ann, "deck pool")
    ann.store.assign_many([pool.id], ann.id)
    ann.sync()
    ann.store.assign_many([pool.id], alice.id)
    report = sync_in_process(ann.store, ann.database, ann.token)
    assert report.refused == 1
    assert "a lead's job" in ann.store.refused_operations()[-1][1]
    ann.store.assign_many([pool.id], None)  # handing it back to the pool is fine
    assert sync_in_process(ann.store, ann.database, ann.token).refused == 0


def test_a_lead_reassigns_within_the_team_only(world):
    lena, carl = world["lena"], world["carl"]
    theirs = _ticket(lena, "alice's")
    lena.store.assign_many([theirs.id], world["ann"].id)
    assert sync_in_process(lena.store, lena.database, lena.token).refused == 0
    lena.store.assign_many([theirs.id], carl.id)
    report = sync_in_process(lena.store, lena.database, lena.token)
    assert report.refused == 1 and "only within team" in lena.store.refused_operations()[-1][1]
    world["ann"].sync()
    assert "alice's" in world["ann"].tickets()


def test_the_library_comes_down_only_after_the_tickets(tmp_path, database):
    team = f"bridge-{uuid.uuid4().hex[:4]}"
    admin = Member(tmp_path, database, "admin", team)
    admin.store.import_rows([KbArticle(title=f"Procedure {n}", body="step " * 200) for n in range(20)])
    admin.sync()
    admin.store.create_ticket(new_customer=Customer(name="Late customer"), subject="after the articles",
                              first_message="help", team=team)
    admin.sync()
    newcomer = Member(tmp_path, database, "agent", team)
    caller = accounts.authenticate(database, f"Bearer {newcomer.token}")
    cursor = library_cursor = 0
    seen: list[str] = []
    more = True
    while more:
        request = SyncRequest(newcomer.store.device_id, cursor, library_cursor, 2048).to_wire()
        answer, _ = handle_sync(database, caller, codec.encode(request), codec.BINARY_TYPE)
        page = response_from_wire(codec.decode(answer, codec.BINARY_TYPE))
        seen += [entity for entity, rows in page.rows.items() for _ in rows if entity in ("ticket", "kb_article")]
        cursor, library_cursor, more = page.cursor, page.library_cursor, page.more
    assert seen.index("kb_article") > seen.index("ticket")  # the newest ticket before the oldest article
    assert seen.count("kb_article") >= 20


def test_a_cursor_moves_past_what_an_agent_may_not_see_and_a_ticket_reaching_them_later_arrives(tmp_path, database):
    team = f"hold-{uuid.uuid4().hex[:4]}"
    alice, ben = Member(tmp_path, database, "agent", team), Member(tmp_path, database, "agent", team)
    alice.sync()
    ben.sync()  # his device learns the agents first
    ticket = ben.store.create_ticket(new_customer=Customer(name="Harbour Pilots"), subject="ben's own",
                                     first_message="the pilot boat is late", assignee_id=ben.id, team=team)
    ben.sync()
    alice.sync()
    with database.read() as session:
        newest = session.execute(select(changes.c.seq).where(changes.c.ticket_id == ticket.id)).scalars().all()
    assert alice.tickets() == set()
    assert int(alice.store.sync_value("cursor")) >= max(newest)  # past ben's ticket, which she may not see

    ben.store.assign_many([ticket.id], None)  # back to the team's pool: now hers to see
    ben.sync()
    alice.sync()
    assert alice.tickets() == {"ben's own"}
    assert "Harbour Pilots" in alice.customers()
    with alice.store.read() as session:
        bodies = {i.body for i in session.exec(select(Interaction).where(Interaction.ticket_id == ticket.id))}
    assert "the pilot boat is late" in bodies
