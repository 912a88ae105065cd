"""Rows reached by id, against a real server process on each backend: an agent who names
another team's customer, moves a ticket to another team, or moves someone else's reminder
has that operation refused by name (it shows in the device's refused list), and the rest of
what the device sends goes through. Decided on the server from the token alone.

The hostile operations are made through the store, the way a modified build would send them.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlmodel import select

from cs_console.storage.models import Customer, Reminder, Ticket
from cs_console.store import Store
from cs_console.usecases.ticket_changes import add_interaction
from cs_console.utc import utcnow
from tests.test_sync_harness import (  # noqa: F401  (fixtures)
    Device,
    database,
    database_url,
    device,
    server,
    server_ticket,
)


@pytest.fixture(scope="module")
def world(tmp_path_factory, server, database):
    """Carl (engine team) holds a ticket, its customer's notes and a reminder; Mallory (deck
    team) holds a ticket of her own."""
    tmp_path = tmp_path_factory.mktemp("by-id")
    deck, engine = f"deck-{uuid.uuid4().hex[:4]}", f"engine-{uuid.uuid4().hex[:4]}"
    carl = device(tmp_path, server.url, database, "agent", engine)
    mallory = device(tmp_path, server.url, database, "agent", deck)
    for member in (carl, mallory):
        member.sync_until_done()
    theirs = carl.store.create_ticket(
        new_customer=Customer(name="Far Customer", notes="Prefers calls after 10:00"), subject="Carl's gyro",
        first_message="help", assignee_id=carl.agent_id, team=engine)
    reminder = carl.store.add_reminder(theirs.id, utcnow() + timedelta(days=1), "call back", agent_id=carl.agent_id)
    carl.sync_until_done()
    mine = mallory.store.create_ticket(new_customer=Customer(name="Near Customer"), subject="Mallory's radar",
                                       first_message="help", assignee_id=mallory.agent_id, team=deck)
    mallory.sync_until_done()
    return {"carl": carl, "mallory": mallory, "deck": deck, "engine": engine, "theirs": theirs, "mine": mine,
            "reminder": reminder, "tmp_path": tmp_path}


def refusals(target: Device) -> dict[str, str]:
    """Entity id to the server's reason, for every operation the device set aside."""
    return {op.entity_id: reason for op, reason in target.store.refused_operations()}


def good_note(world, body: str) -> None:
    """An operation that must go through beside the refused ones."""
    mallory = world["mallory"]
    add_interaction(mallory.store, world["mine"].id, "internal_note", body, author_id=mallory.agent_id)


def delivered(central, world, body: str) -> bool:
    return body in {text for _, _, text, _ in server_ticket(central, world["mine"].id)["interactions"]}


def test_a_new_ticket_cannot_reach_another_teams_customer(world, database, server):
    mallory, theirs = world["mallory"], world["theirs"]
    far = theirs.customer_id
    mallory.store.bulk_load(Customer, [{"id": far, "name": "Far Customer"}])  # the id, learnt somehow
    grab = mallory.store.create_ticket(customer_id=far, subject="Grab", first_message="x",
                                       assignee_id=mallory.agent_id, team=world["deck"])
    mallory.store.import_rows([Customer(id=far, name="Far Customer", notes="overwritten")], update_existing=True)
    good_note(world, "radar checked")

    report = mallory.sync_until_done()
    assert report.ok
    reasons = refusals(mallory)
    assert "has no ticket in your scope" in reasons[grab.id] and far in reasons[grab.id]
    assert "has no ticket in your scope" in reasons[far]
    assert delivered(database, world, "radar checked")
    with database.read() as session:
        assert session.get(Customer, far).notes == "Prefers calls after 10:00"
        assert session.get(Ticket, grab.id) is None

    fresh = Device(Store.open(world["tmp_path"] / f"{uuid.uuid4().hex}.db"), mallory.settings, mallory.agent_id)
    fresh.sync_until_done()
    with fresh.store.read() as session:
        assert session.get(Customer, far) is None
        assert {c.name for c in session.exec(select(Customer))} == {"Near Customer"}


def test_an_agent_keeps_tickets_in_their_own_team(world, database):
    mallory, mine, engine = world["mallory"], world["mine"], world["engine"]
    with mallory.store.read() as session:
        current = session.get(Ticket, mine.id)
    mallory.store.import_rows([Ticket(**{**current.model_dump(), "team": engine})], update_existing=True)
    elsewhere = mallory.store.create_ticket(new_customer=Customer(name="Engine Customer"), subject="Filed elsewhere",
                                            first_message="x", assignee_id=mallory.agent_id, team=engine)
    good_note(world, "moved nothing")

    assert mallory.sync_until_done().ok
    reasons = refusals(mallory)
    for ticket_id in (mine.id, elsewhere.id):
        assert f"only an admin files a ticket in another team ({engine!r})" in reasons[ticket_id]
    assert delivered(database, world, "moved nothing")
    with database.read() as session:
        assert session.get(Ticket, mine.id).team == world["deck"]
        assert session.get(Ticket, elsewhere.id) is None


def test_an_agent_cannot_move_someone_elses_reminder_onto_their_ticket(world, database):
    mallory, reminder = world["mallory"], world["reminder"]
    spare = mallory.store.create_ticket(new_customer=Customer(name="Spare Customer"), subject="Spare",
                                        first_message="x", assignee_id=mallory.agent_id, team=world["deck"])
    mallory.sync_until_done()
    mallory.store.bulk_load(Reminder, [{"id": reminder.id, "ticket_id": spare.id, "agent_id": mallory.agent_id,
                                        "due_at": reminder.due_at, "note": reminder.note}])
    mallory.store.import_rows([Reminder(id=reminder.id, ticket_id=world["mine"].id, agent_id=mallory.agent_id,
                                        due_at=reminder.due_at, note=reminder.note)], update_existing=True)
    good_note(world, "reminder left alone")

    assert mallory.sync_until_done().ok
    reason = refusals(mallory)[reminder.id]
    assert f"reminder {reminder.id} is not yours to change" in reason
    assert delivered(database, world, "reminder left alone")
    with database.read() as session:
        held = session.get(Reminder, reminder.id)
        assert (held.ticket_id, held.agent_id) == (world["theirs"].id, world["carl"].agent_id)
