"""Tags converge: two devices and the server, with adds and removals made offline on each."""

from __future__ import annotations

from sqlmodel import select

from cs_console.storage.models import TicketTag
from cs_console.usecases.tagging import change_tags
from tests.test_sync_e2e import pool_ticket
from tests.test_sync_harness import (  # noqa: F401  (fixtures)
    database,
    database_url,
    device,
    server,
)


def tags_on(session, ticket_id: str) -> set[str]:
    return set(session.exec(select(TicketTag.tag).where(TicketTag.ticket_id == ticket_id, TicketTag.active)))


def test_tags_added_and_removed_offline_on_two_devices_converge(tmp_path, server, database):  # noqa: F811
    alice = device(tmp_path, server.url, database, "agent", name=None)
    lena = device(tmp_path, server.url, database, "lead")
    lena.sync_until_done()
    ticket = pool_ticket(lena)
    change_tags(lena.store, [ticket.id], "vip typhoon", author_id=lena.agent_id)
    lena.sync_until_done()
    alice.sync_until_done()
    assert alice.store.ticket_tags(ticket.id) == ["typhoon", "vip"]

    # offline: Lena removes #vip and adds #台风; Alice, later, adds #port-closure and #台风 too
    change_tags(lena.store, [ticket.id], "-vip 台风", author_id=lena.agent_id)
    change_tags(alice.store, [ticket.id], "port-closure 台风", author_id=alice.agent_id)
    # and a concurrent add and removal of one tag: Lena drops #typhoon, Alice adds it again afterwards
    change_tags(lena.store, [ticket.id], "-typhoon", author_id=lena.agent_id)
    change_tags(alice.store, [ticket.id], "-typhoon", author_id=alice.agent_id)
    change_tags(alice.store, [ticket.id], "typhoon", author_id=alice.agent_id)

    for member in (alice, lena, alice, lena):
        member.sync_until_done()

    expected = ["port-closure", "typhoon", "台风"]
    assert alice.store.ticket_tags(ticket.id) == lena.store.ticket_tags(ticket.id) == expected, (
        "Lena's removal of #vip survives Alice's unrelated adds; Alice's later add of #typhoon wins")
    with database.read() as session:
        assert tags_on(session, ticket.id) == set(expected)
    assert alice.store.pending_count() == lena.store.pending_count() == 0
