"""Merges and links across two devices and a real server process: made offline on each
side, they converge to one state, also when the two merges disagree or form a loop."""

from __future__ import annotations

import json

from sqlmodel import select

from cs_console.server.merge import SYSTEM_AGENT_ID
from cs_console.storage.models import Customer, OutboxOp, TicketLink
from cs_console.usecases.ticket_relations import link_tickets, merge_tickets
from tests.test_sync_harness import (  # noqa: F401  (fixtures)
    database,
    database_url,
    device,
    device_ticket,
    server,
    server_ticket,
)


def three_tickets(lead):
    first = lead.store.create_ticket(new_customer=Customer(name="Blue Whale Shipping"), team="deck",
                                     subject="MV Blue Whale detained in Ningbo", first_message="From the master.")
    rest = [lead.store.create_ticket(customer_id=first.customer_id, team="deck", subject=subject, first_message=body)
            for subject, body in (("Detention of MV Blue Whale at Ningbo", "From the agent."),
                                  ("Blue Whale detained Ningbo - office", "From the office."))]
    return [first, *rest]


def two_leads(tmp_path, server, database):  # noqa: F811
    lena = device(tmp_path, server.url, database, "lead")
    kim = device(tmp_path, server.url, database, "lead")
    lena.sync_until_done()
    tickets = three_tickets(lena)
    lena.sync_until_done()
    kim.sync_until_done()
    return lena, kim, tickets


def merge_stamp(member, ticket_id: str) -> str:
    """The stamp of the device's last write of `merged_into` on the ticket."""
    with member.store.read() as session:
        ops = session.exec(select(OutboxOp).where(OutboxOp.entity == "ticket", OutboxOp.entity_id == ticket_id)
                           .order_by(OutboxOp.seq)).all()
    return [op.hlc for op in ops if "merged_into" in json.loads(op.payload)][-1]


def settle(*members) -> None:
    for member in (*members, *members):
        member.sync_until_done()


def agree(database, members, ticket_ids) -> dict:  # noqa: F811
    views = {ticket_id: server_ticket(database, ticket_id) for ticket_id in ticket_ids}
    for member in members:
        for ticket_id in ticket_ids:
            assert device_ticket(member, ticket_id) == views[ticket_id]
    return views


def test_a_merge_and_the_same_link_made_on_two_devices_converge(tmp_path, server, database):  # noqa: F811
    lena, kim, (x, y, z) = two_leads(tmp_path, server, database)
    merge_tickets(lena.store, y.id, x.id, author_id=lena.agent_id)
    link_tickets(lena.store, x.id, z.id, "related", author_id=lena.agent_id)
    link_tickets(kim.store, z.id, x.id, "related", author_id=kim.agent_id)  # the same link, offline
    settle(lena, kim)

    views = agree(database, (lena, kim), (x.id, y.id, z.id))
    assert views[y.id]["ticket"]["merged_into"] == x.id and views[y.id]["ticket"]["status"] == "closed"
    for member in (lena, kim):
        detail = member.store.ticket_detail(x.id)
        assert [t.id for t in detail.relations.merged] == [y.id]
        assert "From the agent." in [i.body for i in detail.relations.interactions]
        assert [(link.other_id, link.role) for link in detail.relations.links] == [(z.id, "related")]
        assert [link.other_id for link in member.store.ticket_detail(z.id).relations.links] == [x.id]
    with database.read() as session:
        assert len(session.exec(select(TicketLink)).all()) == 1


def test_a_removed_link_is_removed_everywhere(tmp_path, server, database):  # noqa: F811
    lena, kim, (x, _, z) = two_leads(tmp_path, server, database)
    link = link_tickets(lena.store, x.id, z.id, "parent", author_id=lena.agent_id)
    settle(lena, kim)
    assert [l.role for l in kim.store.ticket_detail(z.id).relations.links] == ["parent"]
    kim.store.unlink_tickets(link.id, author_id=kim.agent_id)
    settle(kim, lena)
    assert lena.store.ticket_detail(x.id).relations.links == ()
    assert kim.store.ticket_detail(z.id).relations.links == ()


def test_one_duplicate_merged_into_two_tickets_on_two_devices_goes_to_the_later(tmp_path, server, database):  # noqa: F811
    lena, kim, (x, y, z) = two_leads(tmp_path, server, database)
    merge_tickets(lena.store, x.id, y.id, author_id=lena.agent_id)  # offline, both
    merge_tickets(kim.store, x.id, z.id, author_id=kim.agent_id)
    winner = z.id if merge_stamp(kim, x.id) > merge_stamp(lena, x.id) else y.id
    settle(lena, kim)

    views = agree(database, (lena, kim), (x.id, y.id, z.id))
    assert views[x.id]["ticket"]["merged_into"] == winner
    loser = y.id if winner == z.id else z.id
    for member in (lena, kim):
        assert [t.id for t in member.store.ticket_detail(winner).relations.merged] == [x.id]
        assert member.store.ticket_detail(loser).relations.merged == ()


def test_two_tickets_merged_into_each_other_offline_keep_the_later_merge(tmp_path, server, database):  # noqa: F811
    lena, kim, (x, y, _) = two_leads(tmp_path, server, database)
    merge_tickets(lena.store, x.id, y.id, author_id=lena.agent_id)  # Lena: x into y
    merge_tickets(kim.store, y.id, x.id, author_id=kim.agent_id)  # Kim, offline: y into x
    later_is_kims = merge_stamp(kim, y.id) > merge_stamp(lena, x.id)
    stays, closed = (x, y) if later_is_kims else (y, x)
    settle(lena, kim)  # Lena's merge reaches the server first, Kim's closes the loop

    views = agree(database, (lena, kim), (x.id, y.id))
    assert views[closed.id]["ticket"]["merged_into"] == stays.id and views[closed.id]["ticket"]["status"] == "closed"
    assert views[stays.id]["ticket"]["merged_into"] is None and views[stays.id]["ticket"]["status"] == "open"
    note = [body for _, _, body, author in views[stays.id]["interactions"] if author == SYSTEM_AGENT_ID]
    assert len(note) == 1 and "loop" in note[0] and f"{stays.number} reopened" in note[0]
    for member in (lena, kim):
        detail = member.store.ticket_detail(stays.id)
        assert [t.id for t in detail.relations.merged] == [closed.id]
        assert {"From the master.", "From the agent."} <= {i.body for i in (*detail.interactions,
                                                                           *detail.relations.interactions)}
