"""Ticket numbers that collide across devices, against a real server process on each backend.

Two devices whose prefixes collide (rare at thousands of installs, not impossible) make the
same number offline. The second ticket is renumbered by the server, never refused: its
customer's message and the agent's reply arrive, and both devices show the server's number.
"""

from __future__ import annotations

import uuid

from sqlmodel import select

from cs_console.storage.models import Customer, Interaction, Ticket
from cs_console.usecases.ticket_changes import add_interaction
from tests.test_sync_harness import database, database_url, device, server, server_ticket  # noqa: F401  (fixtures)


def _number(target, ticket_id: str) -> str:
    with target.store.read() as session:
        return session.get(Ticket, ticket_id).number


def test_a_taken_number_is_renumbered_and_the_whole_ticket_arrives(tmp_path, server, database):
    team = f"deck-{uuid.uuid4().hex[:6]}"
    first = device(tmp_path, server.url, database, "agent", team)
    second = device(tmp_path, server.url, database, "agent", team)
    second.store.ticket_prefix = first.store.ticket_prefix  # the two prefixes collide
    for member in (first, second):
        member.sync_until_done()

    earlier = first.store.create_ticket(new_customer=Customer(name="Hai Xing Shipping"), subject="Gyro drift",
                                        first_message="Heading is off.", team=team)
    first.sync_until_done()
    later = second.store.create_ticket(new_customer=Customer(name="Blue Whale Shipping"), subject="Liferaft",
                                       first_message="Our certificate expires Friday.", team=team,
                                       assignee_id=second.agent_id)
    add_interaction(second.store, later.id, "public_reply", "We booked Ningbo for Thursday.", author_id=second.agent_id)
    assert later.number == earlier.number

    report = second.sync_until_done()
    assert report.refused == 0 and second.store.refused_operations() == []
    on_server = server_ticket(database, later.id)
    renumbered = on_server["ticket"]["number"]
    assert renumbered == f"{earlier.number}-2"
    bodies = {body for _, _, body, _ in on_server["interactions"]}
    assert {"Our certificate expires Friday.", "We booked Ningbo for Thursday."} <= bodies
    assert any(earlier.number in body and renumbered in body for body in bodies), "a note says what changed"

    assert _number(second, later.id) == renumbered
    assert _number(second, earlier.id) == earlier.number  # the pool ticket with the old number came down too
    with second.store.read() as session:
        notes = session.exec(select(Interaction.body).where(Interaction.ticket_id == later.id)).all()
    assert any(renumbered in body for body in notes)
    first.sync_until_done()
    assert _number(first, earlier.id) == earlier.number
